"""Starting, changing, stopping and finally submitting a booking (the form itself: booking_form.py).

The rules (data/rules/booking.yml): book_session -> action_start_booking -> booking_form; when the
form is done -> action_submit_booking; `change_booking` -> action_change_booking_answer ->
booking_form; `stop` -> action_stop_booking.

`action_submit_booking` books the terms the confirmation showed (`booking_quote`: payment and
price). When they no longer hold (the platform's `409 no_credits_left` / `price_changed`), or no
quote was shown for these answers, it books nothing and opens the form again at the confirmation,
whose question then says what changed and asks again.

A booking whose answer never came (the platform too slow: `PlatformUnavailable` after the request
was sent) may have been made all the same. Its quote is then marked `unsettled` in
`booking_quote`, and the next booking confirmed in the conversation first looks for it in the
client's upcoming sessions (a read, safe to repeat): found, the client is told it went through
and nothing more is booked (a retry never books twice); not found, the new one is booked.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import logging
import uuid
from datetime import tzinfo
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import ActiveLoop, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.booking_form import (
    BOOKING_SLOTS,
    CONFIRMED,
    PROFESSIONAL,
    QUOTE,
    SERVICE,
    START,
    reset_from,
    shown_quote,
)
from actions.common import (
    BOOK_BUTTON,
    CANCEL_LATE_WARNED,
    AssistantAction,
    account_action,
    apologise,
    button,
    client_id_of,
    client_zone,
    entity_of,
    platform_trouble,
    record_activity,
    typed_text,
)
from actions.matching import tokens
from platform_api import PlatformClient, PlatformError, PlatformRejected, PlatformUnavailable

logger = logging.getLogger(__name__)

# The cancel form's slots (actions/sessions.py): `stop` leaves either flow.
CANCEL_SLOTS = ("cancel_booking_id", "cancel_confirmed", CANCEL_LATE_WARNED)
# The platform's answers when the quoted terms no longer hold (docs/contracts.md).
TERMS_CHANGED = ("no_credits_left", "price_changed")


def confirm_again() -> list[EventType]:
    """Back to the booking form's confirmation, answers kept: the form asks it again at once."""
    return [SlotSet(CONFIRMED, None), ActiveLoop("booking_form")]


class StartBooking(AssistantAction):
    """A fresh booking attempt: clear the answers, new request id, keep a professional's button.

    A professional named in typed words ("book with Sara") is read by the form's validation as
    the form starts (booking_form.py), so this action never waits on the platform.
    """

    def name(self) -> str:
        return "action_start_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        events = reset_from(PROFESSIONAL) + [SlotSet("booking_request_id", uuid.uuid4().hex)]
        professional_id = entity_of(tracker, PROFESSIONAL)
        if professional_id:
            events.append(SlotSet(PROFESSIONAL, professional_id))
        return events


def fallback_request_id(tracker: Tracker) -> str:
    """Without a request id, one derived from the answers: a repeat still can't book twice."""
    answers = [str(tracker.get_slot(s)) for s in (PROFESSIONAL, SERVICE, START)]
    parts = [tracker.sender_id or "", *answers]
    return "derived-" + hashlib.sha256("|".join(parts).encode()).hexdigest()[:40]


class SubmitBooking(AssistantAction):
    """Book what was confirmed (idempotently), say what happened, and clear the answers."""

    def name(self) -> str:
        return "action_submit_booking"

    @account_action(needs_client=False)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        resets = reset_from(PROFESSIONAL)
        confirmed = tracker.get_slot(CONFIRMED)
        if confirmed is False:
            dispatcher.utter_message(text="Okay, nothing booked.")
            return resets
        client_id = client_id_of(tracker)
        answers = [tracker.get_slot(s) for s in (PROFESSIONAL, SERVICE, START)]
        if confirmed is not True or not client_id or not all(answers):
            # The form ended early (no sign-in, a platform failure) and has already said why.
            return resets
        quote = shown_quote(tracker)
        if quote is None:
            # Never book terms the client wasn't shown: ask the confirmation again.
            logger.info("%s: no quote shown for these answers; confirming again", self.name())
            return confirm_again()
        key = tracker.get_slot("booking_request_id") or fallback_request_id(tracker)
        settled: list[EventType] = []
        earlier = unsettled_attempt(tracker)
        if earlier is not None and earlier.get("request_id") != key:
            try:
                made = earlier_booking(self.platform, client_id, earlier)
            except PlatformUnavailable as exc:
                logger.warning("%s: platform unavailable (%s)", self.name(), type(exc).__name__)
                apologise(dispatcher, self.support)
                return resets + platform_trouble(tracker)
            settled = [SlotSet(QUOTE, {**quote, SETTLES: earlier.get("request_id")})]
            if made is not None:
                dispatcher.utter_message(text=went_through_message(
                    self.platform, client_id, made, client_zone(tracker, self.platform)))
                return resets + settled
        try:
            booking = self.platform.create_booking(
                client_id, *answers, idempotency_key=key, payment=quote["payment"],
                expected_price=quote["price"])
        except PlatformUnavailable as exc:
            logger.warning("%s: platform unavailable (%s)", self.name(), type(exc).__name__)
            apologise(dispatcher, self.support)
            # it may have been made all the same: settled at the next booking confirmed
            return resets + platform_trouble(tracker) + [SlotSet(QUOTE, {**quote,
                                                                         UNSETTLED: True})]
        except PlatformRejected as exc:
            logger.info("%s: booking refused (%s)", self.name(), exc.code)
            record_activity(dispatcher, tracker, booking_failed_line(
                self.platform, client_id, answers[0], exc.code))
            if exc.code in TERMS_CHANGED:
                return confirm_again()  # nothing booked; the question says what changed
            say_refusal(dispatcher, exc, answers[0])
            return resets
        record_activity(dispatcher, tracker, booked_line(booking))
        dispatcher.utter_message(text=booked_message(self.platform, client_id, booking,
                                                     client_zone(tracker, self.platform)))
        return resets + settled


# Marks in `booking_quote`: this attempt's answer never came; this quote settled that attempt.
UNSETTLED, SETTLES = "unsettled", "settles"


def unsettled_attempt(tracker: Tracker) -> dict[str, Any] | None:
    """The quote of this conversation's booking whose answer never came and that no later
    booking has settled (from the tracker's `booking_quote` events), or None."""
    attempt = None
    for event in tracker.events:
        value = event.get("value") if event.get("event") == "slot" else None
        if event.get("name") != QUOTE or not isinstance(value, dict):
            continue
        if value.get(UNSETTLED):
            attempt = value
        elif attempt is not None and value.get(SETTLES) == attempt.get("request_id"):
            attempt = None
    return attempt


def earlier_booking(platform: PlatformClient, client_id: str,
                    attempt: dict[str, Any]) -> dict[str, Any] | None:
    """The client's upcoming session that the unsettled attempt made, if it did."""
    wanted = _instant(attempt.get("start"))
    for booking in platform.list_bookings(client_id):
        if (booking["professional"]["id"] == attempt.get("professional_id")
                and booking["service"]["id"] == attempt.get("service_id")
                and _instant(booking["start"]) == wanted):
            return booking
    return None


def _instant(value: Any) -> dt.datetime | None:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def went_through_message(platform: PlatformClient, client_id: str,
                         booking: dict[str, Any], zone: tzinfo) -> str:
    return (f"Your earlier booking went through after all. "
            f"{booked_message(platform, client_id, booking, zone)} So I haven't booked another "
            f"one; say \"book a session\" if you'd like one more.")


# Why a booking was refused, in words, for the team's console (the platform's codes).
REFUSAL_WORDS = {"no_credits_left": "no credits left", "price_changed": "the price changed",
                 "slot_unavailable": "the time was taken",
                 "idempotency_key_reused": "the request changed"}


def booking_failed_line(platform: PlatformClient, client_id: str, professional_id: str,
                        code: str) -> str:
    return (f"Booking with {professional_name(platform, client_id, professional_id)} failed: "
            f"{REFUSAL_WORDS.get(code, code.replace('_', ' '))}")


def professional_name(platform: PlatformClient, client_id: str, professional_id: str) -> str:
    """The professional's first name for an activity line (their id if the platform can't say)."""
    try:
        found = [p for p in platform.get_professionals(client_id) if p.get("id") == professional_id]
    except Exception:  # noqa: BLE001 - a name for the team's log line is not worth a failure
        found = []
    return fmt.first_name(found[0].get("name")) if found else professional_id


def booked_line(booking: dict[str, Any]) -> str:
    paid = "1 credit" if booking.get("payment_method") == "credits" else "self-paid"
    return (f"Booked {booking['service']['name']} with "
            f"{fmt.first_name(booking['professional']['name'])} ({paid})")


def say_refusal(dispatcher: CollectingDispatcher, exc: PlatformRejected,
                professional_id: str) -> None:
    again = button("Pick another time", "book_session", booking_professional_id=professional_id)
    if exc.code == "slot_unavailable":
        text = "Sorry, that time was taken just before I could book it, so nothing was booked."
    elif exc.code == "idempotency_key_reused":
        text = "Sorry, something changed while we were talking, so I didn't book anything."
    else:
        text = f"Sorry, I couldn't book that: {exc.message}"
    dispatcher.utter_message(text=f"{text} Would you like to pick another time?",
                             buttons=[again, BOOK_BUTTON])


def booked_message(platform: PlatformClient, client_id: str, booking: dict[str, Any],
                   zone: tzinfo) -> str:
    service, professional = booking["service"]["name"], booking["professional"]["name"]
    text = f"Booked: {service} with {professional} on {fmt.when(booking['start'], zone)}."
    if booking.get("payment_method") == "credits":
        text += " Paid with 1 credit."
    else:
        text += (f" It's self-paid ({fmt.money(booking.get('price'))}, arranged with the "
                 f"professional); {invoice_phrase(platform, client_id, booking.get('invoice_id'))}")
    return text + " A confirmation e-mail is on its way to you."


def invoice_phrase(platform: PlatformClient, client_id: str, invoice_id: str | None) -> str:
    number = None
    if invoice_id:
        try:
            number = next((i["number"] for i in platform.list_invoices(client_id, status="all")
                           if i.get("id") == invoice_id), None)
        except PlatformError as exc:  # the booking stands; only the number is missing
            logger.info("invoice number look-up failed (%s)", type(exc).__name__)
    invoice = f"invoice {number}" if number else "an invoice"
    return f"{invoice} has been sent to your e-mail with a payment link."


CHANGE_WORDS = {
    START: {"time", "times", "date", "day", "slot", "when", "earlier", "later", "hour"},
    PROFESSIONAL: {"professional", "person", "someone", "somebody", "psychologist", "coach",
                   "therapist", "physio", "physiotherapist", "who"},
    SERVICE: {"service", "type", "kind"},
}
# "None of those", "neither", "other ones": the options of the question being asked don't suit.
NOT_THESE_WORDS = {"none", "neither", "nothing", "other", "others", "those", "these", "them"}


def field_to_change(tracker: Tracker) -> str | None:
    """Which answer the user wants to change: the button's `change_field`, or words they typed."""
    field = entity_of(tracker, "change_field")
    if field in BOOKING_SLOTS:
        return field
    words = set(tokens(typed_text(tracker) or ""))
    for slot in (PROFESSIONAL, SERVICE, START):
        if words & CHANGE_WORDS[slot]:
            return slot
    asked = tracker.get_slot("requested_slot")
    if asked in (PROFESSIONAL, SERVICE, START) and words & NOT_THESE_WORDS:
        return asked  # "none of those": ask the same question again
    # "go back": one step before the question being asked.
    if asked in BOOKING_SLOTS and BOOKING_SLOTS.index(asked) > 0:
        previous = BOOKING_SLOTS[BOOKING_SLOTS.index(asked) - 1]
        return START if previous == CONFIRMED else previous
    return None


class ChangeBookingAnswer(AssistantAction):
    """Forget one answer (and every later one) so the form asks again."""

    def name(self) -> str:
        return "action_change_booking_answer"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        if tracker.active_loop_name != "booking_form":
            dispatcher.utter_message(
                text="Nothing is being booked right now. To move a session you've already "
                     "booked, cancel it and book a new time.",
                buttons=[{"title": "My upcoming sessions", "payload": "/ask_upcoming_sessions"},
                         BOOK_BUTTON])
            return []
        field = field_to_change(tracker)
        if field is None:
            return [SlotSet(CONFIRMED, None)]
        return reset_from(field)


class StopBooking(AssistantAction):
    """Leave the booking or cancelling flow; nothing is booked or cancelled."""

    def name(self) -> str:
        return "action_stop_booking"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        loop = tracker.active_loop_name
        if loop == "booking_form":
            dispatcher.utter_message(response="utter_booking_stopped")
        elif loop == "cancel_form":
            dispatcher.utter_message(response="utter_cancel_stopped")
        else:
            dispatcher.utter_message(text="Okay, stopped.")
        return (reset_from(PROFESSIONAL) + [SlotSet(s, None) for s in CANCEL_SLOTS]
                + [SlotSet("requested_slot", None), ActiveLoop(None)])
