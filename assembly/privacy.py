"""Erasing a person ("delete my data"): every store that keeps something about them."""

from __future__ import annotations

from sqlmodel import Session

from core.state import delete_chat_user
from handoff.repo import forget_user as forget_handoffs
from inbox.repo import erase_user as erase_inbox
from knowledge.repo import forget_user as forget_questions
from matching.repo import delete_member_data


def erase_user(session: Session, *, channel: str, user_id: str) -> None:
    """Within the caller's transaction: the company profile (if this user speaks for it)
    and its links, the conversation state, kept messages, feedback, logged questions and handoffs."""
    delete_member_data(session, channel=channel, user_id=user_id)
    delete_chat_user(session, channel=channel, user_id=user_id)
    erase_inbox(session, channel=channel, user_id=user_id)
    forget_questions(session, channel=channel, user_id=user_id)
    forget_handoffs(session, channel=channel, user_id=user_id)
