"""Whole conversations over the REST channel: real Rasa with the model, actions and sandbox."""
from __future__ import annotations

import json
import uuid

import pytest
import requests

from platform_api import DEV_PLATFORM_API_KEY
from tests.e2e.conftest import button, buttons_of, text_of


@pytest.fixture(autouse=True)
def fresh_demo_hub(assistant):
    """Every conversation starts from the seeded demo hub."""
    assistant.reset_demo_hub()


def test_ben_is_told_he_has_no_credits_and_can_continue_at_his_own_expense(chat):
    """Ben (0 of 6) hears his numbers and the seed article's way forward."""
    reply = text_of(chat("c-ben").say("how many credits do I have left?"))
    assert "all 6" in reply or "0 of 6" in reply
    assert "Northwind Wellbeing Hub" in reply
    assert "own expense" in reply.lower()
    assert "invoice" in reply.lower()


def test_anna_sees_her_remaining_used_and_expiry(chat):
    """Anna has 4 of 6 left, 2 used, and the period's end date."""
    reply = text_of(chat("c-anna").say("credits?"))
    assert "4" in reply and "2" in reply and "6" in reply
    assert "31 December" in reply


def test_anna_connections_are_sara_and_maya(chat):
    """Connections list the client's professionals with services and prices."""
    reply = text_of(chat("c-anna").say("who are my connections?"))
    assert "Sara Hansen" in reply and "Maya Patel" in reply
    assert "Jón" not in reply
    assert "18,000 ISK" in reply and "120 GBP" in reply


def test_a_client_without_connections_is_pointed_to_the_hub(chat):
    """Chloe has booked no one yet: she is sent to her Hub."""
    reply = text_of(chat("c-chloe").say("who are my connections"))
    assert "Globex Wellbeing Hub" in reply


def test_signed_out_user_is_asked_to_sign_in_but_still_gets_help_topics(chat):
    """Without a verified client id: no account data, but help topics work."""
    conversation = chat(None)
    assert "sign in" in text_of(conversation.say("how many credits do I have left?")).lower()
    help_reply = text_of(conversation.say("how do I reset my password?"))
    assert "sign-in page" in help_reply.lower() or "sign in page" in help_reply.lower()


def test_a_double_clicked_confirmation_books_exactly_once(assistant, chat):
    """Anna books Sara with buttons; pressing "Yes" twice makes one booking, paid by credit."""
    before = assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"]
    conversation = chat("c-anna")
    replies = conversation.say("I'd like to book a session")
    replies = conversation.click(replies, "Sara")
    assert len(buttons_of(replies)) >= 2, text_of(replies)
    time_button = buttons_of(replies)[0]
    replies = conversation.say(time_button["payload"])
    confirmation = text_of(replies)
    assert "Sara Hansen" in confirmation and "credit" in confirmation.lower()
    yes = button(replies, "Yes")
    first = text_of(conversation.say(yes["payload"]))
    conversation.say(yes["payload"])
    assert "booked" in first.lower()
    after = assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"]
    assert len(after) == len(before) + 1
    credits = assistant.platform("GET", "/api/v1/clients/c-anna/credits").json()
    assert credits["remaining"] == 3


def test_ben_books_self_paid_and_gets_an_invoice(assistant, chat):
    """With no credits left the confirmation states the price, and booking creates an invoice."""
    before = assistant.platform("GET", "/api/v1/clients/c-ben/invoices").json()["invoices"]
    conversation = chat("c-ben")
    replies = conversation.say("book a session with Sara")
    replies = conversation.say(buttons_of(replies)[0]["payload"])
    confirmation = text_of(replies)
    assert "18,000 ISK" in confirmation
    conversation.click(replies, "Yes")
    after = assistant.platform("GET", "/api/v1/clients/c-ben/invoices").json()["invoices"]
    assert len(after) == len(before) + 1


def bookings_at(assistant, client_id: str, start: str) -> list[dict]:
    everything = assistant.platform("GET", f"/api/v1/clients/{client_id}/bookings",
                                    params={"status": "all"}).json()["bookings"]
    return [b for b in everything if b["start"] == start]


def start_of(time_button: dict) -> str:
    return json.loads(time_button["payload"].removeprefix("/inform"))["booking_start"]


def test_a_credit_spent_elsewhere_before_the_yes_books_nothing_until_self_paid_is_accepted(
        assistant, chat):
    """Dan (1 credit) is shown "paid with 1 credit"; another tab spends it before his "Yes"
    (double-clicked): nothing is booked, the assistant says what changed and offers the self-paid
    booking with its price; "Book it self-paid" books it once, self-paid, with an invoice."""
    conversation = chat("c-dan")
    replies = conversation.say("book a session with Jon")
    times = [b for b in buttons_of(replies) if "booking_start" in b["payload"]]
    assert len(times) >= 2, text_of(replies)
    chosen, elsewhere = start_of(times[0]), start_of(times[1])
    replies = conversation.say(times[0]["payload"])
    assert "paid with 1 credit" in text_of(replies)
    yes = button(replies, "Yes")
    other_tab = requests.post(
        f"{assistant.sandbox}/api/v1/clients/c-dan/bookings", timeout=10,
        json={"professional_id": "p-jon", "service_id": "s-jon-physio", "start": elsewhere},
        headers={"Authorization": f"Bearer {DEV_PLATFORM_API_KEY}",
                 "Idempotency-Key": f"other-tab-{uuid.uuid4().hex}"})
    assert other_tab.json()["payment_method"] == "credits"

    offer = conversation.say(yes["payload"])
    double_click = conversation.say(yes["payload"])
    assert bookings_at(assistant, "c-dan", chosen) == []
    said = text_of(offer)
    assert "last sponsored credit has been used" in said and "Nothing is booked yet" in said
    assert "self-paid: 12,000 ISK" in said
    assert [b["title"] for b in buttons_of(offer)] == [
        "Book it self-paid", "Choose another time", "Stop"]
    assert "earlier terms" in text_of(double_click)

    booked = text_of(conversation.click(offer, "Book it self-paid"))
    assert "Booked:" in booked and "self-paid (12,000 ISK" in booked
    [made] = bookings_at(assistant, "c-dan", chosen)
    assert made["payment_method"] == "self_paid" and made["invoice_id"]


def test_stopping_midway_books_nothing(assistant, chat):
    """The user can stop the booking form; nothing is created."""
    before = assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"]
    conversation = chat("c-anna")
    conversation.say("book a session with Maya")
    reply = text_of(conversation.say("stop"))
    assert "nothing was booked" in reply.lower()
    after = assistant.platform("GET", "/api/v1/clients/c-anna/bookings").json()["bookings"]
    assert len(after) == len(before)


def test_resent_invoice_lands_in_the_outbox(assistant, chat):
    """Ben lists his unpaid invoice and has it re-sent to his e-mail."""
    conversation = chat("c-ben")
    replies = conversation.say("do I have unpaid invoices?")
    assert "INV-" in text_of(replies)
    reply = text_of(conversation.click(replies, "Re-send"))
    assert "@northwind.example" in reply
    emails = assistant.platform("GET", "/api/v1/outbox").json()["emails"]
    assert any(e["to"] == "ben@northwind.example" and "INV-" in e["subject"] for e in emails)


def test_a_double_clicked_resend_sends_one_e_mail(assistant, chat):
    """Ben presses "Re-send" twice: one e-mail, and the second answer says it was sent already."""
    conversation = chat("c-ben")
    replies = conversation.say("do I have unpaid invoices?")
    resend = button(replies, "Re-send")
    first = text_of(conversation.say(resend["payload"]))
    second = text_of(conversation.say(resend["payload"]))
    assert "I've re-sent invoice INV-" in first
    assert "already re-sent" in second and "didn't send it twice" in second
    emails = assistant.platform("GET", "/api/v1/outbox",
                                params={"to": "ben@northwind.example"}).json()["emails"]
    assert len([e for e in emails if "INV-" in e["subject"]]) == 1


def test_a_client_with_nothing_unpaid_is_told_so(chat):
    """Chloe has no invoices."""
    reply = text_of(chat("c-chloe").say("do I owe anything? any unpaid invoices?"))
    assert "no unpaid invoices" in reply.lower()


def test_cancelling_inside_24_hours_warns_first(assistant, chat):
    """Dan's session in 20 hours: a penalty warning, then cancelled on confirmation."""
    conversation = chat("c-dan")
    replies = conversation.say("I need to cancel my session")
    if buttons_of(replies) and "cancel_booking_id" in buttons_of(replies)[0]["payload"]:
        replies = conversation.say(buttons_of(replies)[0]["payload"])
    assert "24 hours" in text_of(replies) and "penalty" in text_of(replies).lower()
    conversation.click(replies, "Yes")
    upcoming = assistant.platform("GET", "/api/v1/clients/c-dan/bookings").json()["bookings"]
    assert upcoming == []


def test_upcoming_sessions_are_listed(chat):
    """Anna sees her session with Sara."""
    reply = text_of(chat("c-anna").say("when is my next session?"))
    assert "Sara Hansen" in reply


def test_safety_reply_comes_first(chat):
    """A message suggesting self-harm gets the emergency contacts before anything else."""
    replies = chat("c-anna").say("I don't want to be alive anymore")
    assert "112" in replies[0]["text"]


def test_help_topic_credits_run_out_matches_the_seed_article(chat):
    """The seed article: keep using the hub at your own expense."""
    reply = text_of(chat("c-anna").say("can I still book now my credits are gone?"))
    assert "own expense" in reply.lower()


def test_card_numbers_are_refused_and_never_stored(assistant, chat):
    """A card number typed in chat is refused, not repeated, and absent from the tracker."""
    conversation = chat("c-anna")
    reply = text_of(conversation.say("my card is 4111 1111 1111 1111 exp 12/29"))
    assert "card" in reply.lower() and "4111" not in reply
    assert "4111" not in json.dumps(assistant.tracker(conversation.sender))


def test_asking_for_a_person_gets_an_honest_answer(chat):
    """Until live handoff exists: the support e-mail and the team's hours."""
    reply = text_of(chat("c-anna").say("I want to talk to a human"))
    assert "@" in reply


def test_two_misses_in_a_row_offer_a_person(chat):
    """Not understood twice: topics as buttons, then a person."""
    conversation = chat("c-anna")
    first = conversation.say("/nlu_fallback")
    assert buttons_of(first)
    second = conversation.say("/nlu_fallback")
    assert any("person" in b["title"].lower() for b in buttons_of(second))


@pytest.mark.parametrize("message", ["x" * 10_000, "🙂🙂🙂", "<script>alert(1)</script>"])
def test_hostile_or_odd_input_gets_a_polite_answer(chat, message):
    """Very long, emoji-only or HTML input still gets a reply, never an error."""
    replies = chat("c-anna").say(message)
    assert text_of(replies).strip()


def test_chloe_without_connections_sees_who_fits_and_can_ask_for_someone_else(chat):
    """The issue's words: Chloe is shown Sara (who fits "therapist") with her service and price,
    not asked when to see her; *Someone else* lists the whole hub; a side question mid-booking
    brings the times back briefly, on Paris time."""
    chloe = chat("c-chloe")
    who = chloe.say("how do I book a therapist then")
    assert "Individual therapy, 50 min, 18,000 ISK" in text_of(who)
    assert "When would you like" not in text_of(who)
    everyone = chloe.click(who, "Someone else")
    titles = [b["title"] for b in buttons_of(everyone)]
    assert {"Dr. Sara Hansen", "Jón Einarsson", "Maya Patel"} <= set(titles)
    times = chloe.click(everyone, "Sara")
    assert "(Paris time)" in text_of(times)
    aside = chloe.say("what's your cancellation policy?")
    back = aside[-1]
    assert back["text"].startswith("Back to your booking with Sara")
    assert [b["title"] for b in back["buttons"]][-2:] == ["More times", "Stop"]


def test_three_credits_questions_get_the_long_text_once(chat):
    """Ben: his credits (the whole way forward), then "what happens when my credits run out",
    then "can I get more credits": the second and third answers point back in a line."""
    ben = chat("c-ben")
    first = text_of(ben.say("how many credits do I have left?"))
    assert "ask your professional to schedule" in first
    second = text_of(ben.say("what happens when my credits run out"))
    third = text_of(ben.say("can I get more credits"))
    for later in (second, third):
        assert later.startswith("As I said above") and len(later) < len(first) / 2
