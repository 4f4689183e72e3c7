from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.settings import Settings
from matching import introductions as intros
from matching.api import router
from matching.engine import Matcher
from matching.intro_models import Introduction

from .conftest import RecordingContext, add_member


@pytest.fixture
def app(settings: Settings, engine: Engine, matcher: Matcher) -> FastAPI:
    app = FastAPI()
    app.include_router(router)
    app.state.settings = settings
    app.state.engine = engine
    app.state.matcher = matcher
    return app


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app) as client:
        yield client


@pytest.fixture
def token(session: Session) -> str:
    from core.staff import create_staff, issue_token

    create_staff(session, email="staff@example.org", role="editor")
    value = issue_token(session, email="staff@example.org")
    session.commit()
    return value


def auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def test_matches_need_a_staff_token(client: TestClient, directory: dict[str, int]) -> None:
    assert client.get(f"/api/companies/{directory['JP-AUTO']}/matches").status_code == 401
    bad = client.get(f"/api/companies/{directory['JP-AUTO']}/matches", headers=auth("nope"))
    assert bad.status_code == 401


def test_matches_endpoint(
    client: TestClient, token: str, matcher: Matcher, directory: dict[str, int]
) -> None:
    res = client.get(
        f"/api/companies/{directory['JP-AUTO']}/matches?k=3&lang=ja", headers=auth(token)
    )
    assert res.status_code == 200
    body = res.json()
    assert len(body) == 3
    assert set(body[0]) == {"ref", "name", "country", "score", "reasons"}
    assert body[0]["ref"] == "TH-SEAL" and body[0]["country"] == "TH"
    assert any("IATF 16949" in r for r in body[0]["reasons"])
    # Same answer as the engine (and the CLI) gives.
    expected = [m.to_json() for m in matcher.match(directory["JP-AUTO"], k=3, lang="ja")]
    assert body == expected
    assert client.get("/api/companies/999999/matches", headers=auth(token)).status_code == 404
    assert (
        client.get(
            f"/api/companies/{directory['JP-AUTO']}/matches?k=0", headers=auth(token)
        ).status_code
        == 422
    )


def _request_from_telegram_to_mould(session: Session, directory: dict[str, int]) -> Introduction:
    """JP-AUTO (on Telegram) asks for TH-MOULD, which has no chat account."""
    add_member(
        session,
        directory["JP-AUTO"],
        channel="telegram",
        user_id="tg-100",
        chat_id="5001",
        lang="ja",
    )
    ctx = RecordingContext(session)
    waiting = intros.request_introduction(
        session,
        ctx.notify,
        requester_id=directory["JP-AUTO"],
        target_id=directory["TH-MOULD"],
        channel="telegram",
        user_id="tg-100",
        lang="ja",
        note="金型の件でご相談です",
    )
    session.commit()
    return waiting


def test_introductions_list_and_staff_decision(
    app: FastAPI, client: TestClient, token: str, session: Session, directory: dict[str, int]
) -> None:
    waiting = _request_from_telegram_to_mould(session, directory)
    assert waiting.status == "awaiting_staff"
    sent: list[dict[str, Any]] = []
    app.state.notify_factory = lambda _session: lambda **kw: sent.append(kw)

    listed = client.get("/api/introductions?status=awaiting_staff", headers=auth(token))
    assert listed.status_code == 200
    (row,) = listed.json()
    assert (
        row["id"] == waiting.id
        and row["target"]["ref"] == "TH-MOULD"
        and row["note"] == "金型の件でご相談です"
    )
    assert client.get("/api/introductions", headers={}).status_code == 401

    res = client.post(
        f"/api/introductions/{waiting.id}/decision",
        json={"accept": True, "note": "phoned them"},
        headers=auth(token),
    )
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["introduction"]["status"] == "accepted"
    assert body["introduction"]["decided_by"] == "staff:staff@example.org"
    assert [e["kind"] for e in body["introduction"]["events"]] == [
        "requested",
        "awaiting_staff",
        "accepted",
        "contacts_shared",
        "staff_note",
    ]
    assert body["requester_notified"] is True
    assert body["requester_contact"]["email"] == "tanaka@mikawa-brake.example.jp"
    (note,) = sent
    assert note["channel"] == "telegram" and note["chat_id"] == "5001"
    assert "mould@lanna-die.example.com" in note["replies"][0].text
    # A second decision is refused.
    again = client.post(
        f"/api/introductions/{waiting.id}/decision", json={"accept": False}, headers=auth(token)
    )
    assert again.status_code == 409


def test_listing_expires_stale_requests(
    app: FastAPI, client: TestClient, token: str, session: Session, directory: dict[str, int]
) -> None:
    add_member(
        session,
        directory["JP-AUTO"],
        channel="telegram",
        user_id="tg-100",
        chat_id="5001",
        lang="ja",
    )
    old = intros.request_introduction(
        session,
        None,
        requester_id=directory["JP-AUTO"],
        target_id=directory["TH-MOULD"],
        channel="telegram",
        user_id="tg-100",
        lang="ja",
        ttl=timedelta(seconds=-1),
    )
    session.commit()
    sent: list[dict[str, Any]] = []
    app.state.notify_factory = lambda _session: lambda **kw: sent.append(kw)
    (row,) = client.get("/api/introductions", headers=auth(token)).json()
    assert row["id"] == old.id and row["status"] == "expired"
    assert [s["user_id"] for s in sent] == ["tg-100"]
    res = client.post(
        f"/api/introductions/{old.id}/decision", json={"accept": True}, headers=auth(token)
    )
    assert res.status_code == 409


def test_matches_answer_503_while_loading(
    app: FastAPI, client: TestClient, token: str, embedder, directory: dict[str, int]
) -> None:
    app.state.matcher = Matcher(embedder)  # built, not loaded yet
    res = client.get(f"/api/companies/{directory['JP-AUTO']}/matches", headers=auth(token))
    assert res.status_code == 503 and res.headers["retry-after"] == "10"


def test_one_introduction_with_its_steps(
    client: TestClient, token: str, session: Session, directory: dict[str, int]
) -> None:
    add_member(
        session, directory["TH-SEAL"], channel="line", user_id="U-th", chat_id="U-th", lang="th"
    )
    ctx = RecordingContext(session)
    intro = intros.request_introduction(
        session,
        ctx.notify,
        requester_id=directory["JP-AUTO"],
        target_id=directory["TH-SEAL"],
        channel="telegram",
        user_id="tg-100",
        lang="ja",
    )
    session.commit()
    body = client.get(f"/api/introductions/{intro.id}", headers=auth(token)).json()
    assert body["status"] == "pending"
    assert body["requester"]["ref"] == "JP-AUTO" and body["target"]["ref"] == "TH-SEAL"
    assert [e["kind"] for e in body["events"]] == ["requested", "notified"]
    # A pending introduction (the company answers in the chat) takes no staff decision.
    res = client.post(
        f"/api/introductions/{intro.id}/decision", json={"accept": True}, headers=auth(token)
    )
    assert res.status_code == 409
    assert client.get("/api/introductions/99999", headers=auth(token)).status_code == 404


def test_ids_out_of_range_are_refused_not_crashed(client: TestClient, token: str) -> None:
    # schemathesis found a 500: an id past 64 bits overflowed in the database driver.
    huge = "469468418463544712351449088"
    assert client.get(f"/api/introductions/{huge}", headers=auth(token)).status_code == 422
    answer = client.get(f"/api/companies/{huge}/matches", headers=auth(token))
    assert answer.status_code == 422
    assert answer.json()["detail"][0]["loc"] == ["path", "company_id"]
