"""The durable inbox (every accepted platform event) and outbox (every reply to send)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from core.time import utcnow


class EventStatus(StrEnum):
    PENDING = "pending"  # stored, not yet handled
    PROCESSING = "processing"  # claimed by a worker (lease_until says until when)
    HANDLED = "handled"  # state saved and replies queued in the outbox; sending
    DONE = "done"  # every reply delivered
    FAILED = "failed"  # gave up; `error` says why


# Statuses that keep a user's later events waiting, so each user is served in order.
OPEN_STATUSES = (EventStatus.PENDING, EventStatus.PROCESSING, EventStatus.HANDLED)


class InboxEvent(SQLModel, table=True):
    __tablename__ = "inbox_event"
    __table_args__ = (
        UniqueConstraint("channel", "event_id", name="uq_inbox_channel_event"),
        Index("ix_inbox_user_order", "user_key", "id"),
        Index("ix_inbox_status", "status"),
    )

    id: int | None = Field(default=None, primary_key=True)
    channel: str = Field(max_length=16)
    event_id: str = Field(max_length=128)
    user_key: str = Field(max_length=160)  # "<channel>:<user id>": the ordering key
    payload: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))  # IncomingMessage
    status: str = Field(default=EventStatus.PENDING, max_length=16)
    attempts: int = 0
    lease_until: datetime | None = None
    # The worker whose claim this is: a turn is committed and an event finished only by the
    # claim's holder, so a worker whose lease ran out cannot finish what another has taken.
    claimed_by: str | None = Field(default=None, max_length=64)
    error: str | None = None
    received_at: datetime = Field(default_factory=utcnow)
    finished_at: datetime | None = None


class OutboxMessage(SQLModel, table=True):
    """Replies for one recipient produced by one event; sent part by part, resumably."""

    __tablename__ = "outbox_message"

    id: int | None = Field(default=None, primary_key=True)
    inbox_id: int = Field(foreign_key="inbox_event.id", index=True)
    channel: str = Field(max_length=16)
    user_id: str = Field(max_length=128)
    chat_id: str = Field(max_length=128)
    replies: list[dict[str, Any]] = Field(sa_column=Column(JSON, nullable=False))
    reply_token: str | None = Field(default=None, max_length=256)
    callback_query_id: str | None = Field(default=None, max_length=128)
    event_time: datetime | None = None  # when the platform sent the event (reply-token age)
    parts_sent: int = 0
    attempts: int = 0
    sent_at: datetime | None = None
    error: str | None = None
    created_at: datetime = Field(default_factory=utcnow)


class CallbackAlias(SQLModel, table=True):
    """Button data too long for Telegram's 64-byte callback_data, kept under a short key."""

    __tablename__ = "callback_alias"

    key: str = Field(primary_key=True, max_length=32)
    data: str
    created_at: datetime = Field(default_factory=utcnow)
