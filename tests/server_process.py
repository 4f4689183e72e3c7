"""Real `kakehashi` processes for the tests: `serve` (uvicorn) on a free port on 127.0.0.1,
`kakehashi worker`, any other command; each with its own log file, stopped at the end.

One process on SQLite (the `serve` fixture), or several on one PostgreSQL as an operator
runs them (`cluster_env`, `ServerProcess(..., "--workers", "2")`, `Proc(["worker"], ...)`).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Self

import httpx
import pytest

from tests.helpers import BOT_USERNAME, LINE_SECRET, LINE_TOKEN, TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.postgres import database_for

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def server_env(data_dir: Path, api_base: str, **extra: str) -> dict[str, str]:
    """The environment of a test's Kakehashi process: test credentials, both platforms at
    the stand-in `api_base`, no demo content. Without DATABASE_URL in `extra`, the data
    directory's SQLite file (or its PostgreSQL database when KAKEHASHI_TEST_DATABASE=postgresql)."""
    env = {
        **os.environ,
        "KAKEHASHI_DATA_DIR": str(data_dir),
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE_URL": api_base,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": api_base,
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "KAKEHASHI_WORKER_POLL_S": "0.05",
        "KAKEHASHI_DEMO_CONTENT": "false",
        "HF_HUB_OFFLINE": "1",
        **extra,
    }
    database_url = database_for(data_dir)
    if database_url and "DATABASE_URL" not in extra:
        env["DATABASE_URL"] = database_url
    return env


def cluster_env(data_dir: Path, api_base: str, database_url: str, **extra: str) -> dict[str, str]:
    """Several processes on one PostgreSQL: workers at full CPU priority, not SCHED_IDLE (the
    tests wait for them), and short send backoffs."""
    settings = {
        "DATABASE_URL": database_url,
        "KAKEHASHI_WORKER_POLL_S": "0.2",
        "KAKEHASHI_WORKER_NICE": "0",
        "KAKEHASHI_WORKER_IDLE": "false",
        "KAKEHASHI_SEND_BACKOFF_S": "0.05",
        "KAKEHASHI_SEND_MAX_BACKOFF_S": "0.2",
    }
    return server_env(data_dir, api_base, **{**settings, **extra})


class Proc:
    """One `kakehashi ...` process; its stdout and stderr go to `log_path`."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def spawn(self) -> Self:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

    def start(self) -> Self:
        return self.spawn()

    @property
    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def wait_log(self, pattern: str, timeout: float = 600.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = re.search(pattern, self.log)
            if found:
                return found
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"{self.args} exited: {self.log[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{pattern!r} not in the log in time: {self.log[-3000:]}")

    def wait(self, timeout: float = 120.0) -> int:
        assert self.proc is not None
        return self.proc.wait(timeout=timeout)

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()


class ServerProcess(Proc):
    """`kakehashi serve [options]` on a free port. `start()` waits until /healthz answers
    200; `spawn()` then `ready()` start several at once."""

    def __init__(
        self,
        data_dir: Path,
        api_base: str,
        *options: str,
        **extra: str,
    ) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        full_env = {**server_env(data_dir, api_base), **extra}
        log_path = data_dir.parent / f"server-{self.port}.log"
        serve = ["serve", "--host", "127.0.0.1", "--port", str(self.port), *options]
        super().__init__(serve, full_env, log_path)

    @classmethod
    def spawned(cls, env: dict[str, str], log_path: Path, *options: str) -> ServerProcess:
        """Started in `env` (e.g. cluster_env's) without waiting: call `ready()` later."""
        server = cls(Path(env["KAKEHASHI_DATA_DIR"]), "", *options)
        server.env, server.log_path = env, log_path
        return server.spawn()

    def start(self, timeout: float = 600.0) -> Self:
        return self.spawn().ready(timeout)

    def ready(self, timeout: float = 600.0) -> Self:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError(f"server did not become healthy in time: {self.log[-3000:]}")

    def post(self, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
        return httpx.post(f"{self.url}{path}", content=body, headers=headers, timeout=30)


def run_cli(
    env: dict[str, str], *args: str, timeout: float = 300.0
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cli", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    started: list[ServerProcess] = []

    def start(api_base: str, **env: str) -> ServerProcess:
        server = ServerProcess(tmp_path / "data", api_base, **env)
        started.append(server)  # stopped at the end even when it never became healthy
        return server.start()

    yield start
    for server in started:
        server.stop()
