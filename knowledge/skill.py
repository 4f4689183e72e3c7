"""The knowledge base in the chat: answers free text, takes feedback, hands over to staff.

Postback data: "kb:ask" (prompt for a question), "kb:fb:<ref>:up|down" (helpful or not),
"kb:staff" (talk to a person about the last question; "kb:staff:<ref>" for a given one).
Writes are effects, applied by the worker in the turn's transaction.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

from core.i18n import t
from core.staff import StaffHandoff
from core.turn import EffectContext, Turn, main_menu_buttons
from core.types import Button, Lang, Reply
from knowledge import repo
from knowledge.service import KnowledgeService
from knowledge.types import Answer
from language.format import date_text

logger = logging.getLogger(__name__)

NAME = "kb"
ASK_FLOW = "kb:ask"
_RECENT = 5  # answers remembered per user, for feedback on an earlier answer
_MAX_QUESTION = 500


@dataclass(frozen=True)
class RecordFeedback:
    answer_ref: str
    helpful: bool
    question: str
    lang: str
    document_ids: tuple[int, ...]
    channel: str
    user_id: str

    def apply(self, ctx: EffectContext) -> None:
        repo.add_feedback(
            ctx.session,
            answer_ref=self.answer_ref,
            helpful=self.helpful,
            question=self.question,
            lang=self.lang,
            document_ids=self.document_ids,
            channel=self.channel,
            user_id=self.user_id,
        )


@dataclass(frozen=True)
class LogUnanswered:
    answer_ref: str
    question: str
    lang: str
    channel: str
    user_id: str
    chat_id: str
    best_score: float

    def apply(self, ctx: EffectContext) -> None:
        repo.add_unanswered(
            ctx.session,
            question=self.question,
            lang=self.lang,
            answer_ref=self.answer_ref,
            channel=self.channel,
            user_id=self.user_id,
            chat_id=self.chat_id,
            best_score=self.best_score,
        )


@dataclass(frozen=True)
class RequestStaff:
    answer_ref: str
    question: str
    lang: str
    channel: str
    user_id: str
    chat_id: str

    def apply(self, ctx: EffectContext) -> None:
        repo.request_staff(
            ctx.session,
            answer_ref=self.answer_ref,
            question=self.question,
            lang=self.lang,
            channel=self.channel,
            user_id=self.user_id,
            chat_id=self.chat_id,
        )


class KnowledgeSkill:
    """Skill "kb" and the dialogue's fallback for free text."""

    name = NAME

    def __init__(self, service: KnowledgeService) -> None:
        self._service = service

    # -- Skill ------------------------------------------------------------------------

    def on_postback(self, turn: Turn, data: str) -> bool:
        parts = data.split(":")
        if data == "kb:ask":
            turn.conv.flow = ASK_FLOW
            turn.say("kb.ask_prompt", buttons=(Button(t("menu.back", turn.lang), "menu"),))
            return True
        if len(parts) == 4 and parts[1] == "fb" and parts[3] in ("up", "down"):
            self._feedback(turn, ref=parts[2], helpful=parts[3] == "up")
            return True
        if data == "kb:src":
            return True  # a link button; platforms open the URL without calling us
        if parts[:2] == ["kb", "staff"] and len(parts) <= 3:
            self._staff(turn, ref=parts[2] if len(parts) == 3 else None)
            return True
        return False

    def on_text(self, turn: Turn) -> bool:
        if turn.conv.flow != ASK_FLOW:
            return False
        turn.conv.flow = None
        return self.on_free_text(turn)

    def reask(self, turn: Turn) -> bool:
        return False  # answers have no pending question

    def takes_answer(self, turn: Turn, text: str) -> bool:
        return False

    def on_free_text(self, turn: Turn) -> bool:
        question = (turn.msg.text or "").strip()
        if not question:
            return False
        answer = self._service.answer(question, lang=turn.lang)
        self._remember(turn, answer)
        if answer.confident:
            turn.reply(
                Reply(
                    text=render_answer(answer, turn.lang),
                    buttons=answer_buttons(answer, turn.lang),
                    lang=turn.lang,
                )
            )
        else:
            turn.reply(
                Reply(
                    text=answer.text,
                    buttons=(
                        Button(t("kb.staff_button", turn.lang), "kb:staff"),
                        Button(t("menu.back", turn.lang), "menu"),
                    ),
                    lang=turn.lang,
                )
            )
            turn.effect(
                LogUnanswered(
                    answer_ref=answer.ref,
                    question=answer.question,
                    lang=answer.lang,
                    channel=turn.msg.channel,
                    user_id=turn.msg.user_id,
                    chat_id=turn.msg.chat_id,
                    best_score=round(answer.best_similarity, 4),
                )
            )
        return True

    # -- helpers ------------------------------------------------------------------------

    def _state(self, turn: Turn) -> dict[str, Any]:
        state = turn.conv.data.setdefault(NAME, {})
        state.setdefault("recent", [])
        return state

    def _remember(self, turn: Turn, answer: Answer) -> None:
        state = self._state(turn)
        entry = {
            "ref": answer.ref,
            "q": answer.question[:_MAX_QUESTION],
            "docs": [s.document_id for s in answer.sources],
            "ok": answer.confident,
        }
        state["recent"] = [entry, *state["recent"]][:_RECENT]

    def _recall(self, turn: Turn, ref: str | None) -> dict[str, Any] | None:
        recent = self._state(turn)["recent"]
        if ref is None:
            return recent[0] if recent else None
        return next((e for e in recent if e.get("ref") == ref), None)

    def _feedback(self, turn: Turn, *, ref: str, helpful: bool) -> None:
        entry = self._recall(turn, ref) or {}
        turn.effect(
            RecordFeedback(
                answer_ref=ref[:32],
                helpful=helpful,
                question=str(entry.get("q", "")),
                lang=turn.lang,
                document_ids=tuple(int(d) for d in entry.get("docs", [])),
                channel=turn.msg.channel,
                user_id=turn.msg.user_id,
            )
        )
        if helpful:
            turn.say(
                "kb.thanks_helpful",
                buttons=(
                    Button(t("kb.ask_another", turn.lang), "kb:ask"),
                    Button(t("menu.back", turn.lang), "menu"),
                ),
            )
        else:
            turn.say(
                "kb.thanks_not_helpful",
                buttons=(
                    Button(t("kb.staff_button", turn.lang), f"kb:staff:{ref[:32]}"),
                    Button(t("menu.back", turn.lang), "menu"),
                ),
            )

    def _staff(self, turn: Turn, *, ref: str | None) -> None:
        entry = self._recall(turn, ref) or {}
        question = str(entry.get("q", ""))
        if question or ref:  # a question to log for staff; a bare "talk to staff" is none
            turn.effect(
                RequestStaff(
                    answer_ref=str(entry.get("ref", ref or "")),
                    question=question,
                    lang=turn.lang,
                    channel=turn.msg.channel,
                    user_id=turn.msg.user_id,
                    chat_id=turn.msg.chat_id,
                )
            )
        # The live handoff (core.staff.StaffHandoff), when the composition root runs one.
        handoff: StaffHandoff | None = turn.services.get("handoff")
        if handoff is not None:
            handoff.start(turn, question=question)
            return
        turn.say("kb.staff_requested", buttons=main_menu_buttons(turn.lang))


def render_answer(answer: Answer, lang: Lang) -> str:
    if answer.generated:
        lines = []
        for n, s in enumerate(answer.sources, start=1):
            as_of = date_text(s.as_of, lang) if s.as_of else t("kb.as_of_unknown", lang)
            key = "kb.source_line_dated" if dated(s.source, as_of) else "kb.source_line"
            lines.append(t(key, lang, n=n, title=s.title, source=s.source, as_of=as_of))
        return t("kb.answer_generated", lang, answer=answer.text, sources="\n".join(lines))
    source = answer.sources[0] if answer.sources else None
    passage = answer.text
    best = answer.best
    if best is not None and best.lang != lang and best.lang in ("th", "ja", "en"):
        # No translation in the user's language: quote it as it is, and say so.
        passage = (
            f"{t('kb.only_in', lang, language=t(f'kb.lang_name.{best.lang}', lang))}\n{passage}"
        )
    # the reader's calendar: พ.ศ. 2567 / 2024年 / 2024
    as_of = (
        date_text(source.as_of, lang) if source and source.as_of else t("kb.as_of_unknown", lang)
    )
    said = source.source if source else ""
    return t(
        "kb.answer_source_dated" if dated(said, as_of) else "kb.answer",
        lang,
        passage=passage,
        title=source.title if source else "",
        source=said,
        as_of=as_of,
    )


_LAST_BRACKET = re.compile(r"[(（]([^()（）]*)[)）]\s*$")


def dated(source: str, as_of: str) -> bool:
    """Whether the source's closing bracket already names the year the answer is as of
    ("เดอะเนชั่น (2567)" with พ.ศ. 2567): then "as of" would say it twice."""
    last = _LAST_BRACKET.search(source)
    years = re.findall(r"\d{4}", as_of)
    return bool(last and years and all(year in last.group(1) for year in years))


def answer_buttons(answer: Answer, lang: Lang) -> tuple[Button, ...]:
    buttons: list[Button] = []
    url = next((s.url for s in answer.sources if s.url), None)
    if url:
        buttons.append(Button(t("kb.open_source", lang), "kb:src", url=url))
    buttons.append(Button(t("kb.helpful", lang), f"kb:fb:{answer.ref}:up"))
    buttons.append(Button(t("kb.not_helpful", lang), f"kb:fb:{answer.ref}:down"))
    return tuple(buttons)
