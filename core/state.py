"""Per-user conversation state, persisted so that a restart loses no conversation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column
from sqlmodel import Field, Session, SQLModel, col, delete, select

from core.time import utcnow
from core.types import Channel, Conversation, from_hint


class ChatUser(SQLModel, table=True):
    """One person on one channel: their conversation state and where to reach them."""

    __tablename__ = "chat_user"

    channel: str = Field(primary_key=True, max_length=16)
    user_id: str = Field(primary_key=True, max_length=128)
    chat_id: str | None = Field(default=None, max_length=128)  # last private chat, for pushes
    lang: str | None = Field(default=None, max_length=2)
    lang_chosen: bool = False
    flow: str | None = Field(default=None, max_length=64)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    blocked: bool = False
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


def load_conversation(session: Session, *, channel: Channel, user_id: str) -> Conversation:
    row = session.get(ChatUser, (channel, user_id))
    if row is None:
        return Conversation(channel=channel, user_id=user_id)
    return Conversation(
        channel=channel,
        user_id=user_id,
        lang=from_hint(row.lang),
        lang_chosen=row.lang_chosen,
        flow=row.flow,
        data=dict(row.data or {}),
        blocked=row.blocked,
    )


def save_conversation(session: Session, conv: Conversation, *, chat_id: str | None = None) -> None:
    row = session.get(ChatUser, (conv.channel, conv.user_id))
    if row is None:
        row = ChatUser(channel=conv.channel, user_id=conv.user_id)
    row.lang = conv.lang
    row.lang_chosen = conv.lang_chosen
    row.flow = conv.flow
    row.data = dict(conv.data)
    row.blocked = conv.blocked
    if chat_id is not None:
        row.chat_id = chat_id
    row.updated_at = utcnow()
    session.add(row)


def get_chat_user(session: Session, *, channel: str, user_id: str) -> ChatUser | None:
    return session.get(ChatUser, (channel, user_id))


def delete_chat_user(session: Session, *, channel: str, user_id: str) -> None:
    session.exec(
        delete(ChatUser).where(col(ChatUser.channel) == channel, col(ChatUser.user_id) == user_id)
    )


def list_chat_users(session: Session) -> list[ChatUser]:
    return list(session.exec(select(ChatUser)))
