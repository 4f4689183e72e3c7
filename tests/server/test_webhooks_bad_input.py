"""Bad input to the webhook routes: a clear status, nothing stored, nothing sent."""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

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
from tests.standin import PlatformStandIn


def inbox_rows(client: TestClient) -> list[InboxEvent]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return list(session.exec(select(InboxEvent)))


def _assert_nothing_happened(client: TestClient, standin: PlatformStandIn) -> None:
    time.sleep(0.1)
    assert inbox_rows(client) == []
    assert standin.calls == []


def test_line_missing_signature_is_401(client: TestClient, standin: PlatformStandIn) -> None:
    body = line_body(line_text("U1", "hello"))
    response = client.post(
        "/webhooks/line", content=body, headers={"content-type": "application/json"}
    )
    assert response.status_code == 401 and "X-Line-Signature" in response.json()["detail"]
    _assert_nothing_happened(client, standin)


def test_line_wrong_signature_is_403(client: TestClient, standin: PlatformStandIn) -> None:
    body = line_body(line_text("U1", "hello"))
    response = client.post(
        "/webhooks/line", content=body, headers=line_headers(body, secret="wrong-secret-value")
    )
    assert response.status_code == 403
    _assert_nothing_happened(client, standin)


def test_telegram_wrong_or_missing_secret(client: TestClient, standin: PlatformStandIn) -> None:
    body = tg_text(5, "hello")
    wrong = client.post(
        "/webhooks/telegram", content=body, headers=telegram_headers("not-the-secret")
    )
    missing = client.post(
        "/webhooks/telegram", content=body, headers={"content-type": "application/json"}
    )
    assert (wrong.status_code, missing.status_code) == (403, 401)
    _assert_nothing_happened(client, standin)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        (b"{not json", 400),
        (b"\xff\xfe\x00 invalid utf-8", 400),
        (b'{"destination": "U", "events": "nope"}', 400),
    ],
)
def test_line_malformed_signed_bodies(
    client: TestClient, standin: PlatformStandIn, body: bytes, status: int
) -> None:
    response = client.post("/webhooks/line", content=body, headers=line_headers(body))
    assert response.status_code == status
    assert "Malformed" in response.json()["detail"]
    _assert_nothing_happened(client, standin)


def test_telegram_malformed_body(client: TestClient, standin: PlatformStandIn) -> None:
    response = client.post(
        "/webhooks/telegram", content=b'{"no_update_id": 1}', headers=telegram_headers()
    )
    assert response.status_code == 400
    _assert_nothing_happened(client, standin)


def test_wrong_content_type_is_415(client: TestClient, standin: PlatformStandIn) -> None:
    body = line_body(line_text("U1", "hello"))
    headers = line_headers(body) | {"content-type": "text/plain"}
    assert client.post("/webhooks/line", content=body, headers=headers).status_code == 415
    _assert_nothing_happened(client, standin)


def test_body_over_the_limit_is_413(tmp_path, standin: PlatformStandIn) -> None:
    settings = make_settings(tmp_path, standin.url, max_body_bytes=2048)
    with TestClient(create_app(settings)) as client:
        body = line_body(line_text("U1", "x" * 4000))
        response = client.post("/webhooks/line", content=body, headers=line_headers(body))
        assert response.status_code == 413
        _assert_nothing_happened(client, standin)


def test_unconfigured_channel_is_503_and_names_the_setting(
    tmp_path, standin: PlatformStandIn
) -> None:
    settings = make_settings(
        tmp_path, standin.url, line_channel_access_token=None, telegram_webhook_secret=None
    )
    with TestClient(create_app(settings)) as client:
        body = line_body(line_text("U1", "hello"))
        line = client.post("/webhooks/line", content=body, headers=line_headers(body))
        assert line.status_code == 503 and "LINE_CHANNEL_ACCESS_TOKEN" in line.json()["detail"]
        telegram = client.post(
            "/webhooks/telegram", content=tg_text(1, "hi"), headers=telegram_headers()
        )
        assert (
            telegram.status_code == 503 and "TELEGRAM_WEBHOOK_SECRET" in telegram.json()["detail"]
        )
        _assert_nothing_happened(client, standin)


def test_unknown_channel_is_404(client: TestClient) -> None:
    assert (
        client.post(
            "/webhooks/whatsapp", content=b"{}", headers={"content-type": "application/json"}
        ).status_code
        == 404
    )


def test_line_console_verify_request_gets_200(client: TestClient, standin: PlatformStandIn) -> None:
    body = b'{"destination":"Uxxxxxxxx","events":[]}'
    response = client.post("/webhooks/line", content=body, headers=line_headers(body))
    assert response.status_code == 200 and response.json() == {
        "status": "ok",
        "stored": 0,
        "duplicates": 0,
    }
    _assert_nothing_happened(client, standin)
