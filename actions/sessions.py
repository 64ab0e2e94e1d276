"""Upcoming sessions, and cancelling one (the cancel form: cancel_booking_id -> cancel_confirmed).

The 24-hour rule: inside 24 hours of the start, the user is warned that cancelling may incur a
penalty under the professional's terms (and a credit may still be charged) before they confirm;
only a cancellation confirmed after that warning is sent with `acknowledge_late: true`. The
confirmation question records whether it showed the warning in the `cancel_late_warned` slot
(reset when a cancellation starts or is stopped); the submission reads that slot.
"""
from __future__ import annotations

import logging
from datetime import tzinfo
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.common import (
    BOOK_BUTTON,
    CANCEL_LATE_WARNED,
    END_FORM_REQUEST,
    AccountFormValidation,
    AssistantAction,
    account_action,
    button,
    client_id_of,
    client_zone,
    entity_of,
    intent_of,
    memo,
    now_local,
    record_activity,
    typed_text,
    verified_client_id,
    yes_or_no,
)
from actions.matching import (
    choose_from_buttons,
    match_professionals,
    match_slots,
    offered_choices,
)
from platform_api import PlatformClient, PlatformRejected
from platform_api import PlatformNotFound as NotFound

logger = logging.getLogger(__name__)

BOOKING_ID, CONFIRMED = "cancel_booking_id", "cancel_confirmed"
CANCEL_SLOTS = (BOOKING_ID, CONFIRMED)
TYPED_ANSWER_INTENTS = {"inform", "cancel_session", "nlu_fallback"}
LATE_CANCEL_WARNING = (
    "This session starts within 24 hours. Cancelling now may incur a penalty under the "
    "professional's terms, and a session paid with a credit may still be charged in credits: "
    "the professional decides."
)
NOTHING_TO_CANCEL = "You have no upcoming sessions that can be cancelled."
SOON_NOTE = ("It starts within 24 hours, so changing or cancelling it may incur a penalty under "
             "the professional's terms.")


def payment_phrase(booking: dict[str, Any]) -> str:
    if booking.get("payment_method") == "credits":
        return "paid with 1 credit"
    return f"self-paid, {fmt.money(booking.get('price'))}"


def describe(booking: dict[str, Any], zone: tzinfo) -> str:
    """`Individual therapy with Dr. Sara Hansen on Thu 27 Nov, 10:00 (London time)`."""
    return (f"{booking['service']['name']} with {booking['professional']['name']} "
            f"on {fmt.when(booking['start'], zone)}")


def upcoming(tracker: Tracker, platform: PlatformClient) -> list[dict[str, Any]]:
    client_id = verified_client_id(tracker)
    return memo(tracker, ("upcoming", client_id),
                lambda: platform.list_bookings(client_id, "upcoming"))


def cancellable(tracker: Tracker, platform: PlatformClient) -> list[dict[str, Any]]:
    return [b for b in upcoming(tracker, platform)
            if b.get("cancellable") and b.get("status") == "booked"]


class ListUpcomingSessions(AssistantAction):
    """Who, what, when and how it's paid, for each upcoming session."""

    def name(self) -> str:
        return "action_list_upcoming_sessions"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        bookings = [b for b in upcoming(tracker, self.platform) if b.get("status") == "booked"]
        if not bookings:
            dispatcher.utter_message(text="You have no upcoming sessions.", buttons=[BOOK_BUTTON])
            return []
        lines, zone = [], client_zone(tracker, self.platform)
        for booking in bookings:
            line = (f"{describe(booking, zone)} "
                    f"({fmt.duration(booking['service'].get('duration_minutes'))}), "
                    f"{payment_phrase(booking)}.")
            if booking.get("inside_cancellation_window"):
                line += f" {SOON_NOTE}"
            lines.append(line)
        heading = ("Your upcoming session:" if len(bookings) == 1
                   else f"Your {len(bookings)} upcoming sessions:")
        buttons = [BOOK_BUTTON]
        if any(b.get("cancellable") for b in bookings):
            buttons.append({"title": "Cancel a session", "payload": "/cancel_session"})
        dispatcher.utter_message(text=f"{heading}\n{fmt.bullet_list(lines)}", buttons=buttons)
        return []


def forget_warning(tracker: Tracker) -> list[EventType]:
    """Unset `cancel_late_warned` if an earlier cancellation left it set."""
    return [SlotSet(CANCEL_LATE_WARNED, None)] if tracker.get_slot(CANCEL_LATE_WARNED) else []


class StartCancellation(AssistantAction):
    """A fresh cancellation: clear the answers, keep a session chosen by button."""

    def name(self) -> str:
        return "action_start_cancellation"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        events = [SlotSet(slot, None) for slot in CANCEL_SLOTS] + forget_warning(tracker)
        chosen = entity_of(tracker, BOOKING_ID)
        if chosen:
            events.append(SlotSet(BOOKING_ID, chosen))
        return events


def end_cancel_form() -> list[EventType]:
    return [SlotSet(slot, None) for slot in (*CANCEL_SLOTS, CANCEL_LATE_WARNED, "requested_slot")]


def booking_from_text(tracker: Tracker, platform: PlatformClient, text: str) -> str | None:
    """The one cancellable session the text points at: a button, a professional, or a time."""
    options = cancellable(tracker, platform)
    chosen = choose_from_buttons(text, offered_choices(tracker.events, BOOKING_ID))
    if chosen:
        return chosen
    professionals = {b["professional"]["id"]: b["professional"] for b in options}
    named = match_professionals(text, list(professionals.values()))
    if len(named) == 1:
        with_them = [b for b in options if b["professional"]["id"] == named[0]["id"]]
        if len(with_them) == 1:
            return with_them[0]["id"]
    at = match_slots(text, options, now_local(tracker, platform))
    return at[0]["id"] if len(at) == 1 else None


class ValidateCancelForm(AccountFormValidation):
    """Reads and checks the answers of the cancel form (see booking_form.py for the pattern)."""

    def name(self) -> str:
        return "validate_cancel_form"

    def end_form(self) -> list[EventType]:
        return end_cancel_form()

    def precheck(self, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> list[EventType] | None:
        if not cancellable(tracker, self.platform) and not tracker.get_slot(BOOKING_ID):
            dispatcher.utter_message(text=NOTHING_TO_CANCEL, buttons=[BOOK_BUTTON])
            return end_cancel_form()
        return None

    def extract_cancel_booking_id(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        value = entity_of(tracker, BOOKING_ID)
        if value:
            return {BOOKING_ID: value}
        requested = tracker.get_slot("requested_slot")
        intent, text = intent_of(tracker), typed_text(tracker)
        if requested not in (BOOKING_ID, None) or intent not in TYPED_ANSWER_INTENTS:
            return {}
        if text:
            value = booking_from_text(tracker, self.platform, text)
        options = cancellable(tracker, self.platform)
        if value is None and requested is None and len(options) == 1:
            value = options[0]["id"]  # "cancel my session" with only one booked
        if value:
            return {BOOKING_ID: value}
        if requested == BOOKING_ID and intent == "inform":
            dispatcher.utter_message(text="I couldn't tell which session you mean. "
                                          "Please pick one of the buttons.")
            return {BOOKING_ID: None}
        return {}

    def extract_cancel_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                 domain: DomainDict) -> dict[str, Any]:
        return yes_or_no(tracker, CONFIRMED)

    def validate_cancel_booking_id(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {}
        if not any(b["id"] == value for b in cancellable(tracker, self.platform)):
            dispatcher.utter_message(text="That session can't be cancelled here: it may have "
                                          "started, finished or been cancelled already.")
            return {BOOKING_ID: None}
        return {BOOKING_ID: value}

    def validate_cancel_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                  tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {CONFIRMED: value if isinstance(value, bool) else None}


class AskCancelBooking(AssistantAction):
    """Which session? One button per cancellable upcoming session."""

    def name(self) -> str:
        return "action_ask_cancel_booking_id"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        options = cancellable(tracker, self.platform)
        if not options:
            dispatcher.utter_message(text=NOTHING_TO_CANCEL, buttons=[BOOK_BUTTON])
            return list(END_FORM_REQUEST)
        zone = client_zone(tracker, self.platform)
        buttons = [button(f"{fmt.slot_title(b['start'], zone)} · "
                          f"{fmt.first_name(b['professional']['name'])}",
                          "inform", cancel_booking_id=b["id"]) for b in options]
        dispatcher.utter_message(
            text="Which session would you like to cancel?\n"
                 + fmt.bullet_list([describe(b, zone) for b in options]),
            buttons=buttons + [{"title": "Keep my sessions", "payload": "/stop"}])
        return []


class AskCancelConfirmed(AssistantAction):
    """The 24-hour warning when it applies, then: cancel it?

    Whether the question showed the warning goes into `cancel_late_warned`: the answer to this
    question is what `action_submit_cancellation` acts on.
    """

    def name(self) -> str:
        return "action_ask_cancel_confirmed"

    @account_action(on_failure=END_FORM_REQUEST)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        booking = next((b for b in cancellable(tracker, self.platform)
                        if b["id"] == tracker.get_slot(BOOKING_ID)), None)
        if booking is None:
            dispatcher.utter_message(text="That session can't be cancelled any more.")
            return list(END_FORM_REQUEST)
        zone = client_zone(tracker, self.platform)
        question = f"Cancel {describe(booking, zone)} ({payment_phrase(booking)})?"
        warned = bool(booking.get("inside_cancellation_window"))
        if warned:
            question = f"{LATE_CANCEL_WARNING}\n\n{question}"
        dispatcher.utter_message(text=question, buttons=[
            {"title": "Yes, cancel it", "payload": "/affirm"},
            {"title": "No, keep it", "payload": "/deny"},
        ])
        return [SlotSet(CANCEL_LATE_WARNED, warned)]


class SubmitCancellation(AssistantAction):
    """Cancel what was confirmed and report what the platform says.

    A late cancellation is acknowledged only when the question the user confirmed showed the
    24-hour warning (`cancel_late_warned`); otherwise the platform refuses and the user is warned.
    """

    def name(self) -> str:
        return "action_submit_cancellation"

    @account_action(needs_client=False)
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        resets = [SlotSet(slot, None) for slot in CANCEL_SLOTS]
        confirmed, booking_id = tracker.get_slot(CONFIRMED), tracker.get_slot(BOOKING_ID)
        client_id = client_id_of(tracker)
        if confirmed is False:
            dispatcher.utter_message(response="utter_cancel_stopped")
            return resets
        if confirmed is not True or not booking_id or not client_id:
            return resets  # the form ended early and has already said why
        try:
            warned = tracker.get_slot(CANCEL_LATE_WARNED) is True
            cancelled = self.platform.cancel_booking(client_id, booking_id,
                                                     acknowledge_late=warned)
        except PlatformRejected as exc:
            logger.info("%s: cancellation refused (%s)", self.name(), exc.code)
            say_refusal(dispatcher, exc, booking_id)
            record_activity(dispatcher, tracker, f"Cancellation of {booking_id} refused: "
                                                 f"{exc.code.replace('_', ' ')}")
            return resets
        message = cancelled.get("message") or "The session is cancelled."
        zone = client_zone(tracker, self.platform)
        dispatcher.utter_message(text=f"Cancelled: {describe(cancelled, zone)}.\n\n{message}")
        record_activity(dispatcher, tracker, cancelled_line(cancelled, warned))
        return resets


def cancelled_line(booking: dict[str, Any], late: bool) -> str:
    """For the team: "Cancelled Physiotherapy session with Jón (1 credit, inside 24 hours)"."""
    paid = "1 credit" if booking.get("payment_method") == "credits" else "self-paid"
    window = ", inside 24 hours" if late else ""
    return (f"Cancelled {booking['service']['name']} with "
            f"{fmt.first_name(booking['professional']['name'])} ({paid}{window})")


def say_refusal(dispatcher: CollectingDispatcher, exc: PlatformRejected, booking_id: str) -> None:
    if exc.code == "booking_completed":
        dispatcher.utter_message(
            text="That session is already completed, so it can't be cancelled.")
    elif exc.code == "booking_already_cancelled":
        dispatcher.utter_message(text="That session is already cancelled.")
    elif exc.code == "booking_started":
        dispatcher.utter_message(text="That session has already started, so it can't be cancelled.")
    elif exc.code == "late_cancellation_not_acknowledged":
        dispatcher.utter_message(
            text=f"{LATE_CANCEL_WARNING} I haven't cancelled it yet. Do you still want to?",
            buttons=[button("Cancel it anyway", "cancel_session", cancel_booking_id=booking_id),
                     {"title": "Keep it", "payload": "/stop"}])
    elif isinstance(exc, NotFound):
        dispatcher.utter_message(text="I couldn't find that session.")
    else:
        dispatcher.utter_message(text=f"Sorry, I couldn't cancel it: {exc.message}")
