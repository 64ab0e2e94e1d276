"""Everything the gateway itself says to a client or writes into a transcript, in one place.

Plain text only: the widget renders every message as text, never as HTML.
"""
from __future__ import annotations

import enum

from envsettings.safety_contacts import SafetyContacts

# What replaces a card number in the transcript.
from textguards.card_numbers import CARD_NUMBER_REMOVED as CARD_NUMBER_REMOVED

HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
REQUEST_HUMAN = "/request_human"

CANT_ANSWER = ("Sorry, I can't answer right now. Your message is saved. Please try again in a few "
               "minutes, or talk to a person from our Customer Success team.")


class SafetyPlace(enum.StrEnum):
    """Where the conversation is when the gateway gives its own safety reply."""

    HANDING_OVER = "handing_over"  # with the assistant (or closed): a person is asked for now
    WAITING = "waiting"            # in the team's queue already: it is urgent now
    WITH_AGENT = "with_agent"      # a person has it already


SAFETY_OPENING = "I'm really sorry you're going through this, and I'm glad you said something."


def safety_reply(contacts: SafetyContacts, place: SafetyPlace) -> str:
    """The gateway's own safety reply, in the words of the assistant's (actions/support.py)."""
    then = {
        SafetyPlace.HANDING_OVER: "so I've asked a person from our team to join this chat now.",
        SafetyPlace.WAITING: ("so I've told our team this is urgent; a person will join this chat "
                              "as soon as they can."),
        SafetyPlace.WITH_AGENT: ("so I've told the person from our team who is with you that "
                                 "this is urgent."),
    }[place]
    return (f"{SAFETY_OPENING} If you or someone else is in danger right now, please call the "
            f"emergency number {contacts.emergency_number}. You can also talk to someone at any "
            f"time: {contacts.helplines}.\n\nI'm an assistant and can't give clinical advice, "
            f"{then}")


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

# Leaving the queue (bot/core/leave_queue.py): a waiting client may go back to the assistant.
LEAVE_QUEUE = "/leave_queue"
SAFE_TO_LEAVE = "/safe_to_leave"
STAY_IN_QUEUE = "/stay_in_queue"
BACK_BUTTON = {"title": "Back to the assistant", "payload": LEAVE_QUEUE}
LEFT_QUEUE = ("OK, you've left the queue and you're back with the assistant. What can I help you "
              "with?")
ARE_YOU_SAFE = ("Before you leave the queue: are you safe right now? If you're not sure, stay and "
                "a person from our team will be with you soon.")
SAFE_BUTTONS = ({"title": "Yes, I'm safe", "payload": SAFE_TO_LEAVE},
                {"title": "No, stay in the queue", "payload": STAY_IN_QUEUE})
STILL_QUEUED = ("You're still in the queue: a person from our team will join this chat as soon as "
                "they can.")
ACTIVITY_LEFT_QUEUE = "The client left the queue and went back to the assistant."
RESOLVED = ("The Customer Success team has closed this conversation. Write here any time to "
            "start again.")

# Internal transcript lines (activity), seen only in the console.
ACTIVITY_HANDOFF = "Handed to the team: {reason}, priority {priority}."
ACTIVITY_ESCALATED = "Priority raised to urgent: {reason} (the client's message speaks of risk)."
# A handoff reason in words, for the transcript (the console's REASON_LABEL says the same).
REASON_WORDS = {
    "requested": "asked for a person",
    "safety": "safety, may be at risk",
    "not_understood": "the assistant did not understand twice",
    "platform_unavailable": "the platform was unavailable",
}


def reason_words(reason: str) -> str:
    """`not_understood` → "the assistant did not understand twice" (an unknown code in words)."""
    return REASON_WORDS.get(reason, reason.replace("_", " "))
ACTIVITY_CLAIMED = "Claimed by {agent}."
ACTIVITY_HANDBACK = "Handed back to the assistant by {agent}."
ACTIVITY_RESOLVED = "Resolved by {agent}."
ACTIVITY_REOPENED = "Reopened by the client."
ACTIVITY_EMAIL = "The client left a contact e-mail address."


# Account linking on Slack and Telegram (bot/core/linked_intake.py). The code itself is never
# repeated back.
HOW_TO_LINK = ("To see your account here, open your Wellbeing Hub dashboard, choose \"Link Slack "
               "or Telegram\" and send me the six-digit code it shows, like this: link 123456")


def linked(first_name: str | None) -> str:
    who = f" as {first_name}" if first_name else ""
    return f"You're linked{who}. Ask me about your credits, sessions or invoices."


LINK_CODE_WRONG = ("That code doesn't match any code from the dashboard. Check the six digits, or "
                   "get a new code there.")
LINK_CODE_EXPIRED = ("That code has expired (codes last 10 minutes). Get a new one from your "
                     "dashboard and send it here.")
LINK_CODE_USED = ("That code has been used already. Get a new one from your dashboard and send "
                  "it here.")
LINK_UNAVAILABLE = ("Sorry, I can't check codes right now. Your code stays valid for 10 minutes: "
                    "please send it again in a moment.")


def tries_left(count: int) -> str:
    return (f" You can try {count} more time{'s' if count != 1 else ''} this hour."
            if count else "")


def too_many_link_attempts(minutes: int) -> str:
    return ("That's too many wrong codes for now, so I'm not checking codes from this account for "
            f"a while. Please try again in {minutes} minute{'s' if minutes != 1 else ''}, with a "
            "new code from your dashboard.")


UNLINKED = ("Done: this chat is no longer linked to your account. Send link and a new code from "
            "your dashboard to link it again.")
NOT_LINKED = "This chat isn't linked to an account, so there's nothing to unlink."
LINK_IN_PRIVATE = ("Everyone here can read this chat, so I don't link accounts here. Send me the "
                   "code in a private chat instead.")
LINK_CODE_CANCELLED = (" I've cancelled the code you sent, since others have seen it: get a new "
                       "one from your dashboard.")
UNLINK_IN_PRIVATE = "To unlink your account, write unlink to me in a private chat."


def welcome(linked: bool) -> str:
    """Telegram's /start: who the assistant is, and how to link (or that it is linked)."""
    if linked:
        return ("Hi! I'm the Wellbeing Hub assistant, and your account is linked to this chat. "
                "Ask me about your credits, sessions, bookings or invoices, or how the hub works.")
    return ("Hi! I'm the Wellbeing Hub assistant. Ask me how the hub works: credits, booking, "
            f"payments and more. {HOW_TO_LINK}")


WELCOME_SHARED = ("Hi! I'm the Wellbeing Hub assistant. Ask me here how the hub works; for "
                  "anything about your own account, write to me in a private chat.")

# Feedback for the team's report (bot/core/feedback.py).
FEEDBACK_QUESTION = "Did that answer your question?"
FEEDBACK_HELPED = "That helped"
FEEDBACK_MORE_HELP = "I need more help"
FEEDBACK_THANKS = "Thanks for letting us know."
MORE_HELP = ("Sorry that didn't answer it. You can ask me in other words, or talk to a person "
             "from the team.")
RATING_QUESTION = "How did we do? Rate this conversation from 1 (poor) to 5 (great)."
RATING_THANKS = ("Thank you for rating us. Anything to add? Write it here (optional), or just "
                 "ask me something else.")
COMMENT_THANKS = "Thank you, the team will read it."
