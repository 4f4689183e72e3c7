"""All database access of the handoff queue."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func
from sqlmodel import Session, col, select

from core.time import utcnow
from handoff.models import ACTIVE_STATES, Handoff, HandoffMessage, HandoffState


def active_for(session: Session, *, channel: str, user_id: str) -> Handoff | None:
    return session.exec(
        select(Handoff)
        .where(
            Handoff.channel == channel,
            Handoff.user_id == user_id,
            col(Handoff.state).in_(ACTIVE_STATES),
        )
        .order_by(col(Handoff.id).desc())
    ).first()


def start(
    session: Session, *, channel: str, user_id: str, chat_id: str, lang: str, question: str
) -> Handoff:
    """Put the user in the queue; asking again while queued keeps the one handoff."""
    row = active_for(session, channel=channel, user_id=user_id)
    if row is None:
        row = Handoff(
            channel=channel, user_id=user_id, chat_id=chat_id, lang=lang, question=question
        )
    else:
        row.lang = lang
        row.chat_id = chat_id or row.chat_id
        row.question = question or row.question
        row.updated_at = utcnow()
    session.add(row)
    session.flush()
    return row


def add_message(
    session: Session, *, handoff: Handoff, author: str, text: str, staff_id: int | None = None
) -> HandoffMessage:
    assert handoff.id is not None
    message = HandoffMessage(handoff_id=handoff.id, author=author, text=text, staff_id=staff_id)
    handoff.updated_at = utcnow()
    session.add(handoff)
    session.add(message)
    session.flush()
    return message


def take(session: Session, *, handoff: Handoff, staff_id: int) -> None:
    """A staff member takes a waiting handoff (opening or answering it)."""
    if handoff.state == HandoffState.WAITING.value:
        handoff.state = HandoffState.OPEN.value
    handoff.assigned_staff_id = handoff.assigned_staff_id or staff_id
    handoff.updated_at = utcnow()
    session.add(handoff)
    session.flush()


def close(session: Session, *, handoff: Handoff, by: str) -> None:
    handoff.state = HandoffState.CLOSED.value
    handoff.closed_at = handoff.updated_at = utcnow()
    handoff.closed_by = by
    session.add(handoff)
    session.flush()


def get(session: Session, handoff_id: int) -> Handoff | None:
    return session.get(Handoff, handoff_id)


def queue(session: Session, *, states: tuple[str, ...] = ACTIVE_STATES) -> list[Handoff]:
    """Waiting first, then open; oldest first within each."""
    rows = session.exec(select(Handoff).where(col(Handoff.state).in_(states))).all()
    order = {HandoffState.WAITING.value: 0, HandoffState.OPEN.value: 1}
    return sorted(rows, key=lambda h: (order.get(h.state, 2), h.created_at))


def recent_closed(session: Session, *, limit: int = 20) -> list[Handoff]:
    return list(
        session.exec(
            select(Handoff)
            .where(Handoff.state == HandoffState.CLOSED.value)
            .order_by(col(Handoff.closed_at).desc())
            .limit(limit)
        )
    )


def messages(session: Session, *, handoff_id: int) -> list[HandoffMessage]:
    return list(
        session.exec(
            select(HandoffMessage)
            .where(HandoffMessage.handoff_id == handoff_id)
            .order_by(col(HandoffMessage.id))
        )
    )


def count_by_state(session: Session) -> dict[str, int]:
    rows = session.exec(select(Handoff.state, func.count()).group_by(Handoff.state)).all()
    return {state: int(count) for state, count in rows}


def forget_user(session: Session, *, channel: str, user_id: str) -> None:
    """Delete a user's handoffs and everything said in them ("delete my data")."""
    ids = list(
        session.exec(
            select(Handoff.id).where(Handoff.channel == channel, Handoff.user_id == user_id)
        )
    )
    if ids:
        session.execute(delete(HandoffMessage).where(col(HandoffMessage.handoff_id).in_(ids)))
        session.execute(delete(Handoff).where(col(Handoff.id).in_(ids)))


def created_since(session: Session, since: datetime) -> list[datetime]:
    return list(session.exec(select(Handoff.created_at).where(col(Handoff.created_at) >= since)))
