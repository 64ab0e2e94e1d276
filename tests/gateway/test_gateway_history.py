"""The console's history (search and read-only opening, audited, on SQLite and PostgreSQL), the
summary at the top of a handed-over conversation, following a conversation after handing it
back, and saved (canned) replies."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.core import texts
from tests.gateway.conftest import asks_for_a_person
from tests.helpers.gateway import Console, Gateway
from tests.helpers.gateway_store import add_agent, audit_rows, conversation_row

OTHER_EMAIL, OTHER_PASSWORD = "kim@support.example", "kims-own-password-123"




def handed_over(gateway: Gateway, fake_rasa, client_id: str | None, console: Console,
                said: str = "hello"):
    """A conversation where the client said `said`, asked for a person and was claimed."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget(client_id)
    widget.wait_for_reply(widget.say(said)["seq"])
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert console.claim(widget.id).status_code == 200
    return widget


def search(console: Console, **params) -> dict:
    query = "&".join(f"{k}={v}" for k, v in params.items())
    response = console.get(f"/history?{query}")
    assert response.status_code == 200, response.text
    return response.json()


def ids(found: dict) -> set[str]:
    return {line["id"] for line in found["conversations"]}


def test_history_search_by_client_text_status_channel_date_and_page(any_store_gateway,
                                                                   fake_rasa):
    gateway = any_store_gateway
    console = gateway.console().login()
    resolved = handed_over(gateway, fake_rasa, "c-ben", console, "where is my invoice?")
    assert console.reply(resolved.id, "I re-sent invoice INV-2026-0042 (100% done)").ok
    assert console.resolve(resolved.id).status_code == 200
    back = handed_over(gateway, fake_rasa, "c-anna", console, "a question about credits")
    assert console.handback(back.id).status_code == 200
    only_bot = gateway.widget("c-dan")
    only_bot.wait_for_reply(only_bot.say("where is my invoice?")["seq"])
    waiting = gateway.widget("c-chloe")
    asks_for_a_person(fake_rasa)
    waiting.wait_for_reply(waiting.press("/request_human")["seq"], sender="system")

    mine = {resolved.id, back.id}
    assert ids(search(console)) & {only_bot.id, waiting.id} == set()
    assert mine <= ids(search(console))
    assert ids(search(console, status="resolved")) & mine == {resolved.id}
    assert ids(search(console, status="handed_back")) & mine == {back.id}
    assert ids(search(console, client="c-ben")) & mine == {resolved.id}
    assert ids(search(console, text="inv-2026-0042")) == {resolved.id}   # any case
    assert ids(search(console, text="where is my invoice")) & mine == {resolved.id}
    assert ids(search(console, text="100%25 done")) == {resolved.id}     # % is a character
    assert ids(search(console, text="1_0%25")) == set()                  # ... and so is _
    assert ids(search(console, channel="slack")) & mine == set()
    today = datetime.now(UTC).date()
    assert mine <= ids(search(console, **{"from": today, "to": today}))
    assert ids(search(console, to=today - timedelta(days=1))) == set()
    assert ids(search(console, **{"from": today + timedelta(days=1)})) == set()

    total = search(console)["total"]
    first, second = search(console, per_page=1), search(console, per_page=1, page=2)
    assert first["total"] == total >= 2 and len(first["conversations"]) == 1
    assert ids(first) != ids(second)
    line = first["conversations"][0]
    assert "contact_email" not in line and "messages" not in line

    searches = [row for row in audit_rows(gateway.database_url) if row[0] == "search_history"]
    assert len(searches) >= 14
    details = audit_details(gateway.database_url, "search_history")
    assert any("filters text" in d for d in details)
    assert not any("inv-2026" in d.lower() or "c-ben" in d for d in details)  # never the words


def audit_details(database_url: str, action: str) -> list[str]:
    from sqlalchemy import select

    from bot.store.db import Database
    from bot.store.models import AuditEvent
    db = Database.from_url(database_url)
    try:
        return db.run_sync(lambda s: [row.detail or "" for row in s.scalars(
            select(AuditEvent).where(AuditEvent.action == action))])
    finally:
        db.dispose()


def test_a_conversation_opens_from_the_history_read_only_and_each_opening_is_audited(
        any_store_gateway, fake_rasa):
    gateway = any_store_gateway
    console = gateway.console().login()
    widget = handed_over(gateway, fake_rasa, "c-ben", console, "my card was charged twice")
    console.note(widget.id, "promised to follow up tomorrow")
    console.resolve(widget.id)
    for _ in range(2):
        opened = console.get(f"/history/{widget.id}")
        assert opened.status_code == 200, opened.text
    detail = opened.json()
    assert detail["read_only"] is True and detail["mode"] == "resolved"
    texts = [m["text"] for m in detail["messages"]]
    assert "my card was charged twice" in texts and "promised to follow up tomorrow" in texts
    assert detail["summary"]["asked"] == ["my card was charged twice"]
    assert [r[0] for r in audit_rows(gateway.database_url, widget.id)].count("view_history") == 2
    # Read-only: the closed conversation can't be written to, nor its account read.
    assert console.reply(widget.id, "hello?").status_code == 409
    assert console.get(f"/conversations/{widget.id}/context").status_code == 403

    only_bot = gateway.widget("c-dan")
    only_bot.wait_for_reply(only_bot.say("hi")["seq"])
    refused = console.get(f"/history/{only_bot.id}")
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_in_history"
    assert console.get("/history/no-such-id").status_code == 404
    assert "view_history" not in [r[0] for r in audit_rows(gateway.database_url, only_bot.id)]


def test_the_summary_says_what_was_asked_what_the_assistant_did_and_why(gateway, fake_rasa):
    """Built from the transcript and the actions' activity lines; the client never sees those."""
    fake_rasa.replies["how many credits do I have"] = [
        {"custom": {"activity": "Showed credits: 0 of 6 left"}},
        {"text": "You've used all 6 of your sponsored credits."}]
    fake_rasa.replies["book with Sara tomorrow"] = [
        {"custom": {"activity": "Booking with Sara failed: no credits left"}},
        {"text": "That didn't work."}]
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-ben")
    for text in ("how many credits do I have", "book with Sara tomorrow"):
        widget.wait_for_reply(widget.say(text)["seq"])
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    summary = console.transcript(widget.id)["summary"]
    assert summary["asked"] == ["how many credits do I have", "book with Sara tomorrow"]
    assert summary["did"] == ["Showed credits: 0 of 6 left",
                              "Booking with Sara failed: no credits left"]
    assert summary["why"] == "asked for a person"
    assert summary["last_answer"] == "That didn't work."
    activity = [m for m in console.transcript(widget.id)["messages"]
                if m["kind"] == "activity" and m["sender"] == "bot"]
    assert [m["text"] for m in activity] == summary["did"]
    assert not any("Showed credits" in m["text"] for m in widget.history())
    console.claim(widget.id)
    console.resolve(widget.id)


def test_after_handing_back_the_agent_sees_what_the_client_sees_live_until_closing(gateway,
                                                                                  fake_rasa):
    console = gateway.console().login()
    add_agent(gateway.database_url, OTHER_EMAIL, OTHER_PASSWORD, "Kim")
    other = gateway.console(OTHER_EMAIL, OTHER_PASSWORD).login()
    widget = handed_over(gateway, fake_rasa, "c-ben", console)
    fake_rasa.replies["thanks, one more thing"] = [{"text": "Of course, what is it?"}]
    with console.events() as mine, other.events() as theirs:
        assert console.handback(widget.id).status_code == 200
        back = mine.wait_for(lambda e: e.name == "message"
                             and e.data["conversation_id"] == widget.id
                             and e.data["message"]["sender"] == "system"
                             and e.data["message"]["kind"] == "text")
        assert back.data["mode"] == "bot"
        widget.wait_for_reply(widget.say("thanks, one more thing")["seq"])
        # The rating question (issue 12) comes first, then the assistant's answer.
        rating = mine.wait_for(lambda e: e.name == "message"
                               and e.data["conversation_id"] == widget.id
                               and e.data["message"]["sender"] == "bot")
        assert rating.data["message"]["text"] == texts.RATING_QUESTION
        mine.wait_for(lambda e: e.name == "message"
                      and e.data["conversation_id"] == widget.id
                      and e.data["message"]["sender"] == "bot"
                      and e.data["message"]["text"] == "Of course, what is it?")
        assert not [e for e in theirs.drain(1.0) if e.name == "message"
                    and e.data["conversation_id"] == widget.id
                    and e.data["message"]["kind"] != "activity"]
        assert console.post(f"/conversations/{widget.id}/unwatch").status_code == 200
        mine.drain(0.5)
        seen_before = len(mine.seen)
        widget.wait_for_reply(widget.say("and another")["seq"])
        assert not [e for e in mine.drain(1.0)[seen_before:] if e.name == "message"
                    and e.data["conversation_id"] == widget.id
                    and e.data["message"]["sender"] == "bot"]


def test_saved_replies_the_teams_and_each_agents_own(gateway):
    console = gateway.console().login()
    add_agent(gateway.database_url, OTHER_EMAIL, OTHER_PASSWORD, "Kim")
    other = gateway.console(OTHER_EMAIL, OTHER_PASSWORD).login()
    team = console.get("/canned").json()["replies"]
    titles = {r["title"] for r in team}
    assert {"Greeting", "Invoice re-sent", "Out-of-hours follow-up"} <= titles
    assert all(not r["own"] for r in team) and any("{first_name}" in r["text"] for r in team)

    created = console.post("/canned", {"title": "Refund", "text": "Hi {first_name}, refunded."})
    assert created.status_code == 200, created.text
    own = created.json()["reply"]
    assert own["own"] is True
    assert own["id"] in {r["id"] for r in console.get("/canned").json()["replies"]}
    assert own["id"] not in {r["id"] for r in other.get("/canned").json()["replies"]}

    changed = console.http.put(f"{gateway.url}/console/api/canned/{own['id']}", timeout=10,
                               json={"title": "Refund done", "text": "Done, {first_name}."})
    assert changed.status_code == 200 and changed.json()["reply"]["title"] == "Refund done"
    theirs = other.http.put(f"{gateway.url}/console/api/canned/{own['id']}", timeout=10,
                            json={"title": "x", "text": "y"})
    assert theirs.status_code == 404
    team_one = console.http.put(f"{gateway.url}/console/api/canned/{team[0]['id']}", timeout=10,
                                json={"title": "x", "text": "y"})
    assert team_one.status_code == 403 and team_one.json()["error"]["code"] == "team_reply"
    assert console.post("/canned", {"title": "", "text": "y"}).status_code == 422
    gone = console.http.delete(f"{gateway.url}/console/api/canned/{own['id']}", timeout=10)
    assert gone.status_code == 200
    assert own["id"] not in {r["id"] for r in console.get("/canned").json()["replies"]}


def test_following_a_handed_back_conversation_ends_with_the_next_move_or_the_console(gateway,
                                                                                        fake_rasa):
    """An agent follows what they handed back only while their console has it open: the next
    move of the conversation (the client asks for a person again), a logout or a new login
    ends it, so nothing the client later says only to the assistant reaches that agent."""
    console = gateway.console().login()
    widget = handed_over(gateway, fake_rasa, "c-anna", console)
    assert console.handback(widget.id).status_code == 200
    watching = conversation_row(gateway.database_url, widget.id).watching_agent_id
    assert watching is not None
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert conversation_row(gateway.database_url, widget.id).watching_agent_id is None

    assert console.claim(widget.id).status_code == 200
    assert console.handback(widget.id).status_code == 200
    assert conversation_row(gateway.database_url, widget.id).watching_agent_id == watching
    assert console.post("/logout").status_code == 200
    assert conversation_row(gateway.database_url, widget.id).watching_agent_id is None

    again = gateway.console().login()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert again.claim(widget.id).status_code == 200
    assert again.handback(widget.id).status_code == 200
    gateway.console().login()  # the same agent's new console: nothing open in it
    assert conversation_row(gateway.database_url, widget.id).watching_agent_id is None
