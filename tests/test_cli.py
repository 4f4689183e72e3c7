"""The `kakehashi` command line: staff accounts and tokens, webhook registration."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from cli import app
from core.db import make_engine
from core.settings import Settings
from core.staff import StaffToken
from server import create_app
from tests.helpers import TELEGRAM_TOKEN, make_settings
from tests.standin import PlatformStandIn

runner = CliRunner()


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(tmp_path))
    monkeypatch.chdir(tmp_path)  # no stray .env is read, and set-webhook writes here
    return tmp_path


def test_staff_create_and_token_work_against_the_api(env: Path, standin: PlatformStandIn) -> None:
    created = runner.invoke(app, ["staff", "create", "Ops@DIP.example", "--role", "admin"])
    assert created.exit_code == 0, created.output
    assert "kakehashi staff token ops@dip.example" in created.output
    assert "/admin/welcome/" in created.output  # the one-time link to set a password
    again = runner.invoke(app, ["staff", "create", "ops@dip.example", "--role", "admin"])
    assert again.exit_code == 1 and "already has an account" in " ".join(again.output.split())
    bad_role = runner.invoke(app, ["staff", "create", "x@dip.example", "--role", "root"])
    assert bad_role.exit_code == 1 and "role must be one of" in " ".join(bad_role.output.split())

    issued = runner.invoke(app, ["staff", "token", "ops@dip.example"])
    assert issued.exit_code == 0
    token = issued.output.strip()
    assert token.startswith("kkh_") and len(token) > 40
    engine = make_engine(Settings(data_dir=env))
    with Session(engine) as session:
        hashes = [row.token_hash for row in session.exec(select(StaffToken))]
    engine.dispose()
    assert hashes == [hashlib.sha256(token.encode()).hexdigest()]  # stored hashed, never in clear

    with TestClient(create_app(make_settings(env, standin.url))) as client:
        ok = client.get("/api/admin/failed-events", headers={"authorization": f"Bearer {token}"})
        assert ok.status_code == 200 and ok.json() == {"events": []}

    unknown = runner.invoke(app, ["staff", "token", "nobody@dip.example"])
    assert unknown.exit_code == 1 and "create it first" in " ".join(unknown.output.split())


def test_telegram_set_webhook_generates_and_saves_a_secret(
    env: Path, standin: PlatformStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", TELEGRAM_TOKEN)
    monkeypatch.setenv("TELEGRAM_API_BASE_URL", standin.url)
    (env / ".env").write_text("OTHER=1\nTELEGRAM_WEBHOOK_SECRET=old-secret-value\n")
    result = runner.invoke(
        app, ["telegram", "set-webhook", "https://bot.example.org/webhooks/telegram"]
    )
    assert result.exit_code == 0, result.output
    (call,) = standin.calls_to("setWebhook")
    assert call.body["url"] == "https://bot.example.org/webhooks/telegram"
    assert call.body["allowed_updates"] == [
        "message",
        "edited_message",
        "callback_query",
        "my_chat_member",
    ]
    saved = dict(line.split("=", 1) for line in (env / ".env").read_text().splitlines())
    assert saved["OTHER"] == "1"
    assert saved["TELEGRAM_WEBHOOK_SECRET"] == call.body["secret_token"] != "old-secret-value"
    assert len(call.body["secret_token"]) >= 32
    assert oct((env / ".env").stat().st_mode & 0o777) == "0o600"


def test_telegram_set_webhook_refuses_plain_http_and_missing_token(
    env: Path, standin: PlatformStandIn
) -> None:
    plain = runner.invoke(
        app, ["telegram", "set-webhook", "http://bot.example.org/webhooks/telegram"]
    )
    assert plain.exit_code == 1 and "https://" in " ".join(plain.output.split())
    missing = runner.invoke(
        app, ["telegram", "set-webhook", "https://bot.example.org/webhooks/telegram"]
    )
    assert missing.exit_code == 1 and "TELEGRAM_BOT_TOKEN" in " ".join(missing.output.split())
    assert standin.calls == []


def test_line_set_webhook_calls_the_messaging_api(
    env: Path, standin: PlatformStandIn, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("LINE_CHANNEL_SECRET", "line-secret-for-cli-test")
    monkeypatch.setenv("LINE_CHANNEL_ACCESS_TOKEN", "line-token-for-cli-test")
    monkeypatch.setenv("LINE_API_BASE_URL", standin.url)
    result = runner.invoke(app, ["line", "set-webhook", "https://bot.example.org/webhooks/line"])
    assert result.exit_code == 0, result.output
    (call,) = [c for c in standin.calls if c.path == "/v2/bot/channel/webhook/endpoint"]
    assert call.method == "PUT" and call.body == {
        "endpoint": "https://bot.example.org/webhooks/line"
    }
    assert call.headers["authorization"] == "Bearer line-token-for-cli-test"


def test_db_upgrade_creates_the_schema(env: Path) -> None:
    result = runner.invoke(app, ["db", "upgrade"])
    assert result.exit_code == 0, result.output
    assert "Schema up to date" in result.output
    from sqlalchemy import inspect

    engine = make_engine(Settings(data_dir=env))
    with engine.connect() as connection:
        assert {"alembic_version", "inbox_event", "company"} <= set(
            inspect(connection).get_table_names()
        )
    engine.dispose()
