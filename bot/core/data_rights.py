"""The client's data rights, answered by the gateway itself while the assistant has the
conversation (on every channel; Rasa never sees these messages):

- "send me my chat history" (bot/core/data_requests.py, many phrasings): a copy of every
  conversation of theirs on every channel (bot/core/client_data.py), JSON and readable text,
  e-mailed to their own address by the platform (`POST /clients/{id}/data-export`);
- "delete my chat history": first a question with *Yes, erase them* / *Keep them*; *Yes* (only
  right after that question) erases every conversation of theirs (bot/core/erasure.py), the
  Rasa trackers too, and says so.

Only for a verified client (a signed-in widget, a linked Slack or Telegram account) in a private
chat: signed out, it says how to sign in; in a shared chat, to ask in a private one.

Each answer is stored in the transaction that marks the message routed, once also when the store
loses its connection while committing it (turn_end.py): that transaction runs again, the copy is
not e-mailed again.
"""
from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import UTC, datetime

import anyio.to_thread
from sqlalchemy import select
from sqlalchemy.orm import Session

from bot.core import texts
from bot.core.client_data import ClientExport, export_for
from bot.core.data_requests import ERASE_CONFIRM, ERASE_KEEP, DataRequest, read_request
from bot.core.erasure import Erasure
from bot.core.handoff_states import ZoneLookup
from bot.core.turn import Turn
from bot.core.turn_end import AlreadyRouted, end_turn, tracked_turn_conversation
from bot.core.unit_of_work import ChangeSet, UnitOfWork
from bot.store import conversations as store
from bot.store.models import Kind, Message, Sender, now_utc
from platform_api import PlatformClient, PlatformError

log = logging.getLogger("bot.core.data_rights")

ERASE_BUTTONS = [{"title": "Yes, erase them", "payload": ERASE_CONFIRM},
                 {"title": "Keep them", "payload": ERASE_KEEP}]
SIGN_IN_FIRST = ("I can send you your conversations, or erase them, once I know it's you: ask me "
                 "in the chat on your dashboard while you're signed in, or link this chat account "
                 "to your client account first (type \"link\" to see how).")
PRIVATE_CHAT = "Please ask me that in a private chat with me: others can read this one."
EXPORT_SENT = ("I've e-mailed a copy of your {count} with us, on every channel, to {email}: a "
               "readable text and a JSON file. Internal notes of our team are not part of it.")
EXPORT_FAILED = ("Sorry, I couldn't send the copy of your conversations right now. Please try "
                 "again in a few minutes, or talk to a person from our Customer Success team.")
ERASE_ASK = ("Do you want me to erase all your conversations with us, on every channel (the chat "
             "on your dashboard, Slack, Telegram)? Your messages and our answers are removed for "
             "good and can't be brought back; only a note that they were erased stays.")
ERASED = ("Done: I erased {count} of yours, on every channel. What you write from now on is "
          "kept as usual.")
ERASE_FAILED = ("Sorry, I couldn't erase your conversations right now; nothing was erased. Please "
                "try again in a few minutes.")
KEPT = "All right, nothing was erased."
ERASE_NOT_ASKED = ("To erase your conversations, ask me (\"delete my chat history\") and confirm "
                   "when I ask.")


def conversations_word(count: int) -> str:
    return f"{count} conversation{'s' if count != 1 else ''}"


class DataRights:
    def __init__(self, unit_of_work: UnitOfWork, erasure: Erasure, platform: PlatformClient,
                 clock: Callable[[], datetime] = now_utc,
                 zones: ZoneLookup | None = None) -> None:
        self.unit_of_work = unit_of_work
        self.erasure = erasure
        self.platform = platform
        self.clock = clock
        self.zones = zones  # the client's zone, for the export's readable times

    def __repr__(self) -> str:
        return f"DataRights(erasure={self.erasure!r})"

    async def answer(self, turn: Turn) -> bool:
        """True when the message was a data request and is answered (its turn over)."""
        if turn.payload in (ERASE_CONFIRM, ERASE_KEEP):
            request: DataRequest | str = turn.payload
        else:
            found = read_request(turn.text) if turn.kind == Kind.TEXT else None
            if found is None:
                return False
            request = found
        if turn.shared:
            await self._say(turn, PRIVATE_CHAT)
        elif turn.client_id is None:
            await self._say(turn, SIGN_IN_FIRST)
        elif request == DataRequest.EXPORT:
            await self._export(turn, turn.client_id)
        elif request == DataRequest.ERASE:
            await self._say(turn, ERASE_ASK, ERASE_BUTTONS)
        elif request == ERASE_KEEP:
            await self._say(turn, KEPT)
        else:
            await self._erase(turn, turn.client_id)
        return True

    async def _export(self, turn: Turn, client_id: str) -> None:
        now = self.clock()
        zone = await self.zones(client_id) if self.zones is not None else UTC
        export: ClientExport = await self.unit_of_work.db.run(
            lambda session: export_for(session, client_id, now, zone))
        try:
            sent_to = await anyio.to_thread.run_sync(
                self.platform.send_data_export, client_id, export.json_text, export.readable,
                export.conversations)
        except PlatformError as exc:
            log.warning("conversation %s: data export not sent (%s)", turn.conversation_id,
                        type(exc).__name__)
            await self._say(turn, EXPORT_FAILED, [texts.HUMAN_BUTTON])
            return
        log.info("conversation %s: data export sent", turn.conversation_id)
        await self._say(turn, EXPORT_SENT.format(
            count=conversations_word(export.conversations), email=sent_to))

    async def _erase(self, turn: Turn, client_id: str) -> None:
        asked = await self.unit_of_work.db.run(lambda session: _just_asked(session, turn))
        if not asked:
            await self._say(turn, ERASE_NOT_ASKED)
            return

        def work(session: Session, changes: ChangeSet) -> None:
            conversation = tracked_turn_conversation(session, changes, turn)
            erased = self.erasure.erase_client(session, client_id, turn.address.channel,
                                               self.clock())
            for message in session.scalars(select(Message).where(
                    Message.conversation_id == conversation.id)):
                changes.message(conversation, message)
            changes.message(conversation, store.add_message(
                session, conversation, Sender.BOT,
                ERASED.format(count=conversations_word(erased.conversations))))

        try:
            await end_turn(self.unit_of_work, turn, work)
        except AlreadyRouted:
            raise
        except Exception as exc:  # noqa: BLE001 - the tracker store or the database failed
            log.warning("conversation %s: erasure failed (%s)", turn.conversation_id,
                        type(exc).__name__)
            await self._say(turn, ERASE_FAILED)
            return
        log.info("conversation %s: the client's conversations were erased", turn.conversation_id)

    async def _say(self, turn: Turn, text: str,
                   buttons: list[dict[str, str]] | None = None) -> None:
        def work(session: Session, changes: ChangeSet) -> None:
            conversation = tracked_turn_conversation(session, changes, turn)
            changes.message(conversation, store.add_message(
                session, conversation, Sender.BOT, text, buttons=buttons or []))

        await end_turn(self.unit_of_work, turn, work)


def _just_asked(session: Session, turn: Turn) -> bool:
    """The assistant's latest message before this one asked whether to erase."""
    pressed = store.get_message(session, turn.message_id)
    if pressed is None:
        return False
    latest = session.scalars(
        select(Message).where(Message.conversation_id == turn.conversation_id,
                              Message.sender == Sender.BOT, Message.seq < pressed.seq)
        .order_by(Message.seq.desc()).limit(1)).first()
    return latest is not None and any(b.get("payload") == ERASE_CONFIRM for b in latest.buttons)
