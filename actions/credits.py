"""How many sponsored credits are left, and what happens when they run out (the seed article)."""
from __future__ import annotations

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
        if remaining == 0:
            text = (f"You've used all {allowance} of your sponsored credits on the {hub} for this "
                    f"period (it runs until {until}).\n\n{OWN_EXPENSE}\n\n{MORE_CREDITS}")
            dispatcher.utter_message(text=text, buttons=[BOOK_BUTTON])
            return []
        text = (f"You have {remaining} of your {allowance} sponsored credits left on the {hub} "
                f"({used} used). They're valid until {until}.")
        if remaining == 1:
            text += f"\n\n{MORE_CREDITS}"
        dispatcher.utter_message(text=text)
        return []
