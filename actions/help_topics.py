"""Help topics (the `faq` retrieval intent), said once: `action_help_topic` answers with the topic
the ResponseSelector chose, unless this conversation has already given that answer (the same
topic, or the credits answer that says the same: booking at one's own expense, a professional
asking for more credits); then briefly, in a line that points back to it.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.common import AssistantAction
from actions.credits import (
    MORE_CREDITS_AGAIN,
    MORE_CREDITS_SAID,
    OWN_EXPENSE_AGAIN,
    OWN_EXPENSE_SAID,
    said_in_session,
)

# Topics whose long text another answer gives too: the words that show it was said, and the line.
SAID_ELSEWHERE: dict[str, tuple[tuple[str, ...], str]] = {
    "faq/credits_run_out": (OWN_EXPENSE_SAID, OWN_EXPENSE_AGAIN),
    "faq/request_more_credits": (MORE_CREDITS_SAID, "As I said above: " + MORE_CREDITS_AGAIN),
}


NO_TOPIC = "Sorry, I don't have an answer to that one. Could you put it another way?"


def chosen_topic(latest_message: dict[str, Any]) -> tuple[str | None, str | None]:
    """(topic key, its answer's text) the ResponseSelector chose for the latest message."""
    response = (((latest_message.get("response_selector") or {}).get("faq") or {})
                .get("response") or {})
    key = response.get("intent_response_key")
    texts = [r.get("text") for r in response.get("responses") or [] if r.get("text")]
    return (key if isinstance(key, str) else None), (texts[0] if texts else None)


def first_sentence(text: str) -> str:
    end = text.find(". ")
    return text if end < 0 else text[:end + 1]


class AnswerHelpTopic(AssistantAction):
    """The help topic's answer, in full the first time, briefly when it was said already."""

    def name(self) -> str:
        return "action_help_topic"

    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        key, text = chosen_topic(tracker.latest_message or {})
        if key is None or text is None:  # the NLU gate turns an unsure topic into a miss first
            dispatcher.utter_message(text=NO_TOPIC)
            return []
        if said_in_session(tracker.events, (text,)):
            dispatcher.utter_message(text=f"As I said above: {first_sentence(text)}")
            return []
        said, again = SAID_ELSEWHERE.get(key, ((), ""))
        if said and said_in_session(tracker.events, said):
            dispatcher.utter_message(text=again)
            return []
        dispatcher.utter_message(text=text)
        return []
