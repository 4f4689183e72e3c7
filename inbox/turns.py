"""One turn of conversation inside one transaction: load state, handle, save, apply effects."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlmodel import Session

from bot.dialogue import Dialogue
from core.state import get_chat_user, load_conversation, save_conversation
from core.turn import Outcome
from core.types import Channel, IncomingMessage, Reply
from inbox import repo


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
