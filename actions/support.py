"""Safety, a person, and what to say when the assistant didn't understand or can't help.

- Safety first: a message suggesting risk of harm (the NLU's `self_harm`, or a clear phrase of
  risk it missed: textguards.risk_phrases, which the gateway and the REST channel check too) gets,
  before anything else, a calm reply with the emergency number and helplines
  (actions.settings.SupportSettings), and the conversation is handed to the Customer Success team
  at once with priority `urgent`. Never clinical advice. An active form is ended.
- A hand-off follows docs/gateway.md: a custom payload `{"handoff": {"reason", "priority"}}` (the
  gateway queues the conversation and never shows the payload) plus `ConversationPaused`.
- Two misses in a row (not understood, or outside what the assistant does) also offer a person.
- Why a person is asked for (the hand-off's reason and priority) comes from the `handoff_reason`
  slot (actions/common.py), never from the wording of earlier messages.
- The topic buttons after a miss come from the NLU's runner-up intents. Help topics (the `faq`
  retrieval intent) are offered with a short question as the payload: Rasa 3.6 can't take a
  `/faq/<topic>` payload (only base intents parse), so the question goes through the NLU.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet, UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import (
    HANDOFF_REASON,
    HUMAN_BUTTON,
    PLATFORM_UNAVAILABLE,
    SAFETY,
    AssistantAction,
    end_any_form,
    hand_off,
    live_handoff_available,
    person_offer,
    told_zone,
)
from actions.settings import SupportSettings
from platform_api import PlatformClient
from textguards.risk_phrases import is_risk  # the net under Rasa's too (rasa_addons/safety_net.py)

# Intent -> (button title, payload) for the topics a miss may have meant.
TOPICS: dict[str, tuple[str, str]] = {
    "ask_credits": ("My credits", "/ask_credits"),
    "ask_connections": ("My connections", "/ask_connections"),
    "book_session": ("Book a session", "/book_session"),
    "ask_upcoming_sessions": ("My upcoming sessions", "/ask_upcoming_sessions"),
    "cancel_session": ("Cancel a session", "/cancel_session"),
    "ask_invoices": ("My invoices", "/ask_invoices"),
    "resend_invoice": ("Re-send an invoice", "/resend_invoice"),
}
# Help topic (retrieval intent) -> (button title, a question the NLU was trained on).
HELP_TOPICS: dict[str, tuple[str, str]] = {
    "faq/credits_run_out": ("When credits run out", "can I still book now my credits are gone"),
    "faq/request_more_credits": ("Getting more credits", "can I get more credits"),
    "faq/add_card": ("Saving a card", "how do I add a card"),
    "faq/receipts": ("Receipts", "how do I get a receipt"),
    "faq/failed_payment": ("A failed payment", "my payment failed"),
    "faq/payment_type_error": ("Payment type errors", "why can't I choose this payment type"),
    "faq/cancellation_policy": ("Cancellation policy", "what is the cancellation policy"),
    "faq/browser": ("Which browser", "which browser should I use"),
    "faq/employer_privacy": ("What my employer sees", "can my employer see who I booked"),
    "faq/create_account": ("Creating an account", "how do I create an account"),
    "faq/password_reset": ("Resetting my password", "I forgot my password"),
    "faq/what_is_a_connection": ("What a connection is", "what is a connection"),
}
DEFAULT_TOPICS = ("ask_credits", "book_session", "ask_invoices")
# Account intent -> the question asked before acting on it when the NLU wasn't sure
# (rasa_addons/account_gate.py ranks it right after `nlu_fallback`): "Yes" runs it, "No" doesn't.
ASK_FIRST_FROM = 0.45  # the FallbackClassifier's threshold (config.yml)
ASK_FIRST: dict[str, str] = {
    "ask_credits": "Do you want to see your remaining credits?",
    "ask_connections": "Do you want to see your connections (the professionals you've booked)?",
    "ask_upcoming_sessions": "Do you want to see your upcoming sessions?",
    "ask_invoices": "Do you want to see your unpaid invoices?",
    "resend_invoice": "Do you want me to re-send an invoice?",
    "book_session": "Do you want to book a session?",
    "cancel_session": "Do you want to cancel a session?",
}
MISS_INTENTS = {"nlu_fallback", "out_of_scope"}
MISS_ACTIONS = {"action_fallback", "action_out_of_scope"}
MAIN_TOPICS = ("ask_credits", "book_session", "ask_upcoming_sessions", "ask_invoices")
CAN_DO = ("I can check your credits, list your connections, book or cancel a session, re-send "
          "invoices, and answer questions about the hub.")


SAFETY_OPENING = "I'm really sorry you're going through this, and I'm glad you said something."


def consecutive_misses(events: list[dict[str, Any]], current_is_miss: bool = True) -> int:
    """User turns in a row, up to the latest, that the assistant couldn't serve.

    `current_is_miss`: the turn being answered now counts as a miss (in the fallback actions).
    """
    misses, turn_missed = 0, current_is_miss
    for event in reversed(events):
        kind = event.get("event")
        if kind == "action" and event.get("name") in MISS_ACTIONS:
            turn_missed = True
        elif kind == "user":
            intent = ((event.get("parse_data") or {}).get("intent") or {}).get("name")
            if not (turn_missed or intent in MISS_INTENTS):
                break
            misses += 1
            turn_missed = False
        elif kind in ("session_started", "restart"):
            break
    return misses


def topic_buttons(latest_message: dict[str, Any]) -> list[dict[str, str]]:
    """Up to three topics the message may have meant, from the NLU's intent ranking."""
    buttons: list[dict[str, str]] = []
    for ranked in latest_message.get("intent_ranking") or []:
        intent = ranked.get("name")
        if intent == "faq":
            key = (((latest_message.get("response_selector") or {}).get("faq") or {})
                   .get("response") or {}).get("intent_response_key")
            title_and_payload = HELP_TOPICS.get(key or "")
        else:
            title_and_payload = TOPICS.get(intent or "")
        if title_and_payload:
            entry = {"title": title_and_payload[0], "payload": title_and_payload[1]}
            if entry not in buttons:
                buttons.append(entry)
        if len(buttons) == 3:
            break
    if not buttons:
        buttons = [{"title": TOPICS[i][0], "payload": TOPICS[i][1]} for i in DEFAULT_TOPICS]
    return buttons


def unsure_account_intent(latest_message: dict[str, Any]) -> str | None:
    """The account intent the NLU leaned to but wasn't sure of, if any (see ASK_FIRST).

    Leaned to: ranked first, at or above the FallbackClassifier's threshold (below it, the
    message is a real miss and gets the closest topics as buttons).
    """
    if (latest_message.get("intent") or {}).get("name") != "nlu_fallback":
        return None
    ranked = [r for r in latest_message.get("intent_ranking") or []
              if r.get("name") != "nlu_fallback"]
    if not ranked or ranked[0].get("name") not in ASK_FIRST:
        return None
    leaning = float(ranked[0].get("confidence") or 0.0) >= ASK_FIRST_FROM
    return str(ranked[0]["name"]) if leaning else None


def ask_first_buttons(intent: str) -> list[dict[str, str]]:
    return [{"title": "Yes", "payload": f"/{intent}"}, {"title": "No", "payload": "/deny"}]


def safety_reply(dispatcher: CollectingDispatcher, tracker: Tracker,
                 support: SupportSettings, platform: PlatformClient) -> list[EventType]:
    """Emergency contacts first, then a person at once (urgent); any form ends.

    `handoff_reason` becomes "safety" for the rest of the session (Rasa has set it already when
    the NLU recognised `self_harm`; here when the safety net caught what the NLU missed).
    """
    noted = tracker.get_slot(HANDOFF_REASON) == SAFETY
    remember = [] if noted else [SlotSet(HANDOFF_REASON, SAFETY)]
    contacts = (f"{SAFETY_OPENING} If you or someone else is in danger right now, please call the "
                f"emergency number {support.emergency_number}. You can also talk to someone at "
                f"any time: {support.helplines}.\n\nI'm an assistant and can't give clinical "
                "advice, ")
    if not live_handoff_available(tracker):
        dispatcher.utter_message(
            text=contacts + (f"but our Customer Success team can help: write to {support.email} "
                             f"({support.hours_in(told_zone(tracker, platform))})."))
        return end_any_form(tracker) + remember
    dispatcher.utter_message(
        text=contacts + "so I've asked a person from our team to join this chat now.")
    return end_any_form(tracker) + remember + hand_off(dispatcher, SAFETY, "urgent")


def said_last(events: list[dict[str, Any]], slot: str, value: str) -> bool:
    """True when `slot` was set to `value` by the bot's latest turn: nothing said since."""
    for event in reversed(events):
        if event.get("event") == "slot" and event.get("name") == slot:
            return bool(event.get("value") == value)
        if event.get("event") in ("bot", "session_started", "restart"):
            return False
    return False


def handoff_reason(tracker: Tracker) -> tuple[str, str]:
    """(reason, priority) for the gateway's queue, from the `handoff_reason` slot.

    "safety" holds for the session; "platform_unavailable" only right after the apology (the
    user asked for a person instead of doing anything else); else two misses in a row mean
    "not_understood"; else the user simply asked.
    """
    reason = tracker.get_slot(HANDOFF_REASON)
    if reason == SAFETY:
        return SAFETY, "urgent"
    if reason == PLATFORM_UNAVAILABLE and said_last(tracker.events, HANDOFF_REASON,
                                                    PLATFORM_UNAVAILABLE):
        return PLATFORM_UNAVAILABLE, "normal"
    events = session_events(tracker.events)
    users = [i for i, e in enumerate(events) if e.get("event") == "user"]
    before = events[:users[-1]] if users else events
    if consecutive_misses(before, current_is_miss=False):
        return "not_understood", "normal"
    return "requested", "high"


def session_events(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
    return events[starts[-1]:] if starts else events


class SafetyReply(AssistantAction):
    """Emergency contacts and a person, at once; never clinical advice."""

    def name(self) -> str:
        return "action_safety_reply"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        return safety_reply(dispatcher, tracker, self.support, self.platform)


class Handoff(AssistantAction):
    """Pass the conversation to the Customer Success team (the gateway queues it)."""

    def name(self) -> str:
        return "action_handoff"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        settings = self.support
        if not live_handoff_available(tracker):
            dispatcher.utter_message(
                text=("I can't pass you to a person live in this chat, sorry. The Customer "
                      f"Success team answers at {settings.email}, "
                      f"{settings.hours_in(told_zone(tracker, self.platform))}: write to "
                      "them and they'll get back to you. What you tell them is never shared "
                      "with your organisation."))
            return end_any_form(tracker)
        dispatcher.utter_message(
            text=("I'm passing you to the Customer Success team; a person will reply here "
                  "(the chat tells you when). What you tell them is never shared with your "
                  "organisation."))
        return end_any_form(tracker) + hand_off(dispatcher, *handoff_reason(tracker))


def answer_miss(dispatcher: CollectingDispatcher, tracker: Tracker, support: SupportSettings,
                platform: PlatformClient,
                opening: str, buttons: list[dict[str, str]],
                review: str | None = None) -> list[EventType]:
    """The closest topics; on the second miss in a row, a person is *offered* too (with the
    topics the assistant can help with): the client chooses, nobody is handed over unasked.
    Accepting (`/request_human`) hands over with the reason "not_understood"
    (`handoff_reason`). `review` ("fallback", "out_of_scope") marks the message for the
    gateway's review queue (a custom payload the client never sees), after the answer."""
    text = opening
    if consecutive_misses(tracker.events) >= 2:
        main = [{"title": TOPICS[i][0], "payload": TOPICS[i][1]} for i in MAIN_TOPICS]
        shown = {b["payload"] for b in buttons}
        buttons = buttons + [b for b in main if b["payload"] not in shown]
        if live_handoff_available(tracker):
            text = ("Sorry, I still didn't get that. I can help with the topics below, or a "
                    "person from our Customer Success team can take over here: shall I pass "
                    "you to them?")
        else:
            text += f"\n\nIf you'd rather, {person_offer(support, told_zone(tracker, platform))}."
        buttons = buttons + [HUMAN_BUTTON]
    dispatcher.utter_message(text=text, buttons=buttons)
    mark_for_review(dispatcher, review)
    return []


def mark_for_review(dispatcher: CollectingDispatcher, review: str | None) -> None:
    if review is not None:
        dispatcher.utter_message(json_message={"review": review})


class Fallback(AssistantAction):
    """Not understood: offer the closest topics; on the second miss in a row, a person too.

    Runs after `nlu_fallback` (a rule) and as RulePolicy's core fallback (an understood message
    no rule or story covers). As the core fallback it reverts the message, as Rasa's default
    fallback does, so the assistant listens again instead of predicting the fallback over and over.
    """

    def name(self) -> str:
        return "action_fallback"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        latest = tracker.latest_message or {}
        if is_risk(latest.get("text")):
            return safety_reply(dispatcher, tracker, self.support, self.platform)
        unsure_of = unsure_account_intent(latest)
        if unsure_of is not None and not tracker.active_loop_name:  # in a form: the question
            dispatcher.utter_message(text=ASK_FIRST[unsure_of],
                                     buttons=ask_first_buttons(unsure_of))
            return []
        not_understood = (latest.get("intent") or {}).get("name") == "nlu_fallback"
        events = answer_miss(dispatcher, tracker, self.support, self.platform,
                             "Sorry, I didn't quite get that. Did you mean one of these?",
                             topic_buttons(latest), review="fallback" if not_understood else None)
        if not not_understood:
            events.append(UserUtteranceReverted())
        return events


class OutOfScope(AssistantAction):
    """Outside what the assistant does: say so kindly and show what it can do."""

    def name(self) -> str:
        return "action_out_of_scope"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        latest = tracker.latest_message or {}
        if is_risk(latest.get("text")):
            return safety_reply(dispatcher, tracker, self.support, self.platform)
        buttons = [{"title": TOPICS[i][0], "payload": TOPICS[i][1]} for i in MAIN_TOPICS]
        return answer_miss(dispatcher, tracker, self.support, self.platform,
                           f"Sorry, that's outside what I can help with here. {CAN_DO}", buttons,
                           review="out_of_scope")
