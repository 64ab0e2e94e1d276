"""The Telegram channel: the assistant in a private chat with the bot, or in a group it is in.

Inbound, an update (from the gateway's webhook, bot/gateway/telegram_api.py, or from polling) is
read with python-telegram-bot's own `Update.de_json` and handed to the core's linked intake
(bot/core/linked_intake.py) as an `ExternalInbound`:
- a private chat is one conversation (external id: the chat id); in a group each member's talk
  with the bot is its own conversation (external id `<chat id>:<user id>`), answered in the group,
  replying to the member's latest message there, and the core keeps account answers out of it
  (`private=False`);
- typed text goes as text (a group's `@bot` mention and a command's `@bot` suffix removed;
  `/start <code>` and `link <code>` as they are: the core handles link commands; a bare `/start`,
  Telegram's "the user opened the chat", as a greeting); a pressed button is answered at once
  (`answerCallbackQuery`) and goes as its payload and title;
- the update id is the message's `client_message_id` (`tg:<update_id>`): the same update twice is
  stored and answered once;
- a sticker, photo, voice note, document or any other non-text message gets "I can only read text
  here" and nothing reaches the core.

Outbound, `TelegramDelivery` is the channel's `ClientDelivery`: what the client may see (the
assistant's and an agent's replies; never the client's own messages back) as Telegram HTML,
split to fit (bot/channels/telegram_text.py), buttons as an inline keyboard
(bot/channels/telegram_buttons.py), typing as `sendChatAction`; all of it queued and sent in
order per chat by bot/channels/telegram_outbox.py. The library's rate limiter (AIORateLimiter)
paces every call.
"""
from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections import OrderedDict
from typing import Any

from telegram import Bot, Chat, Message, ReplyParameters, Update, User
from telegram.constants import ChatAction, ChatType, ParseMode
from telegram.error import InvalidToken, TelegramError
from telegram.ext import AIORateLimiter, ExtBot, Updater

from bot.channels.telegram_buttons import CallbackKeys
from bot.channels.telegram_outbox import Call, TelegramOutbox
from bot.channels.telegram_text import message_parts
from bot.config import TelegramSettings
from bot.core.channel_seam import ChannelAddress, InboundMessage
from bot.core.channel_users import ChannelUser, ExternalInbound
from bot.core.linked_intake import LinkedChannelIntake

log = logging.getLogger("bot.channels.telegram")

CHANNEL = "telegram"
ONLY_TEXT = ("I can only read text here. Please type your question, and I'll do my best to "
             "help.")
BUTTON_GONE = "That button doesn't work any more: please type your answer instead."
CHOOSE = "Choose one:"  # the text of a message that has buttons but no words
GREETING = "hi"  # what a bare /start (the user opened the chat) says to the assistant
GROUP_TYPES = (ChatType.GROUP, ChatType.SUPERGROUP)
SEEN_NON_TEXT = 1000
GROUP_THREADS = 10_000  # non-text update ids remembered, so a repeat isn't answered twice
CONNECT_PAUSE_MAX = 60.0


class MalformedUpdate(ValueError):
    """The body is not a Telegram update."""


def build_bot(settings: TelegramSettings) -> ExtBot[int]:
    """The bot, pointed at the configured Bot API server, with the library's rate limiter on."""
    return ExtBot(settings.bot_token, base_url=f"{settings.api_url}/bot",
                  base_file_url=f"{settings.api_url}/file/bot",
                  rate_limiter=AIORateLimiter(max_retries=2))


def parse_update(data: Any, bot: Bot) -> Update:
    """A Telegram update from its JSON, read by the library; MalformedUpdate if it isn't one."""
    if not isinstance(data, dict) or type(data.get("update_id")) is not int:
        raise MalformedUpdate("an update is a JSON object with a whole-number update_id")
    try:
        update = Update.de_json(data, bot)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise MalformedUpdate(f"the update can't be read ({type(exc).__name__})") from exc
    if update is None:
        raise MalformedUpdate("an update is a JSON object with a whole-number update_id")
    return update


def chat_of(address: ChannelAddress) -> str:
    """The chat a conversation's replies go to: a private chat's id, or a group's (before `:`)."""
    return (address.external_id or "").split(":", 1)[0]


def external_id_of(chat: Chat, user: User) -> str:
    return str(chat.id) if chat.type == ChatType.PRIVATE else f"{chat.id}:{user.id}"


class TelegramDelivery:
    """Replies and typing to the conversation's chat, through the outbox (never blocks)."""

    def __init__(self, bot: Bot, keys: CallbackKeys, outbox: TelegramOutbox) -> None:
        self.bot = bot
        self.keys = keys
        self.outbox = outbox
        # In a group: the member's latest message, which the answers reply to (so the group sees
        # whose question it was). In memory, the latest GROUP_THREADS conversations.
        self.reply_to: OrderedDict[str, int] = OrderedDict()

    def remember(self, external_id: str, message_id: int) -> None:
        """A group member's message: the conversation's next answers reply to it."""
        self.reply_to[external_id] = message_id
        self.reply_to.move_to_end(external_id)
        while len(self.reply_to) > GROUP_THREADS:
            self.reply_to.popitem(last=False)

    def __repr__(self) -> str:
        return f"TelegramDelivery(outbox={self.outbox!r})"

    def deliver(self, to: ChannelAddress, message: dict[str, Any]) -> None:
        if message.get("sender") == "client":  # the client's own words are in their chat already
            return
        chat_id = chat_of(to)
        parts = message_parts(message)
        buttons = list(message.get("buttons") or [])
        if not parts and not buttons:
            return
        if not parts:
            parts = [CHOOSE]
        reply_to = self.reply_to.get(to.external_id or "")
        for index, part in enumerate(parts):
            last = index == len(parts) - 1
            self.outbox.put(chat_id, "sendMessage",
                            self._send(chat_id, part, buttons if last else [],
                                       reply_to if index == 0 else None),
                            to.conversation_id)

    def _send(self, chat_id: str, html: str, buttons: list[dict[str, Any]],
              reply_to: int | None) -> Call:
        async def send() -> None:
            markup = await self.keys.keyboard(buttons)
            replying = (None if reply_to is None else
                        ReplyParameters(reply_to, allow_sending_without_reply=True))
            await self.bot.send_message(chat_id, html, parse_mode=ParseMode.HTML,
                                        reply_markup=markup, reply_parameters=replying)
        return send

    def mode_changed(self, to: ChannelAddress, mode: str, agent_name: str | None = None) -> None:
        return None  # the core says what happens next in words, delivered as a message

    def typing(self, to: ChannelAddress, on: bool) -> None:
        if on:  # Telegram shows it for 5 seconds or until the next message
            chat_id = chat_of(to)
            self.outbox.put(chat_id, "sendChatAction",
                            lambda: self.bot.send_chat_action(chat_id, ChatAction.TYPING),
                            to.conversation_id)

    def say(self, chat_id: str, text: str) -> None:
        """A word from the adapter itself (not a conversation's message): plain, escaped."""
        self.outbox.put(chat_id, "sendMessage",
                        lambda: self.bot.send_message(chat_id, text))


class TelegramChannel:
    """Updates in (webhook or polling), the core's replies out (`delivery`)."""

    def __init__(self, settings: TelegramSettings, bot: ExtBot[int], keys: CallbackKeys,
                 intake: LinkedChannelIntake, outbox: TelegramOutbox | None = None) -> None:
        self.settings = settings
        self.bot = bot
        self.keys = keys
        self.intake = intake
        self.outbox = outbox or TelegramOutbox()
        self.delivery = TelegramDelivery(bot, keys, self.outbox)
        self._tasks: set[asyncio.Task[None]] = set()
        self._updater: Updater | None = None
        self._seen_non_text: OrderedDict[int, None] = OrderedDict()
        self._username: str | None = None

    def __repr__(self) -> str:
        return f"TelegramChannel(settings={self.settings!r})"

    @property
    def webhook_secret(self) -> str | None:
        return self.settings.webhook_secret if self.settings.mode == "webhook" else None

    # --- start and stop ---------------------------------------------------------------------

    def start(self, public_url: str) -> None:
        """Connect in the background (the gateway serves meanwhile): getMe, then setWebhook with
        the public URL and the secret, or polling; a Bot API that can't be reached is tried again
        with a growing pause."""
        self._spawn(self._connect(public_url))

    async def _connect(self, public_url: str) -> None:
        pause = 1.0
        while True:
            try:
                await self.bot.initialize()
                self._username = self.bot.username
                if self.settings.mode == "webhook":
                    await self.bot.set_webhook(f"{public_url}/telegram/webhook",
                                               secret_token=self.settings.webhook_secret,
                                               allowed_updates=["message", "callback_query"])
                    log.info("Telegram: webhook set at %s/telegram/webhook", public_url)
                else:
                    await self._start_polling()
                    log.info("Telegram: polling for updates")
                return
            except InvalidToken:
                log.error("Telegram refused TELEGRAM_BOT_TOKEN: copy the bot's token from "
                          "BotFather again (see README, Telegram); the channel stays off")
                return
            except TelegramError as exc:
                log.warning("Telegram: the Bot API can't be used yet (%s); trying again in "
                            "%.0f s", type(exc).__name__, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, CONNECT_PAUSE_MAX)

    async def _start_polling(self) -> None:
        queue: asyncio.Queue[object] = asyncio.Queue()
        updater = Updater(self.bot, queue)
        await updater.initialize()
        await updater.start_polling(poll_interval=0.0, timeout=10,
                                    allowed_updates=["message", "callback_query"])
        self._updater = updater
        self._spawn(self._take_polled(queue))

    async def _take_polled(self, queue: asyncio.Queue[object]) -> None:
        while True:
            update = await queue.get()
            if isinstance(update, Update):
                self.spawn(update)

    async def close(self) -> None:
        if self._updater is not None and self._updater.running:
            await self._updater.stop()
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        await self.outbox.close()
        with contextlib.suppress(TelegramError):  # nothing more to say to Telegram on the way out
            await self.bot.shutdown()

    # --- updates in -------------------------------------------------------------------------

    def parse(self, data: Any) -> Update:
        return parse_update(data, self.bot)

    def spawn(self, update: Update) -> None:
        """Handle the update in the background (the webhook is acknowledged at once)."""
        self._spawn(self.handle(update))

    def _spawn(self, work: Any) -> None:
        task = asyncio.get_running_loop().create_task(work)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def handle(self, update: Update) -> None:
        try:
            if update.callback_query is not None:
                await self._pressed(update)
            elif update.message is not None:
                await self._message(update.update_id, update.message)
        except Exception as exc:  # noqa: BLE001 - one bad update must not stop the others
            log.error("Telegram update %s not handled (%s)", update.update_id,
                      type(exc).__name__)

    async def _message(self, update_id: int, message: Message) -> None:
        chat, user = message.chat, message.from_user
        if user is None or user.is_bot or chat.type not in (ChatType.PRIVATE, *GROUP_TYPES):
            return
        if message.text is None:
            if message.effective_attachment is not None and self._first_time(update_id):
                self.delivery.say(str(chat.id), ONLY_TEXT)
            return
        text = self._plain(message.text)
        if chat.type in GROUP_TYPES:
            self.delivery.remember(external_id_of(chat, user), message.message_id)
        inbound = InboundMessage(text=text, client_message_id=f"tg:{update_id}")
        await self._receive(chat, user, inbound)

    async def _pressed(self, update: Update) -> None:
        query = update.callback_query
        assert query is not None
        pressed = await self.keys.pressed(query.data or "", _message_of(query.message))
        try:
            await query.answer(text=None if pressed is not None else BUTTON_GONE)
        except TelegramError as exc:
            log.warning("Telegram answerCallbackQuery failed (%s)", type(exc).__name__)
        chat = query.message.chat if query.message is not None else None
        pressed_on = _message_of(query.message)
        if chat is not None and chat.type == ChatType.PRIVATE and pressed_on is not None:
            self._remove_keyboard(chat.id, pressed_on.message_id)
        if pressed is None or chat is None:
            return
        inbound = InboundMessage(payload=pressed.payload, title=pressed.title,
                                 client_message_id=f"tg:{update.update_id}")
        await self._receive(chat, query.from_user, inbound)

    def _remove_keyboard(self, chat_id: int, message_id: int) -> None:
        """A choice made (or a button that no longer works pressed): the buttons go from the
        message, its words stay, so an old question can't be answered again by a stray press.
        Queued in the chat's outbox like every call (a refusal, e.g. a message too old to edit,
        is logged and dropped). Only in a private chat: in a group, a member's press must not
        take the buttons from the one they were for."""
        self.outbox.put(str(chat_id), "editMessageReplyMarkup",
                        lambda: self.bot.edit_message_reply_markup(
                            chat_id=chat_id, message_id=message_id, reply_markup=None))

    async def _receive(self, chat: Chat, user: User, inbound: InboundMessage) -> None:
        if chat.type not in (ChatType.PRIVATE, *GROUP_TYPES):
            return
        received = await self.intake.receive(ExternalInbound(
            user=ChannelUser(CHANNEL, str(user.id)),
            external_id=external_id_of(chat, user),
            private=chat.type == ChatType.PRIVATE,
            message=inbound))
        if not received.fresh:
            log.info("Telegram: conversation %s: a repeated update, already handled",
                     received.conversation_id)

    def _plain(self, text: str) -> str:
        """The text as the assistant should read it: the bot's @name gone from a group mention
        or a command, and a bare /start (the chat was opened) a greeting."""
        if self._username:
            name = re.escape(self._username)
            text = re.sub(rf"^(/\w+)@{name}\b", r"\1", text.strip(), flags=re.IGNORECASE)
            text = re.sub(rf"@{name}\b", "", text, flags=re.IGNORECASE)
        text = text.strip()
        if text.lower() in ("", "/start"):
            return GREETING
        return text

    def _first_time(self, update_id: int) -> bool:
        if update_id in self._seen_non_text:
            return False
        self._seen_non_text[update_id] = None
        while len(self._seen_non_text) > SEEN_NON_TEXT:
            self._seen_non_text.popitem(last=False)
        return True


def _message_of(maybe: Any) -> Message | None:
    """The pressed message, when Telegram still lets the bot see it."""
    return maybe if isinstance(maybe, Message) else None
