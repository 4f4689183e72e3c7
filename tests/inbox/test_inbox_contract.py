"""The inbox's contract, run against SQLite and PostgreSQL alike."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from core.db import init_db, make_engine, session_scope
from core.settings import Settings
from core.types import IncomingMessage, Kind
from inbox import repo
from inbox.models import EventStatus, InboxEvent, OutboxMessage
from tests.postgres import reset_database


@pytest.fixture(params=["sqlite", "postgres"])
def engine(request, tmp_path: Path) -> Iterator[Engine]:
    if request.param == "sqlite":
        settings = Settings(data_dir=tmp_path)
    else:
        settings = Settings(data_dir=tmp_path, database_url=request.getfixturevalue("postgres_url"))
    engine = make_engine(settings)
    init_db(engine)
    yield engine
    if request.param == "postgres":
        reset_database(engine)
    engine.dispose()


def message(user: str, event_id: str, text: str = "hi") -> IncomingMessage:
    return IncomingMessage(
        channel="line",
        event_id=event_id,
        user_id=user,
        chat_id=user,
        kind=Kind.TEXT,
        timestamp=datetime.now(UTC),
        text=text,
    )


def test_store_is_idempotent_on_channel_and_event_id(engine: Engine) -> None:
    with session_scope(engine) as session:
        first = repo.store_messages(
            session, [message("U1", "e1"), message("U1", "e2"), message("U1", "e1")]
        )
    with session_scope(engine) as session:
        again = repo.store_messages(session, [message("U1", "e2"), message("U2", "e3")])
    assert (first.stored, first.duplicates) == (2, 1)
    assert (again.stored, again.duplicates) == (1, 1)
    with Session(engine) as session:
        rows = session.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
    assert [r.event_id for r in rows] == ["e1", "e2", "e3"]
    assert IncomingMessage.from_json(rows[0].payload) == message("U1", "e1").__class__.from_json(
        rows[0].payload
    )
    assert rows[0].payload["text"] == "hi" and rows[0].user_key == "line:U1"


def test_a_batch_of_requests_is_stored_in_arrival_order_with_duplicates_per_request(
    engine: Engine,
) -> None:
    """The group commit stores many requests in one INSERT: ids follow arrival order, and an
    event that a later request of the same batch (or an earlier batch) brought again is
    that later request's duplicate."""
    with session_scope(engine) as session:
        repo.store_messages(session, [message("A", "old")])
    requests = [
        [message("A", "a1"), message("B", "b1")],
        [message("A", "a1"), message("A", "old")],  # a redelivery racing, an old one
        [message("B", "b2"), message("A", "a2")],
        [],
    ]
    with session_scope(engine) as session:
        results = repo.store_batch(session, requests)
    assert [(r.stored, r.duplicates) for r in results] == [(2, 0), (0, 2), (2, 0), (0, 0)]
    with Session(engine) as session:
        rows = session.exec(select(InboxEvent).order_by(InboxEvent.id)).all()  # type: ignore[arg-type]
    assert [r.event_id for r in rows] == ["old", "a1", "b1", "b2", "a2"]


def test_claim_hands_out_one_event_per_user_in_order(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.store_messages(
            session,
            [message("A", "a1"), message("A", "a2"), message("B", "b1"), message("A", "a3")],
        )
    with session_scope(engine) as session:
        first = [e.event_id for e in repo.claim_events(session, limit=10, lease_s=60)]
    assert first == ["a1", "b1"]
    with session_scope(engine) as session:
        assert repo.claim_events(session, limit=10, lease_s=60) == []  # A's next waits for a1
        repo.finish_event(session, event_id=_id(session, "a1"), status=EventStatus.DONE)
    with session_scope(engine) as session:
        assert [e.event_id for e in repo.claim_events(session, limit=10, lease_s=60)] == ["a2"]


def test_expired_lease_is_claimed_again(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.store_messages(session, [message("A", "a1")])
    with session_scope(engine) as session:
        (claimed,) = repo.claim_events(session, limit=1, lease_s=60)
        assert claimed.status == "processing" and claimed.attempts == 1
    with session_scope(engine) as session:
        assert repo.claim_events(session, limit=1, lease_s=60) == []
        session.execute(
            text("UPDATE inbox_event SET lease_until = :t"),
            {"t": datetime.now(UTC) - timedelta(seconds=5)},
        )
    with session_scope(engine) as session:
        (again,) = repo.claim_events(session, limit=1, lease_s=60)
        assert again.event_id == "a1" and again.attempts == 2


def test_concurrent_claimers_never_share_an_event(engine: Engine) -> None:
    """Several workers (threads here, processes in production) claim at once."""
    users = [f"U{i}" for i in range(40)]
    with session_scope(engine) as session:
        repo.store_messages(session, [message(u, f"{u}-{n}") for u in users for n in range(3)])
    claimed: list[str] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def claimer() -> None:
        try:
            while True:
                with session_scope(engine) as session:
                    events = repo.claim_events(session, limit=5, lease_s=60)
                    for event in events:
                        repo.finish_event(session, event_id=event.id or 0, status=EventStatus.DONE)
                    # Noted before the commit: a user's next event is claimable only after
                    # it, so the list's order is the order events were handled in.
                    with lock:
                        claimed.extend(e.event_id for e in events)
                if not events:
                    with Session(engine) as session:
                        if repo.count_open(session) == 0:
                            return
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=claimer) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    assert sorted(claimed) == sorted(
        f"{u}-{n}" for u in users for n in range(3)
    )  # each exactly once
    for user in users:  # and each user's events in order
        assert [c for c in claimed if c.startswith(f"{user}-")] == [f"{user}-{n}" for n in range(3)]


def test_release_all_leases_makes_in_flight_events_claimable(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.store_messages(session, [message("A", "a1"), message("B", "b1")])
    with session_scope(engine) as session:
        repo.claim_events(session, limit=5, lease_s=600)
    with session_scope(engine) as session:
        assert repo.release_all_leases(session) == 2
    with session_scope(engine) as session:
        assert sorted(e.event_id for e in repo.claim_events(session, limit=5, lease_s=60)) == [
            "a1",
            "b1",
        ]


def test_failed_events_are_listed_newest_first(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.store_messages(session, [message("A", "a1"), message("B", "b1"), message("C", "c1")])
    with session_scope(engine) as session:
        repo.finish_event(
            session, event_id=_id(session, "a1"), status=EventStatus.FAILED, error="x" * 5000
        )
        repo.finish_event(
            session, event_id=_id(session, "c1"), status=EventStatus.FAILED, error="boom"
        )
    with Session(engine) as session:
        failed = repo.list_failed(session)
    assert [(e.event_id, len(e.error or "")) for e in failed] == [("c1", 4), ("a1", 2000)]


def _id(session: Session, event_id: str) -> int:
    row = session.exec(select(InboxEvent).where(InboxEvent.event_id == event_id)).one()
    assert row.id is not None
    return row.id


def test_erase_user_leaves_nothing_but_the_event_in_flight(engine: Engine) -> None:
    with session_scope(engine) as session:
        repo.store_messages(
            session,
            [
                message("A", "a1", "my phone is 0812345678"),
                message("A", "a2", "delete my data"),
                message("A", "a3", "later"),
                message("B", "b1"),
            ],
        )
    with session_scope(engine) as session:
        repo.finish_event(session, event_id=_id(session, "a1"), status=EventStatus.DONE)
        repo.queue_replies(
            session,
            inbox_id=_id(session, "a1"),
            msg_channel="line",
            user_id="A",
            chat_id="A",
            replies=[],
        )
    with session_scope(engine) as session:
        (current,) = [
            e for e in repo.claim_events(session, limit=5, lease_s=60) if e.event_id == "a2"
        ]
        repo.erase_user(session, channel="line", user_id="A")
        # the confirmation still has to go out
        repo.queue_replies(
            session,
            inbox_id=current.id or 0,
            msg_channel="line",
            user_id="A",
            chat_id="A",
            replies=[],
        )
    with Session(engine) as session:
        rows = session.exec(select(InboxEvent)).all()
        assert sorted(r.event_id for r in rows) == ["a2", "b1"]
        (kept,) = [r for r in rows if r.event_id == "a2"]
        assert kept.payload == repo.ERASED and "A" not in kept.user_key
    with session_scope(engine) as session:
        repo.finish_event(session, event_id=kept.id or 0, status=EventStatus.DONE)
        repo.purge_erased(session, event_id=kept.id or 0)
    with Session(engine) as session:
        assert [r.event_id for r in session.exec(select(InboxEvent)).all()] == ["b1"]
        dump = " ".join(str(r) for r in session.exec(select(OutboxMessage)).all())
        assert "'A'" not in dump and "0812345678" not in dump
