"""Data access for the inbox and outbox: store, claim, finish, list."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, exists, func, or_, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import aliased
from sqlmodel import Session, col

from core.time import utcnow
from core.types import IncomingMessage, Reply
from inbox.models import OPEN_STATUSES, CallbackAlias, EventStatus, InboxEvent, OutboxMessage


@dataclass(frozen=True)
class StoreResult:
    stored: int
    duplicates: int


def store_messages(session: Session, messages: Sequence[IncomingMessage]) -> StoreResult:
    """Insert each message unless (channel, event id) is already there. Caller commits."""
    return store_batch(session, [messages])[0]


# Rows per INSERT statement: far below SQLite's limit of bound parameters per statement.
_ROWS_PER_INSERT = 500


def store_batch(
    session: Session, requests: Sequence[Sequence[IncomingMessage]]
) -> list[StoreResult]:
    """Several webhook requests' messages in one multi-row INSERT (a round trip per 500
    rows, not one per message), in arrival order, so ids keep each user's order. A message
    already stored, or earlier in the same batch (a redelivery racing the first delivery),
    counts as a duplicate of the request that brought it later. Caller commits."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    now = utcnow()
    rows: dict[tuple[str, str], dict[str, Any]] = {}  # first occurrence of each event
    owner: dict[tuple[str, str], int] = {}  # which request brought it first
    for index, messages in enumerate(requests):
        for msg in messages:
            key: tuple[str, str] = (msg.channel, msg.event_id)
            if key in rows:
                continue
            owner[key] = index
            rows[key] = {
                "channel": msg.channel,
                "event_id": msg.event_id,
                "user_key": f"{msg.channel}:{msg.user_id}",
                "payload": msg.to_json(),
                "status": EventStatus.PENDING.value,
                "attempts": 0,
                "received_at": now,
            }
    values = list(rows.values())
    inserted: set[tuple[str, str]] = set()
    for start in range(0, len(values), _ROWS_PER_INSERT):
        statement = (
            insert(InboxEvent)
            .values(values[start : start + _ROWS_PER_INSERT])
            .on_conflict_do_nothing(index_elements=["channel", "event_id"])
            .returning(col(InboxEvent.channel), col(InboxEvent.event_id))
        )
        inserted.update((str(row[0]), str(row[1])) for row in session.execute(statement))
    if inserted:
        signal_new_work(session)
    stored = [0] * len(requests)
    for taken in inserted:
        stored[owner[taken]] += 1
    return [
        StoreResult(stored=stored[i], duplicates=len(messages) - stored[i])
        for i, messages in enumerate(requests)
    ]


INBOX_CHANNEL = "kakehashi_inbox"


def signal_new_work(session: Session) -> None:
    """On PostgreSQL, tell every listening worker process (LISTEN kakehashi_inbox) that
    there is new work, delivered when the caller's transaction commits. In one process
    (SQLite) the worker is woken directly instead."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text(f"NOTIFY {INBOX_CHANNEL}"))


def claim_events(
    session: Session, *, limit: int, lease_s: float, owner: str | None = None
) -> list[InboxEvent]:
    """Claim up to `limit` events, at most one per user (the user's oldest open one).

    On PostgreSQL the rows are locked with FOR UPDATE SKIP LOCKED, so several server
    processes can share one inbox; an expired lease (a crashed worker) is claimable again.
    """
    now = utcnow()
    earlier = aliased(InboxEvent)
    claimable = or_(
        col(InboxEvent.status) == EventStatus.PENDING.value,
        and_(
            col(InboxEvent.status).in_([EventStatus.PROCESSING.value, EventStatus.HANDLED.value]),
            col(InboxEvent.lease_until) < now,
        ),
    )
    earlier_open = exists().where(
        col(earlier.user_key) == col(InboxEvent.user_key),
        col(earlier.id) < col(InboxEvent.id),
        col(earlier.status).in_([s.value for s in OPEN_STATUSES]),
    )
    query = (
        select(InboxEvent).where(claimable, ~earlier_open).order_by(col(InboxEvent.id)).limit(limit)
    )
    if session.get_bind().dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True, of=InboxEvent)
    candidates = list(session.scalars(query))
    lease = now + timedelta(seconds=lease_s)
    claimed = []
    for event in candidates:
        # Compare-and-set: on SQLite the SELECT above runs outside the write transaction,
        # so another claimer may have taken the row since; then this UPDATE matches nothing.
        result = session.execute(
            update(InboxEvent)
            .where(col(InboxEvent.id) == event.id, claimable)
            .values(
                status=EventStatus.PROCESSING.value
                if event.status == EventStatus.PENDING.value
                else event.status,
                lease_until=lease,
                claimed_by=owner,
                attempts=col(InboxEvent.attempts) + 1,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) == 1:  # a CursorResult for UPDATE
            session.refresh(event)
            claimed.append(event)
    return claimed


def release_all_leases(session: Session) -> int:
    """At start-up of the only process (SQLite): whatever was in flight is ours to redo."""
    result = session.execute(
        update(InboxEvent)
        .where(
            col(InboxEvent.status).in_([EventStatus.PROCESSING.value, EventStatus.HANDLED.value])
        )
        .values(lease_until=utcnow() - timedelta(seconds=1))
    )
    return int(getattr(result, "rowcount", 0) or 0)


def renew_lease(
    session: Session, *, event_id: int, lease_s: float, owner: str | None = None
) -> None:
    session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.id) == event_id, _held_by(owner))
        .values(lease_until=utcnow() + timedelta(seconds=lease_s))
    )


def renew_leases(
    session: Session, *, event_ids: Sequence[int], owner: str, lease_s: float
) -> set[int]:
    """Extend the leases of the events `owner` still holds; returns their ids (an event
    missing from the answer was taken over by another worker after its lease ran out)."""
    if not event_ids:
        return set()
    rows = session.execute(
        update(InboxEvent)
        .where(
            col(InboxEvent.id).in_(list(event_ids)),
            col(InboxEvent.claimed_by) == owner,
            col(InboxEvent.status).in_([s.value for s in OPEN_STATUSES]),
        )
        .values(lease_until=utcnow() + timedelta(seconds=lease_s))
        .returning(col(InboxEvent.id))
        .execution_options(synchronize_session=False)
    )
    renewed = {int(row[0]) for row in rows}
    rest = [i for i in event_ids if i not in renewed]
    if rest:  # finished by this claim in the meantime: still not anyone else's
        renewed |= set(
            session.scalars(
                select(col(InboxEvent.id)).where(
                    col(InboxEvent.id).in_(rest), col(InboxEvent.claimed_by) == owner
                )
            )
        )
    return renewed


def release_claim(session: Session, *, event_id: int, owner: str, retry_in_s: float) -> None:
    """Give an event back (e.g. the database went away mid-turn): claimable again after
    `retry_in_s`, still ahead of the user's later events."""
    session.execute(
        update(InboxEvent)
        .where(col(InboxEvent.id) == event_id, col(InboxEvent.claimed_by) == owner)
        .values(lease_until=utcnow() + timedelta(seconds=retry_in_s), claimed_by=None)
    )


def _held_by(owner: str | None) -> Any:
    """The claim is `owner`'s (None: the simulator's events, claimed by no worker)."""
    column = col(InboxEvent.claimed_by)
    return column.is_(None) if owner is None else column == owner


def recent_events(session: Session, *, user_key: str, event_id: int, window_s: float) -> int:
    """How many events of this user arrived in the `window_s` seconds up to this one
    (itself included): the rate the user sends at, whenever the worker gets to it."""
    received = session.scalar(
        select(col(InboxEvent.received_at)).where(col(InboxEvent.id) == event_id)
    )
    if received is None:
        return 0
    count = session.scalar(
        select(func.count(col(InboxEvent.id))).where(
            col(InboxEvent.user_key) == user_key,
            col(InboxEvent.id) <= event_id,
            col(InboxEvent.received_at) > received - timedelta(seconds=window_s),
        )
    )
    return int(count or 0)


def queue_replies(
    session: Session,
    *,
    inbox_id: int,
    msg_channel: str,
    user_id: str,
    chat_id: str,
    replies: Sequence[Reply],
    reply_token: str | None = None,
    callback_query_id: str | None = None,
    event_time: datetime | None = None,
) -> OutboxMessage:
    row = OutboxMessage(
        inbox_id=inbox_id,
        channel=msg_channel,
        user_id=user_id,
        chat_id=chat_id,
        replies=[reply.to_json() for reply in replies],
        reply_token=reply_token,
        callback_query_id=callback_query_id,
        event_time=event_time,
    )
    session.add(row)
    return row


def pending_outbox(session: Session, *, inbox_id: int) -> list[OutboxMessage]:
    query = (
        select(OutboxMessage)
        .where(col(OutboxMessage.inbox_id) == inbox_id, col(OutboxMessage.sent_at).is_(None))
        .order_by(col(OutboxMessage.id))
    )
    return list(session.scalars(query))


def mark_part_sent(session: Session, *, outbox_id: int, parts_sent: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id)
        .values(parts_sent=parts_sent)
    )


def mark_outbox_sent(session: Session, *, outbox_id: int) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id)
        .values(sent_at=utcnow(), error=None)
    )


def mark_outbox_failed(session: Session, *, outbox_id: int, attempts: int, error: str) -> None:
    session.execute(
        update(OutboxMessage)
        .where(col(OutboxMessage.id) == outbox_id)
        .values(attempts=attempts, error=error[:2000])
    )


def finish_event(
    session: Session,
    *,
    event_id: int,
    status: EventStatus,
    error: str | None = None,
    owner: str | None = None,
) -> bool:
    """Record the event's end; False (nothing changed) when `owner` no longer holds it."""
    where = [col(InboxEvent.id) == event_id]
    if owner is not None:
        where.append(col(InboxEvent.claimed_by) == owner)
    result = session.execute(
        update(InboxEvent)
        .where(*where)
        .values(
            status=status.value,
            error=None if error is None else error[:2000],
            finished_at=utcnow(),
            lease_until=None,
        )
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def list_failed(session: Session, *, limit: int = 100) -> list[InboxEvent]:
    query = (
        select(InboxEvent)
        .where(col(InboxEvent.status) == EventStatus.FAILED.value)
        .order_by(col(InboxEvent.id).desc())
        .limit(limit)
    )
    return list(session.scalars(query))


def count_open(session: Session) -> int:
    query = select(func.count(col(InboxEvent.id))).where(
        col(InboxEvent.status).in_([s.value for s in OPEN_STATUSES])
    )
    return int(session.scalar(query) or 0)


def put_alias(session: Session, *, key: str, data: str) -> None:
    if session.get(CallbackAlias, key) is None:
        session.add(CallbackAlias(key=key, data=data))


def get_alias(session: Session, *, key: str) -> str | None:
    row = session.get(CallbackAlias, key)
    return None if row is None else row.data


ERASED = {"erased": True}


def erase_user(session: Session, *, channel: str, user_id: str) -> None:
    """Remove what the inbox holds about a user ("delete my data").

    Finished and waiting events go with their outgoing messages. The event being handled
    right now keeps its row, with the payload replaced, so that its reply (the erasure
    confirmation) can still be sent; purge_erased removes the rest once it is.
    """
    user_key = f"{channel}:{user_id}"
    rows = list(session.scalars(select(InboxEvent).where(col(InboxEvent.user_key) == user_key)))
    gone = [row.id for row in rows if row.status != EventStatus.PROCESSING.value]
    kept = [row.id for row in rows if row.status == EventStatus.PROCESSING.value]
    session.execute(
        delete(OutboxMessage)
        .where(
            or_(
                col(OutboxMessage.inbox_id).in_(gone),
                and_(col(OutboxMessage.channel) == channel, col(OutboxMessage.user_id) == user_id),
            )
        )
        .execution_options(synchronize_session=False)
    )
    session.execute(
        delete(InboxEvent)
        .where(col(InboxEvent.id).in_(gone))
        .execution_options(synchronize_session=False)
    )
    if kept:
        session.execute(
            update(InboxEvent)
            .where(col(InboxEvent.id).in_(kept))
            .values(payload=ERASED, user_key=f"erased:{kept[0]}")
            .execution_options(synchronize_session=False)
        )


def purge_erased(session: Session, *, event_id: int) -> None:
    """After an erased user's last reply went out, drop what still names them."""
    payload = session.scalar(select(col(InboxEvent.payload)).where(col(InboxEvent.id) == event_id))
    if payload != ERASED:
        return
    session.execute(delete(OutboxMessage).where(col(OutboxMessage.inbox_id) == event_id))
    session.execute(
        delete(InboxEvent)
        .where(col(InboxEvent.id) == event_id)
        .execution_options(synchronize_session="fetch")
    )


def enqueue_notification(
    session: Session, *, channel: str, user_id: str, chat_id: str, replies: Sequence[Reply]
) -> None:
    """Queue messages to a user outside a turn of theirs (e.g. staff recorded a decision).

    They ride on a synthetic inbox event that is already handled, so the worker delivers
    them with the same retries, and in order with the user's own conversation.
    """
    event = InboxEvent(
        channel=channel,
        event_id=f"notify-{uuid.uuid4().hex}",
        user_key=f"{channel}:{user_id}",
        payload={"notification": True},
        status=EventStatus.HANDLED.value,
        lease_until=utcnow() - timedelta(seconds=1),
    )
    session.add(event)
    session.flush()
    assert event.id is not None
    signal_new_work(session)
    queue_replies(
        session,
        inbox_id=event.id,
        msg_channel=channel,
        user_id=user_id,
        chat_id=chat_id,
        replies=replies,
    )
