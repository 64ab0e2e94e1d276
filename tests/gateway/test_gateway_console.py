"""The console: login, sessions, the CSRF header, who may see and do what, and the audit log."""
from __future__ import annotations

import threading

import pytest
import requests

from tests.gateway.conftest import asks_for_a_person
from tests.helpers.gateway import AGENT_EMAIL, Console, Widget
from tests.helpers.gateway_store import add_agent, audit_rows

OTHER_EMAIL, OTHER_PASSWORD = "kim@support.example", "kims-own-password-123"

ROUTES = [
    ("GET", "/queue"), ("GET", "/me"), ("GET", "/conversations/x"),
    ("GET", "/conversations/x/context"), ("POST", "/conversations/x/claim"),
    ("POST", "/conversations/x/reply"), ("POST", "/conversations/x/notes"),
    ("POST", "/conversations/x/resolve"), ("POST", "/conversations/x/handback"),
    ("GET", "/events"), ("POST", "/logout"),
]


@pytest.fixture(scope="module")
def other_agent(gateway) -> Console:
    add_agent(gateway.database_url, OTHER_EMAIL, OTHER_PASSWORD, "Kim")
    return gateway.console(OTHER_EMAIL, OTHER_PASSWORD).login()


def waiting_conversation(gateway, fake_rasa, client_id: str | None = "c-ben"):
    asks_for_a_person(fake_rasa)
    widget = gateway.widget(client_id)
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    return widget


@pytest.mark.parametrize("method, path", ROUTES)
def test_every_console_route_needs_a_login(gateway, method, path):
    response = requests.request(method, f"{gateway.url}/console/api{path}", json={"text": "x"},
                                headers={"X-Requested-With": "console"}, timeout=10)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_logged_in"


def test_a_forged_session_cookie_is_refused(gateway):
    response = requests.get(f"{gateway.url}/console/api/queue", timeout=10,
                            cookies={"console_session": "made-up"})
    assert response.status_code == 401


@pytest.mark.parametrize("email, password", [
    (AGENT_EMAIL, "wrong password"), ("nobody@support.example", "whatever"), (AGENT_EMAIL, ""),
])
def test_a_wrong_email_or_password_is_refused(gateway, email, password):
    console = gateway.console(email, password)
    response = console.post("/login", {"email": email, "password": password})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "invalid_credentials"
    assert "console_session" not in response.cookies


def test_login_sets_a_strict_httponly_session_cookie(gateway):
    console = gateway.console()
    response = console.post("/login", {"email": AGENT_EMAIL.upper(), "password": console.password})
    assert response.status_code == 200
    cookie = response.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    assert console.get("/me").json()["agent"]["name"] == "Sam"


def test_state_changing_calls_need_the_console_header(gateway, fake_rasa):
    """Without `X-Requested-With: console`: 403, even when logged in; login too."""
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    bare = requests.Session()
    bare.cookies.update(console.http.cookies)
    response = bare.post(f"{gateway.url}/console/api/conversations/{widget.id}/claim", timeout=10)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "missing_console_header"
    login = requests.post(f"{gateway.url}/console/api/login", timeout=10,
                          json={"email": AGENT_EMAIL, "password": console.password})
    assert login.status_code == 403
    assert widget.mode() == "waiting"


def test_logout_ends_the_session(gateway):
    console = gateway.console().login()
    token = console.http.cookies.get("console_session")
    assert console.post("/logout").status_code == 200
    assert console.get("/queue").status_code == 401
    replayed = requests.get(f"{gateway.url}/console/api/queue", timeout=10,
                            cookies={"console_session": token})
    assert replayed.status_code == 401
    assert audit_rows(gateway.database_url)[-1][0] == "logout"


def test_the_queue_is_ordered_by_priority_then_waiting_time(gateway, fake_rasa):
    fake_rasa.replies["normal"] = [{"custom": {"handoff": {"reason": "requested",
                                                           "priority": "normal"}}}]
    fake_rasa.replies["urgent"] = [{"custom": {"handoff": {"reason": "safety",
                                                           "priority": "urgent"}}}]
    older, newer, urgent = gateway.widget(), gateway.widget(), gateway.widget()
    for widget, text in ((older, "normal"), (newer, "normal"), (urgent, "urgent")):
        widget.wait_for_reply(widget.say(text)["seq"], sender="system")
    queue = [line for line in gateway.console().login().queue() if line["mode"] == "waiting"]
    ranks = [("urgent", "high", "normal").index(line["priority"]) for line in queue]
    assert ranks == sorted(ranks)
    ids = [line["id"] for line in queue]
    assert ids.index(urgent.id) < ids.index(older.id) < ids.index(newer.id)


def test_the_queue_line_has_a_preview_of_the_last_message_but_no_email(gateway, fake_rasa):
    """Enough to triage: state, reason, priority, the channel and the start of what the client
    wrote last; a widget conversation has no name on its line (only a linked Slack or Telegram
    account's does)."""
    widget = waiting_conversation(gateway, fake_rasa)
    widget.say("My   invoice\nis wrong. " + "x" * 300)
    line = next(line for line in gateway.console().login().queue() if line["id"] == widget.id)
    assert set(line) == {"id", "channel", "shared", "mode", "signed_in", "client_name",
                         "handoff_reason", "priority", "waiting_since", "assignee", "last_seq",
                         "last_message", "updated_at"}
    assert (line["channel"], line["shared"], line["client_name"]) == ("widget", False, None)
    assert line["last_message"].startswith("My invoice is wrong. xxx")
    assert len(line["last_message"]) == 140 and line["last_message"].endswith("…")


def test_repeated_failed_logins_are_slowed_down(gateway):
    """Five wrong passwords for one address: the sixth try gets 429, even with the right one."""
    add_agent(gateway.database_url, "lee@support.example", "lees-own-password-123", "Lee")
    console = gateway.console("lee@support.example", "wrong")
    for _ in range(5):
        assert console.post("/login", {"email": "lee@support.example",
                                       "password": "wrong"}).status_code == 401
    blocked = console.post("/login", {"email": "lee@support.example",
                                      "password": "lees-own-password-123"})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "too_many_attempts"


def test_the_transcript_has_bot_turns_button_clicks_and_activity(gateway, fake_rasa):
    widget = gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("hello")["seq"])
    asks_for_a_person(fake_rasa)
    widget.wait_for_reply(widget.press("/request_human", "Talk to a person")["seq"],
                          sender="system")
    transcript = gateway.console().login().transcript(widget.id)
    kinds = [(m["sender"], m["kind"]) for m in transcript["messages"]]
    assert ("bot", "text") in kinds and ("client", "button_click") in kinds
    assert ("system", "activity") in kinds
    click = next(m for m in transcript["messages"] if m["kind"] == "button_click")
    assert click["text"] == "Talk to a person" and click["payload"] == "/request_human"
    assert transcript["handoff_reason"] == "requested" and transcript["client_id"] == "c-ben"


def test_two_agents_claiming_at_once_get_exactly_one_owner(gateway, fake_rasa, other_agent):
    """Concurrent claims: one 200, the other 409 already_claimed."""
    for _ in range(5):
        widget = waiting_conversation(gateway, fake_rasa, None)
        sam = gateway.console().login()
        responses: dict[str, requests.Response] = {}
        barrier = threading.Barrier(2)

        def claim(name: str, console: Console, widget: Widget = widget,
                  barrier: threading.Barrier = barrier,
                  responses: dict[str, requests.Response] = responses) -> None:
            barrier.wait()
            responses[name] = console.claim(widget.id)

        threads = [threading.Thread(target=claim, args=("sam", sam)),
                   threading.Thread(target=claim, args=("kim", other_agent))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        statuses = sorted(r.status_code for r in responses.values())
        assert statuses == [200, 409], {k: r.text for k, r in responses.items()}
        loser = next(r for r in responses.values() if r.status_code == 409)
        assert loser.json()["error"]["code"] == "already_claimed"


def test_another_agents_conversation_is_not_shown_or_touched(gateway, fake_rasa, other_agent):
    """Claimed by Sam: Kim can't read it, reply, note, resolve or hand it back."""
    widget = waiting_conversation(gateway, fake_rasa)
    sam = gateway.console().login()
    assert sam.claim(widget.id).status_code == 200
    assert other_agent.get(f"/conversations/{widget.id}").status_code == 403
    assert other_agent.get(f"/conversations/{widget.id}/context").status_code == 403
    for response in (other_agent.reply(widget.id, "hi"), other_agent.note(widget.id, "n"),
                     other_agent.resolve(widget.id), other_agent.handback(widget.id)):
        assert response.status_code == 403 and response.json()["error"]["code"] == "not_yours"
    assert widget.id not in [line["id"] for line in other_agent.queue()]
    assert widget.id in [line["id"] for line in sam.queue()]


def test_a_conversation_with_the_bot_is_none_of_the_teams_business(gateway, fake_rasa):
    """Never handed over: the console can't open it."""
    widget = gateway.widget("c-anna")
    widget.wait_for_reply(widget.say("hello")["seq"])
    console = gateway.console().login()
    response = console.get(f"/conversations/{widget.id}")
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "not_with_the_team"
    assert console.get("/conversations/no-such-id").status_code == 404


def test_replying_before_claiming_is_refused(gateway, fake_rasa):
    widget = waiting_conversation(gateway, fake_rasa)
    response = gateway.console().login().reply(widget.id, "hello")
    assert response.status_code == 409 and response.json()["error"]["code"] == "not_claimed"


@pytest.mark.parametrize("body, status", [({"text": ""}, 422), ({"text": 5}, 422),
                                          ({"text": "x" * 10_001}, 413), ({}, 422)])
def test_a_bad_reply_is_refused(gateway, fake_rasa, body, status):
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    console.claim(widget.id)
    assert console.post(f"/conversations/{widget.id}/reply", body).status_code == status


def test_the_agents_reply_arrives_on_the_widget_stream_with_their_name(gateway, fake_rasa):
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    with widget.events() as stream:
        console.claim(widget.id)
        joined = stream.wait_for(lambda e: e.name == "message" and "has joined" in e.data["text"])
        console.reply(widget.id, "<b>Hi</b>, I'm Sam")
        reply = stream.wait_for(lambda e: e.name == "message" and e.data["sender"] == "agent")
    assert joined.data["text"].startswith("Sam from the Customer Success team")
    assert reply.data["text"] == "<b>Hi</b>, I'm Sam" and reply.data["agent_name"] == "Sam"


def test_every_agent_action_is_audited(gateway, fake_rasa):
    """login, claim, reply, note, view_context, resolve; handback: who, what, which, when."""
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    me = console.get("/me").json()["agent"]["id"]
    console.claim(widget.id)
    console.reply(widget.id, "hello")
    console.note(widget.id, "a note")
    console.get(f"/conversations/{widget.id}/context")
    console.resolve(widget.id)
    actions = [(action, agent) for action, _, agent, _ in
               audit_rows(gateway.database_url, widget.id)]
    assert actions == [(a, me) for a in ("claim", "reply", "note", "view_context", "resolve")]
    logins = [row for row in audit_rows(gateway.database_url) if row[0] == "login"]
    assert logins and logins[-1][2] == me and logins[-1][3] is not None

    second = waiting_conversation(gateway, fake_rasa)
    console.claim(second.id)
    assert console.handback(second.id).status_code == 200
    assert [row[0] for row in audit_rows(gateway.database_url, second.id)] == ["claim",
                                                                              "handback"]


def test_a_failed_login_of_a_known_agent_is_audited(gateway):
    gateway.console(AGENT_EMAIL, "not it").post("/login", {"email": AGENT_EMAIL,
                                                           "password": "not it"})
    assert audit_rows(gateway.database_url)[-1][0] == "login_failed"


def test_the_console_stream_shows_the_queue_and_the_agents_own_messages(gateway, fake_rasa,
                                                                       other_agent):
    """A new waiting conversation appears live; Kim doesn't get Sam's conversation's messages."""
    sam = gateway.console().login()
    with sam.events() as sam_stream, other_agent.events() as kim_stream:
        widget = waiting_conversation(gateway, fake_rasa)
        sam_stream.wait_for(lambda e: e.name == "conversation" and e.data["id"] == widget.id
                            and e.data["mode"] == "waiting")
        sam.claim(widget.id)
        widget.say("only for Sam")
        sam_stream.wait_for(lambda e: e.name == "message"
                            and e.data["message"]["text"] == "only for Sam")
        kim_stream.wait_for(lambda e: e.name == "conversation" and e.data["id"] == widget.id
                            and e.data["mode"] == "agent")
        kim_stream.drain(0.5)
    assert not any(e.name == "message" and e.data["message"]["text"] == "only for Sam"
                   for e in kim_stream.seen)


def test_a_signed_out_clients_context_says_there_is_no_account(gateway, fake_rasa):
    widget = waiting_conversation(gateway, fake_rasa, None)
    console = gateway.console().login()
    assert console.claim(widget.id).status_code == 200  # the account is for the claimant only
    body = console.get(f"/conversations/{widget.id}/context").json()
    assert body["available"] is False and body["signed_in"] is False


def test_reading_a_transcript_is_audited(gateway, fake_rasa):
    """Every read of a conversation's transcript leaves a row: who read which, and when."""
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    me = console.get("/me").json()["agent"]["id"]
    console.transcript(widget.id)
    console.transcript(widget.id)
    reads = [(action, agent) for action, _, agent, at in audit_rows(gateway.database_url,
                                                                    widget.id)]
    assert reads == [("view_transcript", me), ("view_transcript", me)]


def test_the_clients_account_is_shown_only_after_a_claim_and_each_read_is_audited(gateway,
                                                                                 fake_rasa):
    """Waiting: 403 claim_to_see_account (nothing read, nothing audited); claimed: the account,
    and a view_context row."""
    widget = waiting_conversation(gateway, fake_rasa)
    console = gateway.console().login()
    before = console.get(f"/conversations/{widget.id}/context")
    assert before.status_code == 403
    assert before.json()["error"]["code"] == "claim_to_see_account"
    assert "claim" in before.json()["error"]["message"].lower()
    assert audit_rows(gateway.database_url, widget.id) == []
    assert console.claim(widget.id).status_code == 200
    assert console.get(f"/conversations/{widget.id}/context").status_code == 200
    assert [row[0] for row in audit_rows(gateway.database_url, widget.id)] == ["claim",
                                                                              "view_context"]
