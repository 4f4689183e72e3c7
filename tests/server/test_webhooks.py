"""The webhook routes through the real app, worker and a local platform stand-in."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from core.staff import create_staff, issue_token
from inbox.models import InboxEvent, OutboxMessage
from server import create_app
from tests.helpers import (
    line_body,
    line_follow,
    line_headers,
    line_postback,
    line_text,
    make_settings,
    telegram_headers,
    tg_callback,
    tg_text,
)
from tests.standin import PlatformStandIn

MENU_DATA = ["reg:start", "kb:ask", "match:find", "reg:profile", "lang", "help"]


def inbox_rows(client: TestClient) -> list[InboxEvent]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return list(session.exec(select(InboxEvent)))


def wait_until_idle(client: TestClient, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if all(row.status in ("done", "failed") for row in inbox_rows(client)):
            return
        time.sleep(0.02)
    raise AssertionError("the worker did not finish in time")


# -- the happy path: exact JSON the platforms receive -------------------------------


def test_line_follow_greets_with_reply_token_and_quick_replies(
    client: TestClient, standin: PlatformStandIn
) -> None:
    event = line_follow("Uthai1")
    body = line_body(event)
    response = client.post("/webhooks/line", content=body, headers=line_headers(body))
    assert response.json() == {"status": "ok", "stored": 1, "duplicates": 0}
    (call,) = standin.wait_for(1, "reply")
    assert call.path == "/v2/bot/message/reply"
    assert call.headers["authorization"] == "Bearer line-access-token-for-tests"
    assert call.body["replyToken"] == event["replyToken"]
    (message,) = call.body["messages"]
    assert message["type"] == "text" and message["text"] == t("greeting", "th")
    assert [i["action"]["data"] for i in message["quickReply"]["items"]] == MENU_DATA
    assert message["quickReply"]["items"][0]["action"]["label"] == t("menu.register", "th")


def test_telegram_menu_and_button_press(client: TestClient, standin: PlatformStandIn) -> None:
    client.post("/webhooks/telegram", content=tg_text(4242, "メニュー"), headers=telegram_headers())
    (menu,) = standin.wait_for(1, "sendMessage")
    assert menu.path == "/bot123456:TEST-telegram-token/sendMessage"
    assert menu.body["chat_id"] == "4242" and menu.body["text"] == t("menu.title", "ja")
    keyboard = menu.body["reply_markup"]["inline_keyboard"]
    assert [b["callback_data"] for row in keyboard for b in row] == MENU_DATA
    assert keyboard[0][0]["text"] == t("menu.register", "ja")

    client.post(
        "/webhooks/telegram", content=tg_callback(4242, "lang:en"), headers=telegram_headers()
    )
    answered = standin.wait_for(1, "answerCallbackQuery")
    sent = standin.wait_for(2, "sendMessage")
    assert answered[0].body["callback_query_id"].startswith("cbq-")
    assert sent[1].body["text"] == t("language.changed", "en")


def test_line_button_press_replies(client: TestClient, standin: PlatformStandIn) -> None:
    body = line_body(line_postback("Uthai2", "help"))
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    (call,) = standin.wait_for(1, "reply")
    assert call.body["messages"][0]["text"] == t("help", "th")


# -- exactly once, in order ---------------------------------------------------------


def test_redelivered_event_is_acknowledged_and_processed_once(
    client: TestClient, standin: PlatformStandIn
) -> None:
    event = line_text("Udup", "hello", event_id="01DUPLICATE000000000000001")
    body = line_body(event)
    first = client.post("/webhooks/line", content=body, headers=line_headers(body))
    second = client.post("/webhooks/line", content=body, headers=line_headers(body))
    assert first.json()["stored"] == 1 and second.json() == {
        "status": "ok",
        "stored": 0,
        "duplicates": 1,
    }
    standin.wait_for(1, "reply")
    wait_until_idle(client)
    time.sleep(0.2)
    assert len(standin.calls_to("reply", "push")) == 1
    assert len(inbox_rows(client)) == 1


def test_events_of_one_user_are_answered_in_order(
    client: TestClient, standin: PlatformStandIn
) -> None:
    words = ["menu", "help", "language", "เมนู", "help", "メニュー"]
    expected = [
        t("menu.title", "en"),
        t("help", "en"),
        t("language.choose", "en"),
        t("menu.title", "th"),
        t("help", "en"),
        t("menu.title", "ja"),
    ]
    body = line_body(
        *[line_text("Uorder", w) for w in words], *[line_text(f"Uother{i}", "hi") for i in range(4)]
    )
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    standin.wait_for(10, "reply")
    wait_until_idle(client)
    texts = [
        c.body["messages"][0]["text"]
        for c in standin.calls_to("reply")
        if c.body["messages"][0]["text"] in expected
    ]
    assert texts == expected


# -- platform failures: retry, Retry-After, give up and list ------------------------


def test_line_5xx_is_retried_then_delivered_once(
    client: TestClient, standin: PlatformStandIn
) -> None:
    standin.fail("reply", 500, times=5)  # the reply call fails: fall back to push
    standin.fail("push", 503, times=2)
    body = line_body(line_text("Uretry", "hello"))
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    pushes = standin.wait_for(1, "push")
    wait_until_idle(client)
    assert len(pushes) == 1 and pushes[0].body["messages"][0]["text"] == t("greeting", "en")
    uuid.UUID(pushes[0].headers["x-line-retry-key"])
    assert [row.status for row in inbox_rows(client)] == ["done"]


def test_stale_reply_token_pushes_with_retry_key(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(tmp_path, standin.url, line_reply_token_max_age_s=0.0)
    with TestClient(create_app(settings)) as client:
        body = line_body(line_text("Ustale", "hello"))
        client.post("/webhooks/line", content=body, headers=line_headers(body))
        (push,) = standin.wait_for(1, "push")
        assert push.body["to"] == "Ustale" and standin.calls_to("reply") == []
        assert len(push.headers["x-line-retry-key"]) == 36


def test_spent_reply_token_falls_back_to_push(client: TestClient, standin: PlatformStandIn) -> None:
    standin.fail("reply", 400, body={"message": "Invalid reply token"})
    body = line_body(line_text("Uspent", "hello"))
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    (push,) = standin.wait_for(1, "push")
    assert push.body["messages"][0]["text"] == t("greeting", "en")


def test_telegram_429_honours_retry_after(client: TestClient, standin: PlatformStandIn) -> None:
    standin.fail(
        "sendMessage",
        429,
        body={
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 1",
            "parameters": {"retry_after": 1},
        },
    )
    started = time.monotonic()
    client.post("/webhooks/telegram", content=tg_text(77, "hello"), headers=telegram_headers())
    (sent,) = standin.wait_for(1, "sendMessage")
    assert time.monotonic() - started >= 0.9  # waited as told, not the 0.01 s backoff
    assert sent.body["text"] == t("greeting", "en")


def test_permanent_failure_is_recorded_and_listed_for_staff(
    client: TestClient, standin: PlatformStandIn
) -> None:
    standin.fail(
        "sendMessage",
        400,
        times=10,
        body={"ok": False, "error_code": 400, "description": "Bad Request: chat not found"},
    )
    client.post("/webhooks/telegram", content=tg_text(88, "hello"), headers=telegram_headers())
    wait_until_idle(client)
    (row,) = inbox_rows(client)
    assert row.status == "failed" and "chat not found" in (row.error or "").lower()
    assert client.get("/api/admin/failed-events").status_code == 401
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        create_staff(session, email="ops@dip.example", role="admin")
        token = issue_token(session, email="ops@dip.example")
        session.commit()
    listed = client.get(
        "/api/admin/failed-events", headers={"authorization": f"Bearer {token}"}
    ).json()["events"]
    assert [(e["channel"], e["event_id"]) for e in listed] == [("telegram", row.event_id)]
    assert "chat not found" in listed[0]["error"].lower()
    bad = client.get(
        "/api/admin/failed-events", headers={"authorization": "Bearer kkh_not_a_token"}
    )
    assert bad.status_code == 401


def test_retries_give_up_after_the_configured_attempts(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(
        tmp_path, standin.url, send_max_attempts=3, line_reply_token_max_age_s=0.0
    )
    with TestClient(create_app(settings)) as client:
        standin.fail("push", 500, times=100)
        body = line_body(line_text("Udown", "hello"))
        client.post("/webhooks/line", content=body, headers=line_headers(body))
        wait_until_idle(client)
        (row,) = inbox_rows(client)
        assert row.status == "failed" and "after 3 attempts" in (row.error or "")
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            (outbox,) = session.exec(select(OutboxMessage))
        assert outbox.sent_at is None and outbox.attempts == 3


def test_one_users_failure_does_not_hold_up_others(
    client: TestClient, standin: PlatformStandIn
) -> None:
    standin.fail(
        "sendMessage",
        403,
        times=1,
        body={
            "ok": False,
            "error_code": 403,
            "description": "Forbidden: bot was blocked by the user",
        },
    )
    client.post("/webhooks/telegram", content=tg_text(1, "hello"), headers=telegram_headers())
    wait_until_idle(client)
    client.post("/webhooks/telegram", content=tg_text(2, "hello"), headers=telegram_headers())
    (sent,) = standin.wait_for(1, "sendMessage")
    assert sent.body["chat_id"] == "2"


# -- operations ---------------------------------------------------------------------


def test_metrics_count_received_duplicates_and_processed(
    client: TestClient, standin: PlatformStandIn
) -> None:
    event = line_text("Umetrics", "hello")
    body = line_body(event)
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    standin.wait_for(1, "reply")
    wait_until_idle(client)
    text = client.get("/metrics").text
    assert 'kakehashi_events_received_total{channel="line"} 1.0' in text
    assert 'kakehashi_events_duplicate_total{channel="line"} 1.0' in text
    assert 'kakehashi_events_processed_total{channel="line"} 1.0' in text
    assert 'kakehashi_event_processing_seconds_count{channel="line"} 1.0' in text


def test_healthz_reports_database(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["checks"]["database"] == "ok"


def test_info_logs_never_carry_message_text_or_secrets(
    client: TestClient, standin: PlatformStandIn, caplog
) -> None:
    caplog.set_level("INFO")
    secret_phrase = "my-bank-account-998877"
    body = line_body(line_text("Ulog", secret_phrase))
    client.post("/webhooks/line", content=body, headers=line_headers(body))
    client.post("/webhooks/telegram", content=tg_text(9, secret_phrase), headers=telegram_headers())
    standin.wait_for(1, "reply")
    standin.wait_for(1, "sendMessage")
    wait_until_idle(client)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert caplog.records, "expected some INFO logs"
    for needle in (
        secret_phrase,
        "TEST-telegram-token",
        "line-access-token-for-tests",
        "telegram-webhook-secret",
    ):
        assert needle not in logged


def test_chat_api_validates_input(client: TestClient) -> None:
    assert client.post("/api/chat", json={"channel": "line", "user_id": "u"}).status_code == 422
    assert (
        client.post("/api/chat", json={"channel": "sms", "user_id": "u", "text": "x"}).status_code
        == 422
    )
    assert (
        client.post(
            "/api/chat", json={"channel": "line", "user_id": "bad id!", "text": "x"}
        ).status_code
        == 422
    )
    reply = client.post(
        "/api/chat", json={"channel": "line", "user_id": "sim1", "text": "こんにちは"}
    ).json()
    assert reply["replies"][0]["text"] == t("greeting", "ja")
    assert [b["data"] for b in reply["replies"][0]["buttons"]] == MENU_DATA
    assert json.dumps(reply)  # plain JSON all the way


def test_notifications_outside_a_turn_are_delivered_by_the_worker(
    client: TestClient, standin: PlatformStandIn
) -> None:
    from core.types import Button, Reply
    from inbox import repo

    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        repo.enqueue_notification(
            session,
            channel="telegram",
            user_id="31337",
            chat_id="31337",
            replies=[Reply(text="Staff recorded an answer", buttons=(Button("Menu", "menu"),))],
        )
        session.commit()
    (sent,) = standin.wait_for(1, "sendMessage")
    assert sent.body["chat_id"] == "31337" and sent.body["text"] == "Staff recorded an answer"
    assert sent.body["reply_markup"] == {
        "inline_keyboard": [[{"text": "Menu", "callback_data": "menu"}]]
    }
    wait_until_idle(client)
    assert [row.status for row in inbox_rows(client)] == ["done"]


def test_healthz_reports_a_broken_index(client: TestClient) -> None:
    def broken() -> None:
        raise ConnectionError("chroma is down")

    client.app.state.knowledge.health = broken  # type: ignore[attr-defined]
    response = client.get("/healthz")
    assert response.status_code == 200  # answers go on from memory; only the database is fatal
    assert response.json() == {
        "status": "degraded",
        "checks": {"database": "ok", "index": "error: ConnectionError"},
    }


def test_unreachable_database_is_a_clear_error_at_start_up(tmp_path) -> None:
    from tests.server_process import free_port

    url = f"postgresql+psycopg://kakehashi:s3cret@127.0.0.1:{free_port()}/nowhere"
    app = create_app(make_settings(tmp_path, database_url=url))
    with pytest.raises(RuntimeError) as failed, TestClient(app):
        pass
    message = str(failed.value)
    assert "Cannot reach the database" in message and "DATABASE_URL" in message
    assert "s3cret" not in message


def test_simulator_can_be_switched_off(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(tmp_path, standin.url, simulator_enabled=False)
    with TestClient(create_app(settings)) as client:
        assert (
            client.post(
                "/api/chat", json={"channel": "line", "user_id": "u", "text": "hi"}
            ).status_code
            == 404
        )
        assert client.get("/chat").status_code == 404
        assert (
            client.get("/api/chat/held", params={"channel": "line", "user_id": "u"}).status_code
            == 404
        )
        body = line_body(line_text("Uprod", "hello"))
        assert (
            client.post("/webhooks/line", content=body, headers=line_headers(body)).status_code
            == 200
        )
        (reply,) = standin.wait_for(1, "reply")
        assert reply.body["messages"][0]["text"] == t("greeting", "en")
