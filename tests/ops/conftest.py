"""Fixtures for the operations tests: a fresh PostgreSQL database per test, a slow
platform stand-in, and a real Chroma server (`chroma run`) on 127.0.0.1."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.postgres import Outage, fresh_database, restartable_cluster
from tests.server_process import free_port
from tests.standin import PlatformStandIn


@pytest.fixture
def pg_database(postgres_url: str, request: pytest.FixtureRequest) -> str:
    name = "t_" + re.sub(r"[^a-z0-9]+", "_", request.node.name.lower())[:50]
    return fresh_database(postgres_url, name)


@pytest.fixture
def slow_standin() -> Iterator[PlatformStandIn]:
    """Answers each platform call after 0.2 s, so that sends are in flight for a while."""
    server = PlatformStandIn(delay_s=0.2).start()
    yield server
    server.stop()


def chroma_binary() -> str | None:
    beside = Path(sys.executable).parent / "chroma"
    return str(beside) if beside.exists() else shutil.which("chroma")


class ChromaServer:
    def __init__(self, path: Path) -> None:
        self.path = path
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 60.0) -> ChromaServer:
        binary = chroma_binary()
        if binary is None:
            raise RuntimeError("the chroma command (chromadb package) is not installed")
        log = (self.path.parent / f"chroma-{self.port}.log").open("ab")
        self.proc = subprocess.Popen(
            [
                binary,
                "run",
                "--path",
                str(self.path),
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, "ANONYMIZED_TELEMETRY": "False"},
        )
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.url}/api/v2/heartbeat", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the Chroma server did not answer in time")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=5)


@pytest.fixture
def chroma_server(tmp_path: Path) -> Iterator[ChromaServer]:
    server = ChromaServer(tmp_path / "chroma-server").start()
    yield server
    server.stop()


@pytest.fixture
def pg_outage() -> Iterator[tuple[str, Outage]]:
    """A PostgreSQL cluster of the test's own, with an Outage to stop and start it."""
    cluster = restartable_cluster()
    try:
        url, outage = cluster.__enter__()
    except RuntimeError as exc:
        if os.environ.get("CI"):
            raise  # CI runs the outage test, never skips it
        pytest.skip(str(exc))
    try:
        yield url, outage
    finally:
        cluster.__exit__(None, None, None)
