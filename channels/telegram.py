"""Telegram Bot API adapter (python-telegram-bot): verify, parse, send.

Telegram does not sign bodies; the secret given to setWebhook comes back in the
X-Telegram-Bot-Api-Secret-Token header of every update, compared in constant time.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import json
import logging
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

# Opt in to python-telegram-bot's timedelta durations now, as its deprecation asks.
os.environ.setdefault("PTB_TIMEDELTA", "1")

from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, MessageEntityType, ParseMode
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest

from channels.base import Delivery, MalformedRequest, PartSent, SendError, VerificationError
from core.settings import Settings
from core.types import (
    Button,
    Card,
    Channel,
    IncomingMessage,
    Kind,
    Location,
    Media,
    Reply,
    Sticker,
    parse_start_command,
)

logger = logging.getLogger(__name__)

SECRET_HEADER = "x-telegram-bot-api-secret-token"
CALLBACK_DATA_LIMIT = 64  # bytes, Telegram's limit for callback_data
ALIAS_PREFIX = "~"
MAX_TEXT = 4096

# Stores and finds button data too long for callback_data (see inbox.models.CallbackAlias).
AliasPut = Callable[[str, str], None]
AliasGet = Callable[[str], str | None]


def callback_data_for(data: str, put_alias: AliasPut) -> str:
    """Button data that fits in 64 bytes: as is, or a short alias kept in the database."""
    if len(data.encode()) <= CALLBACK_DATA_LIMIT and not data.startswith(ALIAS_PREFIX):
        return data
    key = ALIAS_PREFIX + hashlib.sha256(data.encode()).hexdigest()[:24]
    put_alias(key, data)
    return key


class TelegramAdapter:
    name: Channel = "telegram"

    def __init__(self, settings: Settings, *, put_alias: AliasPut, get_alias: AliasGet) -> None:
        self._settings = settings
        self._put_alias = put_alias
        self._get_alias = get_alias
        self._bot: Bot | None = None
        self.username = (settings.telegram_bot_username or "").lstrip("@").lower() or None

    def missing_settings(self) -> list[str]:
        return self._settings.telegram_missing()

    def bot(self) -> Bot:
        if self._bot is None:
            base = self._settings.telegram_api_base_url.rstrip("/")
            timeout = self._settings.send_timeout_s
            self._bot = Bot(
                self._settings.telegram_bot_token or "",
                base_url=f"{base}/bot",
                base_file_url=f"{base}/file/bot",
                request=HTTPXRequest(
                    connection_pool_size=32,
                    read_timeout=timeout,
                    write_timeout=timeout,
                    connect_timeout=timeout,
                    pool_timeout=timeout,
                ),
            )
        return self._bot

    async def start(self) -> None:
        """Ask getMe for the bot's @username (needed to see mentions in groups)."""
        if self.username:
            return
        try:
            me = await self.bot().get_me()
        except TelegramError as exc:
            logger.error(
                "Telegram getMe failed (%s): check TELEGRAM_BOT_TOKEN and TELEGRAM_API_BASE_URL; "
                "in groups the bot will answer /commands only",
                type(exc).__name__,
            )
            return
        self.username = (me.username or "").lower() or None

    # -- verify ---------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = headers.get(SECRET_HEADER)
        if not given:
            raise VerificationError(401, "Missing X-Telegram-Bot-Api-Secret-Token header.")
        expected = self._settings.telegram_webhook_secret or ""
        if not hmac.compare_digest(expected.encode(), given.encode()):
            raise VerificationError(403, "X-Telegram-Bot-Api-Secret-Token does not match.")

    # -- parse ----------------------------------------------------------------------

    def parse(self, body: bytes) -> Sequence[IncomingMessage]:
        try:
            data = json.loads(body.decode("utf-8"))
            if not isinstance(data, dict) or "update_id" not in data:
                raise ValueError("no update_id")
            update = Update.de_json(data, None)
        except Exception as exc:
            raise MalformedRequest(f"not a Telegram update: {type(exc).__name__}") from exc
        try:
            msg = self._normalise(update)
        except Exception:
            logger.warning("Telegram update %s could not be read; skipped", update.update_id)
            return []
        return [msg] if msg is not None else []

    def _normalise(self, update: Update) -> IncomingMessage | None:
        event_id = str(update.update_id)
        if update.callback_query is not None:
            query = update.callback_query
            message = query.message
            chat_id = str(message.chat.id) if message is not None else str(query.from_user.id)
            data = query.data or ""
            if data.startswith(ALIAS_PREFIX):
                data = self._get_alias(data) or ""
            return IncomingMessage(
                channel="telegram",
                event_id=event_id,
                user_id=str(query.from_user.id),
                chat_id=chat_id,
                kind=Kind.POSTBACK,
                timestamp=datetime.now(UTC),
                postback=data,
                lang_hint=query.from_user.language_code,
                is_group=message is not None and message.chat.type != ChatType.PRIVATE,
                callback_query_id=query.id,
            )
        if update.my_chat_member is not None:
            member = update.my_chat_member
            if member.chat.type != ChatType.PRIVATE:
                logger.info("Telegram my_chat_member in a group skipped")
                return None
            status = member.new_chat_member.status
            kind = (
                Kind.UNFOLLOW
                if status in (ChatMemberStatus.BANNED, ChatMemberStatus.LEFT)
                else None
            )
            if (
                status == ChatMemberStatus.MEMBER
                and member.old_chat_member.status == ChatMemberStatus.BANNED
            ):
                kind = Kind.FOLLOW  # unblocked: greet again
            if kind is None:
                return None
            return IncomingMessage(
                channel="telegram",
                event_id=event_id,
                user_id=str(member.from_user.id),
                chat_id=str(member.chat.id),
                kind=kind,
                timestamp=member.date,
                lang_hint=member.from_user.language_code,
            )
        message = update.message or update.edited_message
        if message is None:
            logger.info("Telegram update of an unhandled type skipped")
            return None
        return self._message(event_id, message, edited=update.edited_message is not None)

    def _message(self, event_id: str, message: Message, *, edited: bool) -> IncomingMessage | None:
        user = message.from_user
        if user is None or user.is_bot:
            return None
        is_group = message.chat.type != ChatType.PRIVATE
        base: dict[str, Any] = {
            "channel": "telegram",
            "event_id": event_id,
            "user_id": str(user.id),
            "chat_id": str(message.chat.id),
            "timestamp": message.date,
            "lang_hint": user.language_code,
            "is_group": is_group,
            "edited": edited,
        }
        text = message.text
        if text is not None:
            if is_group:
                addressed, text = self._addressed_in_group(message)
                if not addressed:
                    return None
            is_start, payload = parse_start_command(text)
            if is_start:
                return IncomingMessage(kind=Kind.FOLLOW, start_payload=payload, **base)
            return IncomingMessage(kind=Kind.TEXT, text=text, **base)
        if is_group:
            return None
        if message.location is not None:
            loc = Location(latitude=message.location.latitude, longitude=message.location.longitude)
            return IncomingMessage(kind=Kind.LOCATION, location=loc, **base)
        if message.sticker is not None:
            sticker = Sticker(
                package_id=message.sticker.set_name or "", sticker_id=message.sticker.file_unique_id
            )
            return IncomingMessage(kind=Kind.STICKER, sticker=sticker, **base)
        if message.photo:
            photo = message.photo[-1]
            return IncomingMessage(
                kind=Kind.IMAGE, media=Media(media_id=photo.file_id, size=photo.file_size), **base
            )
        if message.document is not None:
            doc = message.document
            media = Media(media_id=doc.file_id, file_name=doc.file_name, size=doc.file_size)
            return IncomingMessage(kind=Kind.FILE, media=media, **base)
        logger.info("Telegram message without a handled content type skipped")
        return None

    def _addressed_in_group(self, message: Message) -> tuple[bool, str]:
        text = message.text or ""
        if text.startswith("/"):
            command, _, rest = text.partition(" ")
            name, _, target = command.partition("@")
            if target and self.username and target.lower() != self.username:
                return False, text  # a command for another bot
            return True, f"{name} {rest}".strip()
        if self.username:
            for entity in message.entities:
                if entity.type == MessageEntityType.MENTION:
                    mentioned = message.parse_entity(entity).lstrip("@").lower()
                    if mentioned == self.username:
                        stripped = text.replace(message.parse_entity(entity), "", 1).strip()
                        return True, stripped
        reply_to = message.reply_to_message
        replied_to_us = (
            reply_to is not None
            and reply_to.from_user is not None
            and reply_to.from_user.is_bot
            and bool(self.username)
            and (reply_to.from_user.username or "").lower() == self.username
        )
        if replied_to_us:
            return True, text
        return False, text

    # -- render and send ------------------------------------------------------------

    def render(self, replies: Sequence[Reply]) -> list[tuple[str, InlineKeyboardMarkup | None]]:
        """Each reply becomes messages of (HTML text, inline keyboard): the text that
        introduces the cards first, as on LINE, then the cards; the reply's own buttons
        ride on the last message (below the last card's own buttons)."""
        out: list[tuple[str, InlineKeyboardMarkup | None]] = []
        for reply in replies:
            chunks = _split(html.escape(reply.text, quote=False), MAX_TEXT)
            for i, chunk in enumerate(chunks):
                last = i == len(chunks) - 1 and not reply.cards
                out.append((chunk, self._keyboard(reply.buttons) if last else None))
            for i, card in enumerate(reply.cards):
                buttons = list(card.buttons)
                if i == len(reply.cards) - 1:
                    own = {(b.data, b.url) for b in buttons}
                    buttons += [b for b in reply.buttons if (b.data, b.url) not in own]
                out.append((_card_html(card), self._keyboard(buttons)))
        return out

    def _keyboard(self, buttons: Sequence[Button]) -> InlineKeyboardMarkup | None:
        if not buttons:
            return None
        keys = [
            InlineKeyboardButton(b.label, url=b.url)
            if b.url
            else InlineKeyboardButton(
                b.label, callback_data=callback_data_for(b.data, self._put_alias)
            )
            for b in buttons
        ]
        # Short labels two to a row, long ones alone, as Telegram users expect.
        rows: list[list[InlineKeyboardButton]] = []
        for key in keys:
            if rows and len(rows[-1]) == 1 and len(rows[-1][0].text) <= 14 and len(key.text) <= 14:
                rows[-1].append(key)
            else:
                rows.append([key])
        return InlineKeyboardMarkup(rows)

    async def send(self, delivery: Delivery, on_part_sent: PartSent) -> None:
        bot = self.bot()
        parts = self.render(delivery.replies)
        offset = 0
        if delivery.callback_query_id:
            # Part 0 answers the button press so the client stops its spinner.
            offset = 1
            if delivery.parts_sent < 1:
                try:
                    await bot.answer_callback_query(delivery.callback_query_id)
                except BadRequest:
                    logger.info("Telegram callback query too old to answer; continuing")
                except TelegramError as exc:
                    raise _send_error(exc) from exc
                await on_part_sent(1, len(parts) + offset)
        for index in range(max(delivery.parts_sent - offset, 0), len(parts)):
            text, keyboard = parts[index]
            try:
                await bot.send_message(
                    chat_id=delivery.chat_id,
                    text=text,
                    parse_mode=ParseMode.HTML,
                    reply_markup=keyboard,
                    disable_web_page_preview=True,
                )
            except TelegramError as exc:
                raise _send_error(exc) from exc
            await on_part_sent(index + offset + 1, len(parts) + offset)

    async def set_webhook(self, url: str, secret: str) -> bool:
        return await self.bot().set_webhook(
            url=url,
            secret_token=secret,
            allowed_updates=["message", "edited_message", "callback_query", "my_chat_member"],
        )

    async def close(self) -> None:
        if self._bot is not None:
            await self._bot.shutdown()
            self._bot = None


def _send_error(exc: TelegramError) -> SendError:
    if isinstance(exc, RetryAfter):
        after = exc.retry_after
        seconds = after.total_seconds() if isinstance(after, timedelta) else float(after)
        return SendError("Telegram asked to retry later (429)", retryable=True, retry_after=seconds)
    if isinstance(exc, TimedOut):
        return SendError("Telegram request timed out", retryable=True)
    if isinstance(exc, Forbidden):
        return SendError("Telegram refused: the user blocked the bot or left", retryable=False)
    if isinstance(exc, BadRequest):
        return SendError(f"Telegram rejected the message: {exc.message}", retryable=False)
    if isinstance(exc, NetworkError):
        return SendError(f"Telegram unreachable or failing: {type(exc).__name__}", retryable=True)
    return SendError(f"Telegram error: {type(exc).__name__}", retryable=False)


def _card_html(card: Card) -> str:
    lines = [f"<b>{html.escape(card.title, quote=False)}</b>"]
    if card.subtitle:
        lines.append(f"<i>{html.escape(card.subtitle, quote=False)}</i>")
    lines.append(html.escape(card.body, quote=False))
    if card.footer:
        lines.append(html.escape(card.footer, quote=False))
    return _split("\n".join(lines), MAX_TEXT)[0]


def _split(text: str, limit: int) -> list[str]:
    if len(text) <= limit:
        return [text]
    chunks = []
    while text:
        cut = text.rfind("\n", 0, limit)
        cut = cut if cut > 0 else limit
        chunks.append(text[:cut])
        text = text[cut:].lstrip("\n")
    return chunks
