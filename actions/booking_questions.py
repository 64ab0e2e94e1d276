"""The booking form's questions: who, which service, when, and "shall I book it?".

Rasa's form runs `action_ask_<slot>` for the next unanswered slot (after validate_booking_form).
Each question is built from the platform's live data: the client's hub, real open slots, a quote.
If the platform can't be reached, the question apologises and ends the form.
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.booking_form import (
    PROFESSIONAL,
    QUOTE,
    SERVICE,
    START,
    TYPED_ANSWER_INTENTS,
    changed_this_turn,
    hub_professionals,
    open_slots,
    professional_by_id,
    quote_record,
    quote_token,
    service_of,
    shown_quote,
    shown_starts,
)
from actions.common import (
    END_FORM_REQUEST,
    AssistantAction,
    account_action,
    button,
    client_zone,
    intent_of,
    now_local,
    typed_text,
    verified_client_id,
)
from actions.matching import match_professionals, match_slots, names_a_time, offered_choices
from platform_api import PlatformClient, PlatformRejected

MAX_TIME_BUTTONS = 8
COMPACT_TIME_BUTTONS = 3  # after a side question: the next few, and "More times"
# What a client's message was when it answered the question being asked (or changed an answer).
ANSWER_INTENTS = {"inform", "book_session", "change_booking", "affirm", "deny", "stop"}
STOP_BUTTON = {"title": "Stop", "payload": "/stop"}
LATE_BOOKING_WARNING = (
    "Please note: this session starts within 24 hours. Changing or cancelling it may incur a "
    "penalty under the professional's terms."
)


class AskBookingProfessional(AssistantAction):
    """Who would you like to see? The professionals that fit what the client asked for ("a
    therapist"), else everyone in the hub, connections first. Someone new to the client comes
    with what they offer: each service with its length and price, and whether a credit pays."""

    def name(self) -> str:
        return "action_ask_booking_professional_id"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        everyone = hub_professionals(tracker, self.platform)
        text = typed_text(tracker)
        fitting = match_professionals(text, everyone) if text else []
        professionals = sorted(fitting or everyone, key=lambda p: not p.get("is_connection"))
        if not professionals:
            dispatcher.utter_message(text="I can't find any professionals in your hub right now.")
            return list(END_FORM_REQUEST)
        new_to_client = not all(p.get("is_connection") for p in professionals)
        paid = (paid_by(self.platform.get_credits(verified_client_id(tracker)))
                if new_to_client else "")
        lines = [professional_line(p) for p in professionals]
        narrowed = bool(fitting) and len(fitting) < len(everyone)
        lead = "Who would you like to book with?"
        if narrowed:
            lead = ("This professional in your hub fits:" if len(professionals) == 1
                    else "These professionals in your hub fit:")
        text = f"{lead}\n" + fmt.bullet_list(lines) + (f"\n\n{paid}" if new_to_client else "")
        buttons = [button(p["name"], "inform", booking_professional_id=p["id"])
                   for p in professionals]
        if narrowed:
            buttons.append(_change_button("Someone else", PROFESSIONAL))
        dispatcher.utter_message(text=text, buttons=buttons + [STOP_BUTTON])
        return []


def professional_line(professional: dict[str, Any]) -> str:
    """`Dr. Sara Hansen, clinical psychologist: Individual therapy, 50 min, 18,000 ISK`; a
    connection says "(you've booked before)" instead of the services."""
    head = f"{professional['name']}, {fmt.in_sentence(professional.get('title'))}"
    if professional.get("is_connection"):
        return f"{head} (you've booked before)"
    services = "; ".join(
        f"{s['name']}, {fmt.duration(s.get('duration_minutes'))}, {fmt.money(s.get('price'))}"
        for s in professional.get("services", []))
    return f"{head}: {services}" if services else head


def paid_by(credits: dict[str, Any]) -> str:
    """How a session booked now would be paid, from the client's credits."""
    left = int(credits.get("remaining") or 0)
    if left > 0:
        return (f"A session is paid with 1 of your sponsored credits ({left} left), whatever "
                "the price below.")
    return ("You have no sponsored credits left, so a session is self-paid: the price below, to "
            "the professional, invoiced after it's confirmed.")


class AskBookingService(AssistantAction):
    """Which of the professional's services?"""

    def name(self) -> str:
        return "action_ask_booking_service_id"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        professional = professional_by_id(tracker, self.platform, tracker.get_slot(PROFESSIONAL))
        services = (professional or {}).get("services", [])
        if professional is None or not services:
            dispatcher.utter_message(text="That professional has no services I can book right now.",
                                     buttons=[_change_button("Another professional", PROFESSIONAL),
                                              STOP_BUTTON])
            return []
        buttons = [button(f"{s['name']} · {fmt.duration(s.get('duration_minutes'))} · "
                          f"{fmt.money(s.get('price'))}", "inform", booking_service_id=s["id"])
                   for s in services]
        dispatcher.utter_message(
            text=f"Which service would you like with {fmt.first_name(professional['name'])}?",
            buttons=buttons + [STOP_BUTTON])
        return []


def _change_button(title: str, field: str) -> dict[str, str]:
    return button(title, "change_booking", change_field=field)


def offer_times(dispatcher: CollectingDispatcher, tracker: Tracker, platform: PlatformClient,
                intro: str | None = None) -> None:
    """Say which open times there are, as buttons (narrowed to what the user just typed)."""
    professional = professional_by_id(tracker, platform, tracker.get_slot(PROFESSIONAL))
    service = service_of(professional, tracker.get_slot(SERVICE))
    if professional is None or service is None:
        return
    name = fmt.first_name(professional["name"])
    slots = open_slots(tracker, platform, professional["id"], service["id"])
    if not slots:
        dispatcher.utter_message(
            text=f"{intro + ' ' if intro else ''}{name} has no open times in the next two weeks. "
                 "Would you like to book with someone else?",
            buttons=[_change_button("Another professional", PROFESSIONAL), STOP_BUTTON])
        return
    zone = client_zone(tracker, platform)
    named = fmt.zone_name(zone)
    shown, lead = slots, f"When would you like to see {name}? The next open times ({named}):"
    text, requested, now = typed_text(tracker), tracker.get_slot("requested_slot"), now_local(
        tracker, platform)
    before = shown_starts(tracker)
    if (text and _answers_with_a_time(tracker, text, now, before) and requested in (START, None)
            and not (requested == START and changed_this_turn(tracker, PROFESSIONAL))):
        fitting = match_slots(text, slots, now, before)
        if fitting:
            shown, lead = fitting, f"These open times fit ({named}):"
        elif requested == START or names_a_time(text, now, before):
            lead = (f"I couldn't find an open time with {name} that fits. The next open times "
                    f"({named}):")
    if intro:
        lead = f"{intro} {lead}"
    more: list[dict[str, str]] = []
    if intro is None and shown is slots and after_side_question(tracker):
        # The whole list was shown before the question: the way back, briefly.
        lead = (f"Back to your booking with {name}: the next open times ({named}), or tell me "
                "a day and time that suits you.")
        if len(slots) > COMPACT_TIME_BUTTONS:
            shown, more = slots[:COMPACT_TIME_BUTTONS], [_change_button("More times", START)]
    buttons = [button(fmt.slot_title(s["start"], zone), "inform", booking_start=s["start"])
               for s in shown[:MAX_TIME_BUTTONS]]
    dispatcher.utter_message(text=lead, buttons=buttons + more + [STOP_BUTTON])


def _answers_with_a_time(tracker: Tracker, text: str, now: datetime, shown: list[str]) -> bool:
    """The message is read as the time wanted: a typed answer, or a change of the time that
    names one ("anything earlier?" is `change_booking` to the NLU)."""
    intent = intent_of(tracker)
    return intent in TYPED_ANSWER_INTENTS or (
        intent == "change_booking" and names_a_time(text, now, shown))


def after_side_question(tracker: Tracker) -> bool:
    """The client asked something else (a help topic, their credits) while the times were on
    screen, and the form asks for a time again: the times were offered before this message."""
    if intent_of(tracker) in ANSWER_INTENTS:
        return False
    seen_user = False
    for event in reversed(tracker.events):
        kind = event.get("event")
        if kind == "user":
            if seen_user:
                break
            seen_user = True
        elif kind == "bot" and seen_user and offered_choices([event], START):
            return True
        elif kind in ("session_started", "restart"):
            break
    return False


class AskBookingStart(AssistantAction):
    """When? Up to eight real open slots as buttons."""

    def name(self) -> str:
        return "action_ask_booking_start"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        offer_times(dispatcher, tracker, self.platform)
        return []


def payment_sentence(quote: dict[str, Any]) -> str:
    if quote.get("payment_method") == "credits":
        left = quote.get("credits_remaining_after", 0)
        return f"It's paid with 1 credit (you'll have {left} left)."
    lead = ("You have no sponsored credits left, so it's self-paid"
            if quote.get("credits_remaining_after", 0) == 0 else "It's self-paid")
    return (f"{lead}: {fmt.money(quote.get('price'))} to the professional; you'll get an invoice "
            "with a payment link after it's confirmed.")


def what_changed(before: dict[str, Any], now: dict[str, Any], quote: dict[str, Any]) -> str:
    """Since the last question: how the terms of this booking changed, and what they are now."""
    price = fmt.money(quote.get("price"))
    if before["payment"] == "credits" and now["payment"] == "self":
        return ("Since I asked, your last sponsored credit has been used (perhaps by a booking in "
                "another tab or on another device), so a credit no longer covers this session. "
                f"It would be self-paid: {price} to the professional; you'd get an invoice with a "
                "payment link after it's confirmed.")
    if before["payment"] == "self" and now["payment"] == "credits":
        left = quote.get("credits_remaining_after", 0)
        return ("Since I asked, a sponsored credit has become available, so this session can be "
                f"paid with 1 credit (you'll have {left} left) instead.")
    return (f"Since I asked, the price of this session has changed from "
            f"{fmt.money(before['price'])} to {price}. It's self-paid: {price} to the "
            "professional; you'd get an invoice with a payment link after it's confirmed.")


def on_new_terms(before: dict[str, Any], now: dict[str, Any]) -> str:
    """How the booking would be paid now, in words that fit "book it ...": "self-paid"."""
    if now["payment"] == "credits":
        return "with a credit"
    if before["payment"] == "self":  # still self-paid: the price is what changed
        return f"for {fmt.money(now['price'])}"
    return "self-paid"


class AskBookingConfirmed(AssistantAction):
    """One message: who, when, how it's paid (and the 24-hour warning first). Book it?

    The quote is kept in `booking_quote`; the "Yes" button names its terms. If the terms differ
    from the ones shown before for the same answers (a credit went since, the price changed),
    the question says what changed and asks again: book it on the new terms, choose another
    time, or stop.
    """

    def name(self) -> str:
        return "action_ask_booking_confirmed"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        try:
            quote = self.platform.quote_booking(
                verified_client_id(tracker), tracker.get_slot(PROFESSIONAL),
                tracker.get_slot(SERVICE), tracker.get_slot(START))
        except PlatformRejected as exc:
            if exc.status not in (404, 409, 422):
                raise
            # The slot went (or the answers no longer fit): ask for a time again.
            offer_times(dispatcher, tracker, self.platform,
                        intro="Sorry, that time can't be booked any more.")
            return [SlotSet(START, None), SlotSet("requested_slot", START)]
        record, before = quote_record(tracker, quote), shown_quote(tracker)
        service, professional = quote["service"], quote["professional"]
        length = fmt.duration(service.get("duration_minutes"))
        what = (f"{service['name']} ({length}) with {professional['name']} on "
                f"{fmt.when(quote['start'], client_zone(tracker, self.platform))}")
        yes = button("Yes, book it", "affirm", confirmed_quote=quote_token(record))
        if before is not None and quote_token(before) != quote_token(record):
            how = on_new_terms(before, record)
            question = (f"{what_changed(before, record, quote)}\n\nNothing is booked yet. "
                        f"Would you like to book {what} {how}?")
            buttons = [{**yes, "title": f"Book it {how}"},
                       _change_button("Choose another time", START), STOP_BUTTON]
        else:
            question = f"Shall I book {what}? {payment_sentence(quote)}"
            buttons = [yes, _change_button("Change time", START),
                       _change_button("Change professional", PROFESSIONAL), STOP_BUTTON]
        if quote.get("inside_cancellation_window"):
            question = f"{LATE_BOOKING_WARNING}\n\n{question}"
        dispatcher.utter_message(text=question, buttons=buttons)
        return [SlotSet(QUOTE, record)]
