"""Linking another chat account to a company, and erasing a person's data."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from core.i18n import t
from core.time import as_utc
from core.turn import Turn, main_menu_buttons
from core.types import LANGS, Button
from language.normalize import fold
from registration.effects import (
    INVITE_HOURS,
    AnswerJoinRequest,
    AskToJoin,
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

    def _join_request(self, turn: Turn, reg: dict[str, Any], args: list[str]) -> None:
        """The button "reg:jr:ask" of someone whose number is on file, or "reg:jr:y|n:..."
        of one of that company's contacts, answering in their own chat."""
        if args[:1] == ["ask"]:
            self._ask_to_join(turn, reg)
            return
        request = _parse_request(args)
        mine = self._company(turn)
        if request is None or mine is None or mine.id != request[1]:
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        accepted, company_id, channel, user_id, lang = request
        linked = self.directory.get_company_for_member(
            turn.session, channel=channel, user_id=user_id
        )
        done = reg.setdefault("jr_done", [])
        key = f"{channel}:{user_id}"
        if linked is not None or key in done:
            turn.say("reg.join_request.handled", buttons=main_menu_buttons(turn.lang))
            return
        reg["jr_done"] = [*done, key][-20:]
        turn.effect(
            AnswerJoinRequest(
                directory=self.directory,
                company_id=company_id,
                company_name=mine.name,
                accepted=accepted,
                channel=channel,
                user_id=user_id,
                lang=lang,
                at=as_utc(turn.msg.timestamp),
            )
        )
        said = "reg.join_request.accepted" if accepted else "reg.join_request.declined"
        turn.say(said, name=mine.name, buttons=main_menu_buttons(turn.lang))

    def _ask_to_join(self, turn: Turn, reg: dict[str, Any]) -> None:
        pending = reg.pop("join_request", None)
        mine = self._company(turn)
        if mine is not None:
            turn.say("reg.join.already", name=mine.name, buttons=main_menu_buttons(turn.lang))
            return
        if not isinstance(pending, dict) or turn.session is None:
            turn.say("fallback.stale_button", buttons=main_menu_buttons(turn.lang))
            return
        contacts = self.directory.list_members(turn.session, company_id=pending["company_id"])
        if not contacts:
            turn.say(
                "reg.join_request.no_contact",
                name=pending["name"],
                buttons=(
                    Button(t("kb.staff_button", turn.lang), "kb:staff"),
                    Button(t("menu.back", turn.lang), "menu"),
                ),
            )
            return
        turn.effect(
            AskToJoin(
                directory=self.directory,
                company_id=pending["company_id"],
                company_name=pending["name"],
                channel=turn.msg.channel,
                user_id=turn.msg.user_id,
                lang=turn.lang,
                who=str(pending.get("who") or ""),
            )
        )
        turn.say(
            "reg.join_request.sent", name=pending["name"], buttons=main_menu_buttons(turn.lang)
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


def _parse_request(args: list[str]) -> tuple[bool, int, str, str, str] | None:
    """(accepted, company id, channel, user id, language) of Accept/Decline button data."""
    if len(args) != 5 or args[0] not in {"y", "n"} or not args[1].isdigit():
        return None
    _, company, channel, user_id, lang = args
    if channel not in {"line", "telegram"} or lang not in LANGS or not user_id:
        return None
    return args[0] == "y", int(company), channel, user_id, lang
