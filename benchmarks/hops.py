"""Functions and thread hand-offs on the path of one LINE text question.

Runs the real app (uvicorn, in this process, on 127.0.0.1) against a local stand-in for
the LINE API, sends one warm-up question, then traces a second one from the moment its
webhook is posted until the reply reaches the stand-in. Every Python call made in this
project's own code (not in libraries, tests or benchmarks) is recorded with the thread
it ran on.

- functions: distinct project functions called on the path;
- hand-offs: how often the path moves from one thread to another, counted over the
  time-ordered project calls (nothing else is in flight: the worker's poll and the
  housekeeping chores are set far apart). The benchmark's own thread, which signs and
  posts the webhook, is not counted.

    .venv/bin/python -m benchmarks.hops

Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path
from types import FrameType
from typing import Any

import httpx
import uvicorn

from core.settings import Settings
from server import create_app
from tests.helpers import line_body, line_headers, line_text, make_settings
from tests.server_process import free_port
from tests.standin import PlatformStandIn

ROOT = Path(__file__).resolve().parents[1]
EXCLUDED = (ROOT / ".venv", ROOT / "tests", ROOT / "benchmarks")
QUESTION = "กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่ครับ"


def _is_project(filename: str) -> bool:
    path = Path(filename)
    if not path.is_absolute() or ROOT not in path.parents:
        return False
    return not any(ex == path or ex in path.parents for ex in EXCLUDED)


class Tracer:
    def __init__(self) -> None:
        self.calls: list[tuple[int, str]] = []
        self._lock = threading.Lock()
        self.active = False
        self.client = threading.get_ident()  # the benchmark's own thread posts the webhook

    def profile(self, frame: FrameType, event: str, _arg: Any) -> None:
        if not self.active or event != "call" or threading.get_ident() == self.client:
            return
        code = frame.f_code
        if not _is_project(code.co_filename):
            return
        rel = Path(code.co_filename).relative_to(ROOT)
        name = f"{rel}:{code.co_qualname}"
        with self._lock:
            self.calls.append((threading.get_ident(), name))

    def handoffs(self) -> int:
        return sum(1 for a, b in zip(self.calls, self.calls[1:], strict=False) if a[0] != b[0])


def _serve(settings: Settings, port: int) -> tuple[uvicorn.Server, threading.Thread]:
    config = uvicorn.Config(
        create_app(settings), host="127.0.0.1", port=port, log_level="warning", lifespan="on"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 120
    while not server.started:
        if time.monotonic() > deadline:
            raise SystemExit("the server did not start within 120 s")
        time.sleep(0.05)
    return server, thread


def _ask(client: httpx.Client, url: str, standin: PlatformStandIn, user: str) -> None:
    before = len(standin.calls)
    body = line_body(line_text(user, QUESTION))
    response = client.post(f"{url}/webhooks/line", content=body, headers=line_headers(body))
    response.raise_for_status()
    deadline = time.monotonic() + 60
    while len(standin.calls) == before:
        if time.monotonic() > deadline:
            raise SystemExit("no reply reached the LINE stand-in within 60 s")
        time.sleep(0.002)


def _wait_for_background_loads(timeout: float = 300.0) -> None:
    """The matcher embeds the demo directory on a thread of its own at start-up."""
    deadline = time.monotonic() + timeout
    while any(t.name == "matcher-load" for t in threading.enumerate()):
        if time.monotonic() > deadline:
            raise SystemExit("the matcher did not finish loading")
        time.sleep(0.1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--show", action="store_true", help="print the traced calls")
    args = parser.parse_args()
    standin = PlatformStandIn().start()
    tracer = Tracer()
    # Python 3.11 cannot add a profiler to running threads: set it before any starts.
    threading.setprofile(tracer.profile)
    sys.setprofile(tracer.profile)
    with tempfile.TemporaryDirectory() as tmp:
        settings = make_settings(
            Path(tmp) / "data",
            standin.url,
            worker_poll_s=60.0,
            housekeeping_interval_s=3600.0,
            load_demo_content=True,
        )
        port = free_port()
        server, thread = _serve(settings, port)
        url = f"http://127.0.0.1:{port}"
        try:
            with httpx.Client(timeout=30) as client:
                _ask(client, url, standin, "Uhops-warmup")
                _wait_for_background_loads()
                time.sleep(0.5)
                tracer.active = True
                _ask(client, url, standin, "Uhops-traced")
                tracer.active = False
                sys.setprofile(None)
                threading.setprofile(None)  # type: ignore[arg-type]
        finally:
            server.should_exit = True
            thread.join(timeout=30)
            standin.stop()
    functions = Counter(name for _, name in tracer.calls)
    threads = len({ident for ident, _ in tracer.calls})
    if args.show:
        last = None
        for ident, name in tracer.calls:
            marker = "  " if ident == last else "->"
            print(f"{marker} [{ident % 10000:04d}] {name}")
            last = ident
    print(f"project calls:      {len(tracer.calls)}")
    print(f"distinct functions: {len(functions)}")
    print(f"threads:            {threads}")
    print(f"thread hand-offs:   {tracer.handoffs()}")


if __name__ == "__main__":
    main()
