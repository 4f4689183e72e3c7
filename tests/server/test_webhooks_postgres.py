"""The same webhook path with PostgreSQL as the store (DATABASE_URL), end to end."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import create_engine
from sqlmodel import Session, select

from core.i18n import t
from inbox.models import InboxEvent
from server import create_app
from tests.helpers import (
    line_body,
    line_headers,
    line_text,
    make_settings,
    telegram_headers,
    tg_text,
)
from tests.postgres import reset_database
from tests.standin import PlatformStandIn


@pytest.fixture
def pg_client(tmp_path, standin: PlatformStandIn, postgres_url: str) -> Iterator[TestClient]:
    settings = make_settings(tmp_path, standin.url, database_url=postgres_url)
    with TestClient(create_app(settings)) as client:
        yield client
    engine = create_engine(postgres_url)
    reset_database(engine)
    engine.dispose()


def test_postgres_store_dedupes_orders_and_answers(
    pg_client: TestClient, standin: PlatformStandIn
) -> None:
    assert pg_client.app.state.engine.dialect.name == "postgresql"  # type: ignore[attr-defined]
    words = ["menu", "help", "language"]
    event = line_text("Upg", "hello", event_id="01PGDUPLICATE0000000000001")
    body = line_body(event, *[line_text("Upg", w) for w in words])
    assert (
        pg_client.post("/webhooks/line", content=body, headers=line_headers(body)).json()["stored"]
        == 4
    )
    again = line_body(event)
    assert (
        pg_client.post("/webhooks/line", content=again, headers=line_headers(again)).json()[
            "duplicates"
        ]
        == 1
    )
    pg_client.post(
        "/webhooks/telegram", content=tg_text(6060, "メニュー"), headers=telegram_headers()
    )
    replies = standin.wait_for(4, "reply")
    (telegram,) = standin.wait_for(1, "sendMessage")
    assert [c.body["messages"][0]["text"] for c in replies] == [
        t("greeting", "en"),
        t("menu.title", "en"),
        t("help", "en"),
        t("language.choose", "en"),
    ]
    assert telegram.body["text"] == t("menu.title", "ja")
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with Session(pg_client.app.state.engine) as session:  # type: ignore[attr-defined]
            statuses = [row.status for row in session.exec(select(InboxEvent))]
        if statuses and all(s == "done" for s in statuses):
            break
        time.sleep(0.05)
    assert statuses == ["done"] * 5
