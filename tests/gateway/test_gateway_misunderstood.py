"""Two misunderstandings in a row, with the real assistant behind the gateway: a person is
offered beside the topics the assistant can help with; the client is handed over only when they
accept, and the console says why."""
from __future__ import annotations

import pytest


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    assistant.reset_demo_hub()


def test_two_misses_offer_a_person_and_hand_over_only_when_accepted(live_gateway):
    widget = live_gateway.widget("c-anna")
    first = widget.wait_for_reply(widget.say("/nlu_fallback")["seq"])
    assert first["buttons"] and "Talk to a person" not in [b["title"] for b in first["buttons"]]
    sent = widget.say("/nlu_fallback")
    second = widget.wait_for_reply(sent["seq"])
    titles = [b["title"] for b in second["buttons"]]
    assert "Talk to a person" in titles and "My credits" in titles
    assert "shall I pass you to them?" in second["text"]
    widget.replies_after(sent["seq"], settle=1.5)
    assert widget.mode() == "bot"  # offered, not handed over

    accepted = widget.press("/request_human", "Talk to a person")
    widget.wait_for_reply(accepted["seq"], sender="system", containing="queue")
    line = live_gateway.console().login().wait_until_waiting(widget.id)
    assert line["handoff_reason"] == "not_understood"
