"""The whole handoff with the real assistant: to the team, claimed, answered, handed back."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    assistant.reset_demo_hub()


def test_handoff_claim_reply_and_hand_back_to_a_bot_that_answers_again(live_gateway):
    """Ben asks for a person; Sam claims and replies (live on the widget); hands back; the bot
    answers the next question from Ben's account: Rasa really resumed."""
    widget = live_gateway.widget("c-ben")
    sent = widget.say("I want to talk to a person")
    told = widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    assert "next in the queue" in told["text"] or "in the queue" in told["text"]
    assert not any("handoff" in m["text"] for m in widget.history())

    console = live_gateway.console().login()
    line = console.wait_until_waiting(widget.id)
    assert line["handoff_reason"] == "requested"

    with widget.events() as stream:
        assert console.claim(widget.id).status_code == 200
        stream.wait_for(lambda e: e.name == "mode"  # the widget's header names the agent
                        and e.data == {"mode": "agent", "agent_name": "Sam"})
        # Ben's account, for the agent who claimed him (docs/gateway.md, "Who may see what")
        context = console.get(f"/conversations/{widget.id}/context").json()
        assert context["available"] is True and context["credits"]["remaining"] == 0
        assert context["unpaid_invoices"] and context["client"]["name"] == "Ben Carter"
        assert "email" not in context["client"]
        assert console.reply(widget.id, "Hi Ben, Sam here. Let's look at that invoice.")\
            .status_code == 200
        reply = stream.wait_for(lambda e: e.name == "message" and e.data["sender"] == "agent")
        assert reply.data["text"].startswith("Hi Ben, Sam here")

        waiting_turn = widget.say("thanks!")
        assert console.handback(widget.id).status_code == 200
        stream.wait_for(lambda e: e.name == "mode"
                        and e.data == {"mode": "bot", "agent_name": None})
    back = widget.wait_for_reply(waiting_turn["seq"], sender="system", containing="back with")
    sent = widget.say("how many credits do I have left?")
    answer = widget.wait_for_reply(sent["seq"], sender="bot")
    assert "all 6" in answer["text"] or "0 of 6" in answer["text"]
    assert back["seq"] < sent["seq"]


def test_a_safety_message_gets_the_safety_reply_first_and_is_urgent(live_gateway):
    widget = live_gateway.widget("c-dan")
    sent = widget.say("I want to end it all")
    widget.wait_for_reply(sent["seq"], sender="system", containing="queue")
    first = widget.history(sent["seq"])[0]
    assert first["sender"] == "bot" and "112" in first["text"]
    line = live_gateway.console().login().wait_until_waiting(widget.id)
    assert (line["priority"], line["handoff_reason"]) == ("urgent", "safety")


def test_while_with_the_team_the_bot_stays_quiet(live_gateway, assistant):
    """A question sent while waiting gets no bot answer and doesn't reach Rasa's tracker."""
    widget = live_gateway.widget("c-anna")
    widget.wait_for_reply(widget.say("can I speak to a human")["seq"], sender="system")
    sent = widget.say("how many credits do I have left?")
    assert [m["sender"] for m in widget.replies_after(sent["seq"] - 1, settle=2.0)] == ["client"]
    said = [e.get("text") for e in assistant.tracker(widget.id)["events"]
            if e.get("event") == "user"]
    assert "how many credits do I have left?" not in said
