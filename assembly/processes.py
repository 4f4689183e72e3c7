"""Several processes on one machine: `kakehashi serve --workers N` starts N web processes
(uvicorn's supervisor, one shared socket) and M worker processes (`kakehashi worker`),
restarting a worker process that dies. All of them share the inbox through PostgreSQL.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[1]
# Set in the environment of every process `kakehashi serve` starts: the pid of serve.
SERVE_PID_ENV = "KAKEHASHI_SERVE_PID"
_PR_SET_PDEATHSIG = 1


def die_with_serve() -> None:
    """In a process started by `kakehashi serve` (a worker or a web process): end with it.
    Linux sends this process SIGTERM when serve exits, even by SIGKILL, so that no worker
    goes on answering from an inbox nobody acknowledges into any more. Elsewhere, or in a
    process not started by serve, nothing happens."""
    parent = os.environ.get(SERVE_PID_ENV, "")
    if not parent.isdigit() or int(parent) == os.getpid() or not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
        logger.warning("could not ask to end with kakehashi serve (errno %d)", ctypes.get_errno())
        return
    if os.getppid() != int(parent):  # serve ended before the request above took effect
        os.kill(os.getpid(), signal.SIGTERM)


class WorkerPool:
    """`count` worker processes, each restarted a second after it exits unexpectedly."""

    def __init__(self, count: int, *, env: dict[str, str] | None = None) -> None:
        self._count = count
        self._env = env if env is not None else dict(os.environ)
        self._procs: list[subprocess.Popen[bytes] | None] = [None] * count
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._watcher = threading.Thread(target=self._watch, name="worker-pool", daemon=True)

    def start(self) -> WorkerPool:
        for slot in range(self._count):
            self._spawn(slot)
        self._watcher.start()
        return self

    @property
    def pids(self) -> list[int]:
        with self._lock:
            return [proc.pid for proc in self._procs if proc is not None]

    def _spawn(self, slot: int) -> None:
        proc = subprocess.Popen([sys.executable, "-m", "cli", "worker"], cwd=ROOT, env=self._env)
        with self._lock:
            self._procs[slot] = proc
        # Printed for operators (and tests) to find the process: "worker process N: pid P".
        print(f"worker process {slot + 1}: pid {proc.pid}", file=sys.stderr, flush=True)

    def _watch(self) -> None:
        while not self._stopping.wait(0.5):
            for slot in range(self._count):
                with self._lock:
                    proc = self._procs[slot]
                if proc is None or proc.poll() is None or self._stopping.is_set():
                    continue
                logger.warning(
                    "worker process %d (pid %d) exited with %s; restarting it",
                    slot + 1,
                    proc.pid,
                    proc.returncode,
                )
                print(
                    f"worker process {slot + 1} (pid {proc.pid}) exited with {proc.returncode}; "
                    "restarting",
                    file=sys.stderr,
                    flush=True,
                )
                time.sleep(1.0)
                if not self._stopping.is_set():
                    self._spawn(slot)

    def stop(self, timeout: float = 15.0) -> None:
        self._stopping.set()
        with self._lock:
            procs = [proc for proc in self._procs if proc is not None]
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs:
            try:
                proc.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)
