"""The chat simulator: the same turn as a webhook event, answered in the HTTP response.

The message is stored in the inbox like any event and handled in one transaction; the
replies to the simulated user are returned at once instead of being sent to a platform.
Messages the turn queued for other users (e.g. an introduction request) stay in the
outbox for the worker, which sends them or, without platform credentials, holds them for
the recipient's next visit to the chat page.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import select, update
from sqlalchemy.engine import Engine
from sqlmodel import col

from bot.dialogue import Dialogue
from core.db import session_scope, write_lock
from core.time import utcnow
from core.types import Channel, IncomingMessage, Kind, Reply, parse_start_command
from inbox import repo
from inbox.models import EventStatus, InboxEvent, OutboxMessage
from inbox.turns import commit_turn
from inbox.worker import HELD


def simulate(
    engine: Engine,
    dialogue: Dialogue,
    *,
    channel: Channel,
    user_id: str,
    text: str | None = None,
    postback: str | None = None,
    lang_hint: str | None = None,
) -> tuple[list[Reply], bool]:
    """(replies for the user, whether other users were sent something)."""
    is_start, payload = parse_start_command(text or "")
    if postback:
        kind = Kind.POSTBACK
    elif is_start:
        kind = Kind.FOLLOW
    else:
        kind = Kind.TEXT
    msg = IncomingMessage(
        channel=channel,
        event_id=f"sim-{uuid.uuid4().hex}",
        user_id=user_id,
        chat_id=user_id,
        kind=kind,
        timestamp=datetime.now(UTC),
        text=text if kind is Kind.TEXT else None,
        postback=postback,
        start_payload=payload if kind is Kind.FOLLOW else None,
        lang_hint=lang_hint,
    )
    with write_lock(engine), session_scope(engine) as session:
        repo.store_messages(session, [msg])
        event = session.scalars(
            select(InboxEvent).where(
                col(InboxEvent.channel) == channel, col(InboxEvent.event_id) == msg.event_id
            )
        ).one()
        event.status = EventStatus.PROCESSING.value  # being handled right here
        event_id = event.id
    assert event_id is not None
    result = commit_turn(engine, dialogue, event_id=event_id, msg=msg, reply_in_response=True)
    if result is None:  # cannot happen: the event was created PROCESSING right above
        raise RuntimeError(f"simulated event {event_id} was taken by someone else")
    return result.outcome.replies, bool(result.notifications)


def collect_held(engine: Engine, *, channel: Channel, user_id: str) -> list[Reply]:
    """Messages held for a simulated user (no platform credentials): hand them over once."""
    with session_scope(engine) as session:
        rows = list(
            session.scalars(
                select(OutboxMessage)
                .where(
                    col(OutboxMessage.channel) == channel,
                    col(OutboxMessage.user_id) == user_id,
                    col(OutboxMessage.sent_at).is_(None),
                    col(OutboxMessage.error) == HELD,
                )
                .order_by(col(OutboxMessage.id))
            )
        )
        if not rows:
            return []
        session.execute(
            update(OutboxMessage)
            .where(col(OutboxMessage.id).in_([row.id for row in rows]))
            .values(sent_at=utcnow(), error=None)
        )
        return [Reply.from_json(data) for row in rows for data in row.replies]
