"""The directory, the matcher's refresh and the introduction workflow on PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import matching.intro_models  # noqa: F401
from bot.dialogue import Dialogue
from core.db import init_db, make_engine
from core.settings import Settings
from matching import introductions as intros
from matching.csv_import import import_text
from matching.engine import Matcher
from matching.intro_models import Introduction, NotInterested
from matching.models import Company, CompanyMember
from matching.skill import MatchingSkill
from tests.postgres import reset_database

from .conftest import DIRECTORY_CSV, RecordingContext, add_member, turn

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_engine(tmp_path: Path, postgres_url: str) -> Iterator[Engine]:
    engine = make_engine(Settings(data_dir=tmp_path, database_url=postgres_url))
    init_db(engine)
    yield engine
    reset_database(engine)
    engine.dispose()


def _import_directory_twice(session: Session) -> dict[str, int]:
    """The directory CSV imported, then imported again (which changes nothing); ids by ref."""
    text = DIRECTORY_CSV.read_text(encoding="utf-8")
    assert import_text(session, text).created == 18
    session.commit()
    again = import_text(session, text)
    session.commit()
    assert (again.created, again.updated, again.unchanged) == (0, 0, 18)
    return {c.ref: c.id for c in session.exec(select(Company)) if c.id is not None}


def _erase_company(session: Session, company_id: int) -> None:
    """Erase a company, its members first."""
    for member in session.exec(select(CompanyMember).where(CompanyMember.company_id == company_id)):
        session.delete(member)
    session.flush()
    session.delete(session.get(Company, company_id))
    session.commit()


def test_directory_and_introductions_on_postgres(pg_engine: Engine, embedder) -> None:
    with Session(pg_engine, expire_on_commit=False) as session:
        ids = _import_directory_twice(session)

        matcher = Matcher(embedder)
        matcher.refresh(session)
        assert matcher.match(ids["JP-AUTO"], k=1)[0].ref == "TH-SEAL"
        add_member(
            session, ids["JP-AUTO"], channel="telegram", user_id="tg-100", chat_id="5001", lang="ja"
        )
        add_member(
            session, ids["TH-SEAL"], channel="line", user_id="U-th-1", chat_id="U-th-1", lang="th"
        )

        d = Dialogue(skills=[MatchingSkill(matcher)])
        turn(d, session, "telegram", "tg-100", postback=f"match:ask:{ids['TH-SEAL']}")
        _, sent = turn(d, session, "telegram", "tg-100", postback="match:skip")
        assert [s.channel for s in sent] == ["line"]
        (intro,) = session.exec(select(Introduction)).all()
        out, sent = turn(d, session, "line", "U-th-1", postback=f"match:yes:{intro.id}")
        assert "tanaka@mikawa-brake.example.jp" in out.replies[0].text
        assert "somchai@rayong-seal.example.com" in sent[0].replies[0].text
        session.expire_all()
        assert session.get(Introduction, intro.id).status == "accepted"  # type: ignore[union-attr]

        turn(d, session, "telegram", "tg-100", postback=f"match:ni:{ids['TH-MOULD']}")
        assert len(session.exec(select(NotInterested)).all()) == 1

        # Expiry of a request to a company without a chat account.
        ctx = RecordingContext(session)
        waiting = intros.request_introduction(
            session,
            ctx.notify,
            requester_id=ids["JP-AUTO"],
            target_id=ids["TH-CNC"],
            channel="telegram",
            user_id="tg-100",
            lang="ja",
        )
        session.commit()
        assert waiting.status == "awaiting_staff"
        later = datetime.now(UTC) + timedelta(days=15)
        assert [
            i.id for i in intros.expire_stale_introductions(session, later, notify=ctx.notify)
        ] == [waiting.id]
        session.commit()

        # Erasing a company (its members first) takes its introductions with it.
        _erase_company(session, ids["TH-SEAL"])
        assert [i.target_company_id for i in session.exec(select(Introduction))] == [ids["TH-CNC"]]
