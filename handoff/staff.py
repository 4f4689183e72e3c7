"""What staff do with a handoff from the console: take it, answer, hand it back.

Messages to the user go through `notify` (the outbox, with the worker's retries); the
caller commits the session and wakes the worker.
"""

from __future__ import annotations

from collections.abc import Callable

from sqlmodel import Session

from core.types import Lang
from handoff import repo
from handoff.models import Handoff, HandoffMessage, HandoffState
from handoff.skill import handed_back, staff_reply

Notify = Callable[..., None]


class HandoffClosed(ValueError):
    pass


def _lang(handoff: Handoff) -> Lang:
    return handoff.lang if handoff.lang in ("th", "ja", "en") else "en"  # type: ignore[return-value]


def reply(
    session: Session, *, handoff: Handoff, staff_id: int, text: str, notify: Notify
) -> HandoffMessage:
    text = text.strip()
    if not text:
        raise ValueError("an empty reply")
    if handoff.state == HandoffState.CLOSED.value:
        raise HandoffClosed("this conversation was handed back to the bot")
    repo.take(session, handoff=handoff, staff_id=staff_id)
    message = repo.add_message(
        session, handoff=handoff, author="staff", text=text, staff_id=staff_id
    )
    notify(
        channel=handoff.channel,
        user_id=handoff.user_id,
        chat_id=handoff.chat_id,
        replies=[staff_reply(_lang(handoff), text)],
    )
    return message


def hand_back(session: Session, *, handoff: Handoff, staff_id: int, notify: Notify) -> None:
    if handoff.state == HandoffState.CLOSED.value:
        return
    repo.close(session, handoff=handoff, by="staff")
    repo.add_message(
        session, handoff=handoff, author="system", text="handed back", staff_id=staff_id
    )
    notify(
        channel=handoff.channel,
        user_id=handoff.user_id,
        chat_id=handoff.chat_id,
        replies=[handed_back(_lang(handoff))],
    )
