"""The booking form's answers: `validate_booking_form` reads and checks each one.

Its questions (`action_ask_<slot>`) are in booking_questions.py; starting, changing, stopping and
submitting a booking in booking.py.

Slots, in the order the form asks them (domain.yml):
    booking_professional_id -> booking_service_id -> booking_start -> booking_confirmed

How an answer is read (`extract_<slot>`):
- a button payload entity named like the slot always wins;
- typed text is read only for the slot being asked, and a professional also whenever the intent
  is book_session: "book a session with Sara" fills her in as the form starts, and "book with
  Maya instead" switches mid-form;
- a typed answer that matches none of the options gets `None` and "please pick one of the
  buttons"; a message that is not an answer at all (a question, "stop", a worry) gets no events,
  so Rasa rejects the form for this turn and the rules answer it.

How the form ends early (no verified client, or the platform fails): the validation action sets
`requested_slot` to None, so the form finishes at once; `action_submit_booking` then finds
`booking_confirmed` unset and books nothing.

The quote the confirmation showed is kept in `booking_quote` (`quote_record`): what it was for
(the attempt's request id, professional, service, start) and its terms (payment, price).
`action_submit_booking` books exactly those terms. The "Yes" button names the terms it accepts
(`confirmed_quote`, `quote_token`): a "Yes" clicked for terms that have changed since (a
double-click on the old question) is not taken as a yes to the new ones.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.common import (
    AccountFormValidation,
    entity_of,
    intent_of,
    memo,
    now_local,
    typed_text,
    verified_client_id,
    yes_or_no,
)
from actions.matching import (
    choose_from_buttons,
    match_professionals,
    match_services,
    match_slots,
    names_a_time,
    offered_choices,
    offered_last_turn,
)
from platform_api import PlatformClient

PROFESSIONAL, SERVICE, START, CONFIRMED = (
    "booking_professional_id", "booking_service_id", "booking_start", "booking_confirmed")
BOOKING_SLOTS = (PROFESSIONAL, SERVICE, START, CONFIRMED)
QUOTE, CONFIRMED_QUOTE, REQUEST_ID = "booking_quote", "confirmed_quote", "booking_request_id"
# Intents whose typed text may be an answer to the question asked. `out_of_scope` too: in a form
# the text is read first as an answer ("how about the following week", "weekends only" sound
# like nothing the hub does on their own); only when it answers nothing (the form rejects) is
# it out of scope.
TYPED_ANSWER_INTENTS = {"inform", "book_session", "nlu_fallback", "out_of_scope"}


def reset_from(slot: str) -> list[EventType]:
    """Unset `slot` and every booking slot after it (a later answer depends on the earlier)."""
    return [SlotSet(name, None) for name in BOOKING_SLOTS[BOOKING_SLOTS.index(slot):]]


def end_booking_form() -> list[EventType]:
    return reset_from(PROFESSIONAL) + [SlotSet("requested_slot", None)]


# -- the quote the client was shown ---------------------------------------------------------

def quote_record(tracker: Tracker, quote: dict[str, Any]) -> dict[str, Any]:
    """What the confirmation quoted, for which answers: the value of the `booking_quote` slot."""
    return {
        "request_id": tracker.get_slot(REQUEST_ID),
        "professional_id": tracker.get_slot(PROFESSIONAL),
        "service_id": tracker.get_slot(SERVICE),
        "start": tracker.get_slot(START),
        "payment": "credits" if quote.get("payment_method") == "credits" else "self",
        "price": {"amount": quote["price"]["amount"], "currency": quote["price"]["currency"]},
    }


def shown_quote(tracker: Tracker) -> dict[str, Any] | None:
    """The quote last shown for the current answers of this attempt, or None."""
    record = tracker.get_slot(QUOTE)
    if not isinstance(record, dict):
        return None
    current = {"request_id": tracker.get_slot(REQUEST_ID),
               "professional_id": tracker.get_slot(PROFESSIONAL),
               "service_id": tracker.get_slot(SERVICE), "start": tracker.get_slot(START)}
    if any(record.get(name) != value for name, value in current.items()):
        return None
    price = record.get("price")
    if record.get("payment") not in ("credits", "self") or not isinstance(price, dict):
        return None
    return record


def quote_token(record: dict[str, Any]) -> str:
    """The terms in a few characters, carried by the "Yes" button: `credits:0:ISK`,
    `self:12000:ISK`."""
    price = record.get("price") or {}
    amount = price.get("amount")
    if isinstance(amount, float) and amount.is_integer():
        amount = int(amount)
    return f"{record.get('payment')}:{amount}:{price.get('currency')}"


# -- platform look-ups, remembered for the rest of the request ------------------------------

def hub_professionals(tracker: Tracker, platform: PlatformClient) -> list[dict[str, Any]]:
    client_id = verified_client_id(tracker)
    return memo(tracker, ("professionals", client_id),
                lambda: platform.get_professionals(client_id))


def professional_by_id(tracker: Tracker, platform: PlatformClient,
                       professional_id: str | None) -> dict[str, Any] | None:
    return next((p for p in hub_professionals(tracker, platform)
                 if p.get("id") == professional_id), None)


def service_of(professional: dict[str, Any] | None,
               service_id: str | None) -> dict[str, Any] | None:
    services = (professional or {}).get("services", [])
    return next((s for s in services if s.get("id") == service_id), None)


def open_slots(tracker: Tracker, platform: PlatformClient, professional_id: str,
               service_id: str | None) -> list[dict[str, Any]]:
    return memo(tracker, ("slots", professional_id, service_id),
                lambda: platform.get_availability(professional_id, service_id))


def changed_this_turn(tracker: Tracker, slot: str) -> bool:
    """True when `slot` was set after the latest user message (e.g. a new professional)."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        if event.get("event") == "slot" and event.get("name") == slot:
            return True
    return False


def shown_starts(tracker: Tracker) -> list[str]:
    """The times offered in the bot's previous message: what "later that week" is read against."""
    return [str(value) for _, value in offered_last_turn(tracker.events, START)]


def professional_from_text(tracker: Tracker, platform: PlatformClient, text: str,
                           keywords: bool) -> str | None:
    """The one professional of the client's hub the text names, else None."""
    asked = tracker.get_slot("requested_slot") == PROFESSIONAL
    if asked:
        chosen = choose_from_buttons(text, offered_choices(tracker.events, PROFESSIONAL))
        if chosen:
            return chosen
    found = match_professionals(text, hub_professionals(tracker, platform))
    if not keywords:
        found = [p for p in found if _names_person(text, p)]
    elif not asked and found and not _names_person(text, found[0]):
        # "book a therapist" as the booking starts: straight on only with someone the client
        # has booked before; else the question shows who fits, with services and prices.
        found = [p for p in found if p.get("is_connection")]
    return found[0]["id"] if len(found) == 1 else None


def _names_person(text: str, professional: dict[str, Any]) -> bool:
    return bool(match_professionals(text, [{"name": professional.get("name", "")}]))


# -- the validation action -------------------------------------------------------------------

class ValidateBookingForm(AccountFormValidation):
    """Reads and checks the answers of the booking form."""

    def name(self) -> str:
        return "validate_booking_form"

    def end_form(self) -> list[EventType]:
        return end_booking_form()

    # extraction: what did this message answer?

    def extract_booking_professional_id(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                        domain: DomainDict) -> dict[str, Any]:
        value = entity_of(tracker, PROFESSIONAL)
        requested = tracker.get_slot("requested_slot")
        asked = requested == PROFESSIONAL
        intent, text = intent_of(tracker), typed_text(tracker)
        if value is None and text and intent in TYPED_ANSWER_INTENTS | {"change_booking"} and (
                asked or intent == "book_session" or requested is not None):
            # Mid-form, "with Maya instead" (whatever the question) must name a person; on the
            # first message or when asked, "book physio" may also name a professional by title
            # or service.
            value = professional_from_text(tracker, self.platform, text,
                                           keywords=asked or requested is None)
            if value is None:
                if asked and intent == "inform":
                    dispatcher.utter_message(text="I couldn't find that professional in your "
                                                  "hub. Please pick one of the buttons.")
                    return {PROFESSIONAL: None}
                return {}
        if value is None:
            return {}
        current = tracker.get_slot(PROFESSIONAL)
        if current and current != value:
            return {**dict.fromkeys(BOOKING_SLOTS), PROFESSIONAL: value}
        return {PROFESSIONAL: value}

    def extract_booking_service_id(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                   domain: DomainDict) -> dict[str, Any]:
        value = entity_of(tracker, SERVICE)
        intent, text = intent_of(tracker), typed_text(tracker)
        if value is None and text and intent in TYPED_ANSWER_INTENTS and (
                tracker.get_slot("requested_slot") == SERVICE):
            professional = professional_by_id(tracker, self.platform,
                                              tracker.get_slot(PROFESSIONAL))
            services = (professional or {}).get("services", [])
            value = choose_from_buttons(text, offered_choices(tracker.events, SERVICE))
            if value is None:
                found = match_services(text, services)
                value = found[0]["id"] if len(found) == 1 else None
            if value is None:
                if intent == "inform":
                    dispatcher.utter_message(text="I couldn't match that to one of the services. "
                                                  "Please pick one of the buttons.")
                    return {SERVICE: None}
                return {}
        if value is None:
            return {}
        current = tracker.get_slot(SERVICE)
        if current and current != value:
            return {SERVICE: value, START: None, CONFIRMED: None}
        return {SERVICE: value}

    def extract_booking_start(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                              domain: DomainDict) -> dict[str, Any]:
        value = entity_of(tracker, START)
        intent, text = intent_of(tracker), typed_text(tracker)
        if value is None and text and intent in TYPED_ANSWER_INTENTS and (
                tracker.get_slot("requested_slot") == START):
            professional_id = tracker.get_slot(PROFESSIONAL)
            if not professional_id:
                return {}
            now, shown = now_local(tracker, self.platform), shown_starts(tracker)
            if not names_a_time(text, now, shown):
                value = choose_from_buttons(text, offered_choices(tracker.events, START))
            if value is None:
                found = match_slots(text, open_slots(tracker, self.platform, professional_id,
                                                     tracker.get_slot(SERVICE)), now, shown)
                value = found[0]["start"] if len(found) == 1 else None
            if value is None:
                # Several fit, or none: action_ask_booking_start shows the ones that fit.
                if intent == "inform" or names_a_time(text, now, shown):
                    return {START: None}
                return {}
        return {START: value} if value else {}

    def extract_booking_confirmed(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                                  domain: DomainDict) -> dict[str, Any]:
        answer = yes_or_no(tracker, CONFIRMED)
        accepted = entity_of(tracker, CONFIRMED_QUOTE)
        if answer.get(CONFIRMED) is True and accepted is not None:
            shown = shown_quote(tracker)
            if shown is None or accepted != quote_token(shown):
                # A "Yes" from the question before the terms changed: not a yes to these.
                dispatcher.utter_message(text="That was a yes to the earlier terms, so I haven't "
                                              "booked anything.")
                return {CONFIRMED: None}
        return answer

    # validation: is the answer possible?

    def validate_booking_professional_id(self, value: Any, dispatcher: CollectingDispatcher,
                                         tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {}
        professional = professional_by_id(tracker, self.platform, value)
        if professional is None:
            dispatcher.utter_message(text="I couldn't find that professional in your hub. "
                                          "Please pick one of the buttons.")
            return {PROFESSIONAL: None}
        result: dict[str, Any] = {PROFESSIONAL: value}
        services = professional.get("services", [])
        current_service = tracker.get_slot(SERVICE)
        if len(services) == 1:
            if current_service != services[0]["id"]:
                result[SERVICE] = services[0]["id"]
        elif current_service and service_of(professional, current_service) is None:
            result[SERVICE] = None
        return result

    def validate_booking_service_id(self, value: Any, dispatcher: CollectingDispatcher,
                                    tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {}
        professional = professional_by_id(tracker, self.platform, tracker.get_slot(PROFESSIONAL))
        if professional is None:
            return {SERVICE: None}
        if service_of(professional, value) is None:
            dispatcher.utter_message(
                text=f"{fmt.first_name(professional['name'])} doesn't offer that service. "
                     "Please pick one of the buttons.")
            return {SERVICE: None}
        return {SERVICE: value}

    def validate_booking_start(self, value: Any, dispatcher: CollectingDispatcher,
                               tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        if value is None:
            return {}
        professional_id, service_id = tracker.get_slot(PROFESSIONAL), tracker.get_slot(SERVICE)
        if not professional_id or not service_id:
            return {START: None}
        try:
            wanted = fmt.parse_time(str(value))
        except ValueError:
            wanted = None
        slot = next((s for s in open_slots(tracker, self.platform, professional_id, service_id)
                     if wanted and fmt.parse_time(s["start"]) == wanted), None)
        if slot is None:
            dispatcher.utter_message(text="That time isn't open any more. Please pick another one.")
            return {START: None}
        return {START: slot["start"]}

    def validate_booking_confirmed(self, value: Any, dispatcher: CollectingDispatcher,
                                   tracker: Tracker, domain: DomainDict) -> dict[str, Any]:
        return {CONFIRMED: value if isinstance(value, bool) else None}
