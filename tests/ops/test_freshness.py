"""Two server processes on one PostgreSQL and one Chroma server (`chroma run`, started
here on 127.0.0.1): what one process (or a `kakehashi ingest` run) changes reaches the
other within seconds; with the Chroma server gone, answers go on and /healthz says so."""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from tests.knowledge.test_processes import RICE
from tests.ops.conftest import ChromaServer
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS
from tests.server_process import ServerProcess, cluster_env, run_cli
from tests.standin import PlatformStandIn

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

QUESTION = "How much does the rice export grant pay?"


def chat(
    web: ServerProcess, channel: str, user: str, kind: str, value: str
) -> list[dict[str, Any]]:
    payload = {
        "channel": channel,
        "user_id": user,
        ("text" if kind == "text" else "postback"): value,
    }
    response = httpx.post(f"{web.url}/api/chat", json=payload, timeout=300)
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    return replies


def register(
    web: ServerProcess, channel: str, user: str, form: str, script: list[tuple[str, str]]
) -> None:
    chat(web, channel, user, "press", "lang:en")
    chat(web, channel, user, "press", "reg:start")
    chat(web, channel, user, "press", f"reg:form:{form}")
    for kind, value in script:
        assert chat(web, channel, user, kind, value)


def answer(web: ServerProcess) -> str:
    response = httpx.post(
        f"{web.url}/api/knowledge/answer", json={"question": QUESTION}, timeout=300
    )
    assert response.status_code == 200, response.text
    return str(response.json()["answer"])


def eventually(check: Any, timeout: float = 30.0) -> float:
    """Seconds until `check()` is true (fails after `timeout`)."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if check():
            return time.monotonic() - started
        time.sleep(0.25)
    raise AssertionError(f"not true within {timeout} s")


def company_name(database_url: str, country: str) -> str:
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            (name,) = connection.execute(
                text("SELECT name FROM company WHERE country = :c"), {"c": country}
            ).one()
            return str(name)
    finally:
        engine.dispose()


def test_ingest_and_registrations_reach_the_other_process(
    tmp_path: Path, pg_database: str, standin: PlatformStandIn, chroma_server: ChromaServer
) -> None:
    env = cluster_env(
        tmp_path / "data",
        standin.url,
        pg_database,
        CHROMA_URL=chroma_server.url,
        KAKEHASHI_KB_REFRESH_S="1",
    )
    first = ServerProcess.spawned(env, tmp_path / "first.log")
    second = ServerProcess.spawned(env, tmp_path / "second.log")
    try:
        first.ready()
        second.ready()
        assert "250,000" not in answer(first) + answer(second)

        # An ingest in a third process reaches both servers' keyword and vector legs.
        folder = tmp_path / "docs"
        folder.mkdir()
        (folder / "rice.md").write_text(RICE, encoding="utf-8")
        done = run_cli(env, "ingest", str(folder))
        assert done.returncode == 0, done.stderr[-2000:]
        for web in (first, second):
            eventually(lambda web=web: "250,000 baht" in answer(web))

        # A firm registered through one process is proposed by the other, and back.
        register(first, "telegram", "9001", "jp_firm", JAPAN_FIRM_SCRIPTS["en"])
        register(second, "line", "Uthai-sme", "th_sme", THAI_SME_SCRIPTS["en"])
        japanese, thai = company_name(pg_database, "JP"), company_name(pg_database, "TH")
        found = chat(second, "line", "Uthai-sme", "press", "match:find")
        assert japanese in json.dumps(found, ensure_ascii=False), found
        found = chat(first, "telegram", "9001", "press", "match:find")
        assert thai in json.dumps(found, ensure_ascii=False), found

        # The Chroma server goes away: answers go on from memory, /healthz says degraded.
        chroma_server.stop()
        health = httpx.get(f"{second.url}/healthz", timeout=30)
        assert health.status_code == 200
        assert health.json()["status"] == "degraded"
        assert health.json()["checks"]["database"] == "ok"
        assert health.json()["checks"]["index"].startswith("error")
        assert "250,000 baht" in answer(second)
        assert chat(second, "line", "Uthai-sme", "text", "menu")
    finally:
        first.stop()
        second.stop()
