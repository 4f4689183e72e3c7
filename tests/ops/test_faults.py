"""Faults in one process: the platform failing then rate-limiting, a user sending too fast.
(The database going away during a run: test_database_outage.py.)"""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from inbox.models import InboxEvent
from server import create_app
from tests.helpers import (
    line_body,
    line_headers,
    line_text,
    make_settings,
)
from tests.standin import PlatformStandIn


def statuses(client: TestClient) -> list[str]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return [row.status for row in session.exec(select(InboxEvent).order_by(InboxEvent.id))]  # type: ignore[arg-type]


def wait_done(client: TestClient, count: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            found = statuses(client)
        except Exception:
            found = []
        if len(found) >= count and all(s == "done" for s in found):
            return
        time.sleep(0.1)
    raise AssertionError(f"events not done: {statuses(client)}")


def test_line_500_then_429_is_retried_after_retry_after(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(tmp_path, standin.url, line_reply_token_max_age_s=0.0)
    with TestClient(create_app(settings)) as client:
        standin.fail("push", 500)
        standin.fail("push", 429, headers={"retry-after": "2"}, body={"message": "rate limit"})
        started = time.monotonic()
        body = line_body(line_text("U429", "hello"))
        client.post("/webhooks/line", content=body, headers=line_headers(body))
        (push,) = standin.wait_for(1, "push", timeout=60)
        waited = time.monotonic() - started
        wait_done(client, 1)
    assert push.body["messages"][0]["text"] == t("greeting", "en")
    assert waited >= 1.9  # Retry-After: 2, not the 0.01-0.05 s backoff of the tests' settings
    assert len(standin.calls_to("push")) == 1


def test_a_user_sending_too_fast_gets_one_polite_note(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(tmp_path, standin.url, rate_limit_per_minute=3)
    words = ["hello", "menu", "help", "menu", "help", "menu"]
    with TestClient(create_app(settings)) as client:
        body = line_body(*[line_text("Ufast", w) for w in words])
        client.post("/webhooks/line", content=body, headers=line_headers(body))
        body = line_body(line_text("Uslow", "menu"))
        client.post("/webhooks/line", content=body, headers=line_headers(body))
        wait_done(client, len(words) + 1)
    every = [m["text"] for c in standin.calls_to("reply", "push") for m in c.body["messages"]]
    assert every.count(t("inbox.rate_limited", "en")) == 1
    assert every.count(t("menu.title", "en")) == 2  # Ufast's first one, and Uslow's
    assert len(every) == 3 + 1 + 1  # three answered, one note, the rest dropped; Uslow
