"""Everything the gateway itself says to a client or writes into a transcript, in one place.

Plain text only: the widget renders every message as text, never as HTML.
"""
from __future__ import annotations

HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
REQUEST_HUMAN = "/request_human"

CANT_ANSWER = ("Sorry, I can't answer right now. Your message is saved. Please try again in a few "
               "minutes, or talk to a person from our Customer Success team.")
CARD_NUMBER_REMOVED = "[card number removed]"


def queued(position: int) -> str:
    place = "next in the queue" if position == 1 else f"number {position} in the queue"
    return (f"You're {place} for a person from our Customer Success team; they'll reply here as "
            "soon as they can. You can keep writing in the meantime.")


def out_of_hours(hours: str | None) -> str:
    when = f"is available {hours}" if hours else "doesn't chat live"
    return (f"Our Customer Success team {when}, so nobody can answer live right now. Please "
            "leave a message here with an e-mail address, and we'll answer you there.")


def email_noted(email: str) -> str:
    return f"Thank you. The team will answer you at {email} when they're back."


def agent_joined(name: str) -> str:
    return f"{name} from the Customer Success team has joined the conversation."


BACK_WITH_BOT = "You're back with the assistant. Ask me anything."
RESOLVED = ("The Customer Success team has closed this conversation. Write here any time to "
            "start again.")

# Internal transcript lines (activity), seen only in the console.
ACTIVITY_HANDOFF = "Handed to the team: {reason}, priority {priority}."
ACTIVITY_CLAIMED = "Claimed by {agent}."
ACTIVITY_HANDBACK = "Handed back to the assistant by {agent}."
ACTIVITY_RESOLVED = "Resolved by {agent}."
ACTIVITY_REOPENED = "Reopened by the client."
ACTIVITY_EMAIL = "The client left a contact e-mail address."
