"""A waiting client goes back to the assistant, through the real gateway in front of a fake Rasa:
"never mind" or the *Back to the assistant* button; the console sees the conversation leave the
queue live; a safety handoff asks "are you safe right now?" first and lets go only on a clear
yes."""
from __future__ import annotations

from tests.gateway.conftest import SAFETY, asks_for_a_person
from tests.helpers.fake_rasa import FakeRasa
from tests.helpers.gateway import Gateway

LEFT = "you've left the queue"


def queued(widget, gateway: Gateway) -> dict:
    """Ask for a person; the queue position comes with the button back."""
    told = widget.wait_for_reply(widget.press("/request_human", "Talk to a person")["seq"],
                                 sender="system", containing="queue")
    gateway.console().login().wait_until_waiting(widget.id)
    return told


def in_queue(gateway: Gateway, conversation_id: str) -> bool:
    return any(line["id"] == conversation_id and line["mode"] == "waiting"
               for line in gateway.console().login().queue())


def test_never_mind_leaves_the_queue_and_the_console_sees_it_go(gateway: Gateway,
                                                                fake_rasa: FakeRasa):
    """The console's live stream gets the conversation back with the bot (its queue line goes);
    the client is told; the next message is the assistant's again (Rasa resumed)."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-ben")
    told = queued(widget, gateway)
    assert told["buttons"] == [{"title": "Back to the assistant", "payload": "/leave_queue"}]
    with gateway.console().login().events() as console_events:
        sent = widget.say("Never mind!")
        line = console_events.wait_for(lambda e: e.name == "conversation"
                                       and e.data.get("id") == widget.id
                                       and e.data.get("mode") == "bot")
        assert line.data["waiting_since"] is None
    widget.wait_for_reply(sent["seq"], sender="system", containing=LEFT)
    assert widget.mode() == "bot" and not in_queue(gateway, widget.id)
    transcript = gateway.console().login().get(f"/conversations/{widget.id}")
    assert transcript.status_code in (403, 409)  # not the team's any more
    asked = widget.say("how many credits do I have?")
    widget.wait_for_reply(asked["seq"], sender="bot")
    assert fake_rasa.messages_of(widget.id)[-1] == "how many credits do I have?"
    assert "Never mind!" not in fake_rasa.messages_of(widget.id)


def test_the_back_button_leaves_the_queue(gateway: Gateway, fake_rasa: FakeRasa):
    asks_for_a_person(fake_rasa)
    widget = gateway.widget()
    queued(widget, gateway)
    sent = widget.press("/leave_queue", "Back to the assistant")
    widget.wait_for_reply(sent["seq"], sender="system", containing=LEFT)
    assert widget.mode() == "bot"


def test_other_words_while_waiting_stay_with_the_team(gateway: Gateway, fake_rasa: FakeRasa):
    """"Cancel my session" is a question for the person to come, not a way out of the queue."""
    asks_for_a_person(fake_rasa)
    widget = gateway.widget("c-dan")
    queued(widget, gateway)
    sent = widget.say("cancel my session tomorrow please")
    assert [m["sender"] for m in widget.replies_after(sent["seq"] - 1, settle=1.5)] == ["client"]
    assert widget.mode() == "waiting"


def test_a_safety_handoff_asks_if_the_client_is_safe_and_only_a_clear_yes_lets_go(
        gateway: Gateway, fake_rasa: FakeRasa):
    """"Never mind" after a safety handoff: "are you safe right now?" with Yes/No; "No" keeps the
    conversation urgent in the queue; asked again, a clear "yes" lets it go."""
    fake_rasa.replies["/self_harm"] = [
        {"text": "I'm so sorry. Please call the emergency number 112 now."}, SAFETY]
    widget = gateway.widget("c-anna")
    sent = widget.say("I want to kill myself")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    gateway.console().login().wait_until_waiting(widget.id)

    sent = widget.say("never mind")
    asked = widget.wait_for_reply(sent["seq"], sender="system", containing="are you safe")
    assert [b["title"] for b in asked["buttons"]] == ["Yes, I'm safe", "No, stay in the queue"]
    assert widget.mode() == "waiting"

    sent = widget.press("/stay_in_queue", "No, stay in the queue")
    widget.wait_for_reply(sent["seq"], sender="system", containing="still in the queue")
    line = gateway.console().login().wait_until_waiting(widget.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")

    sent = widget.say("ok never mind")
    widget.wait_for_reply(sent["seq"], sender="system", containing="are you safe")
    sent = widget.say("maybe")  # not a clear yes: for the team
    assert [m["sender"] for m in widget.replies_after(sent["seq"] - 1, settle=1.5)] == ["client"]
    assert widget.mode() == "waiting"

    sent = widget.say("never mind")
    widget.wait_for_reply(sent["seq"], sender="system", containing="are you safe")
    sent = widget.say("Yes, I'm safe")
    widget.wait_for_reply(sent["seq"], sender="system", containing=LEFT)
    assert widget.mode() == "bot" and not in_queue(gateway, widget.id)
