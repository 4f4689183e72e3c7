"""Load benchmark (issue 14): several processes on PostgreSQL and one process on SQLite,
beside the SDK-style baseline (benchmarks/line_echo_baseline.py), in the same run.

Signed LINE bodies, one text event each, from many users at a fixed concurrency, against a
local LINE stand-in answering after each --api-delay-ms. For each server: acknowledged
events per second, ack p50/p99, the time until the last reply reached the stand-in, and
whether every user received every reply exactly once and in order (each event carries its
own reply token; KAKEHASHI_LINE_REPLY_MAX_AGE_S is raised so that every reply uses it).

    .venv/bin/python -m benchmarks.load --events 20000 --users 1000 --api-delay-ms 0 50
    .venv/bin/python -m benchmarks.load --events 4000 --users 200     # smaller

"kakehashi-pg" is `kakehashi serve --workers 2` (two web processes, one worker process)
on a throwaway PostgreSQL cluster on 127.0.0.1; "kakehashi-sqlite" the default one
process. Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import httpx

from benchmarks.webhook import drive
from tests.helpers import LINE_SECRET, LINE_TOKEN, line_body, line_text
from tests.postgres import fresh_database, postgres_cluster
from tests.server_process import free_port
from tests.standin import PlatformStandIn

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("baseline", "kakehashi-pg", "kakehashi-sqlite")


def start(
    kind: str, api_base: str, data_dir: Path, database_url: str | None
) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "KAKEHASHI_DATA_DIR": str(data_dir),
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE_URL": api_base,
        "KAKEHASHI_DEMO_CONTENT": "false",
        "KAKEHASHI_LOG_LEVEL": "WARNING",
        "KAKEHASHI_RATE_LIMIT_PER_MIN": "0",
        "KAKEHASHI_LINE_REPLY_MAX_AGE_S": "100000",
        "HF_HUB_OFFLINE": "1",
    }
    serve = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if kind == "baseline":
        cmd = [sys.executable, "-m", "uvicorn", "benchmarks.line_echo_baseline:app", "--host",
               "127.0.0.1", "--port", str(port), "--log-level", "warning"]  # fmt: skip
    elif kind == "kakehashi-pg":
        assert database_url
        env["DATABASE_URL"] = database_url
        cmd = [*serve, "--workers", "2"]
    else:
        cmd = serve
    log = (data_dir / "server.log").open("ab")
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        try:
            if httpx.post(f"{url}/webhooks/line", content=b"{}", timeout=2).status_code < 500:
                time.sleep(5 if kind == "kakehashi-pg" else 0)  # the second web process too
                return proc, url
        except httpx.HTTPError:
            time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{kind} did not start; see {data_dir / 'server.log'}")


def in_order(calls: list[Any], token_order: dict[str, tuple[str, int]], users: int) -> bool:
    """Every event answered exactly once, and each user's answers in the order sent."""
    seen: dict[str, list[int]] = defaultdict(list)
    tokens = [c.body.get("replyToken") for c in calls]
    if len(tokens) != len(token_order) or len(set(tokens)) != len(tokens):
        return False
    for token in tokens:
        if token not in token_order:
            return False
        user, index = token_order[token]
        seen[user].append(index)
    return len(seen) == users and all(v == sorted(v) for v in seen.values())


def run(
    kind: str, args: argparse.Namespace, delay_ms: float, database_url: str | None
) -> dict[str, Any]:
    standin = PlatformStandIn(delay_s=delay_ms / 1000).start()
    data_dir = Path(tempfile.mkdtemp(prefix=f"load-{kind}-"))
    proc, url = start(kind, standin.url, data_dir, database_url)
    try:
        events = [line_text(f"Uload{i % args.users:05d}", f"hello {i}") for i in range(args.events)]
        order = {e["replyToken"]: (e["source"]["userId"], i) for i, e in enumerate(events)}
        started = time.perf_counter()
        latencies, elapsed, errors = asyncio.run(
            drive(url, [line_body(e) for e in events], args.concurrency)
        )
        standin.wait_for(args.events, "reply", "push", timeout=args.drain_timeout)
        last_reply = time.perf_counter() - started
        time.sleep(1.0)
        calls = standin.calls_to("reply", "push")
        latencies.sort()
        return {
            "kind": kind, "delay": delay_ms, "errors": errors,
            "acks_per_s": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
            "last_reply_s": last_reply, "replies": len(calls),
            "once_in_order": in_order(calls, order, args.users),
        }  # fmt: skip
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
        standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--api-delay-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--drain-timeout", type=float, default=1800.0)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    args = parser.parse_args()
    results = []
    with ExitStack() as stack:
        cluster = stack.enter_context(postgres_cluster()) if "kakehashi-pg" in args.kinds else None
        for n, delay in enumerate(args.api_delay_ms):
            for kind in args.kinds:
                url = (
                    fresh_database(cluster, f"load{n}")
                    if kind == "kakehashi-pg" and cluster
                    else None
                )
                results.append(run(kind, args, delay, url))
    print(
        f"events={args.events} users={args.users} concurrency={args.concurrency} load={os.getloadavg()[0]:.1f}"
    )
    print(
        f"{'server':<17} {'api ms':>6} {'acks/s':>7} {'p50 ms':>8} {'p99 ms':>8} {'last reply s':>12} {'replies':>8} {'once, in order':>14} {'x base acks/s':>13} {'x base p99':>10}"
    )
    for r in results:
        base = (
            next(b for b in results if b["kind"] == "baseline" and b["delay"] == r["delay"])
            if "baseline" in args.kinds
            else r
        )
        print(
            f"{r['kind']:<17} {r['delay']:>6.0f} {r['acks_per_s']:>7.0f} {r['p50_ms']:>8.1f} {r['p99_ms']:>8.1f} "
            f"{r['last_reply_s']:>12.1f} {r['replies']:>8} {r['once_in_order']!s:>14} "
            f"{r['acks_per_s'] / base['acks_per_s']:>13.2f} {r['p99_ms'] / base['p99_ms']:>10.2f}"
        )


if __name__ == "__main__":
    main()
