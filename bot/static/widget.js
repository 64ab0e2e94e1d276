/*
 * Wellbeing Hubs support widget: the blue bubble in the corner of the client dashboard.
 *
 * Embed with one tag (docs/gateway.md is the API it speaks):
 *   <script src="GATEWAY/widget.js" data-gateway="GATEWAY" data-identity-token="JWT or empty"
 *           data-identity-token-url="/a/url/of/the/page's/site" defer></script>
 *
 * A signed-in conversation needs a fresh identity token now and then (the gateway says so, or the
 * page's token has expired): the widget fetches `data-identity-token-url` (relative to the page,
 * with the page's cookies; it answers {"identity_token": "<jwt>"} for the signed-in client), or,
 * without one, reads `data-identity-token` again (a page may keep it current). No fresh token:
 * "reload the page". A conversation key that expired (unused too long) starts a new conversation:
 * the old one's messages are taken off the screen and the widget says so.
 *
 * Dependency-free, no build step. Everything lives in a Shadow DOM so the host page's CSS cannot
 * reach it. Message content is only ever rendered with textContent (never innerHTML); http(s)
 * links become <a rel="noopener noreferrer" target="_blank"> elements with a short text ("Pay now"
 * for a payment page, else the host name). The only global is window.WellbeingWidget.
 */
(function () {
  "use strict";

  if (window.WellbeingWidget) return; // embedded twice: keep the first

  var MAX_CHARS = 10000;
  var WARN_CHARS = 9000;
  var MAX_BACKOFF_MS = 30000;
  var TYPING_TIMEOUT_MS = 30000;
  var REQUEST_TIMEOUT_MS = 15000;
  var VERSION = "1";

  var script = document.currentScript ||
    document.querySelector("script[data-gateway][src*='widget.js']");
  if (!script) return;
  var gateway = (script.getAttribute("data-gateway") || new URL(script.src, location.href).origin)
    .replace(/\/+$/, "");
  var tokenUrl = (script.getAttribute("data-identity-token-url") || "").trim();
  var identityToken = embeddedToken(); // at load: signed in or not, and where the key is kept

  function embeddedToken() {
    return (script.getAttribute("data-identity-token") || "").trim() || null;
  }

  // ---------------------------------------------------------------- small helpers

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

  var SVG_NS = "http://www.w3.org/2000/svg";
  var ICONS = {
    chat: "M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-5 4v-4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2z",
    close: "M6 6l12 12M18 6L6 18",
    send: "M4 12l16-8-6 16-2.5-6.5z",
    down: "M6 9l6 6 6-6",
  };

  function icon(name, filled) {
    var svg = document.createElementNS(SVG_NS, "svg");
    svg.setAttribute("class", "icon icon-" + name);
    svg.setAttribute("viewBox", "0 0 24 24");
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
    var path = document.createElementNS(SVG_NS, "path");
    path.setAttribute("d", ICONS[name]);
    path.setAttribute("fill", filled ? "currentColor" : "none");
    path.setAttribute("stroke", "currentColor");
    path.setAttribute("stroke-width", "2");
    path.setAttribute("stroke-linecap", "round");
    path.setAttribute("stroke-linejoin", "round");
    svg.append(path);
    return svg;
  }

  function uuid() {
    if (window.crypto && typeof crypto.randomUUID === "function") return crypto.randomUUID();
    var b = crypto.getRandomValues(new Uint8Array(16)); // insecure contexts lack randomUUID
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    var hex = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); });
    return [hex.slice(0, 4), hex.slice(4, 6), hex.slice(6, 8), hex.slice(8, 10), hex.slice(10)]
      .map(function (part) { return part.join(""); }).join("-");
  }

  /** Characters as the gateway counts them (code points, so an emoji is one). */
  function charCount(text) {
    if (text.length <= WARN_CHARS) return text.length;
    var n = 0;
    for (var ignored of text) n++; // eslint-disable-line no-unused-vars
    return n;
  }

  /** The token's claims, read without trusting them (the gateway checks the token). */
  function tokenClaims(token) {
    try {
      var part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
      var claims = JSON.parse(atob(part + "===".slice((part.length + 3) % 4)));
      return claims && typeof claims === "object" ? claims : {};
    } catch (e) {
      return {};
    }
  }

  /** The token's `sub`: it only names the local storage slot. */
  function tokenSubject(token) {
    var sub = token ? tokenClaims(token).sub : null;
    return typeof sub === "string" && sub ? sub : "anonymous";
  }

  /** Whether the token has expired, or will within half a minute (by this browser's clock). */
  function tokenStale(token) {
    var exp = tokenClaims(token).exp;
    return typeof exp === "number" && exp * 1000 < Date.now() + 30000;
  }

  /** A fresh identity token from the page's site (`data-identity-token-url`, else the attribute
   *  read again), or null when there is none. */
  function freshIdentityToken() {
    var asked = tokenUrl
      ? fetch(new URL(tokenUrl, location.href).href, {
        method: "GET", credentials: "same-origin", cache: "no-store",
        headers: { Accept: "application/json" },
      }).then(function (response) {
        return response.ok ? response.json() : {};
      }).then(function (body) { return body && body.identity_token; })
      : Promise.resolve(embeddedToken());
    return asked.then(function (token) {
      token = typeof token === "string" ? token.trim() : "";
      if (token) identityToken = token;
      return token || null;
    }, function () { return null; });
  }

  /** The token to start or resume with: none when signed out; a fresh one when it has expired. */
  function startToken() {
    if (!identityToken) return Promise.resolve(null);
    if (!tokenStale(identityToken)) return Promise.resolve(identityToken);
    return freshIdentityToken().then(function (token) { return token || identityToken; });
  }

  // Where the conversation key is kept: per gateway and per signed-in client in localStorage; a
  // signed-out visitor's only for the browser session (sessionStorage), so on a shared computer
  // the next visitor does not find their chat. Both survive a reload.
  var subject = tokenSubject(identityToken);
  var storageSlot = "wellbeing-widget:" + VERSION + ":" + gateway + ":" + subject;
  function store() {
    return subject === "anonymous" ? window.sessionStorage : window.localStorage;
  }
  var storage = {
    get: function () {
      try { return store().getItem(storageSlot); } catch (e) { return null; }
    },
    set: function (key) {
      try { store().setItem(storageSlot, key); } catch (e) { /* private mode: no resume */ }
    },
    clear: function () {
      try { store().removeItem(storageSlot); } catch (e) { /* nothing to clear */ }
    },
  };

  function ApiError(status, code, message) {
    this.status = status;
    this.code = code;
    this.message = message;
  }

  /** Calls the gateway; resolves with the JSON body, rejects with an ApiError (status 0: offline).
   *  A call with the key that the gateway refuses for a stale sign-in renews it and is tried once
   *  more. */
  function api(method, path, body, auth, renewed) {
    return call(method, path, body, auth).catch(function (error) {
      if (!auth || renewed || !(error instanceof ApiError) ||
          error.code !== "identity_refresh_required") throw error;
      return renewIdentity().then(function () {
        if (!state.key) throw error;
        return api(method, path, body, auth, true);
      });
    });
  }

  function call(method, path, body, auth) {
    var headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth) headers.Authorization = "Bearer " + state.key;
    var controller = new AbortController();
    var timer = setTimeout(function () { controller.abort(); }, REQUEST_TIMEOUT_MS);
    return fetch(gateway + path, {
      method: method, headers: headers, credentials: "omit", mode: "cors",
      body: body === undefined ? undefined : JSON.stringify(body), signal: controller.signal,
    }).then(function (response) {
      return response.json().catch(function () { return null; }).then(function (data) {
        if (response.ok) return data || {};
        var error = (data && data.error) || {};
        throw new ApiError(response.status, error.code || "http_" + response.status,
          typeof error.message === "string" ? error.message : "");
      });
    }, function () {
      throw new ApiError(0, "unreachable", "");
    }).finally(function () { clearTimeout(timer); });
  }

  function isTransient(error) {
    return !(error instanceof ApiError) || error.status === 0 || error.status >= 500 ||
      error.status === 429 || error.status === 408;
  }

  // ---------------------------------------------------------------- state

  var state = {
    open: false,
    key: null,              // conversation_key: authenticates every call after the first
    conversationId: null,
    started: false,         // conversation known, history loaded
    starting: null,         // the promise of a start in progress
    signedIn: !!identityToken,
    mode: "bot",
    agentName: null,
    replyStart: null,       // the first message after the client's last one (kept in view)
    lastSeq: 0,
    seen: new Map(),        // message id -> element
    pending: new Map(),     // client_message_id -> {el, text}
    lastFailed: null,       // {text, id}: a retried text keeps its id, so it is stored once
    unread: 0,
    events: null,
    retries: 0,
    retryTimer: null,
    typingTimer: null,
    fatal: false,           // the identity token expired: only a reload helps
    ended: false,           // the key we had stopped working: say so when the new one starts
    renewing: null,         // the promise of an identity renewal in progress
  };

  // ---------------------------------------------------------------- the DOM

  var host = document.createElement("wellbeing-support-widget");
  host.style.visibility = "hidden"; // until its stylesheet is in (CSSOM: fine under a strict CSP)
  var root = host.attachShadow({ mode: "open" });
  var stylesheet = h("link", { rel: "stylesheet", href: gateway + "/widget.css?v=" + VERSION });
  var reveal = function () { host.style.removeProperty("visibility"); };
  stylesheet.addEventListener("load", reveal);
  stylesheet.addEventListener("error", reveal);
  setTimeout(reveal, 3000);

  var badge = h("span", { class: "badge", hidden: true, "aria-hidden": "true" });
  var bubble = h("button", {
    type: "button", class: "bubble", "data-testid": "widget-bubble",
    "aria-label": "Open support chat", "aria-expanded": "false", "aria-controls": "ww-panel",
    onclick: function () { toggle(); },
  }, icon("chat", true), icon("down"), badge);

  var subtitle = h("p", { class: "subtitle", "data-testid": "widget-status" });
  var closeButton = h("button", {
    type: "button", class: "icon-button", "aria-label": "Close chat",
    "data-testid": "widget-close", onclick: function () { close(); },
  }, icon("close"));
  var header = h("header", { class: "header" },
    h("div", { class: "avatar", "aria-hidden": "true" }, icon("chat", true)),
    h("div", { class: "titles" }, h("h2", { id: "ww-title", text: "Support" }), subtitle),
    closeButton);

  var signedOutHint = h("p", {
    class: "hint", hidden: !!identityToken,
    text: "You're not signed in, so I can help with general questions. Sign in for anything " +
      "about your own account.",
  });
  var notice = h("div", { class: "notice", role: "status", hidden: true, "data-testid": "widget-notice" });
  // While waiting for a person: the way back to the assistant, always in view.
  var leaveButton = h("button", {
    type: "button", class: "leave-queue", "data-testid": "widget-leave-queue",
    text: "Back to the assistant", onclick: function () { leaveQueue(); },
  });
  var queueBar = h("div", { class: "queue-bar", hidden: true, "data-testid": "widget-queue-bar" },
    h("span", { text: "Changed your mind?" }), leaveButton);
  var list = h("div", {
    class: "messages", role: "log", "aria-live": "polite", "aria-relevant": "additions",
    "aria-label": "Conversation", "data-testid": "widget-messages",
  });
  var empty = h("div", { class: "empty" },
    h("p", { class: "empty-title", text: "Hi! How can we help?" }),
    h("p", { text: "Ask about your credits, bookings or invoices — or ask for a person " +
      "from our Customer Success team." }));
  var typing = h("div", { class: "typing", hidden: true, "data-testid": "widget-typing" },
    h("span", { class: "dot" }), h("span", { class: "dot" }), h("span", { class: "dot" }),
    h("span", { class: "visually-hidden", text: "Support is typing" }));
  var scroller = h("div", { class: "scroller" }, empty, list, typing);

  var input = h("textarea", {
    class: "input", rows: "1", placeholder: "Write a message…", "aria-label": "Message",
    "data-testid": "widget-input", "aria-describedby": "ww-counter",
    oninput: function () { onInput(); }, onkeydown: function (e) { onInputKey(e); },
  });
  var counter = h("p", { class: "counter", id: "ww-counter", "aria-live": "polite", hidden: true,
    "data-testid": "widget-counter" });
  var sendButton = h("button", {
    type: "submit", class: "send", "aria-label": "Send message", "data-testid": "widget-send",
    disabled: true,
  }, icon("send", true));
  var composer = h("form", {
    class: "composer", onsubmit: function (e) { e.preventDefault(); sendText(); },
  }, h("div", { class: "composer-row" }, input, sendButton), counter);

  var panel = h("section", {
    id: "ww-panel", class: "panel", role: "dialog", "aria-modal": "false",
    "aria-labelledby": "ww-title", hidden: true, "data-testid": "widget-panel",
    onkeydown: function (e) {
      if (e.key === "Escape") { e.stopPropagation(); close(); }
    },
  }, header, signedOutHint, notice, queueBar, scroller, composer);

  var frame = h("div", { class: "widget" }, panel, bubble);
  root.append(stylesheet, frame);

  function mount() { document.body.append(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);

  // ---------------------------------------------------------------- opening and closing

  function open() {
    if (state.open) return;
    state.open = true;
    panel.hidden = false;
    frame.classList.add("open");
    bubble.setAttribute("aria-expanded", "true");
    setUnread(0);
    renderStatus();
    autosize();
    scrollToBottom(true);
    input.focus({ preventScroll: true });
    ensureStarted();
  }

  function close() {
    if (!state.open) return;
    state.open = false;
    panel.hidden = true;
    frame.classList.remove("open");
    bubble.setAttribute("aria-expanded", "false");
    setUnread(0);
    bubble.focus();
  }

  function toggle() {
    if (state.open) close(); else open();
  }

  function setUnread(n) {
    state.unread = n;
    badge.textContent = n > 9 ? "9+" : String(n);
    badge.hidden = n === 0;
    var label = state.open ? "Close support chat" : "Open support chat";
    bubble.setAttribute("aria-label",
      n ? label + " (" + n + " new message" + (n === 1 ? "" : "s") + ")" : label);
  }

  // ---------------------------------------------------------------- status line and notices

  function renderStatus() {
    var text = {
      bot: "Our assistant answers right away",
      waiting: "In the queue for a person",
      agent: state.agentName ? "You're chatting with " + state.agentName : "You're chatting with Customer Success",
      resolved: "Resolved — write again any time",
    }[state.mode] || "";
    subtitle.textContent = text;
    subtitle.className = "subtitle mode-" + state.mode;
    queueBar.hidden = state.mode !== "waiting";
    leaveButton.disabled = false;
  }

  /** The mode; with `agentName` (the mode event's `agent_name`) the header names the agent. */
  function setMode(mode, agentName) {
    if (typeof mode !== "string" || !mode) return;
    state.mode = mode;
    if (typeof agentName === "string" && agentName) state.agentName = agentName;
    else if (mode !== "agent") state.agentName = null;
    if (mode !== "bot") showTyping(false);
    renderStatus();
  }

  function showNotice(text, action) {
    notice.replaceChildren(h("span", { text: text }));
    if (action) notice.append(action);
    notice.hidden = false;
  }

  function hideNotice() {
    notice.hidden = true;
    notice.replaceChildren();
  }

  var OFFLINE_TEXT = "Can't reach support right now — retrying…";

  // ---------------------------------------------------------------- conversation start and sync

  function ensureStarted() {
    if (state.started || state.fatal) return Promise.resolve();
    if (!state.starting) {
      state.starting = start().then(function () {
        state.starting = null;
      }, function (error) {
        state.starting = null;
        onStartFailed(error);
      });
    }
    return state.starting;
  }

  /** Starts (or resumes) the conversation; the page's token is renewed once if it expired. */
  function start() {
    var saved = state.key || storage.get();
    var token = null;
    function post() {
      return api("POST", "/widget/api/conversations",
        { identity_token: token, conversation_key: saved || null }, false);
    }
    return startToken().then(function (fresh) {
      token = fresh;
      return post();
    }).catch(function (error) {
      // The page's token expired on the way: ask the page once for a fresh one.
      if (!token || !(error instanceof ApiError) || error.code !== "invalid_identity_token") {
        throw error;
      }
      return freshIdentityToken().then(function (fresh) {
        if (!fresh || fresh === token) throw error;
        token = fresh;
        return post();
      });
    }).then(function (data) {
      // A key that no longer works gets a new conversation (and a new key): the old one's
      // messages leave the screen, and the widget says why.
      if (saved && data.conversation_key !== saved) state.ended = true;
      if (state.conversationId && data.conversation_id !== state.conversationId) resetTranscript();
      state.key = data.conversation_key;
      state.conversationId = data.conversation_id;
      state.signedIn = !!data.signed_in;
      signedOutHint.hidden = state.signedIn;
      storage.set(state.key);
      setMode(data.mode);
      if (state.ended) sayEnded();
      list.setAttribute("aria-busy", "true"); // restored history is not read out line by line
      return syncHistory(true).finally(function () { list.removeAttribute("aria-busy"); });
    }).then(function () {
      state.started = true;
      state.retries = 0;
      hideNotice();
      connectEvents();
    });
  }

  /** A line at the top of a new conversation that replaced one whose key stopped working. */
  function sayEnded() {
    state.ended = false;
    if (list.querySelector(".ended")) return;
    list.prepend(h("p", {
      class: "ended", role: "note", "data-seq": 0, "data-testid": "widget-ended",
      text: "Your earlier chat ended after a while without activity, so this is a new " +
        "conversation. How can I help?",
    }));
    updateEmpty();
  }

  /** The gateway wants a fresh sign-in for this conversation: ask the page for a token and
   *  resume with it (the same conversation while its key works). */
  function renewIdentity() {
    if (!state.renewing) {
      state.renewing = freshIdentityToken().then(function (token) {
        if (!token) {
          var expired = new ApiError(401, "invalid_identity_token", "");
          onStartFailed(expired);
          throw expired;
        }
        state.started = false;
        closeEvents();
        return ensureStarted();
      }).finally(function () { state.renewing = null; });
    }
    return state.renewing;
  }

  function onStartFailed(error) {
    if (error instanceof ApiError && error.code === "invalid_identity_token") {
      state.fatal = true;
      showNotice("Your sign-in has expired. Reload the page to keep chatting.",
        h("button", { type: "button", class: "link-button", text: "Reload",
          onclick: function () { location.reload(); } }));
      return;
    }
    if (isTransient(error)) {
      showNotice(OFFLINE_TEXT);
      scheduleRetry(ensureStarted);
      return;
    }
    showNotice(error.message || "Something went wrong starting the chat.");
  }

  /** Loads what we have not seen yet (all of it the first time). `justStarted`: the sign-in
   *  was renewed a moment ago, so a refusal for a stale one is not renewed again. */
  function syncHistory(justStarted) {
    var query = state.lastSeq ? "?after=" + encodeURIComponent(state.lastSeq) : "";
    return api("GET", "/widget/api/messages" + query, undefined, true, !!justStarted)
      .then(function (data) {
        (data.messages || []).forEach(function (m) { addMessage(m, false); });
      }, function (error) {
        if (keyGone(error)) forgetConversation();
        throw error;
      });
  }

  /** The gateway says our key opens nothing any more (expired when idle, or unknown). */
  function keyGone(error) {
    return error instanceof ApiError && ["invalid_conversation_key", "conversation_key_expired",
      "missing_conversation_key"].indexOf(error.code) >= 0;
  }

  /** The saved key no longer works (expired or unknown): its messages leave the screen, and a
   *  new conversation starts on the next try. */
  function forgetConversation() {
    storage.clear();
    state.key = null;
    state.started = false;
    state.ended = true;
    closeEvents();
    resetTranscript();
  }

  function resetTranscript() {
    state.seen.clear();
    state.pending.clear();
    state.lastSeq = 0;
    list.replaceChildren();
    updateEmpty();
  }

  function scheduleRetry(fn) {
    clearTimeout(state.retryTimer);
    var delay = Math.min(MAX_BACKOFF_MS, 1000 * Math.pow(2, state.retries));
    state.retries += 1;
    delay = delay * (0.8 + Math.random() * 0.4);
    state.retryTimer = setTimeout(fn, delay);
  }

  // ---------------------------------------------------------------- push (Server-Sent Events)

  function connectEvents() {
    closeEvents();
    if (!state.key) return;
    // `after` replays whatever arrived since the last message we have (dedupe makes overlap harmless).
    var source = new EventSource(gateway + "/widget/api/events?key=" + encodeURIComponent(state.key) +
      "&after=" + encodeURIComponent(state.lastSeq));
    state.events = source;
    source.addEventListener("open", function () {
      // (Re)connected: fetch whatever was sent while we were not listening, then calm the notice.
      syncHistory().then(function () {
        state.retries = 0;
        hideNotice();
      }, function (error) {
        if (!state.key) { state.started = false; ensureStarted(); return; }
        if (isTransient(error)) { source.close(); onEventsError(); }
      });
    });
    source.addEventListener("message", function (e) {
      var m = parse(e.data);
      if (m) addMessage(m, true);
    });
    source.addEventListener("typing", function (e) {
      var data = parse(e.data);
      if (data) showTyping(!!data.on);
    });
    source.addEventListener("mode", function (e) {
      var data = parse(e.data);
      if (data) setMode(data.mode, data.agent_name);
    });
    source.addEventListener("error", function () {
      if (state.events !== source) return;
      source.close(); // recreate it ourselves, with back-off
      onEventsError();
    });
  }

  function onEventsError() {
    state.events = null;
    showNotice(OFFLINE_TEXT);
    showTyping(false);
    scheduleRetry(reconnect);
  }

  /** Probe with a history sync first: it fetches what was missed, and it tells a gateway that is
   *  still down (retry later) from a key that stopped working (start a new conversation). */
  function reconnect() {
    if (!state.key) { state.started = false; ensureStarted(); return; }
    syncHistory().then(function () { connectEvents(); }, function (error) {
      if (state.fatal) return; // the sign-in expired: the notice says to reload
      if (!state.key) { state.started = false; ensureStarted(); return; }
      if (isTransient(error)) scheduleRetry(reconnect);
      else showNotice(error.message || "Something went wrong. Please reload the page.");
    });
  }

  function closeEvents() {
    if (state.events) state.events.close();
    state.events = null;
  }

  function parse(text) {
    try { return JSON.parse(text); } catch (e) { return null; }
  }

  window.addEventListener("online", function () {
    if (state.started && !state.events) { clearTimeout(state.retryTimer); reconnect(); }
    else if (!state.started && state.starting === null && state.open) ensureStarted();
  });

  // ---------------------------------------------------------------- rendering messages

  var URL_PATTERN = /\bhttps?:\/\/[^\s<>"']+/gi;

  /** Text with http(s) links as <a> elements; everything else as text nodes. */
  function richText(text) {
    var fragment = document.createDocumentFragment();
    var last = 0;
    String(text).replace(URL_PATTERN, function (match, offset) {
      var url = match.replace(/[.,;:!?)\]}'"]+$/, "");
      var parsed = null;
      try { parsed = new URL(url); } catch (e) { /* not a link after all */ }
      if (!parsed || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) return match;
      fragment.append(document.createTextNode(text.slice(last, offset)));
      fragment.append(h("a", { href: parsed.href, target: "_blank", rel: "noopener noreferrer",
        title: parsed.href, "data-testid": "widget-link", text: linkText(parsed) }));
      last = offset + url.length;
      return match;
    });
    fragment.append(document.createTextNode(String(text).slice(last)));
    return fragment;
  }

  /** A link's short text: "Pay now" for a payment page, else the host name (never the raw URL,
   * which would break across lines). */
  function linkText(url) {
    if (/^\/pay\//.test(url.pathname)) return "Pay now";
    return url.hostname.replace(/^www\./, "");
  }

  // Buttons that stop or decline (domain.yml and actions/: "Stop", "Keep it", "No"): secondary.
  var SECONDARY_PAYLOADS = ["/stop", "/deny", "/stay_in_queue"];
  var LEAVE_QUEUE = "/leave_queue";

  function agentLabel(name) {
    if (!name) return "Customer Success";
    return /customer success/i.test(name) ? name : name + " from Customer Success";
  }

  function renderMessage(m) {
    var sender = ["client", "bot", "agent", "system"].indexOf(m.sender) >= 0 ? m.sender : "bot";
    var text = typeof m.text === "string" ? m.text : "";
    var el = h("div", {
      class: "msg msg-" + sender + (m.kind === "button_click" ? " msg-choice" : ""),
      "data-testid": "widget-message", "data-sender": sender,
      "data-seq": typeof m.seq === "number" ? m.seq : null,
      "data-id": m.id !== undefined && m.id !== null ? String(m.id) : null,
      title: m.created_at ? new Date(m.created_at).toLocaleString() : null,
    });
    var buttons = Array.isArray(m.buttons) ? m.buttons.filter(function (b) {
      return b && typeof b.title === "string" && typeof b.payload === "string";
    }) : [];
    if (sender === "system") {
      el.setAttribute("role", "note");
      el.append(h("span", { class: "system-text", "data-testid": "widget-message-text" },
        richText(text)));
      // "Back to the assistant" lives in the queue bar while waiting; other choices show here.
      buttons = buttons.filter(function (b) { return b.payload !== LEAVE_QUEUE; });
      if (buttons.length) el.append(renderButtons(buttons));
      return el;
    }
    if (sender === "agent") el.append(h("div", { class: "name", text: agentLabel(m.agent_name) }));
    if (sender === "bot") el.append(h("span", { class: "visually-hidden", text: "Assistant: " }));
    if (sender === "client") el.append(h("span", { class: "visually-hidden", text: "You: " }));
    el.append(h("div", { class: "text", "data-testid": "widget-message-text" }, richText(text)));
    if (buttons.length && sender !== "client") el.append(renderButtons(buttons));
    return el;
  }

  function renderButtons(buttons) {
    var group = h("div", { class: "choices", role: "group", "aria-label": "Choose an answer" });
    buttons.forEach(function (b) {
      group.append(h("button", {
        type: "button", "data-testid": "widget-button", "data-payload": b.payload,
        class: "choice" + (SECONDARY_PAYLOADS.indexOf(b.payload) >= 0 ? " choice-secondary" : ""),
        text: b.title,
        onclick: function (e) { pressButton(group, e.currentTarget, b); },
      }));
    });
    return group;
  }

  function disableGroup(group, chosen) {
    group.classList.add("used");
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = true;
      if (button === chosen) button.classList.add("chosen");
    });
  }

  /** A client message retires every earlier set of buttons (marking the one pressed, if any). */
  function retireButtons(m) {
    var groups = list.querySelectorAll(".choices:not(.used)");
    Array.prototype.forEach.call(groups, function (group) {
      var owner = group.closest(".msg");
      var seq = Number(owner && owner.getAttribute("data-seq"));
      if (typeof m.seq === "number" && seq > m.seq) return;
      var chosen = null;
      if (m.kind === "button_click") {
        Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
          if (!chosen && button.textContent === m.text) chosen = button;
        });
      }
      disableGroup(group, chosen);
    });
  }

  function addMessage(m, live) {
    if (!m || typeof m !== "object") return;
    var id = m.id !== undefined && m.id !== null ? String(m.id) : null;
    if (id && state.seen.has(id)) return; // already shown (history and push overlap)
    if (typeof m.seq === "number" && m.seq > state.lastSeq) state.lastSeq = m.seq;

    var stick = nearBottom(); // measured before the message makes the list taller
    var el = renderMessage(m);
    if (id) state.seen.set(id, el);
    var pending = m.sender === "client" ? matchPending(m) : null;
    if (pending) {
      pending.el.replaceWith(el);
    } else {
      insertInOrder(el, m.seq);
    }
    if (m.sender === "client") {
      retireButtons(m);
      state.replyStart = null;
    } else {
      if (!state.replyStart || !state.replyStart.isConnected) {
        state.replyStart = el; // the first message of the answer to the client's last message
      }
      leaveButton.disabled = false; // answered ("are you safe?", still queued): usable again
    }
    if (m.sender === "bot" || m.sender === "agent") {
      showTyping(false);
      if (m.sender === "agent" && m.agent_name) {
        state.agentName = m.agent_name;
        renderStatus();
      }
      if (live && !state.open) setUnread(state.unread + 1);
    }
    updateEmpty();
    if (m.sender === "client") scrollToBottom(true);
    else if (stick) scrollToReply();
  }

  function matchPending(m) {
    var key = null;
    if (m.client_message_id) {
      key = state.pending.has(m.client_message_id) ? m.client_message_id : null; // else another tab's
    } else { // a gateway that doesn't echo the id: the oldest pending message with the same text
      state.pending.forEach(function (p, k) { if (!key && p.text === m.text) key = k; });
    }
    if (!key) return null;
    var found = state.pending.get(key);
    state.pending.delete(key);
    return found;
  }

  /** Stored messages in seq order; optimistic ones (no seq yet) stay at the end. */
  function insertInOrder(el, seq) {
    var children = list.children;
    var before = null;
    for (var i = children.length - 1; i >= 0; i--) {
      var child = children[i];
      var childSeq = child.getAttribute("data-seq");
      if (childSeq === null) { before = child; continue; }
      if (typeof seq === "number" && Number(childSeq) > seq) { before = child; continue; }
      break;
    }
    list.insertBefore(el, before);
  }

  function updateEmpty() {
    empty.hidden = list.children.length > 0;
  }

  function nearBottom() {
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight < 80;
  }

  function scrollToBottom(force) {
    if (force || nearBottom()) {
      requestAnimationFrame(function () { scroller.scrollTop = scroller.scrollHeight; });
    }
  }

  /** Down to the newest message, but never past the start of the newest reply: a long answer is
   * read from its first line (the client scrolls on for the rest). */
  function scrollToReply() {
    requestAnimationFrame(function () {
      var bottom = scroller.scrollHeight - scroller.clientHeight;
      var start = state.replyStart && state.replyStart.isConnected ? state.replyStart : null;
      if (!start) { scroller.scrollTop = bottom; return; }
      var top = start.getBoundingClientRect().top - scroller.getBoundingClientRect().top +
        scroller.scrollTop - 8;
      scroller.scrollTop = Math.max(0, Math.min(bottom, top));
    });
  }

  function showTyping(on) {
    clearTimeout(state.typingTimer);
    var stick = nearBottom();
    typing.hidden = !on;
    if (on) state.typingTimer = setTimeout(function () { typing.hidden = true; }, TYPING_TIMEOUT_MS);
    if (stick) scrollToBottom(true);
  }

  // ---------------------------------------------------------------- composing and sending

  function onInput() {
    autosize();
    var n = charCount(input.value);
    var over = n > MAX_CHARS;
    if (n > WARN_CHARS) {
      counter.hidden = false;
      counter.classList.toggle("over", over);
      counter.textContent = over
        ? "That's " + (n - MAX_CHARS).toLocaleString("en") +
          (n - MAX_CHARS === 1 ? " character" : " characters") + " over the limit of " +
          MAX_CHARS.toLocaleString("en") + " — please shorten it a little."
        : n.toLocaleString("en") + " / " + MAX_CHARS.toLocaleString("en") + " characters";
    } else {
      counter.hidden = true;
      counter.textContent = "";
    }
    sendButton.disabled = over || !input.value.trim();
  }

  function onInputKey(e) {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      sendText();
    }
  }

  function autosize() {
    if (panel.hidden) { input.style.height = ""; return; } // nothing to measure while hidden
    input.style.height = "auto";
    input.style.height = Math.min(input.scrollHeight, 140) + "px";
  }

  function sendText() {
    var text = input.value.trim();
    if (!text || charCount(text) > MAX_CHARS) { onInput(); return; }
    if (!state.started) {
      // The text stays in the box until the conversation is there (a start that fails says so).
      if (!state.fatal) ensureStarted().then(function () { if (state.started) sendText(); });
      return;
    }
    var reuse = state.lastFailed && state.lastFailed.text === text;
    var id = reuse ? state.lastFailed.id : uuid();
    input.value = "";
    onInput();
    var el = renderMessage({ sender: "client", kind: "text", text: text });
    el.classList.add("pending");
    state.pending.set(id, { el: el, text: text });
    list.append(el);
    updateEmpty();
    scrollToBottom(true);
    if (state.mode === "bot" || state.mode === "resolved") showTyping(true);
    post({ text: text, client_message_id: id }, id).then(function () {
      state.lastFailed = null;
    }, function (error) {
      state.lastFailed = { text: text, id: id };
      // Nothing typed is lost: the text goes back into the box.
      input.value = input.value ? text + "\n" + input.value : text;
      onInput();
      reportSendError(error);
    });
  }

  function pressButton(group, button, b) {
    if (group.classList.contains("used")) return; // double-click safe
    if (!state.started) { if (!state.fatal) ensureStarted(); return; }
    disableGroup(group, button);
    var id = uuid();
    if (state.mode === "bot" || state.mode === "resolved") showTyping(true);
    post({ payload: b.payload, title: b.title, client_message_id: id }, null).catch(function (error) {
      enable(group);
      reportSendError(error);
    });
  }

  /** The queue bar's button: the same message as the button a channel shows under the queue
   * position (the gateway decides: at once, or "are you safe right now?" after a safety handoff). */
  function leaveQueue() {
    if (!state.started || leaveButton.disabled) return;
    leaveButton.disabled = true;
    post({ payload: LEAVE_QUEUE, title: "Back to the assistant", client_message_id: uuid() }, null)
      .catch(function (error) {
        leaveButton.disabled = false;
        reportSendError(error);
      });
  }

  function enable(group) {
    group.classList.remove("used");
    Array.prototype.forEach.call(group.querySelectorAll("button"), function (button) {
      button.disabled = false;
      button.classList.remove("chosen");
    });
  }

  /** POST a message; swaps the optimistic copy (if any) for the stored one. */
  function post(body, pendingId) {
    return api("POST", "/widget/api/messages", body, true).then(function (data) {
      var m = data && data.message;
      var pending = pendingId ? state.pending.get(pendingId) : null;
      if (pending) state.pending.delete(pendingId);
      if (!m) { if (pending) pending.el.classList.remove("pending"); return; }
      var id = m.id !== undefined && m.id !== null ? String(m.id) : null;
      if (pending && id && state.seen.has(id)) { pending.el.remove(); return; }
      if (pending) {
        var el = renderMessage(m);
        if (id) state.seen.set(id, el);
        if (typeof m.seq === "number" && m.seq > state.lastSeq) state.lastSeq = m.seq;
        pending.el.replaceWith(el);
        retireButtons(m);
      } else {
        addMessage(m, false);
      }
    }, function (error) {
      var pending = pendingId ? state.pending.get(pendingId) : null;
      if (pending) { state.pending.delete(pendingId); pending.el.remove(); updateEmpty(); }
      showTyping(false);
      throw error;
    });
  }

  function reportSendError(error) {
    if (error instanceof ApiError && error.code === "invalid_identity_token") {
      onStartFailed(error);
      return;
    }
    if (keyGone(error)) {
      forgetConversation();
      ensureStarted();
      return;
    }
    if (error instanceof ApiError && error.status === 429) {
      showNotice(error.message || "Too many messages at once. Please wait a moment and try again.");
      return;
    }
    if (isTransient(error)) {
      showNotice(OFFLINE_TEXT);
      if (!state.events) scheduleRetry(reconnect);
      return;
    }
    showNotice(error.message || "That message could not be sent. Please try again.");
  }

  // ---------------------------------------------------------------- start-up

  updateEmpty();
  renderStatus();
  // A returning visitor: reconnect at once, so replies that arrive while the panel is closed show
  // as a badge on the bubble. A first-time visitor starts a conversation only on first open.
  if (storage.get()) ensureStarted();

  window.WellbeingWidget = {
    version: VERSION,
    open: open,
    close: close,
    toggle: toggle,
    isOpen: function () { return state.open; },
  };
})();
