"""What a turn of conversation is, shared by the dialogue manager and every skill.

A skill reads through the services it is given and asks for writes by returning effects,
which the runtime applies in the same transaction that stores the new conversation
state, so a crash never leaves half a turn behind.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from core.i18n import t
from core.types import Button, Channel, Conversation, IncomingMessage, Lang, Reply


@runtime_checkable
class EffectContext(Protocol):
    """What an effect may touch when the worker applies it."""

    @property
    def session(self) -> Any: ...  # sqlmodel.Session

    def notify(
        self, *, channel: Channel, user_id: str, chat_id: str, replies: Sequence[Reply]
    ) -> None:
        """Queue replies to another user (e.g. the other side of an introduction)."""


class Effect(Protocol):
    """A write the dialogue asks for; applied by the worker inside the turn's transaction."""

    def apply(self, ctx: EffectContext) -> None: ...


@dataclass
class Turn:
    """One message being handled: the conversation (mutable copy), the message, services."""

    conv: Conversation
    msg: IncomingMessage
    lang: Lang
    services: Services
    session: Any = None  # a database session for reads only; writes go through effects
    # What the typed message asks for, when the intent layer recognised one ("yes",
    # "back", "cancel", ...): skills read it instead of matching words of their own.
    intent: str | None = None
    replies: list[Reply] = field(default_factory=list)
    effects: list[Effect] = field(default_factory=list)

    def say(self, key: str, /, *, buttons: Sequence[Button] = (), **params: object) -> None:
        self.replies.append(
            Reply(text=t(key, self.lang, **params), buttons=tuple(buttons), lang=self.lang)
        )

    def reply(self, reply: Reply) -> None:
        self.replies.append(reply)

    def effect(self, effect: Effect) -> None:
        self.effects.append(effect)

    @property
    def skill_data(self) -> dict[str, Any]:
        return self.conv.data


class Skill(Protocol):
    """A feature of the conversation, registered with the dialogue manager at start-up.

    `name` is also its postback prefix ("reg:..."); the active flow's name starts with it.
    Each method answers True when the skill took the message.
    """

    name: str

    def on_postback(self, turn: Turn, data: str) -> bool:
        """Button data addressed to this skill ("name:...")."""
        ...

    def on_text(self, turn: Turn) -> bool:
        """Free text while this skill's flow is active."""
        ...

    def on_free_text(self, turn: Turn) -> bool:
        """Free text nobody else took (tried in the order the skills were registered)."""
        ...

    def reask(self, turn: Turn) -> bool:
        """After a language change mid-flow: ask the pending question again."""
        ...

    def takes_answer(self, turn: Turn, text: str) -> bool:
        """Whether `text` is a clean answer to this flow's pending choice or number step
        ("ลูกค้า, รับจ้างผลิต" at the partnership question), which a guessed intent must
        not take. Free text is never such an answer."""
        ...


@dataclass
class Services:
    """Read-only services the skills use; each is optional so the skeleton runs alone."""

    extras: dict[str, Any] = field(default_factory=dict)

    def get(self, name: str) -> Any:
        return self.extras.get(name)


@dataclass(frozen=True)
class Outcome:
    conv: Conversation
    replies: list[Reply]
    effects: list[Effect]


def main_menu_buttons(lang: Lang) -> tuple[Button, ...]:
    return (
        Button(t("menu.register", lang), "reg:start"),
        Button(t("menu.ask", lang), "kb:ask"),
        Button(t("menu.find_partners", lang), "match:find"),
        Button(t("menu.profile", lang), "reg:profile"),
        Button(t("menu.language", lang), "lang"),
        Button(t("menu.help", lang), "help"),
    )


def language_buttons() -> tuple[Button, ...]:
    return (
        Button("ไทย", "lang:th"),
        Button("日本語", "lang:ja"),
        Button("English", "lang:en"),
    )
