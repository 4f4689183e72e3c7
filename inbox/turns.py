"""One turn of conversation inside one transaction: load state, handle, save, apply effects.

`commit_turn` is the one path from a stored inbox event to a committed turn, used by the
worker (which then sends the replies) and by the chat simulator (which returns them).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine
from sqlmodel import Session, col

from bot.dialogue import Dialogue
from core.db import write_lock
from core.i18n import t
from core.state import get_chat_user, load_conversation, save_conversation
from core.time import utcnow
from core.turn import Outcome
from core.types import Channel, IncomingMessage, Lang, Reply, from_hint
from inbox import repo
from inbox.models import EventStatus, InboxEvent
from language.detect import detect


@dataclass(frozen=True)
class Notification:
    channel: Channel
    user_id: str
    chat_id: str
    replies: tuple[Reply, ...]


@dataclass
class TurnEffects:
    """The EffectContext given to effects: the turn's session, and queued notifications."""

    session: Session
    notifications: list[Notification] = field(default_factory=list)

    def notify(
        self, *, channel: Channel, user_id: str, chat_id: str, replies: Sequence[Reply]
    ) -> None:
        self.notifications.append(
            Notification(channel=channel, user_id=user_id, chat_id=chat_id, replies=tuple(replies))
        )


@dataclass(frozen=True)
class TurnResult:
    outcome: Outcome
    notifications: list[Notification]


@dataclass(frozen=True)
class RateLimit:
    """At most `per_window` messages of one user in `window_s` seconds are handled; the
    first one over is answered with a polite note, the rest are dropped until the rate falls."""

    per_window: int
    window_s: float = 60.0


def limited_outcome(
    session: Session, msg: IncomingMessage, *, event_id: int, limit: RateLimit | None
) -> Outcome | None:
    """The answer to a user sending faster than `limit` allows, or None to handle the turn."""
    if limit is None or limit.per_window <= 0:
        return None
    user_key = f"{msg.channel}:{msg.user_id}"
    count = repo.recent_events(
        session, user_key=user_key, event_id=event_id, window_s=limit.window_s
    )
    if count <= limit.per_window:
        return None
    conv = load_conversation(session, channel=msg.channel, user_id=msg.user_id)
    replies: list[Reply] = []
    if count == limit.per_window + 1:
        lang: Lang = (
            conv.lang
            or from_hint(msg.lang_hint)
            or detect(msg.text)
            or ("th" if msg.channel == "line" else "ja")
        )
        replies = [Reply(text=t("inbox.rate_limited", lang), lang=lang)]
    return Outcome(conv=conv, replies=replies, effects=[])


def decide_turn(session: Session, dialogue: Dialogue, msg: IncomingMessage) -> Outcome:
    """The dialogue's decision for this message; only reads through `session`."""
    conv = load_conversation(session, channel=msg.channel, user_id=msg.user_id)
    return dialogue.handle(conv, msg, session=session)


def apply_turn(session: Session, msg: IncomingMessage, outcome: Outcome) -> TurnResult:
    """Write what the decision asks for: effects and the new state. The caller commits."""
    ctx = TurnEffects(session=session)
    existed = get_chat_user(session, channel=msg.channel, user_id=msg.user_id) is not None
    for effect in outcome.effects:
        effect.apply(ctx)
    session.flush()
    # An effect that erased this user ("delete my data") must not see the row come back.
    erased = existed and get_chat_user(session, channel=msg.channel, user_id=msg.user_id) is None
    if not erased:
        save_conversation(session, outcome.conv, chat_id=None if msg.is_group else msg.chat_id)
    return TurnResult(outcome=outcome, notifications=ctx.notifications)


def run_turn(session: Session, dialogue: Dialogue, msg: IncomingMessage) -> TurnResult:
    """Everything a message changes, written through `session`; the caller commits."""
    return apply_turn(session, msg, decide_turn(session, dialogue, msg))


def queue_notifications(
    session: Session, *, inbox_id: int, notifications: Sequence[Notification]
) -> None:
    """Queue what a turn's effects asked to send to other users, under the turn's event."""
    for note in notifications:
        repo.queue_replies(
            session,
            inbox_id=inbox_id,
            msg_channel=note.channel,
            user_id=note.user_id,
            chat_id=note.chat_id,
            replies=note.replies,
        )


def commit_turn(
    engine: Engine,
    dialogue: Dialogue,
    *,
    event_id: int,
    msg: IncomingMessage,
    reply_in_response: bool = False,
    owner: str | None = None,
    rate_limit: RateLimit | None = None,
) -> TurnResult | None:
    """Run the turn of a claimed event and commit it with everything it queued.

    The dialogue's reads (retrieval, matching) happen before the write lock is taken, so
    slow answers never hold up webhook acknowledgements on SQLite. The event ends HANDLED
    with its replies in the outbox for the worker to send; with `reply_in_response` (the
    simulator) the user's replies are returned instead of queued, and the event is DONE
    unless other users were notified, whom the worker then reaches. None when the event
    was no longer this caller's to handle: `owner` (the claiming worker) must still hold
    the claim when the turn commits, so a worker whose lease ran out commits nothing.
    """
    with Session(engine, expire_on_commit=False) as session:
        try:
            event = session.get(InboxEvent, event_id)
            if event is None or event.status != EventStatus.PROCESSING.value:
                return None
            if event.claimed_by != owner or event.payload == repo.ERASED:
                return None  # taken over, or the user erased their data before this turn
            outcome = limited_outcome(session, msg, event_id=event_id, limit=rate_limit)
            if outcome is None:
                outcome = decide_turn(session, dialogue, msg)
            with write_lock(engine):
                result = apply_turn(session, msg, outcome)
                if not reply_in_response:
                    _queue_own_replies(session, event_id, msg, outcome.replies)
                elif outcome.replies:
                    _record_delivered(session, event_id, msg, outcome.replies)
                queue_notifications(session, inbox_id=event_id, notifications=result.notifications)
                notified = bool(result.notifications)
                if not _mark_handled(session, event_id, reply_in_response, notified, owner):
                    session.rollback()
                    return None
                session.commit()
        except BaseException:
            session.rollback()
            raise
    return result


def _queue_own_replies(
    session: Session, event_id: int, msg: IncomingMessage, replies: Sequence[Reply]
) -> None:
    if replies or msg.callback_query_id:
        repo.queue_replies(
            session,
            inbox_id=event_id,
            msg_channel=msg.channel,
            user_id=msg.user_id,
            chat_id=msg.chat_id,
            replies=replies,
            reply_token=msg.reply_token,
            callback_query_id=msg.callback_query_id,
            event_time=msg.timestamp,
        )


def _record_delivered(
    session: Session, event_id: int, msg: IncomingMessage, replies: Sequence[Reply]
) -> None:
    """Replies answered in the HTTP response (the simulator) are kept as delivered, so
    the console's transcript shows the bot's side of a simulated conversation too."""
    row = repo.queue_replies(
        session,
        inbox_id=event_id,
        msg_channel=msg.channel,
        user_id=msg.user_id,
        chat_id=msg.chat_id,
        replies=replies,
    )
    row.sent_at = utcnow()


def _mark_handled(
    session: Session, event_id: int, reply_in_response: bool, notified: bool, owner: str | None
) -> bool:
    """Compare-and-set: False when the claim is no longer `owner`'s."""
    if not reply_in_response:
        values: dict[str, object] = {"status": EventStatus.HANDLED.value}
    elif notified:
        # Others wait for messages: the worker claims the event at once and delivers them.
        values = {
            "status": EventStatus.HANDLED.value,
            "lease_until": utcnow() - timedelta(seconds=1),
        }
    else:
        values = {"status": EventStatus.DONE.value, "finished_at": utcnow()}
    held = (
        col(InboxEvent.claimed_by).is_(None)
        if owner is None
        else col(InboxEvent.claimed_by) == owner
    )
    result = session.execute(
        update(InboxEvent)
        .where(
            col(InboxEvent.id) == event_id,
            col(InboxEvent.status) == EventStatus.PROCESSING.value,
            held,
        )
        .values(**values)
    )
    if int(getattr(result, "rowcount", 0) or 0) != 1:
        return False
    if notified:
        repo.signal_new_work(session)
    if reply_in_response and not notified:
        repo.purge_erased(session, event_id=event_id)
    return True
