"""Several Kakehashi processes on one PostgreSQL (and a Chroma server), as an operator
runs them: `kakehashi serve --workers N`, `kakehashi worker`, each with its own log."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Self

import httpx

from tests.helpers import BOT_USERNAME, LINE_SECRET, LINE_TOKEN, TELEGRAM_SECRET, TELEGRAM_TOKEN
from tests.server_process import ROOT, free_port


def cluster_env(data_dir: Path, api_base: str, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "KAKEHASHI_DATA_DIR": str(data_dir),
        "DATABASE_URL": database_url,
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE_URL": api_base,
        "TELEGRAM_BOT_TOKEN": TELEGRAM_TOKEN,
        "TELEGRAM_WEBHOOK_SECRET": TELEGRAM_SECRET,
        "TELEGRAM_API_BASE_URL": api_base,
        "TELEGRAM_BOT_USERNAME": BOT_USERNAME,
        "KAKEHASHI_WORKER_POLL_S": "0.2",
        "KAKEHASHI_WORKER_NICE": "0",
        "KAKEHASHI_SEND_BACKOFF_S": "0.05",
        "KAKEHASHI_SEND_MAX_BACKOFF_S": "0.2",
        "KAKEHASHI_DEMO_CONTENT": "false",
        "HF_HUB_OFFLINE": "1",
        **extra,
    }


class Proc:
    """One `kakehashi ...` process; its stdout and stderr go to a log file."""

    def __init__(self, args: list[str], env: dict[str, str], log_path: Path) -> None:
        self.args = args
        self.env = env
        self.log_path = log_path
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Self:
        with self.log_path.open("ab") as log:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "cli", *self.args],
                cwd=ROOT,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        return self

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


class Web(Proc):
    """`kakehashi serve` on a free port; `ready()` waits until /healthz answers 200."""

    def __init__(self, env: dict[str, str], log_path: Path, *options: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        super().__init__(
            ["serve", "--host", "127.0.0.1", "--port", str(self.port), *options], env, log_path
        )

    def ready(self, timeout: float = 600.0) -> Web:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc is not None and self.proc.poll() is not None:
                raise RuntimeError(f"server exited: {self.log[-3000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
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
