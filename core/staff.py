"""Staff accounts and their API tokens (stored as SHA-256 hashes, never in clear)."""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime
from typing import Literal

from sqlmodel import Field, Session, SQLModel, select

from core.time import utcnow

Role = Literal["editor", "admin"]
ROLES: tuple[Role, ...] = ("editor", "admin")
TOKEN_PREFIX = "kkh_"


class StaffAccount(SQLModel, table=True):
    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)


class StaffToken(SQLModel, table=True):
    __tablename__ = "staff_token"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_account.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    revoked: bool = False


class StaffError(ValueError):
    pass


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _normalise_email(email: str) -> str:
    """Accounts are looked up by address in lower case; callers check the address itself
    with the one e-mail rule (`language.parse.parse_email`), as `kakehashi staff` does."""
    email = email.strip().lower()
    if not email:
        raise StaffError("an e-mail address is needed")
    return email


def create_staff(session: Session, *, email: str, role: str) -> StaffAccount:
    if role not in ROLES:
        raise StaffError(f"role must be one of {', '.join(ROLES)}")
    email = _normalise_email(email)
    if session.exec(select(StaffAccount).where(StaffAccount.email == email)).first():
        raise StaffError(f"{email} already has an account")
    account = StaffAccount(email=email, role=role)
    session.add(account)
    session.flush()
    return account


def issue_token(session: Session, *, email: str) -> str:
    """A new token for the account; only its hash is stored, so show it once."""
    account = session.exec(
        select(StaffAccount).where(StaffAccount.email == _normalise_email(email))
    ).first()
    if account is None or account.id is None:
        raise StaffError(f"no staff account for {email}; create it first")
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    session.add(StaffToken(staff_id=account.id, token_hash=_hash(token)))
    session.flush()
    return token


def authenticate(session: Session, token: str) -> StaffAccount | None:
    # The lookup is by hash, so the comparison never touches the clear token.
    row = session.exec(
        select(StaffToken).where(StaffToken.token_hash == _hash(token), StaffToken.revoked == False)  # noqa: E712
    ).first()
    if row is None:
        return None
    return session.get(StaffAccount, row.staff_id)
