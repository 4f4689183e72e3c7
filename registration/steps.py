"""The registration form, step by step: choose, answer, go back, cancel, confirm."""

from __future__ import annotations

import logging
from datetime import UTC
from typing import Any

from core.i18n import t
from core.turn import Turn, language_buttons, main_menu_buttons
from core.types import LANGS, Button, Card, Kind, Lang, Reply
from language import taxonomy
from language.normalize import fold
from language.reference import Choice, match_choices
from registration.base import RegistrationBase
from registration.effects import SaveRegistration
from registration.forms.definitions import FORMS, JP_FIRM, TH_SME
from registration.forms.engine import BACK_WORDS, Form, is_word
from registration.forms.fields import TextField
from registration.forms.sme import programme_candidates
from registration.mapping import answers_to_company
from registration.words import (
    CANCEL_WORDS,
    CONFIRM_WORDS,
    FORM_WORDS,
    RESTART_WORDS,
    RESUME_WORDS,
    looks_like_question,
)

logger = logging.getLogger(__name__)

NAME = "reg"
SEP = {"th": ": ", "ja": "：", "en": ": "}  # 会社名：… in Japanese: full width, no space
P = NAME + ":"


class FormSteps(RegistrationBase):
    def reask(self, turn: Turn) -> bool:
        """Ask the pending question again (after the menu or a language change)."""
        reg = self._state(turn)
        state = self._engine_state(reg)
        aside = reg.pop("aside", False)
        if (
            reg.get("stage") in {"form", "pedit"}
            and state is not None
            and state.get("step") is not None
        ):
            turn.conv.flow = NAME
            self._ask(turn, reg, note=t("reg.back_to_step", turn.lang) if aside else None)
            return True
        if reg.get("stage") in {"form", "summary"} and reg.get("draft"):
            turn.conv.flow = NAME
            self._show_summary(turn, reg)
            return True
        return False

    def _start(self, turn: Turn, reg: dict[str, Any]) -> None:
        company = self._company(turn)
        if company is not None:
            self._finish(turn, reg)
            turn.say(
                "reg.already_registered",
                name=company.name,
                buttons=(
                    Button(t("menu.profile", turn.lang), P + "profile"),
                    Button(t("menu.back", turn.lang), "menu"),
                ),
            )
            return
        draft = reg.get("draft")
        if draft and (draft.get("answers") or draft.get("step") is None):
            reg["stage"] = "resume"
            turn.conv.flow = NAME
            turn.say(
                "reg.resume_offer",
                title=t(FORMS[draft["form"]].title, turn.lang),
                count=len(draft["answers"]),
                buttons=(
                    Button(t("reg.button.resume", turn.lang), P + "resume"),
                    Button(t("reg.button.restart", turn.lang), P + "restart"),
                ),
            )
            return
        self._choose_form(turn, reg)

    def _form_order(self, turn: Turn) -> tuple[str, str]:
        return (TH_SME, JP_FIRM) if turn.msg.channel == "line" else (JP_FIRM, TH_SME)

    def _choose_form(self, turn: Turn, reg: dict[str, Any]) -> None:
        reg["stage"] = "choose"
        turn.conv.flow = NAME
        turn.say(
            "reg.choose_form",
            buttons=[
                Button(t(FORMS[name].title, turn.lang), f"{P}form:{name}")
                for name in self._form_order(turn)
            ],
        )

    def _text_choose(self, turn: Turn, reg: dict[str, Any], text: str) -> bool:
        if is_word(text, CANCEL_WORDS):
            self._cancel(turn, reg, "yes")
            return True
        if looks_like_question(text):
            self._finish(turn, reg)
            return False
        order = self._form_order(turn)
        folded = fold(text)
        if folded in {"1", "2"}:
            self._begin_form(turn, reg, order[int(folded) - 1])
            return True
        choices = tuple(
            Choice(code=name, th="", ja="", en="", aliases=words)
            for name, words in FORM_WORDS.items()
        )
        found = match_choices(text, choices)
        if found:
            self._begin_form(turn, reg, found[0][0].code)
            return True
        turn.reply(Reply(text=t("reg.choose_form_again", turn.lang), lang=turn.lang))
        self._choose_form(turn, reg)
        return True

    def _begin_form(self, turn: Turn, reg: dict[str, Any], form_name: str) -> None:
        draft = reg.get("draft")
        if self._company(turn) is not None or (
            draft and draft.get("answers") and reg.get("stage") != "choose"
        ):
            # already registered, or an old button would throw away a draft: ask first
            self._start(turn, reg)
            return
        reg["draft"] = self.engine.new_state(form_name, turn.lang)
        reg["lang"] = turn.lang
        reg["stage"] = "form"
        turn.conv.flow = NAME
        form = FORMS[form_name]
        count = len(form.active_fields(reg["draft"]["answers"]))  # as "(1/16)" counts them
        turn.say("reg.intro", title=t(form.title, turn.lang), count=str(count))
        self._ask(turn, reg)

    def _resume(self, turn: Turn, reg: dict[str, Any]) -> None:
        draft = reg.get("draft")
        if not draft:
            self._start(turn, reg)
            return
        turn.conv.flow = NAME
        if draft.get("step") is None:
            self._show_summary(turn, reg)
            return
        reg["stage"] = "form"
        self._ask(turn, reg, note=t("reg.resumed", turn.lang))

    def _text_resume(self, turn: Turn, reg: dict[str, Any], text: str) -> bool:
        if is_word(text, RESUME_WORDS | CONFIRM_WORDS):
            self._resume(turn, reg)
        elif is_word(text, RESTART_WORDS):
            reg["draft"] = None
            self._choose_form(turn, reg)
        elif is_word(text, CANCEL_WORDS):
            self._cancel(turn, reg, "")
        elif looks_like_question(text):
            self._finish(turn, reg)  # the draft stays for later
            return False
        else:
            self._start(turn, reg)
        return True

    def _language(self, turn: Turn, reg: dict[str, Any], code: str) -> None:
        if code not in LANGS:
            turn.conv.flow = NAME if reg.get("stage") else turn.conv.flow
            turn.say(
                "language.choose", buttons=[Button(b.label, P + b.data) for b in language_buttons()]
            )
            return
        lang: Lang = code
        turn.lang = lang
        turn.conv.lang = lang
        turn.conv.lang_chosen = True
        reg["lang"] = lang
        turn.say("language.changed")
        stage = reg.get("stage")
        if self.reask(turn):
            return
        if stage == "profile":
            self._show_profile(turn, reg)
        elif stage == "delete":
            self._delete(turn, reg, "")
        elif stage == "cancel":
            self._cancel(turn, reg, "")
        elif stage in {"choose", "resume"}:
            self._start(turn, reg)
        else:
            turn.say("menu.title", buttons=main_menu_buttons(lang))

    def _engine_button(
        self, turn: Turn, reg: dict[str, Any], action: str, field_name: str, token: str
    ) -> None:
        state = self._engine_state(reg)
        if reg.get("stage") not in {"form", "pedit"} or state is None or state.get("step") is None:
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        turn.conv.flow = NAME
        reply = self.engine.submit_button(state, action, field_name, token, turn.lang)
        self._after_answer(turn, reg, reply)

    def _text_form(self, turn: Turn, reg: dict[str, Any], text: str) -> bool:
        state = self._engine_state(reg)
        assert state is not None
        if is_word(text, CANCEL_WORDS):
            self._cancel(turn, reg, "")
            return True
        if is_word(text, BACK_WORDS):
            self._back(turn, reg)
            return True
        if looks_like_question(text):
            unsure = text.rstrip("?？ ")  # "120 คน?": an answer the user is unsure of
            if not self.engine.would_take(state, unsure, turn.lang):
                # A question, not an answer: the form stays where it is with its answers;
                # the dialogue answers the question, then asks this step again (`reask`).
                reg["aside"] = True
                return False
            text = unsure
        reply = self.engine.submit_text(state, text, turn.lang)
        self._after_answer(turn, reg, reply)
        return True

    def _after_answer(self, turn: Turn, reg: dict[str, Any], reply: Reply | None) -> None:
        if reply is not None:
            turn.reply(reply)
            return
        if reg["stage"] == "pedit":
            self._save_profile_edit(turn, reg)
            return
        draft = reg["draft"]
        answered = self.engine.current(draft)
        note = None
        if (
            answered is not None
            and turn.msg.kind in (Kind.TEXT, Kind.LOCATION)
            and not isinstance(answered, TextField)
        ):
            # Say how a typed answer was read ("80 ล้าน" -> 80,000,000 baht, "Chonbury" ->
            # Chonburi, "พลาสติก" -> ISIC 22), so a wrong guess can be fixed with "back".
            value = draft["answers"].get(answered.name)
            if value not in (None, []):
                note = t(
                    "form.noted",
                    turn.lang,
                    field=t(answered.label, turn.lang),
                    value=answered.display(value, turn.lang),
                )
        if self.engine.advance(draft):
            if note:
                turn.reply(Reply(text=note, lang=turn.lang))
            self._show_summary(turn, reg)
        else:
            self._ask(turn, reg, note=note)

    def _back(self, turn: Turn, reg: dict[str, Any]) -> None:
        stage = reg.get("stage")
        if stage == "pedit":
            self._show_profile(turn, reg)
            return
        draft = reg.get("draft")
        if stage not in {"form", "summary"} or not draft:
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        turn.conv.flow = NAME
        if self.engine.back(draft):
            reg["stage"] = "form"
            self._ask(turn, reg)
        else:
            self._ask(turn, reg, note=t("reg.first_question", turn.lang))

    def _cancel(self, turn: Turn, reg: dict[str, Any], arg: str) -> None:
        stage = reg.get("stage")
        if stage == "pedit":
            self._show_profile(turn, reg, note="reg.edit_cancelled")
            return
        if arg == "no" and reg.get("draft"):
            reg["stage"] = reg.pop("resume_stage", None) or "form"
            if not self.reask(turn):
                self._start(turn, reg)
            return
        if arg == "yes" or not reg.get("draft") or not reg["draft"].get("answers"):
            reg["draft"] = None
            reg.pop("resume_stage", None)
            self._finish(turn, reg)
            turn.say("reg.cancelled", buttons=main_menu_buttons(turn.lang))
            return
        if stage != "cancel":
            reg["resume_stage"] = stage if stage in {"form", "summary"} else "form"
        reg["stage"] = "cancel"
        turn.conv.flow = NAME
        turn.say(
            "reg.cancel_confirm",
            buttons=(
                Button(t("reg.button.discard", turn.lang), P + "cancel:yes"),
                Button(t("reg.button.keep", turn.lang), P + "cancel:no"),
            ),
        )

    def _field_cards(
        self, form: Form, answers: dict[str, Any], lang: Lang, action: str
    ) -> tuple[Card, ...]:
        rows = self.engine.summary_lines(form, answers, lang)
        cards = []
        for start in range(0, len(rows), 3):
            chunk = rows[start : start + 3]
            cards.append(
                Card(
                    title=t(
                        "reg.summary.card_title", lang, first=start + 1, last=start + len(chunk)
                    ),
                    body="\n".join(f"{t(f.label, lang)}{SEP[lang]}{value}" for f, value in chunk),
                    buttons=tuple(
                        Button(
                            t("reg.button.edit_field", lang, field=t(f.label, lang)),
                            f"{P}{action}:{f.name}",
                        )
                        for f, _ in chunk
                        # consent is given once, at registration; withdrawing it is "delete my data"
                        if not (action == "pedit" and f.name == "consent")
                    ),
                )
            )
        return tuple(cards)

    def _summary_text(self, form: Form, answers: dict[str, Any], lang: Lang) -> str:
        rows = self.engine.summary_lines(form, answers, lang)
        return "\n".join(
            f"{i}. {t(f.label, lang)}{SEP[lang]}{value}" for i, (f, value) in enumerate(rows, 1)
        )

    def _show_summary(self, turn: Turn, reg: dict[str, Any]) -> None:
        draft = reg["draft"]
        draft["step"] = None
        reg["stage"] = "summary"
        turn.conv.flow = NAME
        form = self.engine.form(draft)
        lang = turn.lang
        turn.reply(
            Reply(
                text=t("reg.summary.title", lang)
                + "\n"
                + self._summary_text(form, draft["answers"], lang),
                cards=self._field_cards(form, draft["answers"], lang, "edit"),
                lang=lang,
            )
        )
        turn.say(
            "reg.summary.confirm",
            buttons=(
                Button(t("reg.button.confirm", lang), P + "confirm"),
                Button(t("form.button.back", lang), P + "back"),
                Button(t("form.button.cancel", lang), P + "cancel"),
            ),
        )

    def _text_summary(self, turn: Turn, reg: dict[str, Any], text: str) -> bool:
        if is_word(text, CONFIRM_WORDS):
            self._confirm(turn, reg)
            return True
        if is_word(text, CANCEL_WORDS):
            self._cancel(turn, reg, "")
            return True
        if is_word(text, BACK_WORDS):
            self._back(turn, reg)
            return True
        if looks_like_question(text):
            reg["aside"] = True  # answered by the dialogue, then the summary is shown again
            return False
        form = self.engine.form(reg["draft"])
        target = self._edit_target(
            text, form, turn.lang, allow_bare=True, answers=reg["draft"]["answers"]
        )
        if target is not None:
            self._edit_draft_field(turn, reg, target)
            return True
        turn.say(
            "reg.summary.hint",
            buttons=(
                Button(t("reg.button.confirm", turn.lang), P + "confirm"),
                Button(t("form.button.cancel", turn.lang), P + "cancel"),
            ),
        )
        return True

    def _edit_draft_field(self, turn: Turn, reg: dict[str, Any], field_name: str) -> None:
        draft = reg.get("draft")
        if (
            reg.get("stage") not in {"summary", "form"}
            or not draft
            or not self.engine.go_to(draft, field_name)
        ):
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        reg["stage"] = "form"
        turn.conv.flow = NAME
        self._ask(turn, reg)

    def _confirm(self, turn: Turn, reg: dict[str, Any]) -> None:
        draft = reg.get("draft")
        if reg.get("stage") != "summary" or not draft:
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        form = self.engine.form(draft)
        missing = form.next_field(draft["answers"])
        if missing is not None or form.clean_answers(draft["answers"]).get("consent") != "agree":
            self.engine.go_to(draft, missing.name if missing else "consent")
            reg["stage"] = "form"
            self._ask(turn, reg, note=t("reg.missing_answer", turn.lang))
            return
        if self._company(turn) is not None:
            reg["draft"] = None
            self._start(turn, reg)
            return
        values = answers_to_company(form, draft["answers"], lang=turn.lang)
        if self._already_on_file(turn, reg, values):
            return
        turn.effect(
            SaveRegistration(
                directory=self.directory,
                channel=turn.msg.channel,
                user_id=turn.msg.user_id,
                lang=turn.lang,
                values=values,
                consent_at=turn.msg.timestamp.astimezone(UTC),
            )
        )
        reg["draft"] = None
        self._finish(turn, reg)
        turn.say("reg.saved", name=values["name"])
        if values["country"] == "TH":
            self._tell_size_and_programmes(turn, values)
        turn.say("reg.next_steps", buttons=main_menu_buttons(turn.lang))

    def _already_on_file(self, turn: Turn, reg: dict[str, Any], values: dict[str, Any]) -> bool:
        """One company per registration number: a number already on file is not registered
        again. The user is told how to be added as a contact of the company instead: a
        colleague who speaks for it sends an invite code (the existing contact confirms),
        or, for a company staff imported, staff add them."""
        number = values.get("registration_number")
        if not number or turn.session is None:
            return False
        existing = self.directory.find_by_registration_number(
            turn.session, country=values["country"], number=number
        )
        if existing is None:
            return False
        reg["draft"] = None
        self._finish(turn, reg)
        imported = existing.extra.get("form") is None
        buttons = [
            Button(t("kb.staff_button", turn.lang), "kb:staff"),
            Button(t("menu.back", turn.lang), "menu"),
        ]
        if not imported and existing.id is not None:
            # Its contacts can add this user themselves, from their own chat.
            who = str(values.get("contact_person") or "")[:80]
            reg["join_request"] = {"company_id": existing.id, "name": existing.name, "who": who}
            buttons.insert(0, Button(t("reg.button.ask_join", turn.lang), P + "jr:ask"))
        key = "reg.duplicate.imported" if imported else "reg.duplicate.chat"
        turn.say(key, name=existing.name, number=number, buttons=buttons)
        return True

    def _tell_size_and_programmes(self, turn: Turn, values: dict[str, Any]) -> None:
        lang = turn.lang
        size = values["size_class"]
        group = taxonomy.sector_group(values.get("sector"))
        lines = [
            t(
                "reg.size.result",
                lang,
                size=t(f"reg.size.{size}", lang),
                group=t(f"reg.sector_group.{group}", lang),
            )
        ]
        candidates = programme_candidates(
            size=size, sector_group=group, employees=values.get("employees"), lang=lang
        )
        if candidates:
            lines.append(t("reg.programmes.intro", lang))
            for c in candidates:
                lines.append(
                    t(
                        "reg.programmes.item",
                        lang,
                        name=c.name,
                        reason=c.reason,
                        source=c.source,
                        as_of=c.as_of,
                    )
                )
            lines.append(t("reg.programmes.disclaimer", lang))
        else:
            lines.append(t("reg.programmes.none", lang))
        turn.reply(Reply(text="\n".join(lines), lang=lang))
