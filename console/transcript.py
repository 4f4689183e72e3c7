"""A user's conversation as staff read it: what they sent (the inbox), what the bot
answered (the outbox) and what staff wrote (the handoff), in order."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from handoff import repo as handoff_repo
from inbox.models import InboxEvent, OutboxMessage


@dataclass(frozen=True)
class Line:
    who: str  # "user", "bot", "staff", "system"
    text: str
    at: datetime


def _user_line(event: InboxEvent) -> Line | None:
    payload = event.payload or {}
    kind = payload.get("kind")
    if kind == "text":
        return Line("user", str(payload.get("text") or ""), event.received_at)
    if kind == "postback":
        return Line("user", f"▶ {payload.get('postback')}", event.received_at)
    if kind in ("follow", "unfollow", "sticker", "image", "file", "location"):
        return Line("system", f"[{kind}]", event.received_at)
    return None


def transcript(
    session: Session, *, channel: str, user_id: str, handoff_id: int | None, limit: int = 80
) -> list[Line]:
    events = list(
        session.exec(
            select(InboxEvent)
            .where(InboxEvent.user_key == f"{channel}:{user_id}")
            .order_by(col(InboxEvent.id).desc())
            .limit(limit)
        )
    )
    own = {e.id: e for e in events if not (e.payload or {}).get("notification")}
    lines = [line for e in own.values() if (line := _user_line(e)) is not None]
    if own:
        rows = session.exec(select(OutboxMessage).where(col(OutboxMessage.inbox_id).in_(list(own))))
        for row in rows:
            for reply in row.replies:
                lines.append(Line("bot", str(reply.get("text", "")), row.created_at))
    if handoff_id is not None:
        for message in handoff_repo.messages(session, handoff_id=handoff_id):
            if message.author != "user":  # the user's own words are in the inbox already
                lines.append(Line(message.author, message.text, message.created_at))
    lines.sort(key=lambda line: line.at)
    return lines[-limit:]
