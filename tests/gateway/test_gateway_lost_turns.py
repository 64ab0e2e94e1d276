"""Rasa took too long, answered nothing, or was paused behind the gateway's back: the gateway
reads Rasa's tracker (`GET /conversations/<id>/tracker`), and no conversation is left silent or
stuck.

Against the fake Rasa (tests/helpers/fake_rasa.py), which runs and saves a turn in its tracker even
when the gateway stopped waiting for it, and pauses the tracker at a handoff, as Rasa does.
"""
from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests.gateway.conftest import HANDOFF, SAFETY
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway, run_gateway

CANT_ANSWER = "I can't answer right now"
PERSON = {"title": "Talk to a person", "payload": "/request_human"}
SLOW = 2.5  # seconds the fake Rasa takes over a slow turn: more than RASA_TIMEOUT below


@pytest.fixture(scope="module")
def patient_gateway(fake_rasa: FakeRasa, tmp_path_factory) -> Iterator[Gateway]:
    """Gives up on Rasa after 1 s, then reads its tracker for up to 8 s more."""
    with run_gateway(tmp_path_factory.mktemp("patient"), fake_rasa.port, fake_rasa.shared,
                     env={"RASA_TIMEOUT": "1", "RASA_TRACKER_WAIT": "8"}) as gateway:
        yield gateway


@pytest.fixture(scope="module")
def impatient_gateway(fake_rasa: FakeRasa, tmp_path_factory) -> Iterator[Gateway]:
    """Gives up on Rasa after 1 s and reads its tracker once."""
    with run_gateway(tmp_path_factory.mktemp("impatient"), fake_rasa.port, fake_rasa.shared,
                     env={"RASA_TIMEOUT": "1", "RASA_TRACKER_WAIT": "0"}) as gateway:
        yield gateway


def bot_texts(widget, after: int) -> list[str]:
    return [m["text"] for m in widget.replies_after(after) if m["sender"] == "bot"]


# --- an empty answer is a failure ----------------------------------------------------------------

def test_an_empty_answer_gets_the_honest_reply_and_the_person_button(gateway, fake_rasa):
    """Rasa answered `[]` and its tracker isn't paused: not silence, but "I can't answer"."""
    fake_rasa.replies["hello?"] = []
    widget = gateway.widget("c-ben")
    sent = widget.say("hello?")
    reply = widget.wait_for_reply(sent["seq"], timeout=15)
    assert CANT_ANSWER in reply["text"] and reply["buttons"] == [PERSON]
    assert widget.id in fake_rasa.tracker_reads
    assert widget.mode() == "bot"


def test_talk_to_a_person_answered_with_nothing_hands_off_from_the_gateway(gateway, fake_rasa):
    """The button is never swallowed: the gateway queues the conversation itself."""
    fake_rasa.replies["/request_human"] = []
    widget = gateway.widget()
    sent = widget.press("/request_human", "Talk to a person")
    told = widget.wait_for_reply(sent["seq"], sender="system", timeout=15)
    assert "queue" in told["text"]
    line = gateway.console().login().wait_until_waiting(widget.id)
    assert (line["handoff_reason"], line["priority"]) == ("platform_unavailable", "high")


# --- after a timeout, the turn is read from Rasa's tracker ---------------------------------------

def test_a_turn_that_outlasts_the_timeout_is_answered_from_the_tracker(patient_gateway,
                                                                        fake_rasa):
    """Rasa answers after the gateway stopped waiting: its reply, read from the tracker, is
    shown (once), and the message was sent once."""
    fake_rasa.delays["slow question"] = SLOW
    widget = patient_gateway.widget("c-anna")
    sent = widget.say("slow question")
    reply = widget.wait_for_reply(sent["seq"], timeout=15)
    assert reply["text"] == "echo: slow question"
    assert bot_texts(widget, sent["seq"]) == ["echo: slow question"]
    assert fake_rasa.messages_of(widget.id) == ["slow question"]
    assert widget.id in fake_rasa.tracker_reads


def test_a_late_turn_that_handed_off_hands_off_as_it_asked(patient_gateway, fake_rasa):
    """The late turn's words are shown and its handoff (reason, priority) is made; Rasa, which
    paused itself, is resumed at hand back and answers again."""
    fake_rasa.replies["a person please"] = [{"text": "I'm passing you to the team."}, HANDOFF]
    fake_rasa.delays["a person please"] = SLOW
    widget = patient_gateway.widget("c-ben")
    sent = widget.say("a person please")
    told = widget.wait_for_reply(sent["seq"], sender="system", containing="queue", timeout=15)
    assert bot_texts(widget, sent["seq"]) == ["I'm passing you to the team."]
    console = patient_gateway.console().login()
    line = console.wait_until_waiting(widget.id)
    assert (line["handoff_reason"], line["priority"]) == ("requested", "high")
    assert console.claim(widget.id).status_code == 200
    assert console.handback(widget.id).status_code == 200
    assert fake_rasa.tracker(widget.id)["paused"] is False
    again = widget.say("hello again")
    assert widget.wait_for_reply(again["seq"])["text"] == "echo: hello again"
    assert told["seq"] < again["seq"]


def test_an_unreadable_tracker_after_a_timeout_gives_the_honest_reply(patient_gateway,
                                                                       fake_rasa):
    fake_rasa.delays["slow again"] = SLOW
    fake_rasa.tracker_status = 500
    widget = patient_gateway.widget()
    sent = widget.say("slow again")
    reply = widget.wait_for_reply(sent["seq"], timeout=15)
    assert CANT_ANSWER in reply["text"] and reply["buttons"] == [PERSON]


# --- a tracker paused behind the gateway's back --------------------------------------------------

def test_a_handoff_that_ran_after_the_gateway_gave_up_is_made_at_the_next_message(
        impatient_gateway, fake_rasa):
    """The gateway said it couldn't answer; Rasa then ran the turn: the safety reply and a
    handoff, and paused (a message Rasa's NLU reads as a crisis, without a clear risk phrase the
    gateway's own check would answer first). The client's next message (Talk to a person) gets
    `[]` from the paused Rasa: the gateway shows what that turn said and hands off as it asked
    (safety, urgent)."""
    fake_rasa.replies["everything is too much lately"] = [{"text": "Please call 112."}, SAFETY]
    fake_rasa.delays["everything is too much lately"] = SLOW
    widget = impatient_gateway.widget("c-dan")
    sent = widget.say("everything is too much lately")
    assert CANT_ANSWER in widget.wait_for_reply(sent["seq"], timeout=15)["text"]
    fake_rasa.wait_until_idle()
    assert fake_rasa.tracker(widget.id)["paused"] is True
    assert widget.mode() == "bot"

    pressed = widget.press("/request_human", "Talk to a person")
    widget.wait_for_reply(pressed["seq"], sender="system", containing="queue", timeout=15)
    assert bot_texts(widget, pressed["seq"]) == ["Please call 112."]
    console = impatient_gateway.console().login()
    line = console.wait_until_waiting(widget.id)
    assert (line["handoff_reason"], line["priority"]) == ("safety", "urgent")
    assert console.claim(widget.id).status_code == 200
    assert console.handback(widget.id).status_code == 200
    again = widget.say("thank you")
    assert widget.wait_for_reply(again["seq"])["text"] == "echo: thank you"


def test_a_tracker_paused_without_a_handoff_is_not_left_stuck(gateway, fake_rasa):
    """Paused by something else (no handoff to follow): the conversation goes to the team rather
    than answer nothing for ever; the hand back resumes Rasa."""
    widget = gateway.widget("c-chloe")
    assert widget.wait_for_reply(widget.say("hi")["seq"])["text"] == "echo: hi"
    fake_rasa.pause(widget.id)
    sent = widget.say("anyone there?")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue", timeout=15)
    console = gateway.console().login()
    line = console.wait_until_waiting(widget.id)
    assert (line["handoff_reason"], line["priority"]) == ("platform_unavailable", "high")
    assert console.claim(widget.id).status_code == 200
    assert console.handback(widget.id).status_code == 200
    again = widget.say("back?")
    assert widget.wait_for_reply(again["seq"])["text"] == "echo: back?"
