"""The dialogue manager: (stored conversation, one message) -> (new conversation, replies).

It does no I/O of its own and imports no feature: skills (registration, knowledge
answers, partner matching) are handed to it at start-up by the composition root and
reached through the one `Skill` protocol of `core.turn`.
"""

from __future__ import annotations

import copy
import logging
from collections.abc import Sequence
from typing import Any

from bot.intents import IntentReader, act
from core.turn import (
    Outcome,
    Services,
    Skill,
    Turn,
    language_buttons,
    main_menu_buttons,
)
from core.types import Channel, Conversation, IncomingMessage, Kind, Lang, from_hint
from language import detect as langdetect

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


class Dialogue:
    def __init__(
        self,
        *,
        skills: Sequence[Skill] = (),
        fallbacks: Sequence[Skill] = (),
        services: Services | None = None,
        intents: IntentReader | None = None,
    ) -> None:
        self._intents = intents
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
        return detected or conv.lang or from_hint(msg.lang_hint) or DEFAULT_LANG[msg.channel]

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
        if _is_greeting(command) and not self._more_than_hello(turn, text):
            self._greet(turn)
            return
        if command in HELP_WORDS:
            self._leave_flow(turn)
            turn.say("help", buttons=main_menu_buttons(turn.lang))
            return
        if command in LANG_WORDS:
            turn.say("language.choose", buttons=language_buttons())
            return
        if self._understood(turn, text):
            return
        if self._active_skill_takes(turn):
            return
        aside = self._active_skill(turn)
        if aside is not None:
            self._answer_aside(turn, aside)
            return
        if turn.intent == "cancel" and not turn.conv.flow:
            # "ยกเลิก" with no form open and no skill waiting: not a question to look up
            turn.say("fallback.nothing_to_cancel", buttons=main_menu_buttons(turn.lang))
            return
        if not turn.conv.flow and self._intents and self._intents.form_command(text):
            turn.say("fallback.nothing_to_skip", buttons=main_menu_buttons(turn.lang))
            return
        if any(fallback.on_free_text(turn) for fallback in self._fallbacks):
            return
        turn.say("fallback.not_understood", buttons=main_menu_buttons(turn.lang))

    def _answer_aside(self, turn: Turn, active: Skill) -> None:
        """The active flow stepped aside for a question without leaving ("金利は？" in the
        middle of a form): another skill answers it, then the flow asks its step again."""
        others = (fallback for fallback in self._fallbacks if fallback is not active)
        if not any(fallback.on_free_text(turn) for fallback in others):
            turn.say("fallback.not_understood")
        if not active.reask(turn):
            turn.conv.flow = None
            turn.say("menu.title", buttons=main_menu_buttons(turn.lang))

    def _more_than_hello(self, turn: Turn, text: str) -> bool:
        """Whether a message that starts with a hello also asks for something: Thai puts
        spaces between phrases, not words, so "สวัสดีครับ อยากลงทะเบียนบริษัทครับ" is two
        "words" and a request. The intent layer tells; a bare hello never asks."""
        if self._intents is None or text.strip().rstrip("!.。！ ~").lower() in GREETING_WORDS:
            return False
        match = self._intents.classify(text, context="form" if turn.conv.flow else "idle")
        return match is not None and match.name != "greet"

    def _understood(self, turn: Turn, text: str) -> bool:
        """The intent layer first: a request in any wording is carried out here."""
        if self._intents is None:
            return False
        in_flow = bool(turn.conv.flow)
        match = self._intents.classify(text, context="form" if in_flow else "idle")
        if match is None:
            return False
        active = self._active_skill(turn)
        if match.confidence < 1.0 and active is not None and active.takes_answer(turn, text):
            # A guessed intent gives way to a clean answer to the pending choice or number
            # step ("ลูกค้า, รับจ้างผลิต" at the partnership question); a command word, an
            # example or a named language (confidence 1) still wins. Free-text steps take
            # anything, so there the intent layer alone decides.
            return False
        turn.intent = match.name
        return act(self, turn, match, in_flow=in_flow)

    # -- what intents do (bot.intents.Actions) ---------------------------------------------

    def greet(self, turn: Turn) -> None:
        self._greet(turn)

    def acknowledge(self, turn: Turn, *, thanked: bool) -> None:
        """ "Thank you" is answered "you're welcome"; "ok", "了解です", "👍" only noted."""
        turn.say("ack.thanks" if thanked else "ack.noted", buttons=main_menu_buttons(turn.lang))

    def menu(self, turn: Turn) -> None:
        self._leave_flow(turn)
        turn.say("menu.title", buttons=main_menu_buttons(turn.lang))

    def choose_language(self, turn: Turn, lang: Lang | None) -> None:
        if lang is None:
            turn.say("language.choose", buttons=language_buttons())
        else:
            self._set_language(turn, lang)

    def press(self, turn: Turn, data: str) -> bool:
        skill = self._skills.get(data.split(":", 1)[0])
        return skill is not None and skill.on_postback(turn, data)

    def leave_flow(self, turn: Turn) -> None:
        self._leave_flow(turn)

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
        chosen = from_hint(code)
        if chosen is None:
            turn.say("language.choose", buttons=language_buttons())
            return
        turn.lang = chosen
        turn.conv.lang = chosen
        turn.conv.lang_chosen = True
        skill = self._active_skill(turn)
        if skill is not None:
            # In the middle of a form: confirm, then ask the pending question in the new language.
            turn.say("language.changed")
            if skill.reask(turn):
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
