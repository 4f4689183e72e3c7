"""Linking another chat account to a company, and erasing a person's data."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.i18n import t
from core.time import as_utc
from core.turn import Turn, main_menu_buttons
from core.types import Button
from language.normalize import fold
from registration.effects import (
    INVITE_HOURS,
    CreateInvite,
    EraseUserData,
    JoinCompany,
    invite_hash,
    new_invite_code,
)
from registration.profile import ProfileSteps
from registration.words import (
    DELETE_PHRASES,
)

logger = logging.getLogger(__name__)

NAME = "reg"
P = NAME + ":"


class MembershipSteps(ProfileSteps):
    def _invite(self, turn: Turn, reg: dict[str, Any]) -> None:
        company = self._company(turn)
        if company is None or company.id is None:
            self._show_profile(turn, reg)
            return
        code = new_invite_code()
        expires = as_utc(turn.msg.timestamp) + timedelta(hours=INVITE_HOURS)
        turn.effect(
            CreateInvite(
                directory=self.directory,
                company_id=company.id,
                code_sha256=invite_hash(code),
                expires_at=expires,
            )
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
                    directory=self.directory,
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
            self.directory.find_company_by_invite(
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
            turn.effect(
                EraseUserData(erase=self.erase, channel=turn.msg.channel, user_id=turn.msg.user_id)
            )
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
