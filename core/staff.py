"""Staff accounts, their API tokens and console sign-ins, and the audit log.

Tokens, session cookies and sign-in links are random and stored only as SHA-256 hashes;
passwords are stored as argon2id hashes (argon2-cffi). Every change staff make is an
`AuditEntry`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Literal, Protocol

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import JSON, Column, func
from sqlmodel import Field, Session, SQLModel, col, select

from core.time import utcnow

if TYPE_CHECKING:
    from core.turn import Turn

Role = Literal["editor", "admin"]
ROLES: tuple[Role, ...] = ("editor", "admin")
TOKEN_PREFIX = "kkh_"


class StaffAccount(SQLModel, table=True):
    __tablename__ = "staff_account"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(unique=True, index=True, max_length=254)
    role: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow)
    password_hash: str | None = Field(default=None, max_length=255)
    lang: str = Field(default="en", max_length=2)  # the console's language for this person
    active: bool = True


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
    account = session.get(StaffAccount, row.staff_id)
    return account if account is not None and account.active else None


def get_by_email(session: Session, email: str) -> StaffAccount | None:
    return session.exec(
        select(StaffAccount).where(StaffAccount.email == _normalise_email(email))
    ).first()


def list_staff(session: Session) -> list[StaffAccount]:
    return list(session.exec(select(StaffAccount).order_by(col(StaffAccount.email))))


# -- passwords ---------------------------------------------------------------------------

MIN_PASSWORD = 10
_hasher = PasswordHasher()  # argon2id with the library's current recommended parameters


def set_password(session: Session, account: StaffAccount, password: str) -> None:
    if len(password) < MIN_PASSWORD:
        raise StaffError(f"a password needs at least {MIN_PASSWORD} characters")
    account.password_hash = _hasher.hash(password)
    session.add(account)
    session.flush()


def check_password(session: Session, account: StaffAccount, password: str) -> bool:
    if not account.active or not account.password_hash:
        _hasher.hash(password)  # the same work as a real check: no timing hint
        return False
    try:
        _hasher.verify(account.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if _hasher.check_needs_rehash(account.password_hash):
        set_password(session, account, password)
    return True


# -- one-time sign-in links (printed by `kakehashi staff create`) ------------------------


class SignInLink(SQLModel, table=True):
    __tablename__ = "staff_sign_in_link"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_account.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    expires_at: datetime
    used_at: datetime | None = None


def issue_sign_in_link(session: Session, *, email: str, hours: float = 72.0) -> str:
    """A token for `/admin/welcome/<token>`, where the person sets a password; once only."""
    account = get_by_email(session, email)
    if account is None or account.id is None:
        raise StaffError(f"no staff account for {email}; create it first")
    token = secrets.token_urlsafe(32)
    link = SignInLink(
        staff_id=account.id, token_hash=_hash(token), expires_at=utcnow() + timedelta(hours=hours)
    )
    session.add(link)
    session.flush()
    return token


def sign_in_link_account(session: Session, token: str, *, use: bool = False) -> StaffAccount | None:
    link = session.exec(select(SignInLink).where(SignInLink.token_hash == _hash(token))).first()
    if link is None or link.used_at is not None or link.expires_at <= utcnow():
        return None
    account = session.get(StaffAccount, link.staff_id)
    if account is None or not account.active:
        return None
    if use:
        link.used_at = utcnow()
        session.add(link)
        session.flush()
    return account


# -- console sessions --------------------------------------------------------------------


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int = Field(foreign_key="staff_account.id", index=True)
    token_hash: str = Field(unique=True, index=True, max_length=64)
    csrf_token: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime


def open_session(
    session: Session, account: StaffAccount, *, hours: float
) -> tuple[str, StaffSession]:
    """(the cookie's value, shown once; the stored session with its CSRF token)."""
    assert account.id is not None
    token = secrets.token_urlsafe(32)
    row = StaffSession(
        staff_id=account.id,
        token_hash=_hash(token),
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(hours=hours),
    )
    session.add(row)
    session.flush()
    return token, row


def session_account(session: Session, token: str) -> tuple[StaffAccount, StaffSession] | None:
    row = session.exec(select(StaffSession).where(StaffSession.token_hash == _hash(token))).first()
    if row is None or row.expires_at <= utcnow():
        return None
    account = session.get(StaffAccount, row.staff_id)
    if account is None or not account.active:
        return None
    return account, row


def close_session(session: Session, token: str) -> None:
    row = session.exec(select(StaffSession).where(StaffSession.token_hash == _hash(token))).first()
    if row is not None:
        session.delete(row)
        session.flush()


def close_sessions_of(session: Session, staff_id: int) -> None:
    for row in session.exec(select(StaffSession).where(StaffSession.staff_id == staff_id)):
        session.delete(row)
    session.flush()


# -- sign-in attempts (rate limit) -------------------------------------------------------


class SignInAttempt(SQLModel, table=True):
    __tablename__ = "staff_sign_in_attempt"

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, index=True)
    client: str = Field(max_length=64, index=True)
    ok: bool
    created_at: datetime = Field(default_factory=utcnow, index=True)


def record_attempt(session: Session, *, email: str, client: str, ok: bool) -> None:
    session.add(SignInAttempt(email=email.strip().lower()[:254], client=client[:64], ok=ok))
    session.flush()


def failed_attempts(session: Session, *, email: str, client: str, minutes: float) -> int:
    """Failures for this address, or from this client, in the last `minutes`."""
    since = utcnow() - timedelta(minutes=minutes)
    query = select(func.count()).where(
        SignInAttempt.ok == False,  # noqa: E712
        col(SignInAttempt.created_at) > since,
        (col(SignInAttempt.email) == email.strip().lower()) | (col(SignInAttempt.client) == client),
    )
    return int(session.exec(query).one())


# -- audit log ---------------------------------------------------------------------------


class AuditEntry(SQLModel, table=True):
    __tablename__ = "staff_audit"

    id: int | None = Field(default=None, primary_key=True)
    staff_id: int | None = Field(default=None, foreign_key="staff_account.id", index=True)
    staff_email: str = Field(default="", max_length=254)  # kept when the account goes
    action: str = Field(max_length=64, index=True)
    target: str = Field(default="", max_length=300)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, index=True)


def audit(
    session: Session,
    actor: StaffAccount | None,
    action: str,
    target: str = "",
    **detail: Any,
) -> AuditEntry:
    entry = AuditEntry(
        staff_id=actor.id if actor is not None else None,
        staff_email=actor.email if actor is not None else "",
        action=action,
        target=target[:300],
        detail=detail,
    )
    session.add(entry)
    session.flush()
    return entry


def list_audit(session: Session, *, limit: int = 200, offset: int = 0) -> list[AuditEntry]:
    query = select(AuditEntry).order_by(col(AuditEntry.id).desc()).offset(offset).limit(limit)
    return list(session.exec(query))


# -- the handoff, as the knowledge skill's "talk to staff" button reaches it -------------


class StaffHandoff(Protocol):
    """Put the user of this turn in the staff queue and tell them what happens next
    (filled by the handoff feature; the composition root puts it in the services)."""

    def start(self, turn: Turn, *, question: str) -> None: ...
