"""The "reg" skill: conversational registration, profile view and edit, data erasure.

State lives in `conv.data["reg"]` (JSON only) so a half-filled form survives a restart:

    {"stage": "choose" | "resume" | "form" | "summary" | "cancel" | "profile" | "pedit" | "delete",
     "lang": "th", "draft": <form engine state> | None, "pedit": <form engine state> | None}

The skill asks for writes through effects (save the company, update one field, erase the
user's data); the worker applies them in the turn's transaction.
"""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from assembly.privacy import erase_user
from core.i18n import t
from core.time import as_utc
from core.turn import EffectContext, Turn, language_buttons, main_menu_buttons
from core.types import LANGS, Button, Card, Kind, Lang, Reply
from language import taxonomy
from language.reference import Choice, fold, match_choices
from matching import repo
from matching.models import Company
from registration.forms import definitions
from registration.forms.definitions import FORMS, JP_FIRM, TH_SME
from registration.forms.engine import BACK_WORDS, Form, FormEngine, is_word
from registration.forms.fields import TextField
from registration.forms.sme import osmep_size, programme_candidates

logger = logging.getLogger(__name__)

NAME = "reg"
P = NAME + ":"

CANCEL_WORDS = {
    "cancel",
    "stop",
    "quit",
    "ยกเลิก",
    "เลิก",
    "キャンセル",
    "中止",
    "やめる",
    "取り消し",
}
LANG_CHANGE_WORDS = {
    "change language", "switch language", "เปลี่ยนภาษา", "言語を変更", "言語変更", "言語を変える",
}  # fmt: skip
CONFIRM_WORDS = {
    "confirm",
    "yes",
    "ok",
    "okay",
    "correct",
    "ยืนยัน",
    "ใช่",
    "ตกลง",
    "ถูกต้อง",
    "確定",
    "はい",
    "登録",
    "登録する",
}
NO_WORDS = {"no", "not now", "ไม่", "ไม่ใช่", "ไม่ลบ", "いいえ", "やめる", "削除しない"}
RESUME_WORDS = {"resume", "continue", "ต่อ", "ทำต่อ", "ดำเนินการต่อ", "続ける", "再開", "続きから"}
RESTART_WORDS = {"start over", "restart", "new", "เริ่มใหม่", "最初から", "やり直す", "やり直し"}
PROFILE_WORDS = {
    "my profile",
    "profile",
    "ข้อมูลบริษัทของฉัน",
    "ข้อมูลของฉัน",
    "โปรไฟล์",
    "登録情報",
    "プロフィール",
}
REGISTER_WORDS = {
    "register",
    "sign up",
    "ลงทะเบียน",
    "ลงทะเบียนบริษัท",
    "登録したい",
    "会社を登録",
    "新規登録",
}
DELETE_PHRASES = (
    "delete my data", "delete my account", "delete my profile", "erase my data", "remove my data",
    "delete all my data", "ลบข้อมูล", "ลบบัญชี", "ลบโปรไฟล์", "データを削除", "データ削除",
    "個人情報を削除", "登録を削除", "登録削除", "データを消", "退会",
)  # fmt: skip
FORM_WORDS = {
    TH_SME: ("thai", "thai sme", "thailand", "sme", "ไทย", "sme ไทย", "เอสเอ็มอีไทย", "บริษัทไทย", "タイ", "タイ企業", "タイの中小企業"),
    JP_FIRM: ("japan", "japanese", "japanese company", "ญี่ปุ่น", "บริษัทญี่ปุ่น", "日本", "日本企業", "日本の会社"),
}  # fmt: skip

_EDIT_EN = re.compile(
    r"^(?:edit|change|update|correct|fix|modify)\s+(?:my\s+|the\s+)?(.+)$", re.IGNORECASE
)
_EDIT_TH = re.compile(r"^(?:ขอ)?(?:แก้ไข|แก้|เปลี่ยน|ปรับ)\s*(.+)$")
_EDIT_JA_TAIL = re.compile(
    r"^(.+?)\s*(?:を)?(?:変更|修正|編集|直)(?:したい|します|してください|する|して)?$"
)
_EDIT_JA_HEAD = re.compile(r"^(?:変更|修正|編集)\s*[:：]?\s*(.+)$")


_QUESTION_END = re.compile(
    r"([?？]|ไหม|มั้ย|หรือเปล่า|หรือไม่|อย่างไร|ยังไง|เท่าไร|เท่าไหร่|อะไร|ที่ไหน|เมื่อไร|เมื่อไหร่"
    r"|ですか|ますか|でしょうか|のか)\s*(คะ|ครับ|ค่ะ|นะ|かな)?\s*[?？]?$"
)
_QUESTION_START = re.compile(
    r"^(what|how|why|when|where|which|who|can|could|is|are|do|does)\b", re.IGNORECASE
)


def looks_like_question(text: str) -> bool:
    """A question to the assistant rather than an answer ("What is the SME fund?")."""
    stripped = text.strip()
    if len(stripped) < 6:
        return False
    return bool(_QUESTION_END.search(stripped)) or (
        bool(_QUESTION_START.match(stripped)) and len(stripped.split()) >= 4
    )


# Linking another chat account (a colleague's, or the same person on the other platform).
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
INVITE_LENGTH = 8
INVITE_HOURS = 24
_JOIN = re.compile(
    r"^(?:/?join|link|เข้าร่วม|เชื่อมบัญชี|参加|連携)\s*[:：]?\s*([A-Za-z0-9][A-Za-z0-9\- ]{6,14})$",
    re.IGNORECASE,
)


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def invite_hash(code: str) -> str:
    """Only the hash of a code is stored; codes are typed with or without the dash."""
    normal = re.sub(r"[\s\-]", "", fold(code)).upper()
    return hashlib.sha256(normal.encode()).hexdigest()


# -- effects ---------------------------------------------------------------------------


@dataclass(frozen=True)
class SaveRegistration:
    channel: str
    user_id: str
    lang: str
    values: dict[str, Any] = field(hash=False)
    consent_at: datetime

    def apply(self, ctx: EffectContext) -> None:
        repo.create_chat_company(
            ctx.session,
            values=self.values,
            channel=self.channel,
            user_id=self.user_id,
            lang=self.lang,
            consent_at=self.consent_at,
        )


@dataclass(frozen=True)
class UpdateCompany:
    company_id: int
    values: dict[str, Any] = field(hash=False)

    def apply(self, ctx: EffectContext) -> None:
        repo.update_company(ctx.session, company_id=self.company_id, values=self.values)


@dataclass(frozen=True)
class CreateInvite:
    company_id: int
    code_sha256: str
    expires_at: datetime

    def apply(self, ctx: EffectContext) -> None:
        repo.set_invite(
            ctx.session,
            company_id=self.company_id,
            code_sha256=self.code_sha256,
            expires_at=self.expires_at,
        )


@dataclass(frozen=True)
class JoinCompany:
    company_id: int
    channel: str
    user_id: str
    lang: str
    code_sha256: str
    at: datetime

    def apply(self, ctx: EffectContext) -> None:
        # Checked again here: the code may have been used or replaced since the question.
        if not repo.add_member(
            ctx.session,
            company_id=self.company_id,
            channel=self.channel,
            user_id=self.user_id,
            lang=self.lang,
            code_sha256=self.code_sha256,
            now=self.at,
        ):
            logger.info(
                "a %s account could not join: the invite was used or has expired", self.channel
            )


@dataclass(frozen=True)
class EraseUserData:
    """Erase the user's company profile and links, conversation, messages and questions."""

    channel: str
    user_id: str
    # Tells the worker not to store this turn's conversation state again afterwards.
    erases_conversation: bool = True

    def apply(self, ctx: EffectContext) -> None:
        erase_user(ctx.session, channel=self.channel, user_id=self.user_id)


# -- answers <-> company ---------------------------------------------------------------


def _split_other(text: str | None) -> list[str]:
    return [p.strip() for p in re.split(r"[,;、，]", text or "") if p.strip()]


def answers_to_company(form: Form, answers: dict[str, Any], *, lang: str) -> dict[str, Any]:
    """Company columns for a completed form (only the fields that apply)."""
    a = form.clean_answers(answers)
    cert_key = "certifications" if form.name == TH_SME else "required_certifications"
    certs = [c for c in (a.get(cert_key) or []) if c != "other"]
    other = a.get("certifications_other")
    if "other" in (a.get(cert_key) or []):
        certs += _split_other(other) or ["other"]
    values: dict[str, Any] = {
        "name": a["name"],
        "sector": a.get("sector"),
        "offers": a.get("offers") or "",
        "seeks": a.get("seeks") or "",
        "partnership": list(a.get("partnership") or []),
        "employees": a.get("employees"),
        "contact_person": a.get("contact_person"),
        "email": a.get("email"),
        "phone": a.get("phone"),
        # the language used to register, and the company's own language
        "languages": list(dict.fromkeys([lang, "th" if form.name == TH_SME else "ja"])),
        "extra": {"form": form.name, "certifications_other": other, "registered_lang": lang},
    }
    if form.name == TH_SME:
        group = taxonomy.sector_group(a.get("sector"))
        values.update(
            country="TH",
            name_en=a.get("name_en"),
            registration_number=a.get("registration_number"),
            certifications=certs,
            annual_revenue_thb=a.get("revenue"),
            size_class=osmep_size(
                employees=a.get("employees"), revenue_thb=a.get("revenue"), sector_group=group
            ),
            location=a.get("province"),
            export_markets=a.get("export_markets"),
        )
    else:
        values.update(
            country="JP",
            registration_number=a.get("corporate_number"),
            required_certifications=certs,
            location=a.get("prefecture"),
            thai_base=a.get("thai_base_location") if a.get("thai_base") == "yes" else None,
        )
        values["extra"]["thai_base"] = a.get("thai_base")
    return values


def company_to_answers(company: Company) -> tuple[Form, dict[str, Any]]:
    """The form and its answers for a stored company (to show and edit a profile)."""
    form = FORMS[TH_SME if company.country == "TH" else JP_FIRM]
    extra = company.extra or {}
    fields = {f.name for f in form.fields}
    cert_list = company.certifications if form.name == TH_SME else company.required_certifications
    known = {c.code for c in definitions.reference.choice_list("certifications")}
    certs = [c for c in cert_list if c in known and c != "other"]
    if any(c not in known or c == "other" for c in cert_list):
        certs.append("other")
    answers: dict[str, Any] = {
        "name": company.name,
        "sector": company.sector,
        "offers": company.offers or None,
        "partnership": list(company.partnership),
        "seeks": company.seeks or None,
        "employees": company.employees,
        "contact_person": company.contact_person,
        "email": company.email,
        "phone": company.phone,
        "consent": "agree" if company.consent_at else None,
        "certifications_other": extra.get("certifications_other"),
    }
    if form.name == TH_SME:
        answers.update(
            name_en=company.name_en,
            registration_number=company.registration_number,
            certifications=certs,
            revenue=company.annual_revenue_thb,
            province=company.location,
            export_markets=company.export_markets,
        )
    else:
        answers.update(
            corporate_number=company.registration_number,
            required_certifications=certs,
            prefecture=company.location,
            thai_base=extra.get("thai_base") or ("yes" if company.thai_base else "no"),
            thai_base_location=company.thai_base,
        )
    # A conditional question never answered stays unanswered, so switching its condition
    # on later (ticking "other") asks it.
    conditional = {f.name for f in form.fields if f.when is not None}
    return form, {
        k: v for k, v in answers.items() if k in fields and not (v is None and k in conditional)
    }


# -- the skill -------------------------------------------------------------------------


class RegistrationSkill:
    name = NAME

    def __init__(self) -> None:
        self.engine = FormEngine(list(FORMS.values()), prefix=NAME)

    # -- entry points (Skill protocol) --------------------------------------------------

    def on_postback(self, turn: Turn, data: str) -> bool:
        reg = self._state(turn)
        parts = data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""
        if action == "start":
            self._start(turn, reg)
        elif action == "profile":
            self._show_profile(turn, reg)
        elif action == "form" and arg in FORMS:
            self._begin_form(turn, reg, arg)
        elif action == "resume":
            self._resume(turn, reg)
        elif action == "restart":
            reg["draft"] = None
            self._choose_form(turn, reg)
        elif action == "lang":
            self._language(turn, reg, arg)
        elif action in {"o", "done", "skip"}:
            self._engine_button(turn, reg, action, arg, parts[3] if len(parts) > 3 else "")
        elif action == "back":
            self._back(turn, reg)
        elif action == "cancel":
            self._cancel(turn, reg, arg)
        elif action == "edit":
            self._edit_draft_field(turn, reg, arg)
        elif action == "confirm":
            self._confirm(turn, reg)
        elif action == "pedit":
            self._begin_profile_edit(turn, reg, arg)
        elif action == "delete":
            self._delete(turn, reg, arg)
        elif action == "invite":
            self._invite(turn, reg)
        elif action == "join":
            self._join(turn, reg, arg)
        else:
            return False
        return True

    def on_text(self, turn: Turn) -> bool:
        reg = self._state(turn)
        text = (turn.msg.text or "").strip()
        location = turn.msg.location
        if turn.msg.kind is Kind.LOCATION and location is not None:
            # A shared location answers a province question by its address.
            text = (location.address or location.title or "").strip()
        stage = reg.get("stage")
        if self._is_delete_request(text):
            self._delete(turn, reg, "")
            return True
        if is_word(text, LANG_CHANGE_WORDS):
            self._language(turn, reg, "")
            return True
        join = _JOIN.match(text)
        if join:
            self._join(turn, reg, join.group(1))
            return True
        if stage == "join":
            self._join(turn, reg, "yes" if is_word(text, CONFIRM_WORDS) else "no")
            return True
        if stage == "choose":
            return self._text_choose(turn, reg, text)
        if stage == "resume":
            return self._text_resume(turn, reg, text)
        if stage == "cancel":
            self._cancel(turn, reg, "yes" if is_word(text, CONFIRM_WORDS | CANCEL_WORDS) else "no")
            return True
        if stage == "delete":
            if is_word(text, CONFIRM_WORDS):
                self._delete(turn, reg, "yes")
            else:
                self._delete(turn, reg, "no")
            return True
        if stage in {"form", "pedit"}:
            return self._text_form(turn, reg, text)
        if stage == "summary":
            return self._text_summary(turn, reg, text)
        if stage == "profile":
            return self._text_profile(turn, reg, text)
        turn.conv.flow = None
        return False

    def on_free_text(self, turn: Turn) -> bool:
        """Typed requests outside a flow ("delete my data", "edit phone", "my profile").

        For the dialogue manager to call before the knowledge answerer.
        """
        text = (turn.msg.text or "").strip()
        if self._is_delete_request(text):
            self._delete(turn, self._state(turn), "")
            return True
        if is_word(text, PROFILE_WORDS):
            self._show_profile(turn, self._state(turn))
            return True
        if is_word(text, REGISTER_WORDS):
            self._start(turn, self._state(turn))
            return True
        join = _JOIN.match(text)
        if join:
            self._join(turn, self._state(turn), join.group(1))
            return True
        company = self._company(turn)
        if company is not None:
            form, _ = company_to_answers(company)
            target = self._edit_target(text, form, turn.lang)
            if target is not None:
                self._begin_profile_edit(turn, self._state(turn), target)
                return True
        return False

    def reask(self, turn: Turn) -> bool:
        """Ask the pending question again (after the menu or a language change)."""
        reg = self._state(turn)
        state = self._engine_state(reg)
        if (
            reg.get("stage") in {"form", "pedit"}
            and state is not None
            and state.get("step") is not None
        ):
            turn.conv.flow = NAME
            self._ask(turn, reg)
            return True
        if reg.get("stage") in {"form", "summary"} and reg.get("draft"):
            turn.conv.flow = NAME
            self._show_summary(turn, reg)
            return True
        return False

    # -- state helpers ------------------------------------------------------------------

    def _state(self, turn: Turn) -> dict[str, Any]:
        reg = turn.conv.data.get(NAME)
        if not isinstance(reg, dict) or not self._valid(reg):
            if reg is not None:
                logger.warning("discarding invalid registration state")
            reg = {"stage": None, "lang": turn.lang, "draft": None, "pedit": None}
            turn.conv.data[NAME] = reg
        # Inside a form the language stays the form's unless the user chose one.
        if turn.conv.lang_chosen or not reg.get("lang"):
            reg["lang"] = turn.lang
        elif reg.get("stage") in {"form", "summary", "pedit", "cancel"}:
            turn.lang = reg["lang"]
            turn.conv.lang = turn.lang
        else:
            reg["lang"] = turn.lang
        return reg

    def _valid(self, reg: dict[str, Any]) -> bool:
        for key in ("draft", "pedit"):
            sub = reg.get(key)
            if sub is not None and (not isinstance(sub, dict) or self.engine.problems(sub)):
                return False
        return reg.get("lang") in (*LANGS, None)

    def problems(self, conv_data: dict[str, Any]) -> list[str]:
        """What is wrong with the stored state (for tests); empty when valid."""
        reg = conv_data.get(NAME)
        if reg is None:
            return []
        out = []
        for key in ("draft", "pedit"):
            if reg.get(key) is not None:
                out += [f"{key}: {p}" for p in self.engine.problems(reg[key])]
        if reg.get("stage") in {"form", "summary", "cancel"} and reg.get("draft") is None:
            out.append(f"stage {reg.get('stage')} without a draft")
        if reg.get("stage") == "join" and not isinstance(reg.get("join"), dict):
            out.append("stage join without a company")
        if reg.get("stage") == "pedit" and reg.get("pedit") is None:
            out.append("stage pedit without an edit")
        if (
            reg.get("stage") == "form"
            and reg["draft"] is not None
            and reg["draft"].get("step") is None
        ):
            out.append("stage form with a complete draft")
        return out

    def _engine_state(self, reg: dict[str, Any]) -> dict[str, Any] | None:
        return reg.get("pedit") if reg.get("stage") == "pedit" else reg.get("draft")

    def _company(self, turn: Turn) -> Company | None:
        if turn.session is None:
            return None
        return repo.get_company_for_member(
            turn.session, channel=turn.msg.channel, user_id=turn.msg.user_id
        )

    def _finish(self, turn: Turn, reg: dict[str, Any]) -> None:
        reg["stage"] = None
        reg["pedit"] = None
        turn.conv.flow = None

    def _ask(self, turn: Turn, reg: dict[str, Any], **kwargs: Any) -> None:
        state = self._engine_state(reg)
        assert state is not None
        turn.reply(self.engine.ask(state, turn.lang, **kwargs))

    # -- start, choose, resume ----------------------------------------------------------

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
        turn.say("reg.intro", title=t(FORMS[form_name].title, turn.lang))
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

    # -- language -----------------------------------------------------------------------

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

    # -- filling the form ---------------------------------------------------------------

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
            # A question, not an answer: keep the answers, step aside for the answerer.
            if reg["stage"] == "pedit":
                reg["pedit"] = None
                reg["stage"] = None
            else:
                turn.say("reg.paused")
            turn.conv.flow = None
            return False
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

    # -- summary and confirm ------------------------------------------------------------

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
                    body="\n".join(f"{t(f.label, lang)}: {value}" for f, value in chunk),
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
            f"{i}. {t(f.label, lang)}: {value}" for i, (f, value) in enumerate(rows, start=1)
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
            turn.say("reg.paused")
            turn.conv.flow = None  # the draft and its summary wait for "Register"
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
        turn.effect(
            SaveRegistration(
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

    # -- profile --------------------------------------------------------------------------

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
            turn.effect(UpdateCompany(company_id=company_id, values=values))
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

    # -- linking another chat account ---------------------------------------------------

    def _invite(self, turn: Turn, reg: dict[str, Any]) -> None:
        company = self._company(turn)
        if company is None or company.id is None:
            self._show_profile(turn, reg)
            return
        code = new_invite_code()
        expires = as_utc(turn.msg.timestamp) + timedelta(hours=INVITE_HOURS)
        turn.effect(
            CreateInvite(company_id=company.id, code_sha256=invite_hash(code), expires_at=expires)
        )
        self._finish(turn, reg)
        shown = f"{code[:4]}-{code[4:]}"
        turn.say(
            "reg.invite.created",
            code=shown,
            hours=INVITE_HOURS,
            buttons=(
                Button(t("menu.profile", turn.lang), P + "profile"),
                Button(t("menu.back", turn.lang), "menu"),
            ),
        )

    def _join(self, turn: Turn, reg: dict[str, Any], arg: str) -> None:
        lang = turn.lang
        if arg in {"yes", "no"}:
            pending = reg.pop("join", None)
            if reg.get("stage") == "join":
                reg["stage"] = None
                turn.conv.flow = None
            if arg == "no" or not isinstance(pending, dict):
                turn.say(
                    "reg.join.cancelled" if arg == "no" else "fallback.stale_button",
                    buttons=main_menu_buttons(lang),
                )
                return
            turn.effect(
                JoinCompany(
                    company_id=pending["company_id"],
                    channel=turn.msg.channel,
                    user_id=turn.msg.user_id,
                    lang=lang,
                    code_sha256=pending["sha256"],
                    at=as_utc(turn.msg.timestamp),
                )
            )
            reg["draft"] = None
            turn.say("reg.join.done", name=pending["name"], buttons=main_menu_buttons(lang))
            return
        mine = self._company(turn)
        if mine is not None:
            self._finish(turn, reg)
            turn.say("reg.join.already", name=mine.name, buttons=main_menu_buttons(lang))
            return
        digest = invite_hash(arg)
        company = (
            repo.find_company_by_invite(
                turn.session, code_sha256=digest, now=as_utc(turn.msg.timestamp)
            )
            if turn.session is not None
            else None
        )
        if company is None or company.id is None:
            turn.say("reg.join.invalid", buttons=main_menu_buttons(lang))
            return
        reg["join"] = {"company_id": company.id, "sha256": digest, "name": company.name}
        reg["stage"] = "join"
        turn.conv.flow = NAME
        turn.say(
            "reg.join.confirm",
            name=company.name,
            buttons=(
                Button(t("reg.button.join_yes", lang), P + "join:yes"),
                Button(t("reg.button.join_no", lang), P + "join:no"),
            ),
        )

    # -- delete my data -------------------------------------------------------------------

    def _is_delete_request(self, text: str) -> bool:
        folded = fold(text)
        return any(fold(p) in folded for p in DELETE_PHRASES)

    def _delete(self, turn: Turn, reg: dict[str, Any], arg: str) -> None:
        lang = turn.lang
        company = self._company(turn)
        if arg == "yes":
            if reg.get("stage") != "delete":
                turn.say("fallback.stale_button", buttons=main_menu_buttons(lang))
                return
            turn.effect(EraseUserData(channel=turn.msg.channel, user_id=turn.msg.user_id))
            turn.conv.data.clear()
            turn.conv.flow = None
            if company is not None:
                # The name is not repeated: this reply is stored in the outbox after the erasure.
                turn.say(
                    "reg.delete.done_company", ref=company.ref, buttons=main_menu_buttons(lang)
                )
            else:
                turn.say("reg.delete.done", buttons=main_menu_buttons(lang))
            return
        if arg == "no":
            previous = reg.pop("before_delete", None)
            reg["stage"] = previous
            if previous == "profile":
                self._show_profile(turn, reg)
            elif not self.reask(turn):
                self._finish(turn, reg)
                turn.say("reg.delete.kept", buttons=main_menu_buttons(lang))
            return
        if reg.get("stage") != "delete":
            reg["before_delete"] = reg.get("stage")
        reg["stage"] = "delete"
        turn.conv.flow = NAME
        key = "reg.delete.confirm_company" if company is not None else "reg.delete.confirm"
        turn.say(
            key,
            name=company.name if company else "",
            buttons=(
                Button(t("reg.button.delete_yes", lang), P + "delete:yes"),
                Button(t("reg.button.delete_no", lang), P + "delete:no"),
            ),
        )

    # -- "edit phone" -------------------------------------------------------------------

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
        for pattern in (_EDIT_EN, _EDIT_TH, _EDIT_JA_HEAD, _EDIT_JA_TAIL):
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
