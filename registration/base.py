"""The registration skill's state in `conv.data["reg"]` and the helpers every step uses.

State is JSON only, so a half-filled form survives a restart:

    {"stage": "choose" | "resume" | "form" | "summary" | "cancel" | "profile" | "pedit" | "delete",
     "lang": "th", "draft": <form engine state> | None, "pedit": <form engine state> | None}
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from typing import Any

from core.ports import CompanyDirectory, CompanyProfile, EraseUser
from core.turn import Turn
from core.types import LANGS, Lang
from registration.forms.definitions import FORMS
from registration.forms.engine import Form, FormEngine

logger = logging.getLogger(__name__)

NAME = "reg"
P = NAME + ":"


class RegistrationBase(ABC):
    name = NAME

    def __init__(self, *, directory: CompanyDirectory, erase: EraseUser) -> None:
        self.engine = FormEngine(list(FORMS.values()), prefix=NAME)
        self.directory = directory
        self.erase = erase

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

    def _company(self, turn: Turn) -> CompanyProfile | None:
        if turn.session is None:
            return None
        return self.directory.get_company_for_member(
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

    # -- hooks the later steps provide ----------------------------------------------------

    @abstractmethod
    def _show_profile(
        self, turn: Turn, reg: dict[str, Any], *, note: str | None = None
    ) -> None: ...

    @abstractmethod
    def _save_profile_edit(self, turn: Turn, reg: dict[str, Any]) -> None: ...

    @abstractmethod
    def _delete(self, turn: Turn, reg: dict[str, Any], arg: str) -> None: ...

    @abstractmethod
    def _edit_target(
        self,
        text: str,
        form: Form,
        lang: Lang,
        *,
        allow_bare: bool = False,
        answers: dict[str, Any] | None = None,
    ) -> str | None: ...
