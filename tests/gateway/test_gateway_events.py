"""The widget's live stream: replies without a reload, and replay of what was missed."""
from __future__ import annotations

import pytest

from tests.gateway.conftest import asks_for_a_person
from tests.helpers.sse import EventStream


def test_the_stream_starts_with_the_mode_and_delivers_replies_live(gateway, fake_rasa):
    widget = gateway.widget()
    with widget.events() as stream:
        assert stream.wait_for(lambda e: True).name == "mode"
        widget.say("hello")
        reply = stream.wait_for(lambda e: e.name == "message" and e.data["sender"] == "bot")
    assert reply.data["text"] == "echo: hello"
    assert reply.id == str(reply.data["seq"])


def test_last_event_id_replays_exactly_what_was_missed(gateway, fake_rasa):
    """A reconnect with Last-Event-ID = the last seq seen gets the later messages, in order."""
    widget = gateway.widget()
    first = widget.say("one")
    widget.wait_for_reply(first["seq"])
    widget.wait_for_reply(widget.say("two")["seq"])
    with widget.events(last_event_id=str(first["seq"])) as stream:
        stream.wait_for(lambda e: e.name == "message" and e.data["text"] == "echo: two")
    replayed = [e.data["seq"] for e in stream.seen if e.name == "message"]
    expected = [m["seq"] for m in widget.history(first["seq"])]
    assert replayed == expected and replayed[0] == first["seq"] + 1


def test_after_replays_on_the_first_connection_too(gateway, fake_rasa):
    """`?after=0` (EventSource can't set headers at first) sends the whole history first."""
    widget = gateway.widget()
    widget.wait_for_reply(widget.say("hi")["seq"])
    with widget.events(after=0) as stream:
        stream.wait_for(lambda e: e.name == "message" and e.data["text"] == "echo: hi")
    assert [e.data["text"] for e in stream.seen if e.name == "message"] == ["hi", "echo: hi"]


def test_a_replayed_message_is_not_sent_twice(gateway, fake_rasa):
    widget = gateway.widget()
    widget.wait_for_reply(widget.say("only once")["seq"])
    with widget.events(after=0) as stream:
        widget.say("next")
        stream.wait_for(lambda e: e.name == "message" and e.data["text"] == "echo: next")
    seqs = [e.data["seq"] for e in stream.seen if e.name == "message"]
    assert len(seqs) == len(set(seqs))


def test_notes_and_internal_activity_never_reach_the_client(gateway, fake_rasa):
    """Neither on the stream nor in the history."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-ben")
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    console = gateway.console().login()
    console.claim(widget.id)
    with widget.events(after=0) as stream:
        assert console.note(widget.id, "client seems upset; check invoice").status_code == 200
        assert console.reply(widget.id, "Hello Ben").status_code == 200
        stream.wait_for(lambda e: e.name == "message" and e.data["text"] == "Hello Ben")
    streamed = [e.data for e in stream.seen if e.name == "message"]
    for messages in (streamed, widget.history()):
        assert all(m["kind"] in ("text", "button_click") for m in messages)
        assert not any("upset" in m["text"] or "Claimed by" in m["text"] for m in messages)


def test_mode_changes_are_streamed(gateway, fake_rasa):
    asks_for_a_person(fake_rasa)
    widget = gateway.widget()
    with widget.events() as stream:
        widget.press("/request_human")
        stream.wait_for(lambda e: e.name == "mode"
                        and e.data == {"mode": "waiting", "agent_name": None})


def test_the_stream_needs_the_conversation_key(gateway):
    with EventStream(f"{gateway.url}/widget/api/events?key=wrong") as stream:
        pass
    assert stream.status == 401 and "invalid_conversation_key" in stream.body
    with EventStream(f"{gateway.url}/widget/api/events") as stream:
        pass
    assert stream.status == 401


@pytest.mark.parametrize("last_event_id", ["9" * 20, "2147483648", "abc", "-1"])
def test_a_last_event_id_that_is_not_a_message_number_gets_422(gateway, fake_rasa,
                                                              last_event_id):
    """A seq fits 32 bits on every database: a bigger one would break the replay (SQLite)."""
    widget = gateway.widget()
    widget.wait_for_reply(widget.say("hello")["seq"])
    with widget.events(last_event_id=last_event_id) as stream:
        pass
    assert stream.status == 422 and "invalid_request" in stream.body
    with widget.events(last_event_id="0") as stream:  # and a good one still replays
        stream.wait_for(lambda e: e.name == "message" and e.data["text"] == "echo: hello")
