"""The database goes away while `kakehashi serve --workers 2` runs: webhooks answer 503
with Retry-After (LINE and Telegram deliver again), no process dies, and once PostgreSQL
is back every event is handled and every reply sent exactly once, in order."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from core.i18n import t
from tests.helpers import line_body, line_headers, line_text
from tests.ops.test_processes import delivered, inbox_rows, wait_recorded
from tests.postgres import Outage
from tests.server_process import ServerProcess, cluster_env
from tests.standin import PlatformStandIn

pytestmark = [pytest.mark.slow, pytest.mark.postgres]

USERS = [f"Udown{i:02d}" for i in range(12)]
EXPECTED = [t("greeting", "en"), t("menu.title", "en"), t("help", "en")]


def post_all(web: ServerProcess, bodies: list[bytes]) -> list[httpx.Response]:
    with ThreadPoolExecutor(max_workers=6) as pool:
        return list(pool.map(lambda b: web.post("/webhooks/line", b, line_headers(b)), bodies))


def post_until_accepted(web: ServerProcess, bodies: list[bytes], timeout: float = 120.0) -> None:
    """Deliver again, as LINE does, until each body is acknowledged with 200."""
    waiting = list(bodies)
    deadline = time.monotonic() + timeout
    while waiting and time.monotonic() < deadline:
        responses = post_all(web, waiting)
        waiting = [b for b, r in zip(waiting, responses, strict=True) if r.status_code != 200]
        if waiting:
            time.sleep(0.5)
    assert not waiting, f"{len(waiting)} webhooks still refused after the database came back"


def test_database_down_during_a_run(
    tmp_path: Path, pg_outage: tuple[str, Outage], slow_standin: PlatformStandIn
) -> None:
    url, outage = pg_outage
    env = cluster_env(
        tmp_path / "data",
        slow_standin.url,
        url,
        KAKEHASHI_WORKER_LEASE_S="10",
        KAKEHASHI_LINE_REPLY_MAX_AGE_S="0",  # every reply a push with a retry key
    )
    web = ServerProcess.spawned(env, tmp_path / "web.log", "--workers", "2")
    try:
        web.ready()
        web.wait_log("worker process ready")
        first = [line_body(line_text(user, "hello")) for user in USERS]
        assert [r.status_code for r in post_all(web, first)] == [200] * len(USERS)
        # Some greetings are out, others are being sent or not yet handled: stop now.
        slow_standin.wait_for(3, "push", timeout=120)
        outage.stop()

        second = [line_body(line_text(user, "menu")) for user in USERS]
        refused = post_all(web, second)
        assert [r.status_code for r in refused] == [503] * len(USERS)
        assert all(r.headers["retry-after"].isdigit() for r in refused)
        assert httpx.get(f"{web.url}/healthz", timeout=10).status_code == 503
        time.sleep(3)  # the worker meets the outage while finishing and claiming
        assert web.proc is not None and web.proc.poll() is None
        assert "restarting" not in web.log and "Traceback" not in web.log

        outage.start()
        post_until_accepted(web, second)  # LINE's redelivery of the refused events
        third = [line_body(line_text(user, "help")) for user in USERS]
        assert [r.status_code for r in post_all(web, third)] == [200] * len(USERS)

        wait_recorded(url, timeout=180)
        time.sleep(1.0)  # anything sent twice would arrive now
        per_user, repeats = delivered(slow_standin)
        assert {user: per_user[user] for user in USERS} == {user: EXPECTED for user in USERS}
        assert repeats == 0  # not even a repeat LINE would have dropped by its retry key
        assert [status for status, _ in inbox_rows(url)] == ["done"] * len(USERS) * 3
        assert web.proc.poll() is None and "restarting" not in web.log
    finally:
        web.stop()
