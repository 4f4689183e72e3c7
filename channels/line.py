"""LINE Messaging API adapter (line-bot-sdk v3): verify, parse, send.

Replies go with the event's reply token while it is fresh, otherwise by push with an
`X-Line-Retry-Key`, so a retried or repeated push is accepted by LINE only once.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import uuid
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

import aiohttp
from linebot.v3 import WebhookParser
from linebot.v3.messaging import (
    ApiException,
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    FlexContainer,
    FlexMessage,
    Message,
    PushMessageRequest,
    QuickReply,
    QuickReplyItem,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.messaging.models import PostbackAction, URIAction
from linebot.v3.webhooks import (
    Event,
    FileMessageContent,
    FollowEvent,
    GroupSource,
    ImageMessageContent,
    LocationMessageContent,
    MessageEvent,
    PostbackEvent,
    RoomSource,
    StickerMessageContent,
    TextMessageContent,
    UnfollowEvent,
)

from channels.base import Delivery, MalformedRequest, PartSent, SendError, VerificationError
from core.settings import Settings
from core.types import Button, Card, Channel, IncomingMessage, Kind, Location, Media, Reply, Sticker

logger = logging.getLogger(__name__)

SIGNATURE_HEADER = "x-line-signature"
MAX_MESSAGES_PER_CALL = 5
MAX_QUICK_REPLIES = 13
MAX_BUBBLES = 12
RETRY_KEY_NAMESPACE = uuid.UUID("6f1f7f4e-7a43-4e58-9a0c-4b61c6a3d2a1")


def signature(secret: str, body: bytes) -> str:
    """base64(HMAC-SHA256(channel secret, body)), as LINE puts in X-Line-Signature."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numbered(buttons: Sequence[Button]) -> str:
    return "\n".join(f"{i}. {b.label}" for i, b in enumerate(buttons, start=1))


class LineAdapter:
    name: Channel = "line"

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._secret = settings.line_channel_secret or ""
        self._parser = WebhookParser(
            self._secret or "unset", skip_signature_verification=lambda: True
        )
        self._client: AsyncApiClient | None = None
        self._api: AsyncMessagingApi | None = None

    def missing_settings(self) -> list[str]:
        return self._settings.line_missing()

    # -- verify ---------------------------------------------------------------------

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        given = headers.get(SIGNATURE_HEADER)
        if not given:
            raise VerificationError(401, "Missing X-Line-Signature header.")
        expected = signature(self._secret, body)
        if not hmac.compare_digest(expected.encode(), given.strip().encode()):
            raise VerificationError(403, "X-Line-Signature does not match the body.")

    # -- parse ----------------------------------------------------------------------

    def parse(self, body: bytes) -> Sequence[IncomingMessage]:
        try:
            events = self._parser.parse(body.decode("utf-8"), "")
        except Exception as exc:  # the SDK raises JSON, key and validation errors alike
            raise MalformedRequest(f"not a LINE webhook body: {type(exc).__name__}") from exc
        messages = []
        for event in events:
            try:
                msg = self._normalise(event)
            except Exception:  # one odd event must not drop the others
                logger.warning(
                    "LINE event of type %s could not be read; skipped", getattr(event, "type", "?")
                )
                continue
            if msg is not None:
                messages.append(msg)
        return messages

    def _normalise(self, event: Event) -> IncomingMessage | None:
        event_type = getattr(event, "type", None)
        source = getattr(event, "source", None)
        user_id = getattr(source, "user_id", None)
        event_id = getattr(event, "webhook_event_id", None)
        if not user_id or not event_id:
            logger.info("LINE %s event without user or event id skipped", event_type)
            return None
        is_group = isinstance(source, GroupSource | RoomSource)
        chat_id = (
            source.group_id
            if isinstance(source, GroupSource)
            else source.room_id
            if isinstance(source, RoomSource)
            else user_id
        )
        base: dict[str, Any] = {
            "channel": "line",
            "event_id": event_id,
            "user_id": user_id,
            "chat_id": chat_id,
            "timestamp": datetime.fromtimestamp(event.timestamp / 1000, tz=UTC),
            "is_group": is_group,
            "reply_token": getattr(event, "reply_token", None),
        }
        if isinstance(event, FollowEvent):
            return IncomingMessage(kind=Kind.FOLLOW, **base)
        if isinstance(event, UnfollowEvent):
            return IncomingMessage(kind=Kind.UNFOLLOW, **base)
        if isinstance(event, PostbackEvent):
            return IncomingMessage(kind=Kind.POSTBACK, postback=event.postback.data, **base)
        if isinstance(event, MessageEvent):
            return self._message(event, base, is_group=is_group)
        logger.info("LINE %s event skipped", event_type)
        return None

    def _message(
        self, event: MessageEvent, base: dict[str, Any], *, is_group: bool
    ) -> IncomingMessage | None:
        content = event.message
        if isinstance(content, TextMessageContent):
            text = content.text
            if is_group:
                addressed, text = _addressed_in_group(content)
                if not addressed:
                    return None
            return IncomingMessage(kind=Kind.TEXT, text=text, **base)
        if is_group:
            return None  # in groups only text addressed to the bot is ours
        if isinstance(content, LocationMessageContent):
            location = Location(
                latitude=content.latitude,
                longitude=content.longitude,
                title=content.title,
                address=content.address,
            )
            return IncomingMessage(kind=Kind.LOCATION, location=location, **base)
        if isinstance(content, StickerMessageContent):
            sticker = Sticker(package_id=content.package_id, sticker_id=content.sticker_id)
            return IncomingMessage(kind=Kind.STICKER, sticker=sticker, **base)
        if isinstance(content, ImageMessageContent):
            return IncomingMessage(kind=Kind.IMAGE, media=Media(media_id=content.id), **base)
        if isinstance(content, FileMessageContent):
            media = Media(media_id=content.id, file_name=content.file_name, size=content.file_size)
            return IncomingMessage(kind=Kind.FILE, media=media, **base)
        logger.info("LINE message of type %s skipped", getattr(content, "type", "?"))
        return None

    # -- render ---------------------------------------------------------------------

    def render(self, replies: Sequence[Reply]) -> list[Message]:
        """Text first, then the cards as a Flex carousel. Quick replies ride on the last
        message of a reply, the only place LINE shows them."""
        messages: list[Message] = []
        for reply in replies:
            text = reply.text
            buttons = list(reply.buttons)
            if len(buttons) > MAX_QUICK_REPLIES:
                # More choices than quick replies can hold: list them so a number answers.
                text = f"{text}\n\n{_numbered(buttons)}"
                buttons = buttons[:MAX_QUICK_REPLIES]
            quick_reply = _quick_reply(buttons) if buttons else None
            if reply.cards:
                messages.append(TextMessage(text=_shorten(text, 5000)))
                messages.append(_flex_carousel(reply.cards, reply.text, quick_reply))
            else:
                messages.append(TextMessage(text=_shorten(text, 5000), quickReply=quick_reply))
        return messages

    # -- send -----------------------------------------------------------------------

    def _messaging(self) -> AsyncMessagingApi:
        if self._api is None:
            configuration = Configuration(
                host=self._settings.line_api_base_url.rstrip("/"),
                access_token=self._settings.line_channel_access_token,
            )
            self._client = AsyncApiClient(configuration)
            self._api = AsyncMessagingApi(self._client)
        return self._api

    def _token_is_fresh(self, delivery: Delivery) -> bool:
        if not delivery.reply_token or delivery.event_time is None:
            return False
        age = (datetime.now(UTC) - delivery.event_time).total_seconds()
        return age < self._settings.line_reply_token_max_age_s

    async def send(self, delivery: Delivery, on_part_sent: PartSent) -> None:
        messages = self.render(delivery.replies)
        chunks = [
            messages[i : i + MAX_MESSAGES_PER_CALL]
            for i in range(0, len(messages), MAX_MESSAGES_PER_CALL)
        ]
        api = self._messaging()
        timeout = self._settings.send_timeout_s
        for index in range(delivery.parts_sent, len(chunks)):
            chunk = chunks[index]
            replied = False
            if index == 0 and self._token_is_fresh(delivery):
                replied = await self._try_reply(api, delivery.reply_token or "", chunk, timeout)
            if not replied:
                retry_key = str(uuid.uuid5(RETRY_KEY_NAMESPACE, f"{delivery.key}:{index}"))
                await self._push(api, delivery.chat_id, chunk, retry_key, timeout)
            await on_part_sent(index + 1, len(chunks))

    async def _try_reply(
        self, api: AsyncMessagingApi, token: str, chunk: list[Message], timeout: float
    ) -> bool:
        """Reply with the token; False when LINE says the token is spent or expired."""
        try:
            await api.reply_message_with_http_info(
                ReplyMessageRequest(replyToken=token, messages=chunk), _request_timeout=timeout
            )
            return True
        except ApiException as exc:
            if exc.status == 400 and "reply token" in (exc.body or "").lower():
                logger.info("LINE reply token no longer valid; pushing instead")
                return False
            error = _send_error(exc)
            if error.retryable:
                # The token may have been spent by the failed call: the push has a retry key.
                logger.warning("LINE reply failed with %s; pushing instead", exc.status)
                return False
            raise error from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            # A reply cannot be retried safely with the same token: push instead.
            logger.warning("LINE reply failed (%s); pushing instead", type(exc).__name__)
            return False

    async def _push(
        self, api: AsyncMessagingApi, to: str, chunk: list[Message], retry_key: str, timeout: float
    ) -> None:
        try:
            await api.push_message_with_http_info(
                PushMessageRequest(to=to, messages=chunk),
                x_line_retry_key=retry_key,
                _request_timeout=timeout,
            )
        except ApiException as exc:
            if exc.status == 409:
                # The retry key was already accepted: this push reached the user before.
                logger.info("LINE push already accepted for this retry key")
                return
            raise _send_error(exc) from exc
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise SendError(f"LINE push failed: {type(exc).__name__}", retryable=True) from exc

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        if self._client is not None:
            await self._client.close()
            self._client = None
            self._api = None


def _send_error(exc: ApiException) -> SendError:
    status = exc.status or 0
    retry_after = None
    headers = exc.headers or {}
    value = headers.get("Retry-After") or headers.get("retry-after")
    if value:
        try:
            retry_after = float(value)
        except ValueError:
            retry_after = None
    retryable = status == 429 or status >= 500
    return SendError(f"LINE API answered {status}", retryable=retryable, retry_after=retry_after)


def _addressed_in_group(content: TextMessageContent) -> tuple[bool, str]:
    """(is the bot mentioned or given a /command, text without the bot's mention)."""
    text = content.text or ""
    mention = content.mention
    if mention is not None:
        for mentionee in mention.mentionees or []:
            if getattr(mentionee, "is_self", False):
                start, length = mentionee.index, mentionee.length
                return True, (text[:start] + text[start + length :]).strip()
    if text.startswith("/"):
        return True, text
    return False, text


def _action(button: Button) -> PostbackAction | URIAction:
    label = _shorten(button.label, 20)
    if button.url:
        return URIAction(label=label, uri=button.url)
    return PostbackAction(label=label, data=button.data, displayText=_shorten(button.label, 300))


def _quick_reply(buttons: Sequence[Button]) -> QuickReply:
    return QuickReply(items=[QuickReplyItem(action=_action(b)) for b in buttons])


def _bubble(card: Card) -> dict[str, Any]:
    """One card as a Flex bubble: title, subtitle, body, footer and its buttons."""
    body: list[dict[str, Any]] = [
        {
            "type": "text",
            "text": _shorten(card.title, 200),
            "weight": "bold",
            "size": "md",
            "wrap": True,
        }
    ]
    if card.subtitle:
        body.append(
            {
                "type": "text",
                "text": card.subtitle,
                "size": "xs",
                "color": "#888888",
                "wrap": True,
            }
        )
    body.append(
        {
            "type": "text",
            "text": _shorten(card.body, 1000),
            "size": "sm",
            "wrap": True,
            "margin": "md",
        }
    )
    if card.footer:
        body.append(
            {
                "type": "text",
                "text": card.footer,
                "size": "xs",
                "color": "#888888",
                "wrap": True,
                "margin": "md",
            }
        )
    bubble: dict[str, Any] = {
        "type": "bubble",
        "body": {"type": "box", "layout": "vertical", "contents": body},
    }
    if card.buttons:
        bubble["footer"] = _button_box(card.buttons)
    return bubble


def _button_box(buttons: Sequence[Button]) -> dict[str, Any]:
    """A bubble's footer: its buttons stacked, the first one primary."""
    return {
        "type": "box",
        "layout": "vertical",
        "spacing": "sm",
        "contents": [
            {
                "type": "button",
                "style": "primary" if i == 0 else "secondary",
                "height": "sm",
                "action": _action(b).to_dict(),
            }
            for i, b in enumerate(buttons)
        ],
    }


def _flex_carousel(cards: Sequence[Card], alt: str, quick_reply: QuickReply | None) -> FlexMessage:
    bubbles = [_bubble(card) for card in cards[:MAX_BUBBLES]]
    # altText is what notifications and clients without Flex show: keep the choices.
    alt_lines = [alt] + [f"{i}. {c.title}" for i, c in enumerate(cards[:MAX_BUBBLES], start=1)]
    return FlexMessage(
        altText=_shorten("\n".join(alt_lines), 400),
        contents=FlexContainer.from_dict({"type": "carousel", "contents": bubbles}),
        quickReply=quick_reply,
    )
