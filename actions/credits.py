"""How many sponsored credits are left, and what happens when they run out (the seed article).

Said once: when this conversation has already given the way forward (booking at one's own
expense, a professional asking for more credits: here or as the help topic), a second credits
question gets the numbers and a one-line reminder, not the whole text again.
"""
from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions import formatting as fmt
from actions.common import (
    BOOK_BUTTON,
    AssistantAction,
    account_action,
    record_activity,
    verified_client_id,
)

OWN_EXPENSE = (
    "You can keep using the hub at your own expense, in either of two ways: book through the hub "
    "as usual, or ask your professional to schedule the session for you. Either way, payment is "
    "arranged with the professional: after the appointment is confirmed you'll receive an invoice "
    "with a link to a payment page."
)
MORE_CREDITS = (
    "Your professional can also request more sponsored credits for you. The request is anonymous "
    "towards your organisation (it never learns your name or e-mail), though not every "
    "organisation can approve it."
)


# Words of the long texts (ours above and the help topics' in data/nlu/faq_credits.yml): one of
# them in an earlier reply of this session means the client has read it.
OWN_EXPENSE_SAID = ("keep using the hub at your own expense",)
MORE_CREDITS_SAID = ("request more sponsored credits",)
OWN_EXPENSE_AGAIN = ("As I said above, you can keep booking at your own expense; the professional "
                     "invoices you after it's confirmed.")
MORE_CREDITS_AGAIN = "Your professional can still ask for more credits for you."


def said_in_session(events: list[dict[str, Any]], phrases: tuple[str, ...]) -> bool:
    """True when a bot reply since the session started contains one of `phrases`."""
    for event in reversed(events):
        kind = event.get("event")
        if kind in ("session_started", "restart"):
            return False
        if kind == "bot" and any(p in (event.get("text") or "") for p in phrases):
            return True
    return False


class CheckCredits(AssistantAction):
    """Remaining, used, allowance, hub and expiry of the client's sponsored credits."""

    def name(self) -> str:
        return "action_check_credits"

    @account_action()
    def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
            domain: DomainDict) -> list[EventType]:
        credits = self.platform.get_credits(verified_client_id(tracker))
        remaining, used, allowance = credits["remaining"], credits["used"], credits["allowance"]
        hub, until = credits.get("hub_name", "your hub"), fmt.long_date(str(credits["period_end"]))
        record_activity(dispatcher, tracker,
                        f"Showed credits: {remaining} of {allowance} left")
        own_said = said_in_session(tracker.events, OWN_EXPENSE_SAID)
        more_said = said_in_session(tracker.events, MORE_CREDITS_SAID)
        if remaining == 0:
            text = (f"You've used all {allowance} of your sponsored credits on the {hub} for this "
                    f"period (it runs until {until}).")
            if own_said:
                text += f" {OWN_EXPENSE_AGAIN}" + (f" {MORE_CREDITS_AGAIN}" if more_said else "")
            else:
                text += f"\n\n{OWN_EXPENSE}"
            if not more_said:
                text += f"\n\n{MORE_CREDITS}"
            dispatcher.utter_message(text=text, buttons=[BOOK_BUTTON])
            return []
        text = (f"You have {remaining} of your {allowance} sponsored credits left on the {hub} "
                f"({used} used). They're valid until {until}.")
        if remaining == 1:
            text += f" {MORE_CREDITS_AGAIN}" if more_said else f"\n\n{MORE_CREDITS}"
        dispatcher.utter_message(text=text)
        return []
