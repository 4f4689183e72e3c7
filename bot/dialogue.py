"""The dialogue manager: (stored conversation, one message) -> (new conversation, replies).

It does no I/O of its own. Features plug in as skills (registration, knowledge answers,
partner matching). A skill reads through the services it is given and asks for writes by
returning effects, which the worker applies in the same transaction that stores the new
conversation state, so a crash never leaves half a turn behind.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol, runtime_checkable

from bot import lang as langdetect
from bot.i18n import t
from bot.types import Button, Channel, Conversation, IncomingMessage, Kind, Lang, Reply

logger = logging.getLogger(__name__)

DEFAULT_LANG: dict[Channel, Lang] = {"line": "th", "telegram": "ja"}

MENU_WORDS = {"menu", "/menu", "เมนู", "メニュー", "start", "หน้าแรก"}
HELP_WORDS = {"help", "/help", "ช่วยเหลือ", "ヘルプ", "วิธีใช้"}
LANG_WORDS = {"language", "/language", "ภาษา", "言語", "lang"}
GREETING_WORDS = {
    "hi",
    "hello",
    "hey",
    "good morning",
    "สวัสดี",
    "สวัสดีครับ",
    "สวัสดีค่ะ",
    "หวัดดี",
    "こんにちは",
    "こんにちわ",
    "おはようございます",
    "こんばんは",
    "はじめまして",
}


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
    """A feature of the conversation. `name` is also its postback prefix ("reg:...")."""

    name: str

    def on_postback(self, turn: Turn, data: str) -> bool:
        """Handle button data addressed to this skill ("name:..."). True when handled."""
        ...

    def on_text(self, turn: Turn) -> bool:
        """Handle free text while this skill's flow is active. True when handled."""
        ...


class FallbackSkill(Protocol):
    """Handles free text nobody else took, tried in order (typed requests, then answers)."""

    def on_free_text(self, turn: Turn) -> bool: ...


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


class Dialogue:
    def __init__(
        self,
        *,
        skills: Sequence[Skill] = (),
        fallbacks: Sequence[FallbackSkill] = (),
        services: Services | None = None,
    ) -> None:
        self._skills = {skill.name: skill for skill in skills}
        self._fallbacks = tuple(fallbacks)
        self._services = services or Services()

    def handle(self, conv: Conversation, msg: IncomingMessage, *, session: Any = None) -> Outcome:
        conv = copy.deepcopy(conv)
        turn = Turn(
            conv=conv,
            msg=msg,
            lang=self._language(conv, msg),
            services=self._services,
            session=session,
        )
        conv.lang = turn.lang
        try:
            self._dispatch(turn)
        except Exception:
            # A bug in one skill must not lose the user: apologise and show the menu.
            logger.exception("dialogue failed for %s user", msg.channel)
            turn = Turn(
                conv=conv, msg=msg, lang=turn.lang, services=self._services, session=session
            )
            turn.say("error.internal", buttons=main_menu_buttons(turn.lang))
        return Outcome(conv=turn.conv, replies=turn.replies, effects=turn.effects)

    # -- language -------------------------------------------------------------------

    def _language(self, conv: Conversation, msg: IncomingMessage) -> Lang:
        if conv.lang_chosen and conv.lang:
            return conv.lang
        detected = langdetect.detect(msg.text) if msg.kind is Kind.TEXT else None
        return (
            detected
            or conv.lang
            or langdetect.from_hint(msg.lang_hint)
            or DEFAULT_LANG[msg.channel]
        )

    # -- dispatch -------------------------------------------------------------------

    def _dispatch(self, turn: Turn) -> None:
        msg = turn.msg
        if msg.kind is Kind.FOLLOW:
            turn.conv.blocked = False
            self._greet(turn)
            if msg.start_payload:
                self._postback(turn, msg.start_payload, from_link=True)
            return
        if msg.kind is Kind.UNFOLLOW:
            turn.conv.blocked = True
            return
        if msg.kind is Kind.POSTBACK and msg.postback:
            self._postback(turn, msg.postback)
            return
        if msg.kind is Kind.TEXT and msg.text:
            self._text(turn, msg.text.strip())
            return
        if msg.kind is Kind.LOCATION and self._active_skill_takes(turn):
            return
        turn.say("fallback.unsupported_kind", buttons=main_menu_buttons(turn.lang))

    def _greet(self, turn: Turn) -> None:
        turn.say("greeting", buttons=main_menu_buttons(turn.lang))

    def _postback(self, turn: Turn, data: str, *, from_link: bool = False) -> None:
        if data == "menu":
            self._leave_flow(turn)
            turn.say("menu.title", buttons=main_menu_buttons(turn.lang))
        elif data == "help":
            self._leave_flow(turn)
            turn.say("help", buttons=main_menu_buttons(turn.lang))
        elif data == "lang":
            turn.say("language.choose", buttons=language_buttons())
        elif data.startswith("lang:"):
            self._set_language(turn, data.removeprefix("lang:"))
        else:
            skill = self._skills.get(data.split(":", 1)[0])
            if skill is not None and skill.on_postback(turn, data):
                return
            if not from_link:
                self._not_available(turn, data)

    def _text(self, turn: Turn, text: str) -> None:
        word = text.lower()
        command = word.split("@", 1)[0] if word.startswith("/") else word
        if command in MENU_WORDS:
            self._leave_flow(turn)
            turn.say("menu.title", buttons=main_menu_buttons(turn.lang))
            return
        if _is_greeting(command):
            self._greet(turn)
            return
        if command in HELP_WORDS:
            self._leave_flow(turn)
            turn.say("help", buttons=main_menu_buttons(turn.lang))
            return
        if command in LANG_WORDS:
            turn.say("language.choose", buttons=language_buttons())
            return
        if self._active_skill_takes(turn):
            return
        if any(fallback.on_free_text(turn) for fallback in self._fallbacks):
            return
        turn.say("fallback.not_understood", buttons=main_menu_buttons(turn.lang))

    def _active_skill_takes(self, turn: Turn) -> bool:
        flow = turn.conv.flow
        if not flow:
            return False
        skill = self._skills.get(flow.split(":", 1)[0])
        if skill is None:
            turn.conv.flow = None
            return False
        return skill.on_text(turn)

    def _set_language(self, turn: Turn, code: str) -> None:
        chosen = langdetect.from_hint(code)
        if chosen is None:
            turn.say("language.choose", buttons=language_buttons())
            return
        turn.lang = chosen
        turn.conv.lang = chosen
        turn.conv.lang_chosen = True
        skill = self._active_skill(turn)
        reask = getattr(skill, "reask", None)
        if reask is not None:
            # In the middle of a form: confirm, then ask the pending question in the new language.
            turn.say("language.changed")
            if reask(turn):
                return
            turn.replies.pop()
        turn.say("language.changed", buttons=main_menu_buttons(chosen))

    def _active_skill(self, turn: Turn) -> Skill | None:
        flow = turn.conv.flow
        return self._skills.get(flow.split(":", 1)[0]) if flow else None

    def _leave_flow(self, turn: Turn) -> None:
        """The menu pauses whatever flow is active; the skill keeps its answers to resume."""
        turn.conv.flow = None

    def _not_available(self, turn: Turn, data: str) -> None:
        prefix = data.split(":", 1)[0]
        if prefix in {"reg", "kb", "match", "intro"}:
            turn.say("coming_soon", buttons=main_menu_buttons(turn.lang))
        else:
            logger.info("unknown button data with prefix %r", prefix[:16])
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))


def _is_greeting(text: str) -> bool:
    """A short hello ("hi", "hello there", "สวัสดีค่ะ", "こんにちは！"), not a question."""
    cleaned = text.strip().rstrip("!.。！ ~")
    if cleaned in GREETING_WORDS:
        return True
    words = cleaned.split()
    return 1 < len(words) <= 3 and words[0].rstrip(",、") in GREETING_WORDS and "?" not in text
