"""The two small types that cross the channel boundary: IncomingMessage in, Reply out.

Platform SDK types never leave `channels/`; everything past an adapter speaks these.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, Literal

Channel = Literal["line", "telegram"]
Lang = Literal["th", "ja", "en"]
LANGS: tuple[Lang, ...] = ("th", "ja", "en")


def from_hint(hint: str | None) -> Lang | None:
    """A platform language setting such as 'ja', 'th-TH' or 'en-US', if it is one of ours."""
    if not hint:
        return None
    code = hint.split("-")[0].split("_")[0].lower()
    for lang in LANGS:
        if code == lang:
            return lang
    return None


def parse_start_command(text: str) -> tuple[bool, str | None]:
    """Telegram's `/start` (also `/start@bot`): (is it one, its deep-link payload or None)."""
    command, _, payload = text.strip().partition(" ")
    if command.split("@", 1)[0] != "/start":
        return False, None
    return True, payload.strip() or None


class Kind(StrEnum):
    TEXT = "text"
    POSTBACK = "postback"  # a button press: LINE postback, Telegram callback_query
    FOLLOW = "follow"  # LINE follow; Telegram /start (with an optional deep-link payload)
    UNFOLLOW = "unfollow"  # LINE unfollow; Telegram: the user blocked the bot
    LOCATION = "location"
    STICKER = "sticker"
    IMAGE = "image"
    FILE = "file"


@dataclass(frozen=True)
class Location:
    latitude: float
    longitude: float
    title: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class Sticker:
    package_id: str
    sticker_id: str


@dataclass(frozen=True)
class Media:
    """An image or a file the user sent; `media_id` is the platform's id to fetch it."""

    media_id: str
    file_name: str | None = None
    size: int | None = None


@dataclass(frozen=True)
class IncomingMessage:
    channel: Channel
    event_id: str  # LINE webhookEventId, Telegram update_id: the deduplication key
    user_id: str  # the person, stable per channel
    chat_id: str  # where to answer: the user, or a LINE group/room, or a Telegram chat
    kind: Kind
    timestamp: datetime
    text: str | None = None
    postback: str | None = None  # button data for Kind.POSTBACK
    start_payload: str | None = None  # Telegram deep link (/start PAYLOAD)
    location: Location | None = None
    sticker: Sticker | None = None
    media: Media | None = None
    lang_hint: str | None = None  # the client's language setting, when the platform says
    is_group: bool = False
    reply_token: str | None = None  # LINE: the event's reply token
    callback_query_id: str | None = None  # Telegram: the callback query to answer
    edited: bool = False

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind.value
        data["timestamp"] = self.timestamp.isoformat()
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> IncomingMessage:
        data = dict(data)
        data["kind"] = Kind(data["kind"])
        data["timestamp"] = datetime.fromisoformat(data["timestamp"])
        if data.get("location"):
            data["location"] = Location(**data["location"])
        if data.get("sticker"):
            data["sticker"] = Sticker(**data["sticker"])
        if data.get("media"):
            data["media"] = Media(**data["media"])
        return cls(**data)


@dataclass(frozen=True)
class Button:
    label: str  # shown to the user; adapters shorten it to the platform's limit
    data: str  # postback data; short, ASCII, stable (adapters keep Telegram's 64 bytes)
    url: str | None = None  # a link button instead of a postback when set


@dataclass(frozen=True)
class Card:
    """One card of a carousel: LINE Flex bubble, Telegram message with inline buttons."""

    title: str
    body: str
    buttons: tuple[Button, ...] = ()
    subtitle: str | None = None
    footer: str | None = None


@dataclass(frozen=True)
class Reply:
    text: str
    buttons: tuple[Button, ...] = ()
    cards: tuple[Card, ...] = ()
    lang: Lang = "en"

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Reply:
        return cls(
            text=data["text"],
            buttons=tuple(Button(**b) for b in data.get("buttons", ())),
            cards=tuple(
                Card(
                    title=c["title"],
                    body=c["body"],
                    buttons=tuple(Button(**b) for b in c.get("buttons", ())),
                    subtitle=c.get("subtitle"),
                    footer=c.get("footer"),
                )
                for c in data.get("cards", ())
            ),
            lang=data.get("lang", "en"),
        )


@dataclass
class Conversation:
    """What the dialogue manager needs to know about one user; persisted by bot.state."""

    channel: Channel
    user_id: str
    lang: Lang | None = None  # last language used
    lang_chosen: bool = False  # the user picked a language: it wins over detection
    flow: str | None = None  # the active flow (e.g. a registration form), if any
    data: dict[str, Any] = field(default_factory=dict)  # flow-owned state, JSON-serialisable
    blocked: bool = False  # the user unfollowed or blocked the bot
