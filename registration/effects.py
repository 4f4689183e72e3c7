"""Writes registration asks for, applied by the runtime inside the turn's transaction,
and the invite codes that link another chat account to a company."""

from __future__ import annotations

import hashlib
import logging
import re
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from core.ports import CompanyDirectory, EraseUser
from core.turn import EffectContext
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
