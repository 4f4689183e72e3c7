"""The same registration through the worker's turn runner (inbox.turns.run_turn)."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from assembly.features import registration_skill
from bot.dialogue import Dialogue
from core.db import session_scope
from core.state import get_chat_user
from core.types import IncomingMessage, Kind
from matching.models import Company, CompanyMember
from tests.registration.test_happy_paths import THAI_SME_SCRIPTS

turns = pytest.importorskip("inbox.turns")
_ids = itertools.count(1)


def _msg(text: str | None = None, postback: str | None = None) -> IncomingMessage:
    return IncomingMessage(
        channel="line", event_id=f"w-{next(_ids)}", user_id="U-worker", chat_id="U-worker",
        kind=Kind.POSTBACK if postback else Kind.TEXT, timestamp=datetime(2026, 11, 28, tzinfo=UTC),
        text=text, postback=postback,
    )  # fmt: skip


def test_register_and_erase_through_run_turn(db_engine) -> None:
    skill = registration_skill()
    dialogue = Dialogue(skills=[skill], fallbacks=[skill])

    def send(msg: IncomingMessage):
        with session_scope(db_engine) as session:
            return turns.run_turn(session, dialogue, msg).outcome

    send(_msg(postback="reg:start"))
    send(_msg(postback="reg:form:th_sme"))
    for kind, value in THAI_SME_SCRIPTS["th"]:
        send(_msg(text=value) if kind == "text" else _msg(postback=value))
    with Session(db_engine) as session:
        company = session.exec(select(Company)).one()
        assert company.registration_number == "0105536003771"
        assert get_chat_user(session, channel="line", user_id="U-worker") is not None

    send(_msg(text="ลบข้อมูลของฉัน"))
    outcome = send(_msg(postback="reg:delete:yes"))
    assert company.ref in outcome.replies[0].text
    with Session(db_engine) as session:
        assert list(session.exec(select(Company))) == []
        assert list(session.exec(select(CompanyMember))) == []
        assert get_chat_user(session, channel="line", user_id="U-worker") is None
