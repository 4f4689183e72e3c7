"""The staff queue: one row per handoff, and what the user and staff said during it."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from core.time import utcnow


class HandoffState(StrEnum):
    WAITING = "waiting"  # in the queue; no staff member has taken it yet
    OPEN = "open"  # a staff member took it (replied or opened it)
    CLOSED = "closed"  # handed back to the bot


ACTIVE_STATES = (HandoffState.WAITING.value, HandoffState.OPEN.value)


class Handoff(SQLModel, table=True):
    __tablename__ = "handoff"
    __table_args__ = (Index("ix_handoff_user", "channel", "user_id", "state"),)

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)
    lang: str = Field(default="en", max_length=2)
    state: str = Field(default=HandoffState.WAITING.value, max_length=16, index=True)
    question: str = Field(default="", sa_column=Column(Text, nullable=False))
    assigned_staff_id: int | None = Field(default=None, foreign_key="staff_account.id")
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)
    closed_at: datetime | None = None
    closed_by: str = Field(default="", max_length=16)  # "user" or "staff"


class HandoffMessage(SQLModel, table=True):
    __tablename__ = "handoff_message"

    id: int | None = Field(default=None, primary_key=True)
    handoff_id: int = Field(foreign_key="handoff.id", index=True)
    author: str = Field(max_length=8)  # "user", "staff" or "system"
    staff_id: int | None = Field(default=None, foreign_key="staff_account.id")
    text: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)
