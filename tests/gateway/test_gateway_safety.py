"""Safety first, through the real gateway in front of a fake Rasa (or none): a client's message
that speaks of risk gets the safety reply before anything else in every mode, and a person,
urgently; everyday words that sound alike get nothing of the sort."""
from __future__ import annotations

import time
from collections.abc import Iterator

import pytest

from tests.gateway.conftest import SAFETY, asks_for_a_person
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, run_gateway

RASA_SAFETY_REPLY = [{"text": "I'm so sorry. Please call the emergency number 112 now."}, SAFETY]
DEFAULT_HELPLINES = "Samaritans 116 123"


@pytest.fixture(scope="module")
def local_contacts_gateway(fake_rasa: FakeRasa, tmp_path_factory: pytest.TempPathFactory
                           ) -> Iterator[Gateway]:
    env = {"EMERGENCY_NUMBER": "999", "HELPLINES": "Test Helpline 0800 000 111"}
    with run_gateway(tmp_path_factory.mktemp("contacts-gateway"), fake_rasa.port,
                     fake_rasa.shared, env=env) as gw:
        yield gw


def after(widget, seq: int, settle: float = 1.0) -> list[dict]:
    """The messages after `seq` once nothing new arrives: (sender, text) is what matters."""
    return widget.replies_after(seq, settle=settle)


def queue_line(gateway: Gateway, conversation_id: str) -> dict:
    return next(line for line in gateway.console().login().queue()
                if line["id"] == conversation_id)


def in_the_queue(widget, gateway: Gateway) -> None:
    """Ask for a person and wait to be told the queue position."""
    widget.wait_for_reply(widget.press("/request_human", "Talk to a person")["seq"],
                          sender="system", containing="queue")
    gateway.console().login().wait_until_waiting(widget.id)


# --- with the assistant -----------------------------------------------------------------------

def test_rasa_is_sent_the_self_harm_intent_and_its_safety_reply_comes_first_once(gateway,
                                                                                  fake_rasa):
    """Rasa's dialogue learns of it (`/self_harm`, never the words); its safety reply is shown
    first and once; the conversation is queued, urgent, reason safety."""
    fake_rasa.replies["/self_harm"] = RASA_SAFETY_REPLY
    widget = gateway.widget("c-ben")
    sent = widget.say("my husband hits me and I don't know what to do")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    shown = after(widget, sent["seq"])
    assert (shown[0]["sender"], shown[0]["text"]) == ("bot", RASA_SAFETY_REPLY[0]["text"])
    assert sum("112" in m["text"] for m in shown) == 1
    assert fake_rasa.messages_of(widget.id) == ["/self_harm"]
    line = queue_line(gateway, widget.id)
    assert (line["mode"], line["priority"], line["handoff_reason"]) == (
        "waiting", "urgent", "safety")


def test_when_rasa_answers_otherwise_the_gateway_gives_its_own_safety_reply(gateway, fake_rasa):
    """Rasa echoes instead of the safety action: its words are not shown; the gateway's safety
    reply (emergency number, helplines, a person) comes first, then the queue position."""
    widget = gateway.widget()
    sent = widget.say("I want to kill myself")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    shown = after(widget, sent["seq"])
    assert shown[0]["sender"] == "bot"
    assert "emergency number 112" in shown[0]["text"] and DEFAULT_HELPLINES in shown[0]["text"]
    assert "asked a person from our team to join this chat now" in shown[0]["text"]
    assert "in the queue" in shown[1]["text"] and len(shown) == 2
    assert not any("echo" in m["text"] for m in widget.history())
    assert queue_line(gateway, widget.id)["priority"] == "urgent"


def test_a_slow_assistant_does_not_hold_the_safety_reply_back(gateway, fake_rasa):
    """Rasa takes longer than the gateway waits for a safety reply (RASA_TIMEOUT is 30 s here):
    the gateway's own comes within seconds."""
    fake_rasa.delay = 12.0
    widget = gateway.widget()
    started = time.monotonic()
    sent = widget.say("I don't want to live anymore")
    first = widget.wait_for(lambda m: m["seq"] > sent["seq"], timeout=20)
    assert time.monotonic() - started < 10
    assert first["sender"] == "bot" and "emergency number 112" in first["text"]
    assert queue_line(gateway, widget.id)["priority"] == "urgent"


def test_with_rasa_down_the_gateway_gives_the_safety_reply_and_hands_over(down_gateway):
    """No assistant at all: the safety reply first all the same, and an urgent handoff."""
    widget = down_gateway.widget("c-dan")
    sent = widget.say("I'm going to take my own life")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue", timeout=30)
    shown = after(widget, sent["seq"])
    assert shown[0]["sender"] == "bot" and "emergency number 112" in shown[0]["text"]
    assert not any("can't answer right now" in m["text"] for m in shown)
    line = down_gateway.console().login().wait_until_waiting(widget.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")


def test_the_safety_reply_gives_the_configured_emergency_number_and_helplines(
        local_contacts_gateway):
    widget = local_contacts_gateway.widget()
    sent = widget.say("I'm not safe at home")
    reply = widget.wait_for_reply(sent["seq"], containing="emergency")
    assert "emergency number 999" in reply["text"] and "Test Helpline 0800 000 111" in reply["text"]
    assert "112" not in reply["text"]


# --- with the team already ----------------------------------------------------------------------

def test_while_waiting_a_risk_message_gets_the_safety_reply_and_goes_ahead(gateway, fake_rasa):
    """Waiting (requested, high) behind an older conversation: the safety reply first, then the
    new place in the queue (ahead of the older one); urgent, reason safety; the console hears
    it at once; Rasa is not called."""
    asks_for_a_person(fake_rasa)
    earlier, widget = gateway.widget(), gateway.widget("c-anna")
    in_the_queue(earlier, gateway)
    in_the_queue(widget, gateway)
    calls = len(fake_rasa.messages_of(widget.id))
    console = gateway.console().login()
    with console.events() as stream:
        sent = widget.say("he said he'd kill me if I tell anyone")
        alert = stream.wait_for(lambda e: e.name == "conversation" and e.data["id"] == widget.id
                                and e.data["priority"] == "urgent")
    assert alert.data["handoff_reason"] == "safety" and alert.data["mode"] == "waiting"
    told = widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    shown = after(widget, sent["seq"])
    assert shown[0]["sender"] == "bot" and "emergency number 112" in shown[0]["text"]
    assert "told our team this is urgent" in shown[0]["text"]
    queue = [line["id"] for line in console.queue()]
    assert queue.index(widget.id) < queue.index(earlier.id)
    position = [line["id"] for line in console.queue() if line["mode"] == "waiting"]
    assert f"number {position.index(widget.id) + 1} in the queue" in told["text"] or (
        position.index(widget.id) == 0 and "next in the queue" in told["text"])
    assert len(fake_rasa.messages_of(widget.id)) == calls
    activity = [m["text"] for m in console.transcript(widget.id)["messages"]
                if m["kind"] == "activity"]
    assert any("urgent" in text for text in activity)


def test_with_an_agent_a_risk_message_gets_the_safety_reply_and_is_urgent(gateway, fake_rasa):
    """Claimed: the safety reply to the client, the agent's conversation becomes urgent (and
    stays theirs); their console stream gets the message and the new line; Rasa isn't called."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-chloe")
    in_the_queue(widget, gateway)
    console = gateway.console().login()
    assert console.claim(widget.id).status_code == 200
    calls = len(fake_rasa.messages_of(widget.id))
    with console.events() as stream:
        sent = widget.say("I feel like I could kill someone")
        stream.wait_for(lambda e: e.name == "conversation" and e.data["id"] == widget.id
                        and e.data["priority"] == "urgent")
        reply = stream.wait_for(lambda e: e.name == "message" and e.data["conversation_id"]
                                == widget.id and e.data["message"]["sender"] == "bot")
    assert "emergency number 112" in reply.data["message"]["text"]
    shown = after(widget, sent["seq"])
    assert [m["sender"] for m in shown] == ["bot"]
    assert "told the person from our team who is with you" in shown[0]["text"]
    line = queue_line(gateway, widget.id)
    assert (line["mode"], line["priority"], line["handoff_reason"]) == ("agent", "urgent", "safety")
    assert line["assignee"]["name"] == "Sam"
    assert len(fake_rasa.messages_of(widget.id)) == calls


def test_out_of_hours_the_safety_reply_comes_first_and_an_email_is_still_kept(closed_gateway,
                                                                             fake_rasa):
    """Nobody can answer live: the safety reply (the emergency number is what helps now), the
    hours again, and the e-mail address in the same message is kept."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    sent = widget.say("I want to die. Write to me at jo@example.org")
    widget.wait_for_reply(sent["seq"], sender="system", containing="jo@example.org")
    shown = [(m["sender"], m["text"]) for m in after(widget, sent["seq"])]
    assert shown[0][0] == "bot" and "emergency number 112" in shown[0][1]
    assert "nobody can answer live" in shown[1][1]
    assert "jo@example.org" in shown[2][1]
    line = closed_gateway.console().login().transcript(widget.id)
    assert (line["priority"], line["contact_email"]) == ("urgent", "jo@example.org")


# --- what the check reads -----------------------------------------------------------------------

def test_a_risk_message_with_a_card_number_keeps_its_words_and_gets_the_safety_reply(gateway,
                                                                                    fake_rasa):
    """The card digits go (only they); Rasa hears of the risk, not of the card; no refusal."""
    fake_rasa.replies["/self_harm"] = RASA_SAFETY_REPLY
    widget = gateway.widget("c-ben")
    sent = widget.say("Take my card 4242 4242 4242 4242, I want to end my life anyway")
    assert sent["text"] == "Take my card [card number removed], I want to end my life anyway"
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    assert fake_rasa.messages_of(widget.id) == ["/self_harm"]
    assert after(widget, sent["seq"])[0]["text"] == RASA_SAFETY_REPLY[0]["text"]


def test_a_risk_phrase_late_in_a_long_message_is_seen(gateway, fake_rasa):
    """Rasa reads 2,000 characters; the gateway's check reads all 10,000."""
    widget = gateway.widget()
    text = ("My booking page keeps failing and I have tried everything. " * 160)[:9_000]
    sent = widget.say(text + " Honestly I just want to die.")
    first = widget.wait_for(lambda m: m["seq"] > sent["seq"], timeout=30)
    assert first["sender"] == "bot" and "emergency number 112" in first["text"]
    assert fake_rasa.messages_of(widget.id) == ["/self_harm"]


@pytest.mark.parametrize("text", ["none of these times suit me", "this page is killing me",
                                  "I could kill for a coffee", "my phone died",
                                  "I hurt my knee running, can I see a physio?"])
def test_everyday_words_that_sound_alike_go_to_the_assistant_as_usual(gateway, fake_rasa, text):
    widget = gateway.widget()
    sent = widget.say(text)
    assert widget.wait_for_reply(sent["seq"])["text"] == f"echo: {text}"
    assert [m["sender"] for m in after(widget, sent["seq"], settle=0.5)] == ["bot"]
    assert fake_rasa.messages_of(widget.id) == [text]
    assert widget.mode() == "bot"
