"""Tables of the introduction workflow and of "not interested" marks.

Rows go away with either company (ON DELETE CASCADE), so erasing a company's data also
erases the introductions and notes that mention it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.time import utcnow

# Introduction statuses. "pending": B's chat members were asked; "awaiting_staff": B has no
# chat account and staff must ask B outside the chat. The other three are final.
PENDING = "pending"
AWAITING_STAFF = "awaiting_staff"
ACCEPTED = "accepted"
DECLINED = "declined"
EXPIRED = "expired"
OPEN_STATUSES = (PENDING, AWAITING_STAFF)
STATUSES = (PENDING, AWAITING_STAFF, ACCEPTED, DECLINED, EXPIRED)


class Introduction(SQLModel, table=True):
    __tablename__ = "match_introduction"

    id: int | None = Field(default=None, primary_key=True)
    requester_company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    target_company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    # The chat account that asked, told about the outcome; None when staff asked.
    requester_channel: str | None = Field(default=None, max_length=16)
    requester_user_id: str | None = Field(default=None, max_length=128)
    requester_lang: str | None = Field(default=None, max_length=2)
    note: str | None = Field(default=None, max_length=1000)
    status: str = Field(default=PENDING, max_length=16, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    decided_at: datetime | None = None
    decided_by: str | None = Field(default=None, max_length=200)  # "line:U..." or "staff:a@b"


class IntroductionEvent(SQLModel, table=True):
    """Every step of an introduction: requested, notified, accepted, declined, expired..."""

    __tablename__ = "match_introduction_event"

    id: int | None = Field(default=None, primary_key=True)
    introduction_id: int = Field(
        foreign_key="match_introduction.id", index=True, ondelete="CASCADE"
    )
    at: datetime = Field(default_factory=utcnow)
    kind: str = Field(max_length=32)
    actor: str | None = Field(default=None, max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class NotInterested(SQLModel, table=True):
    """Company `company_id` does not want `target_company_id` proposed first again."""

    __tablename__ = "match_not_interested"
    __table_args__ = (UniqueConstraint("company_id", "target_company_id"),)

    id: int | None = Field(default=None, primary_key=True)
    company_id: int = Field(foreign_key="company.id", index=True, ondelete="CASCADE")
    target_company_id: int = Field(foreign_key="company.id", ondelete="CASCADE")
    channel: str | None = Field(default=None, max_length=16)
    user_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
