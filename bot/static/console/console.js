/*
 * Customer Success console: the queue, a conversation's transcript, the reply box and the client's
 * context. Plain JS, no build step; talks only to the gateway's /console/api (docs/gateway.md).
 *
 * Every call is same-origin with the session cookie and carries X-Requested-With: console (the
 * gateway's CSRF check). Everything from the server is rendered with textContent, never innerHTML.
 */
(function () {
  "use strict";

  var API = "/console/api";
  var MAX_CHARS = 10000;
  var MAX_BACKOFF_MS = 30000;
  var SESSION_CHECK_MS = 60000; // a session ended elsewhere (expiry, another tab) shows the login
  var ACCOUNT_AFTER_CLAIM = "The client's account (credits, sessions, invoices) is shown only to " +
    "the agent who claims the conversation. Claim it to see it.";

  var PRIORITY_LABEL = { urgent: "Urgent", high: "High", normal: "Normal" };
  var REASON_LABEL = {
    requested: "Asked for a person",
    safety: "Safety: may be at risk",
    not_understood: "The assistant did not understand twice",
    platform_unavailable: "The platform was unavailable",
  };
  /** A handoff reason in words, never its code (an unknown one with its underscores gone). */
  function reasonLabel(reason) {
    if (!reason) return "";
    return REASON_LABEL[reason] || String(reason).replace(/_/g, " ");
  }
  var MODE_LABEL = { bot: "With the assistant", waiting: "Waiting", agent: "With an agent", resolved: "Resolved" };
  var CHANNEL_LABEL = { widget: "Widget", slack: "Slack", telegram: "Telegram" };

  // ---------------------------------------------------------------- helpers

  function $(id) { return document.getElementById(id); }

  /** An element with attributes, listeners ("on…") and children (strings become text nodes). */
  function h(tag, attrs) {
    var el = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") el.textContent = value;
      else if (name.slice(0, 2) === "on") el.addEventListener(name.slice(2), value);
      else el.setAttribute(name, value === true ? "" : String(value));
    });
    for (var i = 2; i < arguments.length; i++) {
      var child = arguments[i];
      if (child !== null && child !== undefined && child !== false) el.append(child);
    }
    return el;
  }

  function str(value) { return typeof value === "string" ? value : value == null ? "" : String(value); }

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

  /** Text with http(s) links as <a rel="noopener noreferrer">; everything else as text nodes. */
  function richText(text) {
    text = str(text);
    var fragment = document.createDocumentFragment();
    var last = 0;
    text.replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]}'"]+$/, "");
      var parsed = null;
      try { parsed = new URL(url); } catch (e) { /* not a link */ }
      if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return match;
      fragment.append(document.createTextNode(text.slice(last, offset)));
      fragment.append(h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer", text: url }));
      last = offset + url.length;
      return match;
    });
    fragment.append(document.createTextNode(text.slice(last)));
    return fragment;
  }

  function parseTime(value) {
    var t = value ? new Date(value) : null;
    return t && !isNaN(t.getTime()) ? t : null;
  }

  var clock = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" });
  var dayTime = new Intl.DateTimeFormat("en-GB", {
    weekday: "short", day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
  var day = new Intl.DateTimeFormat("en-GB", { day: "numeric", month: "short", year: "numeric" });

  function format(fmt, value) {
    var t = parseTime(value);
    return t ? fmt.format(t) : "";
  }

  function waitingFor(since) {
    var t = parseTime(since);
    if (!t) return "";
    var minutes = Math.max(0, Math.floor((Date.now() - t.getTime()) / 60000));
    if (minutes < 1) return "waiting < 1 min";
    if (minutes < 60) return "waiting " + minutes + " min";
    var hours = Math.floor(minutes / 60);
    if (hours < 24) return "waiting " + hours + " h " + (minutes % 60) + " min";
    return "waiting " + Math.floor(hours / 24) + " d " + (hours % 24) + " h";
  }

  function money(m) {
    if (!m || typeof m.amount !== "number") return "";
    try {
      return new Intl.NumberFormat("en-GB", { style: "currency", currency: m.currency }).format(m.amount);
    } catch (e) {
      return m.amount + " " + str(m.currency);
    }
  }

  /** A queue line, whichever shape the gateway sends (assignee object or owner name). */
  function summary(c) {
    c = c || {};
    var assignee = c.assignee && typeof c.assignee === "object" ? c.assignee : null;
    return Object.assign({}, c, {
      ownerId: assignee ? assignee.id : null,
      owner: c.owner || (assignee ? assignee.name : null),
      signed_in: typeof c.signed_in === "boolean" ? c.signed_in : !!c.client_name,
    });
  }

  /** What to call the client before their account is loaded (queue lines carry no name). */
  function clientLabel(c, ctx) {
    if (ctx && ctx.client && ctx.client.name) return str(ctx.client.name);
    if (c && c.client_name) return str(c.client_name);
    return c && c.signed_in ? "Signed-in client" : "Not signed in";
  }

  /** Where the client writes from: "Widget", "Slack", "Telegram · shared chat". */
  function channelLabel(c) {
    var name = CHANNEL_LABEL[c && c.channel] || str(c && c.channel) || "Widget";
    return c && c.shared ? name + " · shared chat" : name;
  }

  /** Slack and Telegram users link their account with a code; the widget signs in. */
  function linksAccount(c) {
    return !!c && (c.channel === "slack" || c.channel === "telegram");
  }

  function codePoints(text) {
    var n = 0;
    for (var ignored of text) n++; // eslint-disable-line no-unused-vars
    return n;
  }

  // ---------------------------------------------------------------- talking to the gateway

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  function api(method, path, body) {
    var headers = { Accept: "application/json", "X-Requested-With": "console" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(API + path, {
      method: method, headers: headers, credentials: "same-origin", cache: "no-store",
      body: body === undefined ? undefined : JSON.stringify(body),
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (response.ok) return data || {};
        var error = (data && data.error) || {};
        var failure = new ApiError(response.status, error.code || "http_" + response.status,
          str(error.message));
        if (response.status === 401 && path !== "/login") onSignedOut();
        throw failure;
      });
    }, function () {
      throw new ApiError(0, "unreachable", "The gateway can't be reached. Check your connection.");
    });
  }

  // ---------------------------------------------------------------- state

  var state = {
    agent: null,
    waiting: [],
    mine: [],
    selectedId: null,
    conversation: null,
    messages: [],
    context: null,
    noteMode: false,
    sending: false,
    busy: false,
    closedNote: null,       // why the open conversation is read-only now (no longer ours to see)
    events: null,
    retries: 0,
    retryTimer: null,
    refreshTimer: null,
    refreshIds: new Set(),
    refreshQueue: false,
    signedIn: false,
    sessionTimer: null,
    following: null,        // a conversation this agent handed back and still watches, read-only
    readOnly: null,         // why the open conversation is read-only by choice (the history)
    seenWaiting: null,      // ids of the waiting ones already shown (null before the first load)
    newIds: new Set(),      // arrivals since the agent last looked
  };

  var FOLLOW_NOTE = "Back with the assistant: you see what the client sees next, read-only. " +
    "Close it when done.";

  /** Tell the console's other modules (console-*.js) what happened. */
  function emit(name, detail) {
    document.dispatchEvent(new CustomEvent("console:" + name, { detail: detail }));
  }

  // ---------------------------------------------------------------- views

  function show(view) {
    $("boot").hidden = true;
    $("login-view").hidden = view !== "login";
    $("app-view").hidden = view !== "app";
  }

  function onSignedOut() {
    if (!state.signedIn && !$("login-view").hidden) return;
    state.signedIn = false;
    closeEvents();
    clearTimeout(state.retryTimer);
    clearInterval(state.sessionTimer);
    state.selectedId = null;
    state.conversation = null;
    show("login");
    $("login-email").focus();
  }

  function toast(text, kind) {
    var el = $("toast");
    el.textContent = text;
    el.className = "toast" + (kind ? " " + kind : "");
    el.hidden = false;
    clearTimeout(toast.timer);
    toast.timer = setTimeout(function () { el.hidden = true; }, 5000);
  }

  // ---------------------------------------------------------------- login

  $("login-form").addEventListener("submit", function (e) {
    e.preventDefault();
    var email = $("login-email").value.trim();
    var password = $("login-password").value;
    var error = $("login-error");
    if (!email || !password) {
      error.textContent = "Enter your e-mail and password.";
      error.hidden = false;
      return;
    }
    var submit = e.target.querySelector("button[type=submit]");
    submit.disabled = true;
    api("POST", "/login", { email: email, password: password }).then(function (data) {
      error.hidden = true;
      $("login-password").value = "";
      state.agent = data.agent || { email: email, name: email };
      startApp();
    }, function (err) {
      error.textContent = err.status === 401 ? "That e-mail and password don't match an agent account."
        : err.status === 429 ? "Too many attempts. Wait a minute and try again."
          : err.message || "Signing in failed. Try again.";
      error.hidden = false;
      $("login-password").select();
    }).finally(function () { submit.disabled = false; });
  });

  $("logout").addEventListener("click", function () {
    closeEvents(); // nothing more arrives for this session, even before the gateway answers
    api("POST", "/logout").catch(function () { /* signed out either way */ }).then(onSignedOut);
  });

  // ---------------------------------------------------------------- the queue

  function startApp() {
    state.signedIn = true;
    show("app");
    renderAgent();
    emit("signed-in", { agent: state.agent });
    loadQueue().then(function () { connectEvents(); });
    clearInterval(state.sessionTimer);
    state.sessionTimer = setInterval(function () {
      if (state.signedIn) api("GET", "/me").catch(function () { /* a 401 shows the login */ });
    }, SESSION_CHECK_MS);
  }

  function renderAgent() {
    $("agent-name").textContent = state.agent ? str(state.agent.name || state.agent.email) : "";
  }

  function loadQueue() {
    return api("GET", "/queue").then(function (data) {
      if (data.agent) { state.agent = data.agent; renderAgent(); }
      if (Array.isArray(data.conversations)) { // waiting ones first, then this agent's own
        var all = data.conversations.map(summary);
        state.waiting = all.filter(function (c) { return c.mode === "waiting"; });
        state.mine = all.filter(function (c) { return c.mode === "agent"; });
      } else {
        state.waiting = (Array.isArray(data.waiting) ? data.waiting : []).map(summary);
        state.mine = (Array.isArray(data.mine) ? data.mine : []).map(summary);
      }
      var arrived = noteArrivals();
      renderQueue();
      if (state.conversation) renderHeader();
      emit("queue", { waiting: state.waiting, mine: state.mine, arrived: arrived });
    }, function (err) {
      if (err.status !== 401) toast(err.message || "Could not load the queue.", "error");
    });
  }

  /** The waiting conversations not seen before (none on the first load): marked "New" until
   *  opened. */
  function noteArrivals() {
    var ids = state.waiting.map(function (c) { return c.id; });
    var arrived = state.seenWaiting === null ? [] : ids.filter(function (id) { return !state.seenWaiting.has(id); });
    state.seenWaiting = new Set(ids);
    arrived.forEach(function (id) { state.newIds.add(id); });
    state.newIds.forEach(function (id) { if (ids.indexOf(id) < 0) state.newIds.delete(id); });
    return arrived;
  }

  function renderQueue() {
    renderList($("waiting-list"), state.waiting, "Nobody is waiting.", true);
    renderList($("mine-list"), state.mine, "You have no open conversations.");
    $("waiting-count").textContent = String(state.waiting.length);
    $("mine-count").textContent = String(state.mine.length);
    document.title = (state.waiting.length ? "(" + state.waiting.length + ") " : "") +
      "Support console · Wellbeing Hubs";
  }

  function renderList(ul, items, emptyText, numbered) {
    ul.replaceChildren();
    if (!items.length) {
      ul.append(h("li", { class: "queue-empty", text: emptyText }));
      return;
    }
    items.forEach(function (c, index) {
      var priority = PRIORITY_LABEL[c.priority] ? c.priority : "normal";
      var selected = c.id === state.selectedId;
      var fresh = state.newIds.has(c.id);
      ul.append(h("li", {},
        h("button", {
          type: "button", class: "queue-item" + (selected ? " selected" : "") + " p-" + priority +
            (fresh ? " new" : ""),
          "data-testid": "queue-item", "data-id": str(c.id), "aria-current": selected ? "true" : null,
          onclick: function () { select(c.id); },
        },
        h("span", { class: "queue-top" },
          numbered ? h("span", { class: "position", "data-testid": "queue-position", text: String(index + 1) + "." }) : null,
          h("span", { class: "badge " + priority, "data-testid": "priority", text: PRIORITY_LABEL[priority] }),
          fresh ? h("span", { class: "tag new-tag", "data-testid": "queue-new", text: "New" }) : null,
          h("span", { class: "waiting", "data-since": str(c.waiting_since),
            text: c.mode === "waiting" ? waitingFor(c.waiting_since) : "" })),
        h("span", { class: "queue-name", "data-testid": "queue-client", text: clientLabel(c, null) }),
        h("span", { class: "queue-reason" },
          h("span", { text: reasonLabel(c.handoff_reason) || "Needs a person" }), " · ",
          h("span", { class: "channel channel-" + str(c.channel), "data-testid": "queue-channel",
            text: channelLabel(c) })),
        c.last_message ? h("span", { class: "queue-preview", text: str(c.last_message) }) : null)));
    });
  }

  // The waiting times tick without a reload.
  setInterval(function () {
    document.querySelectorAll(".waiting[data-since]").forEach(function (el) {
      if (el.textContent) el.textContent = waitingFor(el.getAttribute("data-since"));
    });
    if (state.conversation) renderMeta();
  }, 15000);

  // ---------------------------------------------------------------- one conversation

  function select(id) {
    if (!id) return;
    var switching = id !== state.selectedId;
    if (switching) stopFollowing();
    state.newIds.delete(id);
    state.readOnly = null;
    state.selectedId = id;
    renderQueue();
    $("no-selection").hidden = true;
    $("conversation").hidden = false;
    if (switching) {
      state.closedNote = null;
      state.conversation = null;
      state.messages = [];
      state.context = null;
      $("transcript").replaceChildren(h("p", { class: "muted loading", text: "Loading the transcript…" }));
      $("context").replaceChildren(h("p", { class: "muted", text: "Loading the client's details…" }));
      setNoteMode(false);
    }
    // The client's account comes after the transcript, and only once the conversation is ours.
    return loadConversation(id, true);
  }

  function loadConversation(id, scrollDown) {
    if (state.readOnly || state.following === id) return Promise.resolve(); // nothing more to fetch
    return api("GET", "/conversations/" + encodeURIComponent(id)).then(function (data) {
      if (id !== state.selectedId) return;
      state.closedNote = null;
      state.conversation = summary(data.conversation || data);
      state.messages = Array.isArray(data.messages) ? data.messages : [];
      renderHeader();
      renderTranscript(scrollDown);
      accountIfOurs(id);
      renderContext();
      emit("conversation", data);
    }, function (err) {
      if (id !== state.selectedId || err.status === 401) return;
      if ((err.status === 403 || err.status === 404) && state.conversation) {
        // No longer ours to see (handed back, resolved, or another agent took it): keep what we
        // have on screen, read-only, and say why.
        state.closedNote = err.message || "This conversation is no longer with you.";
        renderHeader();
        return;
      }
      $("transcript").replaceChildren(h("p", { class: "muted", text: err.message || "Could not load this conversation." }));
    });
  }

  /** The account is shown to the agent who claimed the conversation; before that, why not. */
  function accountIfOurs(id) {
    if (id !== state.selectedId) return;
    if (!isMine()) {
      state.context = { hidden: true };
    } else if (!state.context || state.context.hidden) {
      state.context = { loading: true }; // read once (each read is audited)
      loadContext(id);
    }
  }

  function loadContext(id) {
    return api("GET", "/conversations/" + encodeURIComponent(id) + "/context").then(function (data) {
      if (id !== state.selectedId) return;
      state.context = data;
      renderContext();
      if (state.conversation) renderTranscript(false); // the client's name on their messages
    }, function (err) {
      if (id !== state.selectedId || err.status === 401) return;
      state.context = { failed: true, message: err.message };
      renderContext();
    });
  }

  /** A newer queue line for the open conversation (from an action's answer or an event). Returns
   *  whether the transcript is still ours to fetch. */
  function learn(line) {
    var c = state.conversation;
    if (!c || !line || line.id !== c.id) return true;
    state.conversation = Object.assign(c, summary(line));
    c = state.conversation;
    var mine = c.ownerId && state.agent && c.ownerId === state.agent.id;
    if (state.readOnly) {
      state.closedNote = state.readOnly;
    } else if (state.following === c.id && c.mode === "bot") {
      state.closedNote = FOLLOW_NOTE;
    } else if (c.mode === "waiting" || (c.mode === "agent" && (mine || !c.ownerId))) {
      state.closedNote = null;
    } else if (c.mode === "agent") {
      state.closedNote = "Another agent" + (c.owner ? " (" + str(c.owner) + ")" : "") + " has this conversation.";
    } else {
      state.closedNote = c.mode === "resolved" ? "Resolved: no longer with the team."
        : "Back with the assistant: no longer with the team.";
    }
    renderHeader();
    return !state.closedNote;
  }

  function isMine() {
    var c = state.conversation;
    if (!c || c.mode !== "agent" || state.closedNote) return false;
    if (state.agent && c.ownerId) return c.ownerId === state.agent.id;
    if (state.mine.some(function (m) { return m.id === c.id; })) return true;
    return !!(state.agent && c.owner && (c.owner === state.agent.name || c.owner === state.agent.email));
  }

  function renderHeader() {
    var c = state.conversation;
    if (!c) return;
    $("conv-title").textContent = clientLabel(c, state.context);
    renderMeta();
    var mine = isMine();
    $("claim").hidden = c.mode !== "waiting" || !!state.closedNote;
    $("handback").hidden = !mine;
    $("resolve").hidden = !mine;
    $("close-view").hidden = !(state.following === c.id || state.readOnly);
    [$("claim"), $("handback"), $("resolve")].forEach(function (b) { b.disabled = state.busy; });
    var input = $("reply-input");
    input.disabled = !mine;
    $("reply-send").disabled = !mine;
    $("note-toggle").disabled = !mine;
    if (!mine) {
      input.placeholder = state.closedNote ? state.closedNote
        : c.mode === "waiting" ? "Claim this conversation to reply."
        : c.mode === "agent" ? "Another agent (" + str(c.owner || "someone") + ") has this conversation."
          : "This conversation is " + (MODE_LABEL[c.mode] || c.mode || "closed").toLowerCase() + ".";
    } else {
      input.placeholder = state.noteMode ? "Internal note — only the team sees this"
        : "Write to " + (c.client_name ? str(c.client_name).split(" ")[0] : "the client") + "…";
    }
  }

  function renderMeta() {
    var c = state.conversation;
    if (!c) return;
    var parts = [];
    if (PRIORITY_LABEL[c.priority]) {
      parts.push(h("span", { class: "badge " + c.priority, text: PRIORITY_LABEL[c.priority] }));
    }
    parts.push(h("span", { class: "mode mode-" + str(c.mode), "data-testid": "conversation-mode",
      text: MODE_LABEL[c.mode] || str(c.mode) }));
    parts.push(h("span", { class: "channel channel-" + str(c.channel),
      "data-testid": "conversation-channel", text: channelLabel(c) }));
    if (c.mode === "agent" && c.owner) parts.push(h("span", { text: "with " + str(c.owner) }));
    if (state.closedNote) parts.push(h("span", { class: "closed-note", "data-testid": "closed-note", text: state.closedNote }));
    if (c.mode === "waiting" && c.waiting_since) parts.push(h("span", { text: waitingFor(c.waiting_since) }));
    if (c.handoff_reason) {
      parts.push(h("span", { text: reasonLabel(c.handoff_reason) }));
    }
    $("conv-meta").replaceChildren.apply($("conv-meta"), parts);
  }

  function renderTranscript(scrollDown) {
    var box = $("transcript");
    var atBottom = box.scrollHeight - box.scrollTop - box.clientHeight < 60;
    box.replaceChildren();
    if (!state.messages.length) box.append(h("p", { class: "muted", text: "No messages yet." }));
    var lastDay = "";
    state.messages.forEach(function (m) {
      var d = format(day, m.created_at);
      if (d && d !== lastDay) {
        box.append(h("div", { class: "day", text: d }));
        lastDay = d;
      }
      box.append(renderMessage(m));
    });
    if (scrollDown || atBottom) box.scrollTop = box.scrollHeight;
  }

  function renderMessage(m) {
    var sender = str(m.sender);
    var kind = str(m.kind) || "text";
    var time = format(clock, m.created_at);
    var common = { "data-testid": "transcript-message", "data-sender": sender, "data-kind": kind,
      "data-id": str(m.id) };
    if (kind === "activity") {
      return h("div", Object.assign({ class: "line activity" }, common),
        h("span", { text: str(m.text) }), time ? h("time", { text: time }) : null);
    }
    if (kind === "note") {
      return h("div", Object.assign({ class: "line note" }, common),
        h("div", { class: "note-head" },
          h("strong", { text: "Internal note" }),
          h("span", { text: (m.agent_name ? " · " + str(m.agent_name) : "") + (time ? " · " + time : "") })),
        h("div", { class: "body" }, richText(m.text)));
    }
    if (sender === "system") {
      return h("div", Object.assign({ class: "line system" }, common),
        h("span", { class: "label", text: "Shown to client" }),
        h("span", {}, richText(m.text)), time ? h("time", { text: time }) : null);
    }
    var who = sender === "client" ? (state.context && state.context.client && state.context.client.name
      ? str(state.context.client.name) : "Client")
      : sender === "bot" ? "Assistant" : str(m.agent_name || "Agent");
    var el = h("div", Object.assign({ class: "msg from-" + sender + (kind === "button_click" ? " click" : "") }, common),
      h("div", { class: "msg-head" }, h("span", { class: "who", text: who }),
        time ? h("time", { text: time }) : null),
      kind === "button_click"
        ? h("div", { class: "body", title: m.payload ? "Payload: " + str(m.payload) : null },
          h("span", { class: "click-label", text: "Clicked " }),
          h("span", { class: "chip", text: str(m.text) }))
        : h("div", { class: "body" }, richText(m.text)));
    var buttons = Array.isArray(m.buttons) ? m.buttons : [];
    if (buttons.length) {
      el.append(h("div", { class: "offered" }, h("span", { class: "muted", text: "Offered: " }),
        buttons.map(function (b) { return h("span", { class: "chip ghost", text: str(b && b.title) }); })
          .reduce(function (frag, chip) { frag.append(chip); return frag; }, document.createDocumentFragment())));
    }
    return el;
  }

  // ---------------------------------------------------------------- the context panel

  function section(title) {
    var children = Array.prototype.slice.call(arguments, 1);
    var el = h("section", { class: "ctx-section" }, h("h3", { text: title }));
    children.forEach(function (c) { if (c) el.append(c); });
    return el;
  }

  function renderContext() {
    var box = $("context");
    var c = state.conversation;
    var ctx = state.context;
    var parts = [];
    if (c) {
      parts.push(section("Why the bot handed over",
        h("p", { class: "reason", text: c.handoff_reason
          ? reasonLabel(c.handoff_reason)
          : "No handoff (the client is with the assistant)." }),
        c.waiting_since ? h("p", { class: "muted", text: "Queued " + format(dayTime, c.waiting_since) }) : null));
    }
    if (c) {
      parts.push(section("Channel", h("p", { "data-testid": "context-channel" },
        h("strong", { text: channelLabel(c) }),
        linksAccount(c) ? (c.client_name ? " · linked to " + str(c.client_name)
          : c.shared ? " · no account is shown in a shared chat" : " · not linked to an account")
          : null)));
    }
    if (c && c.contact_email) {
      parts.push(section("Answer by e-mail", h("p", {},
        "Left an address to be answered at: ", h("strong", { text: str(c.contact_email) }))));
    }
    if (!ctx || ctx.loading) {
      parts.push(h("p", { class: "muted", text: "Loading the client's details…" }));
    } else if (ctx.hidden) {
      parts.push(section("Client", h("p", { class: "ctx-hidden", "data-testid": "context-hidden",
        text: c && c.mode === "waiting" ? ACCOUNT_AFTER_CLAIM
          : "The client's account is shown only to the agent who has the conversation." })));
    } else if (ctx.failed) {
      parts.push(h("p", { class: "ctx-warning", text: ctx.message || "Couldn't load the client's details." }));
    } else if (ctx.signed_in === false) {
      parts.push(section("Client", h("p", { class: "not-signed-in", "data-testid": "context-signed-out",
        text: c && c.shared ? "A shared chat: others read along, so no account is shown here. " +
            "Ask the client to write to the assistant privately for anything about their account."
          : linksAccount(c) ? "Not linked. Without a linked account there are no account details: " +
            "the client gets a code on their dashboard (\"Link Slack or Telegram\") and sends " +
            "\"link <code>\" to the assistant."
          : "Not signed in. Without a verified identity there are no account details: ask the " +
          "client to sign in for anything about their account." })));
    } else if (ctx.unavailable || ctx.available === false) {
      parts.push(h("p", { class: "ctx-warning", "data-testid": "context-unavailable",
        text: str(ctx.message) || "The platform can't be reached right now, so credits, sessions " +
          "and invoices are unknown." }),
      h("button", { type: "button", class: "button small", text: "Try again",
        onclick: function () { if (state.selectedId) loadContext(state.selectedId); } }));
    } else {
      parts.push.apply(parts, contextSections(ctx));
    }
    box.replaceChildren.apply(box, parts);
    if (c) $("conv-title").textContent = clientLabel(c, ctx);
  }

  function contextSections(ctx) {
    var out = [];
    var client = ctx.client || {};
    out.push(section("Client",
      h("p", { class: "ctx-name", text: str(client.name) }),
      client.email ? h("p", { class: "muted", text: str(client.email) }) : null,
      client.organisation || client.hub
        ? h("p", { class: "muted", text: [client.organisation, client.hub].filter(Boolean).map(str).join(" · ") })
        : null));
    var credits = ctx.credits;
    if (credits && typeof credits.remaining === "number") {
      var share = credits.allowance ? Math.round(100 * credits.remaining / credits.allowance) : 0;
      out.push(section("Sponsored credits",
        h("p", { class: "credits" + (credits.remaining === 0 ? " none" : ""), "data-testid": "context-credits" },
          h("strong", { text: String(credits.remaining) }),
          " of " + str(credits.allowance) + " left" +
            (credits.period_end ? " · until " + format(day, credits.period_end) : "")),
        meter(share)));
    }
    var connections = Array.isArray(ctx.connections) ? ctx.connections : [];
    out.push(section("Connections", connections.length
      ? list(connections, function (p) {
        return [h("span", { text: str(p.name) }), p.title ? h("span", { class: "muted", text: " · " + str(p.title) }) : null];
      })
      : h("p", { class: "muted", text: "None yet." })));
    var sessions = Array.isArray(ctx.upcoming_sessions) ? ctx.upcoming_sessions : [];
    out.push(section("Upcoming sessions", sessions.length
      ? list(sessions, function (s) {
        var professional = s.professional && typeof s.professional === "object" ? s.professional.name : s.professional;
        var service = s.service && typeof s.service === "object" ? s.service.name : s.service;
        return [h("strong", { text: format(dayTime, s.start) }),
          h("br"), h("span", { text: [service, professional].filter(Boolean).map(str).join(" with ") }),
          s.payment_method === "credits" ? h("span", { class: "tag", text: "credits" }) : null,
          s.inside_cancellation_window ? h("span", { class: "tag warn", text: "within 24 h" }) : null];
      })
      : h("p", { class: "muted", text: "None." })));
    var invoices = Array.isArray(ctx.unpaid_invoices) ? ctx.unpaid_invoices : [];
    out.push(section("Unpaid invoices", invoices.length
      ? list(invoices, function (i) {
        return [h("strong", { text: str(i.number) }), " " + money(i.amount),
          h("br"), h("span", { class: "muted", text: [i.service_name, i.professional_name].filter(Boolean).map(str).join(" with ") +
            (i.session_start || i.issued_at ? " · " + format(day, i.session_start || i.issued_at) : "") })];
      }, "invoices")
      : h("p", { class: "muted", text: "None." })));
    return out;
  }

  function meter(percent) {
    var bar = h("span");
    bar.style.width = percent + "%"; // CSSOM, not a style attribute: the console's CSP forbids those
    return h("div", { class: "meter", "aria-hidden": "true" }, bar);
  }

  function list(items, render, extraClass) {
    var ul = h("ul", { class: "ctx-list" + (extraClass ? " " + extraClass : "") });
    items.forEach(function (item) {
      var li = h("li");
      render(item).forEach(function (part) { if (part) li.append(part); });
      ul.append(li);
    });
    return ul;
  }

  // ---------------------------------------------------------------- actions

  function act(action, button) {
    var id = state.selectedId;
    if (!id || state.busy) return;
    state.busy = true;
    renderHeader();
    // Its live events may come before the answer: they are followed from the start.
    if (action === "handback") state.following = id;
    api("POST", "/conversations/" + encodeURIComponent(id) + "/" + action).then(function (data) {
      if (data && data.conversation && id === state.selectedId) learn(data.conversation);
      if (action === "claim" && id === state.selectedId) {
        accountIfOurs(id);
        renderContext();
      }
      if (action === "claim") {
        toast("Claimed. The client has been told someone is with them.");
        $("reply-input").focus();
      } else if (action === "handback") {
        state.following = id;
        if (id === state.selectedId) {
          state.closedNote = FOLLOW_NOTE;
          renderHeader();
        }
        toast("Handed back to the assistant. You see what follows until you close it.");
      } else if (action === "resolve") {
        toast("Resolved.");
      }
    }, function (err) {
      if (action === "handback" && state.following === id) state.following = null;
      if (err.code === "already_claimed" || (action === "claim" && err.status === 409)) {
        toast("Someone else took this one.", "error");
      } else if (err.code === "not_owner" || err.code === "not_yours") {
        toast("Another agent has this conversation now.", "error");
      } else if (err.status !== 401) {
        toast(err.message || "That didn't work. Try again.", "error");
      }
    }).finally(function () {
      state.busy = false;
      refresh(state.closedNote ? null : id, true);
      renderHeader();
      if (button) button.blur();
    });
  }

  $("claim").addEventListener("click", function (e) { act("claim", e.currentTarget); });
  $("handback").addEventListener("click", function (e) { act("handback", e.currentTarget); });
  $("resolve").addEventListener("click", function (e) { act("resolve", e.currentTarget); });

  function setNoteMode(on) {
    state.noteMode = on;
    var toggle = $("note-toggle");
    toggle.setAttribute("aria-pressed", on ? "true" : "false");
    $("reply-form").classList.toggle("note-mode", on);
    $("reply-mode").textContent = on ? "Internal note (the client never sees it)" : "Reply to client";
    $("reply-send").textContent = on ? "Add note" : "Send";
    $("reply-input").setAttribute("aria-label", on ? "Internal note" : "Reply to the client");
    renderHeader();
  }

  $("note-toggle").addEventListener("click", function () {
    setNoteMode(!state.noteMode);
    $("reply-input").focus();
  });

  $("reply-input").addEventListener("keydown", function (e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendReply();
    } else if (e.key === "Escape") {
      e.currentTarget.blur();
    }
  });

  $("reply-input").addEventListener("input", function (e) {
    var n = codePoints(e.currentTarget.value);
    var counter = $("reply-counter");
    counter.textContent = n > MAX_CHARS * 0.9 ? n.toLocaleString("en") + " / " + MAX_CHARS.toLocaleString("en") : "";
    counter.classList.toggle("over", n > MAX_CHARS);
  });

  $("reply-form").addEventListener("submit", function (e) {
    e.preventDefault();
    sendReply();
  });

  function sendReply() {
    var input = $("reply-input");
    var text = input.value.trim();
    var id = state.selectedId;
    if (!text || !id || state.sending || !isMine()) return;
    if (codePoints(text) > MAX_CHARS) {
      toast("That's over 10,000 characters — please shorten it.", "error");
      return;
    }
    var note = state.noteMode;
    state.sending = true;
    $("reply-send").disabled = true;
    api("POST", "/conversations/" + encodeURIComponent(id) + (note ? "/notes" : "/reply"), { text: text })
      .then(function (data) {
        if (input.value.trim() === text) input.value = "";
        input.dispatchEvent(new Event("input"));
        var m = data && data.message;
        if (m && id === state.selectedId && !state.messages.some(function (x) { return x.id === m.id; })) {
          state.messages.push(m);
          renderTranscript(true);
        }
      }, function (err) {
        // The text stays in the box.
        if (err.code === "not_owner" || err.code === "not_yours") toast("Another agent has this conversation now.", "error");
        else if (err.status !== 401) toast(err.message || "Not sent. Try again.", "error");
        refresh(id, true);
      }).finally(function () {
        state.sending = false;
        renderHeader();
      });
  }

  // ---------------------------------------------------------------- live updates

  /** Refetch the queue and (if given and open) one conversation, coalescing bursts of events. */
  function refresh(id, queue) {
    if (id) state.refreshIds.add(id);
    if (queue) state.refreshQueue = true;
    clearTimeout(state.refreshTimer);
    state.refreshTimer = setTimeout(function () {
      var ids = state.refreshIds;
      var doQueue = state.refreshQueue;
      state.refreshIds = new Set();
      state.refreshQueue = false;
      if (doQueue) loadQueue();
      if (state.selectedId && ids.has(state.selectedId)) loadConversation(state.selectedId, false);
    }, 120);
  }

  function connectEvents() {
    closeEvents();
    if (!state.signedIn) return;
    var source = new EventSource(API + "/events", { withCredentials: true });
    state.events = source;
    setLive("Connecting…", "");
    source.addEventListener("open", function () {
      state.retries = 0;
      setLive("Live", "ok");
      refresh(state.selectedId, true); // catch up on what happened while we were away
    });
    function onEvent(e) {
      var data = {};
      try { data = JSON.parse(e.data) || {}; } catch (err) { /* refresh everything */ }
      if (state.following && (data.conversation_id === state.following || data.id === state.following)) {
        followed(e.type, data);
        return;
      }
      if (e.type === "conversation") alertIfNewlyUrgent(data);
      var id = data.id || data.conversation_id || (data.conversation && data.conversation.id) || null;
      if (e.type === "conversation" && data.id && data.mode && data.id === state.selectedId &&
          !learn(data)) {
        refresh(null, true); // the queue changed; the transcript is no longer ours to load
        return;
      }
      if (id === state.selectedId && state.closedNote) { refresh(null, true); return; }
      refresh(id || state.selectedId, true);
    }
    ["queue", "conversation", "message"].forEach(function (name) { source.addEventListener(name, onEvent); });
    source.addEventListener("error", function () {
      if (state.events !== source) return;
      source.close();
      state.events = null;
      setLive("Reconnecting…", "warn");
      var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, state.retries)) * (0.8 + Math.random() * 0.4);
      state.retries += 1;
      clearTimeout(state.retryTimer);
      state.retryTimer = setTimeout(function () {
        // Still signed in? (a 401 here shows the login form instead of reconnecting)
        api("GET", "/queue").then(function () { connectEvents(); }, function (err) {
          if (err.status !== 401) connectEvents();
        });
      }, delay);
    });
  }

  /** The conversation this agent handed back: its messages are added as they come, read-only. */
  function followed(type, data) {
    if (type === "message" && data.message && state.selectedId === state.following &&
        !state.messages.some(function (m) { return m.id === data.message.id; })) {
      state.messages.push(data.message);
      renderTranscript(false);
    } else if (type === "conversation" && data.mode && data.mode !== "bot") {
      // Back with the team (asked for a person again): the normal view takes over.
      var id = state.following;
      stopFollowing();
      if (state.selectedId === id) { state.closedNote = null; loadConversation(id, false); }
    }
    refresh(null, true);
  }

  function stopFollowing() {
    var id = state.following;
    if (!id) return;
    state.following = null;
    api("POST", "/conversations/" + encodeURIComponent(id) + "/unwatch").catch(function () { /* gone */ });
  }

  /** Close the open read-only view (a followed hand-back, or one from the history). */
  function closeView() {
    stopFollowing();
    state.readOnly = null;
    state.selectedId = null;
    state.conversation = null;
    state.messages = [];
    state.closedNote = null;
    $("conversation").hidden = true;
    $("no-selection").hidden = false;
    $("context").replaceChildren(h("p", { class: "muted", text: "Details of the client appear here." }));
    emit("closed", {});
    renderQueue();
  }

  $("close-view").addEventListener("click", closeView);

  /** Show a conversation read-only (from the history): its transcript, no account, no actions. */
  function openReadOnly(data, note) {
    stopFollowing();
    state.selectedId = data.id;
    state.readOnly = note;
    state.closedNote = note;
    state.context = { hidden: true };
    state.conversation = summary(data);
    state.messages = Array.isArray(data.messages) ? data.messages : [];
    $("no-selection").hidden = true;
    $("conversation").hidden = false;
    renderQueue();
    renderHeader();
    renderTranscript(true);
    $("context").replaceChildren(h("p", { class: "muted", "data-testid": "context-hidden",
      text: "The client's account is shown only to the agent helping them now, not from the history." }));
    emit("conversation", data);
  }

  /** The client's first name, for saved replies ("there" when it isn't known). */
  function clientFirstName() {
    var c = state.conversation;
    var name = (state.context && state.context.client && state.context.client.name) || (c && c.client_name) || "";
    var first = str(name).trim().split(/\s+/)[0];
    return first || "there";
  }

  // What the console's other modules (console-*.js) may use.
  window.ConsoleKit = {
    h: h, api: api, str: str, toast: toast, format: format, day: day, clock: clock,
    reasonLabel: reasonLabel, channelLabel: channelLabel, clientLabel: clientLabel,
    summary: summary, waitingFor: waitingFor, openReadOnly: openReadOnly,
    clientFirstName: clientFirstName, isMine: isMine, state: state,
  };

  /** Say it at once when a conversation this agent may take (waiting, or their own) becomes
   *  urgent: a client may be at risk. The queue line turns urgent with the next refresh. */
  function alertIfNewlyUrgent(line) {
    if (!line || line.priority !== "urgent") return;
    var mine = line.assignee && state.agent && line.assignee.id === state.agent.id;
    if (line.mode !== "waiting" && !(line.mode === "agent" && mine)) return;
    var known = state.waiting.concat(state.mine).filter(function (c) { return c.id === line.id; })[0];
    if (known && known.priority === "urgent") return;
    toast("Urgent: " + (reasonLabel(line.handoff_reason) || "a client needs a person now") +
      (mine ? " (your conversation)." : ". It is at the top of the queue."), "urgent");
  }

  function closeEvents() {
    if (state.events) state.events.close();
    state.events = null;
  }

  function setLive(text, kind) {
    var el = $("live");
    el.textContent = text;
    el.className = "live" + (kind ? " " + kind : "");
  }

  // ---------------------------------------------------------------- keyboard shortcuts

  function typingInField(target) {
    return target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.isContentEditable);
  }

  function move(step) {
    var all = state.waiting.concat(state.mine);
    if (!all.length) return;
    var index = all.findIndex(function (c) { return c.id === state.selectedId; });
    var next = all[(index + step + all.length) % all.length] || all[0];
    select(next.id);
    var button = document.querySelector(".queue-item[data-id='" + CSS.escape(str(next.id)) + "']");
    if (button) button.focus();
  }

  function toggleShortcuts(on) {
    $("shortcuts").hidden = !on;
    if (on) $("shortcuts-close").focus();
    else $("shortcuts-button").focus();
  }

  $("shortcuts-button").addEventListener("click", function () { toggleShortcuts(true); });
  $("shortcuts-close").addEventListener("click", function () { toggleShortcuts(false); });

  document.addEventListener("keydown", function (e) {
    if (!state.signedIn || e.ctrlKey || e.metaKey || e.altKey) return;
    if (!$("shortcuts").hidden) {
      if (e.key === "Escape") toggleShortcuts(false);
      return;
    }
    if (typingInField(e.target)) return;
    if (e.key === "j" || e.key === "k") { e.preventDefault(); move(e.key === "j" ? 1 : -1); }
    else if (e.key === "c" && state.conversation && state.conversation.mode === "waiting") { e.preventDefault(); act("claim"); }
    else if (e.key === "r" && isMine()) { e.preventDefault(); $("reply-input").focus(); }
    else if (e.key === "n" && isMine()) { e.preventDefault(); setNoteMode(!state.noteMode); $("reply-input").focus(); }
    else if (e.key === "?") { e.preventDefault(); toggleShortcuts(true); }
  });

  // ---------------------------------------------------------------- start

  api("GET", "/me").then(function (data) {
    state.agent = data.agent || null;
    startApp();
  }, function (err) {
    if (err.status === 401) return; // onSignedOut has shown the login form
    if (err.status === 404) { // a gateway without /me: the queue tells us as well
      api("GET", "/queue").then(function (data) { state.agent = data.agent || null; startApp(); },
        function () { /* 401: login form shown */ });
      return;
    }
    show("login");
    var error = $("login-error");
    error.textContent = err.message || "The console can't reach the gateway.";
    error.hidden = false;
  });
})();
