"""Data access for the company directory: the only place that reads or writes companies.

Keyword-only functions over a SQLModel session; callers commit (the worker's transaction,
a CLI command, an API route).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, delete, select

from core.time import utcnow
from matching.models import Company, CompanyBase, CompanyMember

logger = logging.getLogger(__name__)

# Columns a chat user may set on their own company; anything else is refused.
EDITABLE = frozenset(CompanyBase.model_fields) - {"ref", "source"}


def chat_ref(country: str, company_id: int) -> str:
    """Our own directory key for a company registered through the chat."""
    return f"{country.upper()}-CHAT-{company_id:06d}"


def _check_columns(values: Mapping[str, Any]) -> None:
    unknown = set(values) - EDITABLE
    if unknown:
        raise ValueError(f"not company columns: {sorted(unknown)}")


def get_company(session: Session, *, company_id: int) -> Company | None:
    return session.get(Company, company_id)


def get_company_by_ref(session: Session, *, ref: str) -> Company | None:
    return session.exec(select(Company).where(Company.ref == ref)).first()


def get_member(session: Session, *, channel: str, user_id: str) -> CompanyMember | None:
    return session.exec(
        select(CompanyMember).where(
            CompanyMember.channel == channel, CompanyMember.user_id == user_id
        )
    ).first()


def get_company_for_member(session: Session, *, channel: str, user_id: str) -> Company | None:
    member = get_member(session, channel=channel, user_id=user_id)
    return session.get(Company, member.company_id) if member else None


def create_chat_company(
    session: Session,
    *,
    values: Mapping[str, Any],
    channel: str,
    user_id: str,
    lang: str | None,
    consent_at: datetime,
) -> Company:
    """Store a company registered through the chat and link the chat user to it.

    If the user is already linked to a company (a repeated confirmation), that company is
    updated instead, so a redelivered turn never creates a duplicate.
    """
    _check_columns(values)
    existing = get_company_for_member(session, channel=channel, user_id=user_id)
    if existing is not None:
        return update_company(
            session, company_id=existing.id or 0, values={**values, "consent_at": consent_at}
        )
    company = Company(
        **{**values, "ref": f"TMP-{uuid.uuid4().hex}", "source": "chat", "consent_at": consent_at}
    )
    session.add(company)
    session.flush()  # assigns the id our ref is built from
    assert company.id is not None
    company.ref = chat_ref(company.country, company.id)
    session.add(company)
    session.add(CompanyMember(company_id=company.id, channel=channel, user_id=user_id, lang=lang))
    session.flush()
    logger.info("registered company %s from %s", company.ref, channel)
    return company


def update_company(session: Session, *, company_id: int, values: Mapping[str, Any]) -> Company:
    _check_columns(values)
    company = session.get(Company, company_id)
    if company is None:
        raise LookupError(f"no company {company_id}")
    for name, value in values.items():
        setattr(company, name, value)
    company.updated_at = utcnow()
    session.add(company)
    session.flush()
    return company


def update_company_field(session: Session, *, company_id: int, name: str, value: Any) -> Company:
    return update_company(session, company_id=company_id, values={name: value})


@dataclass(frozen=True)
class Deleted:
    """What an erasure removed, for the confirmation message."""

    company_ref: str | None
    company_name: str | None
    member_links: int


def delete_member_data(session: Session, *, channel: str, user_id: str) -> Deleted:
    """Erase the user's company profile and every chat link to it (or just their link)."""
    member = get_member(session, channel=channel, user_id=user_id)
    if member is None:
        return Deleted(company_ref=None, company_name=None, member_links=0)
    company = session.get(Company, member.company_id)
    links = list(
        session.exec(select(CompanyMember).where(CompanyMember.company_id == member.company_id))
    )
    session.exec(delete(CompanyMember).where(col(CompanyMember.company_id) == member.company_id))
    ref = name = None
    if company is not None:
        ref, name = company.ref, company.name
        session.delete(company)
    session.flush()
    logger.info("erased company %s and %d chat link(s)", ref, len(links))
    return Deleted(company_ref=ref, company_name=name, member_links=len(links))


def list_companies(session: Session, *, country: str | None = None) -> list[Company]:
    query = select(Company).order_by(col(Company.id))
    if country:
        query = query.where(Company.country == country)
    return list(session.exec(query))


def list_members(session: Session, *, company_id: int) -> list[CompanyMember]:
    return list(session.exec(select(CompanyMember).where(CompanyMember.company_id == company_id)))


# -- linking more chat accounts to a company --------------------------------------------


def set_invite(
    session: Session, *, company_id: int, code_sha256: str, expires_at: datetime
) -> None:
    """Replace the company's one pending invite (a hashed one-time code)."""
    company = session.get(Company, company_id)
    if company is None:
        raise LookupError(f"no company {company_id}")
    company.extra = {
        **(company.extra or {}),
        "invite": {"sha256": code_sha256, "expires_at": expires_at.isoformat()},
    }
    session.add(company)
    session.flush()


def find_company_by_invite(session: Session, *, code_sha256: str, now: datetime) -> Company | None:
    """The chat-registered company whose pending invite has this code and has not expired."""
    for company in session.exec(select(Company).where(Company.source == "chat")):
        invite = (company.extra or {}).get("invite") or {}
        if invite.get("sha256") != code_sha256:
            continue
        expires = datetime.fromisoformat(invite["expires_at"])
        if expires.tzinfo is None:
            expires = expires.replace(tzinfo=UTC)
        return company if now <= expires else None
    return None


def add_member(
    session: Session,
    *,
    company_id: int,
    channel: str,
    user_id: str,
    lang: str | None,
    code_sha256: str,
    now: datetime,
) -> bool:
    """Link a chat account with a valid invite code, using the code up. False if refused."""
    company = find_company_by_invite(session, code_sha256=code_sha256, now=now)
    if company is None or company.id != company_id:
        return False
    if get_member(session, channel=channel, user_id=user_id) is not None:
        return False
    session.add(CompanyMember(company_id=company_id, channel=channel, user_id=user_id, lang=lang))
    company.extra = {k: v for k, v in (company.extra or {}).items() if k != "invite"}
    session.add(company)
    session.flush()
    logger.info("linked a %s account to company %s", channel, company.ref)
    return True


def find_by_registration_number(session: Session, *, country: str, number: str) -> Company | None:
    """The company on file with this Thai juristic number or 法人番号, if any."""
    return session.exec(
        select(Company).where(Company.country == country, Company.registration_number == number)
    ).first()
