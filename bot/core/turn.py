"""A turn: one client message being answered, with what the answer needs to know about it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.channel_seam import ChannelAddress
from bot.store import conversations as store
from bot.store.models import Kind, Mode
from textguards.risk_phrases import risk_kind

CARD_NUMBER_INTENT = "/card_number_shared"  # what Rasa's own guard turns such a message into
SELF_HARM_INTENT = "/self_harm"  # what Rasa is sent instead of a message that speaks of risk


@dataclass(frozen=True)
class Turn:
    """Read from the store when the turn starts."""

    address: ChannelAddress
    mode: Mode
    client_id: str | None
    rasa_paused: bool
    message_id: str
    kind: Kind
    text: str
    payload: str | None
    # The message may have reached Rasa already: its turn was begun by a gateway that stopped
    # (or by another replica) before it ended. Rasa's tracker is read before it is sent again.
    maybe_sent: bool = False
    # A group chat or channel (others read along): Rasa's `metadata.private` is False.
    shared: bool = False
    # The conversation's client changed and Rasa wasn't told yet (bot/core/linked_intake.py).
    identity_stale: bool = False

    @property
    def conversation_id(self) -> str:
        return self.address.conversation_id

    def rasa_metadata(self, locale: str) -> dict[str, Any]:
        """What Rasa is sent with the message: the verified identity and where it is said
        (docs/gateway.md "Modes and routing"); `action_session_start` copies it into slots."""
        return {**self.identity_slots, "locale": locale}

    @property
    def identity_slots(self) -> dict[str, Any]:
        return identity_slots(self.client_id, self.address.channel, self.shared)

    @property
    def risk(self) -> str | None:
        """The kind of risk a clear phrase in the message speaks of (textguards.risk_phrases):
        in what the client typed, a pressed button's title or its payload."""
        return risk_kind(self.text) or risk_kind(self.payload)

    @property
    def for_rasa(self) -> str:
        """What Rasa is sent: the card refusal for a message that had a card number (its words
        are kept in the transcript, the number is not), else the payload or the text."""
        if texts.CARD_NUMBER_REMOVED in f"{self.text} {self.payload or ''}":
            return CARD_NUMBER_INTENT
        return self.payload or self.text

    @property
    def asks_for_a_person(self) -> bool:
        return self.for_rasa.strip().startswith(texts.REQUEST_HUMAN)


def read_turn(session: Session, conversation_id: str, message_id: str,
              maybe_sent: bool = False) -> Turn:
    conversation = store.get_conversation(session, conversation_id)
    message = store.get_message(session, message_id)
    if conversation is None or message is None:
        raise LookupError(conversation_id)
    address = ChannelAddress(conversation.id, conversation.channel, conversation.external_id)
    return Turn(address, conversation.mode, conversation.client_id, conversation.rasa_paused,
                message.id, message.kind, message.text, message.payload, maybe_sent,
                shared=conversation.shared, identity_stale=conversation.rasa_identity_stale)


def identity_slots(client_id: str | None, channel: str, shared: bool) -> dict[str, Any]:
    """The slots `action_session_start` sets from the gateway's metadata, as the store has them:
    who the client is (verified), the channel, that a person can take over here, and whether the
    chat is private."""
    return {"client_id": client_id, "channel": channel, "live_handoff": True,
            "private": not shared}
