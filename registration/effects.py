"""Writes registration asks for, applied by the runtime inside the turn's transaction,
and the invite codes that link another chat account to a company."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, cast

from core.i18n import t
from core.ports import CompanyDirectory, EraseUser
from core.state import get_chat_user
from core.turn import EffectContext
from core.types import Button, Channel, Lang, Reply, from_hint
from language.normalize import fold

logger = logging.getLogger(__name__)


# Linking another chat account (a colleague's, or the same person on the other platform).
INVITE_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I
INVITE_LENGTH = 8
INVITE_HOURS = 24


def new_invite_code() -> str:
    return "".join(secrets.choice(INVITE_ALPHABET) for _ in range(INVITE_LENGTH))


def invite_hash(code: str) -> str:
    """Only the hash of a code is stored; codes are typed with or without the dash."""
    normal = re.sub(r"[\s\-]", "", fold(code)).upper()
    return hashlib.sha256(normal.encode()).hexdigest()


@dataclass(frozen=True)
class SaveRegistration:
    directory: CompanyDirectory = field(compare=False, repr=False)
    channel: str
    user_id: str
    lang: str
    values: dict[str, Any] = field(hash=False)
    consent_at: datetime

    def apply(self, ctx: EffectContext) -> None:
        number = self.values.get("registration_number")
        if number and self.directory.find_by_registration_number(
            ctx.session, country=self.values["country"], number=number
        ):
            # Registered by someone else since the question was answered: keep one company.
            logger.info("a %s registration repeated a number already on file", self.channel)
            return
        self.directory.create_chat_company(
            ctx.session,
            values=self.values,
            channel=self.channel,
            user_id=self.user_id,
            lang=self.lang,
            consent_at=self.consent_at,
        )


@dataclass(frozen=True)
class UpdateCompany:
    directory: CompanyDirectory = field(compare=False, repr=False)
    company_id: int
    values: dict[str, Any] = field(hash=False)

    def apply(self, ctx: EffectContext) -> None:
        self.directory.update_company(ctx.session, company_id=self.company_id, values=self.values)


@dataclass(frozen=True)
class CreateInvite:
    directory: CompanyDirectory = field(compare=False, repr=False)
    company_id: int
    code_sha256: str
    expires_at: datetime

    def apply(self, ctx: EffectContext) -> None:
        self.directory.set_invite(
            ctx.session,
            company_id=self.company_id,
            code_sha256=self.code_sha256,
            expires_at=self.expires_at,
        )


@dataclass(frozen=True)
class JoinCompany:
    directory: CompanyDirectory = field(compare=False, repr=False)
    company_id: int
    channel: str
    user_id: str
    lang: str
    code_sha256: str
    at: datetime

    def apply(self, ctx: EffectContext) -> None:
        # Checked again here: the code may have been used or replaced since the question.
        if not self.directory.add_member(
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

    erase: EraseUser = field(compare=False, repr=False)
    channel: str
    user_id: str
    # Tells the worker not to store this turn's conversation state again afterwards.
    erases_conversation: bool = True

    def apply(self, ctx: EffectContext) -> None:
        self.erase(ctx.session, channel=self.channel, user_id=self.user_id)


DEFAULT_LANG: dict[str, Lang] = {"line": "th", "telegram": "ja"}


# Asking to be added to a company already on file: its contacts confirm in their own chat.
def join_request_data(company_id: int, channel: str, user_id: str, lang: str) -> str:
    """What the contact's Accept/Decline buttons carry (fits Telegram's 64 bytes)."""
    return f"{company_id}:{channel}:{user_id}:{lang}"


def _reach(ctx: EffectContext, channel: str, user_id: str) -> tuple[str, str | None, bool]:
    """(chat id, language, blocked) of a chat user, from the state the runtime keeps."""
    user = get_chat_user(ctx.session, channel=channel, user_id=user_id)
    if user is None:
        return user_id, None, False
    return user.chat_id or user_id, user.lang, user.blocked


@dataclass(frozen=True)
class AskToJoin:
    """Send the company's contacts the request, with Accept/Decline, in their language."""

    directory: CompanyDirectory = field(compare=False, repr=False)
    company_id: int
    company_name: str
    channel: str
    user_id: str
    lang: str
    who: str

    def apply(self, ctx: EffectContext) -> None:
        data = join_request_data(self.company_id, self.channel, self.user_id, self.lang)
        platform = "LINE" if self.channel == "line" else "Telegram"
        for member in self.directory.list_members(ctx.session, company_id=self.company_id):
            chat_id, user_lang, blocked = _reach(ctx, member.channel, member.user_id)
            if blocked:
                continue
            lang = from_hint(user_lang or member.lang) or DEFAULT_LANG.get(member.channel, "en")
            who = self.who or t("reg.join_request.someone", lang)
            reply = Reply(
                text=t(
                    "reg.join_request.incoming",
                    lang,
                    who=f"{who} ({platform})",
                    name=self.company_name,
                ),
                buttons=(
                    Button(t("reg.button.join_accept", lang), f"reg:jr:y:{data}"),
                    Button(t("reg.button.join_decline", lang), f"reg:jr:n:{data}"),
                ),
                lang=lang,
            )
            ctx.notify(
                channel=cast(Channel, member.channel),
                user_id=member.user_id,
                chat_id=chat_id,
                replies=[reply],
            )


@dataclass(frozen=True)
class AnswerJoinRequest:
    """A contact's answer: accepted links the requester (through a one-time invite made and
    used here, the company's own pending invite kept); either way the requester is told."""

    directory: CompanyDirectory = field(compare=False, repr=False)
    company_id: int
    company_name: str
    accepted: bool
    channel: str
    user_id: str
    lang: str
    at: datetime

    def apply(self, ctx: EffectContext) -> None:
        lang = from_hint(self.lang) or "en"
        chat_id, _, _ = _reach(ctx, self.channel, self.user_id)
        if not self.accepted:
            reply = Reply(
                text=t("reg.join_request.refused", lang, name=self.company_name),
                buttons=(
                    Button(t("kb.staff_button", lang), "kb:staff"),
                    Button(t("menu.back", lang), "menu"),
                ),
                lang=lang,
            )
        elif self._link(ctx):
            reply = Reply(
                text=t("reg.join_request.welcome", lang, name=self.company_name),
                buttons=(Button(t("menu.profile", lang), "reg:profile"),),
                lang=lang,
            )
        else:
            return
        ctx.notify(
            channel=cast(Channel, self.channel),
            user_id=self.user_id,
            chat_id=chat_id,
            replies=[reply],
        )

    def _link(self, ctx: EffectContext) -> bool:
        session = ctx.session
        if self.directory.get_company_for_member(
            session, channel=self.channel, user_id=self.user_id
        ):
            logger.info("a join request was answered for a %s account already linked", self.channel)
            return False
        company = self.directory.get_company(session, company_id=self.company_id)
        if company is None:
            return False
        kept = dict((company.extra or {}).get("invite") or {})
        digest = invite_hash(new_invite_code())
        self.directory.set_invite(
            session,
            company_id=self.company_id,
            code_sha256=digest,
            expires_at=self.at + timedelta(minutes=5),
        )
        added = self.directory.add_member(
            session,
            company_id=self.company_id,
            channel=self.channel,
            user_id=self.user_id,
            lang=self.lang,
            code_sha256=digest,
            now=self.at,
        )
        if kept.get("sha256") and kept.get("expires_at"):
            self.directory.set_invite(
                session,
                company_id=self.company_id,
                code_sha256=kept["sha256"],
                expires_at=datetime.fromisoformat(kept["expires_at"]),
            )
        return added
