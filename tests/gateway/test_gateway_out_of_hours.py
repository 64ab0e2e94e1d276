"""Out of the team's hours: leave a message and an e-mail address to be answered at."""
from __future__ import annotations

from tests.gateway.conftest import asks_for_a_person


def test_out_of_hours_the_client_is_asked_for_a_message_and_an_email(closed_gateway, fake_rasa):
    """No queue position: the hours, and how they'll be answered."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    told = widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    assert "nobody can answer live" in told["text"] and "e-mail address" in told["text"]
    assert "in the queue" not in told["text"]


def test_an_email_typed_while_waiting_is_kept_as_the_address_to_answer(closed_gateway, fake_rasa):
    """The console shows it; the client is told where the answer will go; Rasa isn't called."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    calls = len(fake_rasa.messages_of(widget.id))
    sent = widget.say("My payment failed twice. Write to me at jo.doe+hub@example.org please")
    noted = widget.wait_for_reply(sent["seq"], sender="system")
    assert "jo.doe+hub@example.org" in noted["text"]
    transcript = closed_gateway.console().login().transcript(widget.id)
    assert transcript["contact_email"] == "jo.doe+hub@example.org"
    assert len(fake_rasa.messages_of(widget.id)) == calls


def test_a_message_without_an_email_gets_no_automatic_answer(closed_gateway, fake_rasa):
    """Only the client's own words are added."""
    asks_for_a_person(fake_rasa)
    widget = closed_gateway.widget()
    widget.wait_for_reply(widget.press("/request_human")["seq"], sender="system")
    sent = widget.say("it's about my invoice")
    assert [m["sender"] for m in widget.replies_after(sent["seq"] - 1)] == ["client"]
