""" "My profile": show the stored company and edit one field at a time."""

from __future__ import annotations

import logging
from typing import Any

from core.i18n import t
from core.turn import Turn
from core.types import Button, Lang, Reply
from language.normalize import fold
from language.reference import Choice, match_choices
from registration.effects import (
    UpdateCompany,
)
from registration.forms.engine import Form
from registration.mapping import answers_to_company, company_to_answers
from registration.steps import FormSteps
from registration.words import (
    EDIT_EN,
    EDIT_JA_HEAD,
    EDIT_JA_TAIL,
    EDIT_TH,
)

logger = logging.getLogger(__name__)

NAME = "reg"
P = NAME + ":"


class ProfileSteps(FormSteps):
    def _show_profile(self, turn: Turn, reg: dict[str, Any], *, note: str | None = None) -> None:
        company = self._company(turn)
        lang = turn.lang
        reg["pedit"] = None
        if company is None:
            self._finish(turn, reg)
            buttons = [
                Button(t("menu.register", lang), P + "start"),
                Button(t("menu.back", lang), "menu"),
            ]
            turn.say("reg.profile.none", buttons=buttons)
            return
        form, answers = company_to_answers(company)
        reg["stage"] = "profile"
        turn.conv.flow = NAME
        header = (t(note, lang) + "\n") if note else ""
        header += t("reg.profile.title", lang, ref=company.ref)
        if company.size_class:
            header += "\n" + t(
                "reg.profile.size", lang, size=t(f"reg.size.{company.size_class}", lang)
            )
        turn.reply(
            Reply(
                text=header + "\n" + self._summary_text(form, answers, lang),
                cards=self._field_cards(form, answers, lang, "pedit"),
                lang=lang,
            )
        )
        turn.say(
            "reg.profile.actions",
            buttons=(
                Button(t("reg.button.invite", lang), P + "invite"),
                Button(t("reg.button.delete", lang), P + "delete"),
                Button(t("menu.back", lang), "menu"),
            ),
        )

    def _text_profile(self, turn: Turn, reg: dict[str, Any], text: str) -> bool:
        company = self._company(turn)
        if company is not None:
            form, answers = company_to_answers(company)
            target = self._edit_target(text, form, turn.lang, allow_bare=True, answers=answers)
            if target is not None:
                self._begin_profile_edit(turn, reg, target)
                return True
        # Anything else is not about the profile: let the question answerer have it.
        self._finish(turn, reg)
        return False

    def _begin_profile_edit(self, turn: Turn, reg: dict[str, Any], field_name: str) -> None:
        company = self._company(turn)
        if company is None:
            self._show_profile(turn, reg)
            return
        form, answers = company_to_answers(company)
        state = self.engine.new_state(form.name, turn.lang)
        state["answers"] = answers
        if field_name == "consent" or not self.engine.go_to(state, field_name):
            turn.say("reg.profile.cannot_edit")
            self._show_profile(turn, reg)
            return
        state["company_id"] = company.id
        reg["pedit"] = state
        reg["stage"] = "pedit"
        turn.conv.flow = NAME
        self._ask(turn, reg)

    def _save_profile_edit(self, turn: Turn, reg: dict[str, Any]) -> None:
        state = reg["pedit"]
        form = self.engine.form(state)
        nxt = form.next_field(state["answers"])
        if nxt is not None:
            # The change switched on a question (e.g. "base in Thailand: yes" asks where).
            self.engine.advance(state)
            self._ask(turn, reg)
            return
        company_id = state["company_id"]
        company = self._company(turn)
        values = answers_to_company(form, state["answers"], lang=turn.lang)
        values.pop("languages", None)
        if company is not None:
            values = {k: v for k, v in values.items() if getattr(company, k) != v}
        reg["pedit"] = None
        reg["stage"] = None
        turn.conv.flow = None
        if values:
            turn.effect(
                UpdateCompany(directory=self.directory, company_id=company_id, values=values)
            )
        field = form.field(state["step"])
        label = t(field.label, turn.lang) if field else ""
        value = field.display(state["answers"].get(field.name), turn.lang) if field else ""
        turn.say(
            "reg.profile.updated",
            field=label,
            value=value,
            buttons=(
                Button(t("menu.profile", turn.lang), P + "profile"),
                Button(t("menu.back", turn.lang), "menu"),
            ),
        )

    def _edit_target(
        self,
        text: str,
        form: Form,
        lang: Lang,
        *,
        allow_bare: bool = False,
        answers: dict[str, Any] | None = None,
    ) -> str | None:
        """The field named by "edit phone", "แก้ไขเบอร์โทร", "電話番号を変更" (or "7" in a summary)."""
        norm = " ".join(text.split())
        target = None
        for pattern in (EDIT_EN, EDIT_TH, EDIT_JA_HEAD, EDIT_JA_TAIL):
            match = pattern.match(norm)
            if match:
                target = match.group(1)
                break
        if target is None:
            if not allow_bare:
                return None
            target = norm
        active = form.active_fields(answers or {}) if answers is not None else list(form.fields)
        folded = fold(target)
        if folded.isdigit() and allow_bare and 1 <= int(folded) <= len(active):
            return active[int(folded) - 1].name
        choices = tuple(
            Choice(
                code=f.name,
                th=t(f.label, "th"),
                ja=t(f.label, "ja"),
                en=t(f.label, "en"),
                aliases=(*f.aliases, f.name.replace("_", " ")),
            )
            for f in active
        )
        found = match_choices(target, choices, min_score=80.0)
        return found[0][0].code if found else None
