"""What every action shares: its services, who the user is, sign-in and apology messages,
`@account_action`, and the slots that remember what the assistant has said.

Every action is built once, at the action server's start (actions/server.py), with `Services`:
the support settings and the one platform client, read and made by `python -m actions`. Nothing
here reads the environment or opens a connection by itself.

`@account_action` wraps an action's synchronous `run`:
- it answers an account question only where it may (`refuse_account_question`): never in a
  shared chat (a Slack channel, a Telegram group: "private chat only", marked `private_only` so
  Slack shows it to the asker alone), and only with a verified `client_id` (else the linking
  instructions on Slack and Telegram, the sign-in message in the widget);
- it runs the body in a worker thread, so a slow platform never blocks the action server;
- it is the one place that turns a platform failure into the user-facing apology (with a
  "Talk to a person" button) and a log line that names only the action and the exception class.
"""
from __future__ import annotations

import asyncio
import functools
import json
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Any, TypeVar

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, ConversationPaused, EventType, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.forms import FormValidationAction
from rasa_sdk.types import DomainDict

from actions.formatting import zone_of
from actions.settings import SupportSettings
from platform_api import PlatformClient, PlatformError, PlatformRejected, PlatformUnavailable

logger = logging.getLogger(__name__)

HUMAN_BUTTON = {"title": "Talk to a person", "payload": "/request_human"}
UNAVAILABLE = "Sorry, I can't reach your account right now."
BOOK_BUTTON = {"title": "Book a session", "payload": "/book_session"}
# Ends an active form from inside one of its ask actions (Rasa 3.6 then deactivates the loop).
END_FORM_REQUEST: tuple[EventType, ...] = (SlotSet("requested_slot", None),)

# Why a person would be needed if the user asked for one now (domain.yml: `handoff_reason`).
# "safety" holds for the rest of the session (Rasa fills it from the self_harm intent; the safety
# reply fills it when its own safety net caught the message); "platform_unavailable" is set by the
# platform apology and counts only while that apology is the bot's latest turn.
HANDOFF_REASON = "handoff_reason"
SAFETY = "safety"
PLATFORM_UNAVAILABLE = "platform_unavailable"
# The cancel form's confirmation question showed the 24-hour warning (domain.yml).
CANCEL_LATE_WARNED = "cancel_late_warned"
# False in a shared chat (others read along): set from the gateway's `metadata.private`.
PRIVATE = "private"
# The channels whose users link their account with a code from the dashboard.
LINKED_CHANNELS = frozenset({"slack", "telegram"})
PRIVATE_CHAT_ONLY = ("I can only talk about your account in a private chat: write to me "
                     "directly.")
# A reply's mark (a key of the message, kept by Rasa as the bot utterance's metadata and passed
# on by our REST channel): for the asker only, never for everyone in a shared chat.
PRIVATE_ONLY = "private_only"


# -- what every action is built with ---------------------------------------------------------

@dataclass(frozen=True)
class Services:
    """What the action server gives each action when it builds it: read once, at its start."""

    support: SupportSettings
    platform: PlatformClient


class UsesServices:
    """Takes the `Services` in the constructor; `self.support` and `self.platform` read them."""

    def __init__(self, services: Services) -> None:
        self.services = services

    @property
    def support(self) -> SupportSettings:
        return self.services.support

    @property
    def platform(self) -> PlatformClient:
        return self.services.platform


class AssistantAction(UsesServices, Action, ABC):
    """One of our actions (rasa-sdk's `Action`), built by the server with its `Services`."""

    @abstractmethod
    def name(self) -> str:
        """The action's name in domain.yml."""


A = TypeVar("A", bound=AssistantAction)
RunBody = Callable[[A, CollectingDispatcher, Tracker, DomainDict], list[EventType]]
AsyncRun = Callable[[A, CollectingDispatcher, Tracker, DomainDict], Awaitable[list[EventType]]]


# -- the tracker -----------------------------------------------------------------------------

def client_id_of(tracker: Tracker) -> str | None:
    """The verified client id, from the `client_id` slot only (set from session metadata)."""
    value = tracker.get_slot("client_id")
    return value if isinstance(value, str) and value.strip() else None


class NotSignedIn(RuntimeError):
    """An account look-up without a verified client id (`@account_action` prevents it)."""


def verified_client_id(tracker: Tracker) -> str:
    """The verified client id, inside an action that only runs for a signed-in client."""
    client_id = client_id_of(tracker)
    if client_id is None:
        raise NotSignedIn("this action needs a verified client_id")
    return client_id


def intent_of(tracker: Tracker) -> str | None:
    name = ((tracker.latest_message or {}).get("intent") or {}).get("name")
    return name if isinstance(name, str) else None


def entity_of(tracker: Tracker, entity: str) -> str | None:
    """The latest message's value for `entity` (button payloads carry these)."""
    value = next(tracker.get_latest_entity_values(entity), None)
    if value is None:
        return None
    return str(value).strip() or None


def typed_text(tracker: Tracker) -> str | None:
    """What the user typed, or None for a button payload (`/intent{...}`) or an empty message."""
    text = ((tracker.latest_message or {}).get("text") or "").strip()
    if not text or text.startswith("/"):
        return None
    return str(text)


def memo[T](tracker: Tracker, key: tuple[str | None, ...], compute: Callable[[], T]) -> T:
    """Remember a platform answer for the rest of this request (a tracker lives for one request)."""
    cache: dict[tuple[str | None, ...], Any] = tracker.__dict__.setdefault("_platform_memo", {})
    if key not in cache:
        cache[key] = compute()
    result: T = cache[key]
    return result


def is_form_validation_call(tracker: Tracker, form_name: str) -> bool:
    """True when Rasa's form asks its `validate_<form>` action to validate this turn.

    Rasa 3.6 calls `validate_<form>` twice per user turn when slots have custom mappings that
    name it: first from `action_extract_slots` (right after the message, latest action
    `action_listen`), then from the form itself (latest action = the form). Our form validation
    actions do their work only in the second call, so messages are never said twice.
    """
    return bool(tracker.latest_action_name == form_name
                and tracker.active_loop_name == form_name)


def yes_or_no(tracker: Tracker, slot: str) -> dict[str, Any]:
    """The answer to a yes/no question the form asked for `slot`: affirm → True, deny → False."""
    if tracker.get_slot("requested_slot") != slot:
        return {}
    answers = {"affirm": True, "deny": False}
    intent = intent_of(tracker)
    return {slot: answers[intent]} if intent in answers else {}


def now_utc() -> datetime:
    return datetime.now(UTC)


def client_zone(tracker: Tracker, platform: PlatformClient) -> tzinfo:
    """The verified client's own time zone (the platform's client record), for every time shown
    and every time read ("tomorrow" is the client's tomorrow); UTC when signed out or unknown."""
    client_id = verified_client_id(tracker)
    if not client_id:
        return UTC
    record = memo(tracker, ("client", client_id), lambda: platform.get_client(client_id))
    return zone_of(record.get("time_zone"))


def told_zone(tracker: Tracker, platform: PlatformClient) -> tzinfo:
    """The client's zone for words that must go out even when the platform can't answer (the
    team's hours in a safety reply): UTC, named, when signed out or it can't be learned."""
    if not client_id_of(tracker):
        return UTC
    try:
        return client_zone(tracker, platform)
    except PlatformError:
        return UTC


def now_local(tracker: Tracker, platform: PlatformClient) -> datetime:
    """Now, in the client's zone: what "today", "tomorrow" and "next week" are read against."""
    return datetime.now(client_zone(tracker, platform))


def payload(intent: str, **entities: Any) -> str:
    """`/inform{"booking_professional_id":"p-sara"}`."""
    if not entities:
        return f"/{intent}"
    return f"/{intent}{json.dumps(entities, separators=(',', ':'), ensure_ascii=False)}"


def button(title: str, intent: str, **entities: Any) -> dict[str, str]:
    return {"title": title, "payload": payload(intent, **entities)}


# -- the messages ----------------------------------------------------------------------------

def sign_in_message(support: SupportSettings) -> str:
    return (
        "I can't see your account in this chat, so I can't look that up for you. Please sign in "
        f"at {support.sign_in_url} and open the chat from your client dashboard; then I'll "
        "know it's you."
    )


def link_instructions(support: SupportSettings) -> str:
    return (
        "Your account isn't linked to this chat yet, so I can't look that up for you. To link "
        f"it, open your client dashboard ({support.sign_in_url}), choose \"Link Slack or "
        "Telegram\", and send me the six-digit code it shows, like this: link 123456"
    )


def in_shared_chat(tracker: Tracker) -> bool:
    """A group chat or a channel, where others read along (the gateway says so)."""
    return tracker.get_slot(PRIVATE) is False


def refuse_account_question(dispatcher: CollectingDispatcher, tracker: Tracker,
                            support: SupportSettings) -> bool:
    """Say why the account can't be looked up here, and True; False when it can.

    A shared chat: "private chat only" (for the asker only). No verified client: on Slack and
    Telegram how to link the account, in the widget how to sign in.
    """
    if in_shared_chat(tracker):
        dispatcher.utter_message(text=PRIVATE_CHAT_ONLY, **{PRIVATE_ONLY: True})
        return True
    if client_id_of(tracker):
        return False
    if tracker.get_slot("channel") in LINKED_CHANNELS:
        dispatcher.utter_message(text=link_instructions(support))
    else:
        sign_in(dispatcher, support)
    return True


def person_offer(support: SupportSettings, zone: tzinfo = UTC) -> str:
    return f"talk to a person: {support.email}, {support.hours_in(zone)}"


def apologise(dispatcher: CollectingDispatcher, support: SupportSettings,
              unexpected: bool = False) -> None:
    """The one apology for a platform we can't reach (or a fault of ours), with a way out.

    After the platform apology (not after a fault of ours) also return `platform_trouble(...)`:
    it records why a person may be asked for next.
    """
    first = "Sorry, something went wrong on my side." if unexpected else UNAVAILABLE
    dispatcher.utter_message(
        text=f"{first} Please try again in a few minutes — or {person_offer(support)}.",
        buttons=[HUMAN_BUTTON],
    )


def platform_trouble(tracker: Tracker) -> list[EventType]:
    """The slot event that goes with the platform apology (a safety concern stays first)."""
    if tracker.get_slot(HANDOFF_REASON) == SAFETY:
        return []
    return [SlotSet(HANDOFF_REASON, PLATFORM_UNAVAILABLE)]


FORM_SLOTS = ("booking_professional_id", "booking_service_id", "booking_start", "booking_confirmed",
              "cancel_booking_id", "cancel_confirmed")


def live_handoff_available(tracker: Tracker) -> bool:
    """True when the conversation came through the gateway, which can queue it for a person."""
    return tracker.get_slot("live_handoff") is True


def record_activity(dispatcher: CollectingDispatcher, tracker: Tracker, line: str) -> None:
    """Say what the action did, in words ("Showed credits: 0 of 6 left"), for the team: through
    the gateway it becomes an internal activity line of the console's transcript and handover
    summary, never shown to the client. Other clients of Rasa get nothing."""
    if live_handoff_available(tracker):
        dispatcher.utter_message(json_message={"activity": line})


def hand_off(dispatcher: CollectingDispatcher, reason: str, priority: str) -> list[EventType]:
    """Ask the gateway to queue this conversation for a person; the bot pauses until resumed."""
    dispatcher.utter_message(json_message={"handoff": {"reason": reason, "priority": priority}})
    return [ConversationPaused()]


def end_any_form(tracker: Tracker) -> list[EventType]:
    if not tracker.active_loop_name:
        return []
    warned = [SlotSet(CANCEL_LATE_WARNED, None)] if tracker.get_slot(CANCEL_LATE_WARNED) else []
    return ([SlotSet(slot, None) for slot in FORM_SLOTS] + warned
            + [SlotSet("requested_slot", None), ActiveLoop(None)])


def sign_in(dispatcher: CollectingDispatcher, support: SupportSettings) -> None:
    dispatcher.utter_message(text=sign_in_message(support))


# -- the wrapper -----------------------------------------------------------------------------

def account_action(*, needs_client: bool = True,
                   on_failure: Iterable[EventType] = ()) -> Callable[[RunBody[A]], AsyncRun[A]]:
    """Decorate a synchronous `run`: sign-in check, worker thread, apology on failure.

    `on_failure` are the events returned after the sign-in message or an apology (for example
    `END_FORM_REQUEST` in a form's ask action, so the form ends instead of waiting).
    """
    failure_events = list(on_failure)

    def decorate(body: RunBody[A]) -> AsyncRun[A]:
        @functools.wraps(body)
        async def run(self: A, dispatcher: CollectingDispatcher, tracker: Tracker,
                      domain: DomainDict) -> list[EventType]:
            if needs_client and refuse_account_question(dispatcher, tracker, self.support):
                return list(failure_events)
            try:
                return await asyncio.to_thread(body, self, dispatcher, tracker, domain) or []
            except Exception as exc:  # noqa: BLE001 - the one place that turns faults into words
                if isinstance(exc, PlatformUnavailable) and live_handoff_available(tracker):
                    # A trigger of the handoff: the platform fails, so a person takes over.
                    report_failure(dispatcher, self.support, tracker, self.name(), exc,
                                   person_joins=True)
                    return end_any_form(tracker) + hand_off(
                        dispatcher, PLATFORM_UNAVAILABLE, "normal")
                events = report_failure(dispatcher, self.support, tracker, self.name(), exc)
                return list(failure_events) + events

        return run

    return decorate


def report_failure(dispatcher: CollectingDispatcher, support: SupportSettings, tracker: Tracker,
                   action_name: str, exc: Exception,
                   person_joins: bool = False) -> list[EventType]:
    """Apologise to the user and log the fault without personal data (ids and classes only).

    Returns the events that record the apology (`platform_trouble`); none when a person joins
    at once (the handoff itself carries the reason) or after a fault of ours.
    """
    if isinstance(exc, PlatformUnavailable):
        logger.warning("%s: platform unavailable (%s)", action_name, type(exc).__name__)
        if person_joins:
            dispatcher.utter_message(text=(
                f"{UNAVAILABLE} I've asked a person from the Customer Success team to help you "
                "here; they'll reply in this chat."))
            return []
        apologise(dispatcher, support)
        return platform_trouble(tracker)
    if isinstance(exc, PlatformRejected):
        logger.error("%s: platform rejected a call (%s %s %s)", action_name,
                     type(exc).__name__, exc.status, exc.code)
        apologise(dispatcher, support)
        return platform_trouble(tracker)
    logger.error("%s: unexpected %s", action_name, type(exc).__name__)
    logger.debug("%s: traceback", action_name, exc_info=exc)
    apologise(dispatcher, support, unexpected=True)
    return []


class AccountFormValidation(UsesServices, FormValidationAction):
    """A form's validation that needs the client's account: it acts only in the form's own call
    (Rasa 3.6 calls it twice a turn), runs off the event loop, and ends the form with a sign-in
    message or an apology instead of ever going silent.

    Subclasses give `end_form()` and may give `precheck()` (events that end the form early).
    """

    @abstractmethod
    def end_form(self) -> list[EventType]:
        """The events that end this form at once."""

    def precheck(self, dispatcher: CollectingDispatcher,
                 tracker: Tracker) -> list[EventType] | None:
        return None

    async def run(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if not is_form_validation_call(tracker, self.form_name()):
            return []
        return await asyncio.to_thread(self._validate, dispatcher, tracker, domain)

    def _validate(self, dispatcher: CollectingDispatcher, tracker: Tracker,
                  domain: DomainDict) -> list[EventType]:
        if refuse_account_question(dispatcher, tracker, self.support):
            return self.end_form()
        try:
            early = self.precheck(dispatcher, tracker)
            if early is not None:
                return early
            events: list[EventType] = asyncio.run(super().run(dispatcher, tracker, domain))
            return events
        except Exception as exc:  # noqa: BLE001 - apologise and end the form, never go silent
            return self.end_form() + report_failure(dispatcher, self.support, tracker,
                                                    self.name(), exc)
