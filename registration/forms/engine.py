"""The form engine: walks any `Form` (an ordered list of fields) one question at a time.

The engine's state is a plain dict kept in the conversation data, so a form survives a
restart. It asks the current question, reads the answer (typed or a button), explains an
invalid answer and asks again, offers close matches to pick from, and moves back and
forward. What happens when the form is complete (summary, saving) is the caller's job.

State keys: form, lang, step (current field name or None when complete), answers
(field name -> value; None = skipped), pending (multi-choice selections so far), options
(candidate codes offered for the current field).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.i18n import t
from core.types import Button, Lang, Reply
from language.normalize import fold, normalize_text
from language.parse import Invalid
from registration.forms.fields import Candidates, Field, TextField

logger = logging.getLogger(__name__)

SKIP_WORDS = {
    "skip", "none", "no", "n/a", "na", "-", "nothing",
    "ข้าม", "ไม่มี", "ไม่ระบุ", "ไม่ต้อง",
    "スキップ", "なし", "無し", "ありません", "特になし",
}  # fmt: skip
DONE_WORDS = {
    "done", "finish", "finished", "ok", "okay", "that's all", "thatsall",
    "เสร็จ", "เสร็จแล้ว", "เรียบร้อย", "พอแล้ว",
    "完了", "以上", "決定", "おわり", "終わり",
}  # fmt: skip
BACK_WORDS = {
    "back",
    "previous",
    "กลับ",
    "ย้อนกลับ",
    "ย้อน",
    "ก่อนหน้า",
    "戻る",
    "もどる",
    "前へ",
    "前に戻る",
}

# LINE shows at most 13 quick-reply buttons.
MAX_BUTTONS = 13


def is_word(text: str, words: set[str]) -> bool:
    return fold(text) in {fold(w) for w in words}


@dataclass(frozen=True)
class Form:
    name: str
    title: str  # catalogue key
    fields: tuple[Field, ...]

    def field(self, name: str | None) -> Field | None:
        return next((f for f in self.fields if f.name == name), None)

    def active_fields(self, answers: Mapping[str, Any]) -> list[Field]:
        return [f for f in self.fields if f.active(answers)]

    def next_field(self, answers: Mapping[str, Any]) -> Field | None:
        return next((f for f in self.active_fields(answers) if f.name not in answers), None)

    def clean_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers of the fields that apply (a changed answer can switch a field off)."""
        return {f.name: answers.get(f.name) for f in self.active_fields(answers)}


class FormEngine:
    def __init__(self, forms: Sequence[Form], *, prefix: str) -> None:
        self.forms = {form.name: form for form in forms}
        self.prefix = prefix

    # -- state ------------------------------------------------------------------------

    def new_state(self, form_name: str, lang: Lang) -> dict[str, Any]:
        form = self.forms[form_name]
        return {
            "form": form_name,
            "lang": lang,
            "step": form.fields[0].name,
            "answers": {},
            "pending": [],
            "options": [],
        }

    def form(self, state: Mapping[str, Any]) -> Form:
        return self.forms[state["form"]]

    def current(self, state: Mapping[str, Any]) -> Field | None:
        return self.form(state).field(state.get("step"))

    def problems(self, state: Mapping[str, Any]) -> list[str]:
        """What is wrong with a state (empty when it is valid); used by tests and on load."""
        out: list[str] = []
        form = self.forms.get(state.get("form", ""))
        if form is None:
            return ["unknown form"]
        step = state.get("step")
        if step is not None and form.field(step) is None:
            out.append(f"unknown step {step!r}")
        answers = state.get("answers")
        if not isinstance(answers, dict):
            return [*out, "answers is not a dict"]
        for name, value in answers.items():
            fld = form.field(name)
            if fld is None:
                out.append(f"unknown answer {name!r}")
            elif not fld.is_valid_value(value):
                out.append(f"invalid value for {name!r}")
        if not isinstance(state.get("pending"), list) or not isinstance(state.get("options"), list):
            out.append("pending/options are not lists")
        return out

    # -- asking -----------------------------------------------------------------------

    def ask(
        self,
        state: dict[str, Any],
        lang: Lang,
        *,
        error: Invalid | None = None,
        note: str | None = None,
    ) -> Reply:
        """The current question (after an error or a note, if any) with its buttons."""
        form = self.form(state)
        fld = self.current(state)
        if fld is None:
            raise ValueError("the form is complete; there is no question to ask")
        answers = state["answers"]
        active = form.active_fields(answers)
        position = next((i for i, f in enumerate(active, start=1) if f.name == fld.name), 1)
        lines: list[str] = []
        if error is not None:
            lines.append(t(error.key, lang, **error.params))
        if note:
            lines.append(note)
        space = "" if lang == "ja" else " "  # （2/15）英文社名…: no half-width space in Japanese
        lines.append(
            t("form.progress", lang, n=position, total=len(active)) + space + t(fld.prompt, lang)
        )
        if not fld.required:
            lines.append(t("form.optional_hint", lang))
        if fld.name in answers and not state["options"] and not state["pending"]:
            lines.append(t("form.current_value", lang, value=fld.display(answers[fld.name], lang)))
        if fld.multi:
            if state["pending"]:
                lines.append(t("form.selected", lang, value=fld.display(state["pending"], lang)))
            lines.append(t("form.multi_hint", lang))
        buttons: list[Button] = []
        if state["options"]:
            lines.append(t("form.pick_hint", lang))
            for i, code in enumerate(state["options"]):
                label = fld.option_label(code, lang)
                lines.append(f"{i + 1}. {label}")
                buttons.append(Button(label, f"{self.prefix}:o:{fld.name}:{i}"))
        else:
            for i, choice in enumerate(fld.choices()):
                label = choice.label(lang)
                if fld.multi and choice.code in state["pending"]:
                    label = "✓ " + label
                buttons.append(Button(label, f"{self.prefix}:o:{fld.name}:{i}"))
        if fld.multi:
            buttons.append(Button(t("form.button.done", lang), f"{self.prefix}:done:{fld.name}"))
        if not fld.required:
            buttons.append(Button(t("form.button.skip", lang), f"{self.prefix}:skip:{fld.name}"))
        nav = []
        if active and active[0].name != fld.name:
            nav.append(Button(t("form.button.back", lang), f"{self.prefix}:back"))
        nav.append(Button(t("form.button.cancel", lang), f"{self.prefix}:cancel"))
        nav.append(Button(t("form.button.language", lang), f"{self.prefix}:lang"))
        room = MAX_BUTTONS - len(buttons)
        buttons.extend(nav[: max(room, 0)])
        return Reply(text="\n".join(lines), buttons=tuple(buttons), lang=lang)

    # -- answering --------------------------------------------------------------------

    def submit_text(self, state: dict[str, Any], text: str, lang: Lang) -> Reply | None:
        """Read a typed answer. None when the current field got its value, else the reply."""
        fld = self.current(state)
        if fld is None:
            raise ValueError("the form is complete")
        stripped = text.strip()
        if state["options"]:
            number = normalize_text(stripped)
            if number.isdigit() and 1 <= int(number) <= len(state["options"]):
                return self._store(state, fld, state["options"][int(number) - 1])
        if fld.multi:
            if is_word(stripped, DONE_WORDS):
                return self._finish_multi(state, fld, lang)
            if not fld.required and is_word(stripped, SKIP_WORDS):
                # skipping keeps what was already ticked on this question
                if state["pending"]:
                    return self._finish_multi(state, fld, lang)
                return self._store(state, fld, [])
        elif not fld.required and is_word(stripped, SKIP_WORDS):
            return self._store(state, fld, None)
        try:
            if fld.multi:
                codes, unknown = fld.parse_items(stripped)  # type: ignore[attr-defined]
                state["pending"] = list(dict.fromkeys([*state["pending"], *codes]))
                if unknown:  # what was understood is kept; the rest is named back
                    many = bool(codes) or len(unknown) > 1
                    key = "form.error.choice_item" if many else fld.invalid_key  # type: ignore[attr-defined]
                    raise Invalid(key, item=", ".join(unknown)[:60])
                return self.ask(state, lang)
            value = fld.parse(stripped, lang)
        except Invalid as exc:
            state["options"] = []
            return self.ask(state, lang, error=exc)
        if isinstance(value, Candidates):
            state["options"] = list(value.codes)
            return self.ask(state, lang)
        return self._store(state, fld, value)

    def would_take(self, state: Mapping[str, Any], text: str, lang: Lang) -> bool:
        """Whether `text` is a clean answer to the pending choice or number question, so
        "120 คน?" at the employee count is an answer, not a question; free text never is."""
        fld = self.current(state)
        if fld is None or isinstance(fld, TextField):
            return False
        try:
            if fld.multi:
                codes, unknown = fld.parse_items(text)  # type: ignore[attr-defined]
                return bool(codes) and not unknown
            value = fld.parse(text, lang)
        except Invalid:
            return False
        return not isinstance(value, Candidates)

    def submit_button(
        self, state: dict[str, Any], action: str, field_name: str, token: str, lang: Lang
    ) -> Reply | None:
        """Read a button press for `field_name`. None when the field got its value."""
        fld = self.current(state)
        if fld is None:
            raise ValueError("the form is complete")
        if fld.name != field_name:
            # A button of an earlier question: say so and ask the current one again.
            state["options"] = [] if fld.multi else state["options"]
            return self.ask(state, lang, note=t("form.stale_button", lang))
        if action == "done" and fld.multi:
            return self._finish_multi(state, fld, lang)
        if action == "skip" and not fld.required:
            if fld.multi and state["pending"]:
                return self._finish_multi(state, fld, lang)  # keeps what was ticked
            return self._store(state, fld, [] if fld.multi else None)
        if action == "o" and token.isdigit():
            index = int(token)
            if state["options"]:
                if index < len(state["options"]):
                    return self._store(state, fld, state["options"][index])
            else:
                choices = fld.choices()
                if index < len(choices):
                    code = choices[index].code
                    if fld.multi:
                        pending = state["pending"]
                        state["pending"] = (
                            [c for c in pending if c != code]
                            if code in pending
                            else [*pending, code]
                        )
                        return self.ask(state, lang)
                    try:
                        value = fld.parse(code, lang)  # runs the field's own rules (consent)
                    except Invalid as exc:
                        return self.ask(state, lang, error=exc)
                    return self._store(state, fld, value)
        return self.ask(state, lang, note=t("form.stale_button", lang))

    def _finish_multi(self, state: dict[str, Any], fld: Field, lang: Lang) -> Reply | None:
        if fld.required and not state["pending"]:
            return self.ask(state, lang, error=Invalid("form.error.choose_one"))
        return self._store(state, fld, list(state["pending"]))

    def _store(self, state: dict[str, Any], fld: Field, value: Any) -> Reply | None:
        state["answers"][fld.name] = value
        state["pending"] = []
        state["options"] = []
        return None

    # -- moving -----------------------------------------------------------------------

    def advance(self, state: dict[str, Any]) -> bool:
        """Move to the first unanswered question; True when there is none (complete)."""
        nxt = self.form(state).next_field(state["answers"])
        state["step"] = nxt.name if nxt else None
        state["pending"] = []
        state["options"] = []
        return nxt is None

    def go_to(self, state: dict[str, Any], field_name: str) -> bool:
        fld = self.form(state).field(field_name)
        if fld is None or not fld.active(state["answers"]):
            return False
        state["step"] = fld.name
        state["pending"] = list(state["answers"].get(fld.name) or []) if fld.multi else []
        state["options"] = []
        return True

    def back(self, state: dict[str, Any]) -> bool:
        """Step to the previous question; False when already at the first."""
        active = self.form(state).active_fields(state["answers"])
        names = [f.name for f in active]
        step = state.get("step")
        if step is None:
            index = len(names)
        elif step in names:
            index = names.index(step)
        else:
            index = 0
        if index == 0:
            return False
        return self.go_to(state, names[index - 1])

    # -- showing ----------------------------------------------------------------------

    def summary_lines(
        self, form: Form, answers: Mapping[str, Any], lang: Lang
    ) -> list[tuple[Field, str]]:
        return [(f, f.display(answers.get(f.name), lang)) for f in form.active_fields(answers)]
