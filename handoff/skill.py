"""The handoff in the chat: "talk to staff" queues the user, and while they are with
staff every turn is theirs (`intercept`), recorded for staff and not answered by the bot,
except "back to the bot" (button `handoff:back` or typed).

Postback data: "handoff:start", "handoff:back". Writes are effects, applied by the worker
in the turn's transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from core.i18n import t
from core.time import utcnow
from core.turn import EffectContext, Outcome, Services, Turn, main_menu_buttons
from core.types import Button, Conversation, IncomingMessage, Kind, Lang, Reply
from handoff import repo
from handoff.hours import OfficeHours
from handoff.words import is_back_to_bot
from language.detect import detect

logger = logging.getLogger(__name__)

NAME = "handoff"
MARKER = "handoff"  # key in the conversation's data while the user is with staff
_MAX_TEXT = 4000
_LABELS = {
    Kind.STICKER: "[sticker]",
    Kind.IMAGE: "[image]",
    Kind.FILE: "[file]",
    Kind.LOCATION: "[location]",
}


@dataclass(frozen=True)
class StartHandoff:
    channel: str
    user_id: str
    chat_id: str
    lang: str
    question: str

    def apply(self, ctx: EffectContext) -> None:
        repo.start(
            ctx.session,
            channel=self.channel,
            user_id=self.user_id,
            chat_id=self.chat_id,
            lang=self.lang,
            question=self.question,
        )


@dataclass(frozen=True)
class RecordUserMessage:
    channel: str
    user_id: str
    text: str

    def apply(self, ctx: EffectContext) -> None:
        row = repo.active_for(ctx.session, channel=self.channel, user_id=self.user_id)
        if row is not None:
            repo.add_message(ctx.session, handoff=row, author="user", text=self.text)


@dataclass(frozen=True)
class EndHandoff:
    channel: str
    user_id: str

    def apply(self, ctx: EffectContext) -> None:
        row = repo.active_for(ctx.session, channel=self.channel, user_id=self.user_id)
        if row is not None:
            repo.close(ctx.session, handoff=row, by="user")


def back_button(lang: Lang) -> Button:
    return Button(t("handoff.back_button", lang), "handoff:back")


def staff_reply(lang: Lang, text: str) -> Reply:
    """What the user sees when staff answer: labelled as from staff, with the way back."""
    return Reply(
        text=t("handoff.staff_says", lang, text=text), buttons=(back_button(lang),), lang=lang
    )


def handed_back(lang: Lang) -> Reply:
    return Reply(text=t("handoff.back_by_staff", lang), buttons=main_menu_buttons(lang), lang=lang)


def _language(conv: Conversation, msg: IncomingMessage) -> Lang:
    """As the dialogue reads it: a chosen language wins, else the language written in."""
    if conv.lang_chosen and conv.lang:
        return conv.lang
    written = detect(msg.text) if msg.kind is Kind.TEXT else None
    return written or conv.lang or ("th" if msg.channel == "line" else "ja")


class HandoffSkill:
    """Skill "handoff"; also `core.staff.StaffHandoff` for the knowledge skill's button."""

    name = NAME

    def __init__(self, hours: OfficeHours, *, clock: Callable[[], datetime] = utcnow) -> None:
        self._hours = hours
        self._clock = clock

    # -- Skill ------------------------------------------------------------------------

    def on_postback(self, turn: Turn, data: str) -> bool:
        if data == "handoff:start":
            self.start(turn, question="")
            return True
        if data == "handoff:back":  # only reached when no handoff is active
            turn.say("handoff.not_with_staff", buttons=main_menu_buttons(turn.lang))
            return True
        return False

    def on_text(self, turn: Turn) -> bool:
        return False

    def on_free_text(self, turn: Turn) -> bool:
        return False

    def reask(self, turn: Turn) -> bool:
        return False

    def takes_answer(self, turn: Turn, text: str) -> bool:
        return False

    # -- StaffHandoff -------------------------------------------------------------------

    def start(self, turn: Turn, *, question: str) -> None:
        msg = turn.msg
        turn.conv.data[MARKER] = {"since": utcnow().isoformat()}
        turn.effect(
            StartHandoff(
                channel=msg.channel,
                user_id=msg.user_id,
                chat_id=msg.chat_id,
                lang=turn.lang,
                question=question[:_MAX_TEXT],
            )
        )
        key = "handoff.started" if self._hours.is_open(self._clock()) else "handoff.started_closed"
        turn.say(key, buttons=(back_button(turn.lang),), hours=self._hours.describe(turn.lang))

    # -- every turn first ---------------------------------------------------------------

    def intercept(
        self, conv: Conversation, msg: IncomingMessage, *, session: Any, services: Services
    ) -> Outcome | None:
        """The outcome of this turn when the user is with staff; None to let the bot answer.

        `conv` is the caller's copy: a marker staff have since closed is removed from it.
        """
        if MARKER not in conv.data or msg.kind is Kind.UNFOLLOW:
            return None
        if (
            session is not None
            and repo.active_for(session, channel=msg.channel, user_id=msg.user_id) is None
        ):
            conv.data.pop(MARKER, None)  # staff handed the conversation back
            return None
        lang = _language(conv, msg)
        conv.lang = lang
        turn = Turn(conv=conv, msg=msg, lang=lang, services=services, session=session)
        self._while_with_staff(turn)
        return Outcome(conv=turn.conv, replies=turn.replies, effects=turn.effects)

    def _while_with_staff(self, turn: Turn) -> None:
        msg = turn.msg
        if msg.kind is Kind.POSTBACK:
            if msg.postback == "handoff:back":
                self._back(turn)
            else:  # an older button of the bot: say why nothing happens
                turn.say("handoff.still_with_staff", buttons=(back_button(turn.lang),))
            return
        if msg.kind is Kind.FOLLOW:
            turn.say("handoff.still_with_staff", buttons=(back_button(turn.lang),))
            return
        text = (msg.text or "").strip() if msg.kind is Kind.TEXT else _LABELS.get(msg.kind, "")
        if msg.kind is Kind.TEXT and is_back_to_bot(text):
            self._back(turn)
            return
        if text:
            turn.effect(RecordUserMessage(msg.channel, msg.user_id, text[:_MAX_TEXT]))

    def _back(self, turn: Turn) -> None:
        turn.conv.data.pop(MARKER, None)
        turn.effect(EndHandoff(channel=turn.msg.channel, user_id=turn.msg.user_id))
        turn.say("handoff.back_by_user", buttons=main_menu_buttons(turn.lang))
