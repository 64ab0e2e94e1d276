"""Rasa is down (a closed port): nothing is lost; the client hears the truth, can get a person."""
from __future__ import annotations

CANT_ANSWER = "I can't answer right now"


def test_the_message_is_stored_and_the_client_gets_the_honest_reply(down_gateway):
    """The message is in the history; the reply says so and offers a person."""
    widget = down_gateway.widget("c-ben")
    sent = widget.say("how many credits do I have left?")
    reply = widget.wait_for_reply(sent["seq"], timeout=30)
    assert CANT_ANSWER in reply["text"]
    assert reply["buttons"] == [{"title": "Talk to a person", "payload": "/request_human"}]
    assert [m["text"] for m in widget.history()][:1] == ["how many credits do I have left?"]


def test_pressing_talk_to_a_person_while_rasa_is_down_hands_off_from_the_gateway(down_gateway):
    """The gateway queues the conversation itself, reason platform_unavailable."""
    widget = down_gateway.widget()
    widget.wait_for_reply(widget.say("hello?")["seq"], timeout=30)
    sent = widget.press("/request_human", "Talk to a person")
    told = widget.wait_for_reply(sent["seq"], sender="system", timeout=30)
    assert "queue" in told["text"]
    line = down_gateway.console().login().wait_until_waiting(widget.id)
    assert line["handoff_reason"] == "platform_unavailable" and line["priority"] == "high"


def test_typing_request_human_while_rasa_is_down_also_hands_off(down_gateway):
    """Any `/request_human`, typed or pressed, counts."""
    widget = down_gateway.widget()
    sent = widget.say("/request_human")
    widget.wait_for_reply(sent["seq"], sender="system", timeout=30)
    assert widget.mode() == "waiting"


def test_the_console_context_panel_says_the_platform_is_down_instead_of_failing(down_gateway):
    """No platform: 200 with available false and a sentence for the agent."""
    widget = down_gateway.widget("c-ben")
    widget.wait_for_reply(widget.say("/request_human")["seq"], sender="system", timeout=30)
    console = down_gateway.console().login()
    assert console.claim(widget.id).status_code == 200  # the account is for the claimant only
    response = console.get(f"/conversations/{widget.id}/context")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["available"] is False and "can't be reached" in body["message"]


def test_hand_back_while_rasa_is_down_keeps_the_conversation_with_the_agent(down_gateway):
    """The resume can't be posted: 409, and the conversation stays claimed."""
    widget = down_gateway.widget()
    widget.wait_for_reply(widget.say("/request_human")["seq"], sender="system", timeout=30)
    console = down_gateway.console().login()
    assert console.claim(widget.id).status_code == 200
    response = console.handback(widget.id)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "assistant_unavailable"
    assert widget.mode() == "agent"
