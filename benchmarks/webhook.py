"""Webhook benchmark: Kakehashi's durable inbox against an SDK-echo-style baseline.

Drives POST /webhooks/line with signed bodies (one text event each, many users) at a fixed
concurrency against a real server process, with a local stand-in for the LINE API that
answers after a fixed delay (a real API is not instant). For each server it reports
acknowledgement latency p50/p99, acknowledged events per second, the time until every
reply has reached the stand-in, and whether every event got exactly one reply.

    .venv/bin/python -m benchmarks.webhook --events 3000 --users 500 --concurrency 32
    .venv/bin/python -m benchmarks.webhook --events 3000 --users 500 --rate 80

Run by hand; nothing here is a test.
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
from collections import Counter
from pathlib import Path
from typing import Any

import httpx

from tests.helpers import LINE_SECRET, LINE_TOKEN, line_body, line_headers, line_text
from tests.server_process import free_port
from tests.standin import PlatformStandIn

ROOT = Path(__file__).resolve().parents[1]


def start_server(kind: str, api_base: str, data_dir: Path) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {
        **os.environ,
        "KAKEHASHI_DATA_DIR": str(data_dir),
        "LINE_CHANNEL_SECRET": LINE_SECRET,
        "LINE_CHANNEL_ACCESS_TOKEN": LINE_TOKEN,
        "LINE_API_BASE_URL": api_base,
        "KAKEHASHI_DEMO_CONTENT": "false",
        "KAKEHASHI_LOG_LEVEL": "WARNING",
        "HF_HUB_OFFLINE": "1",
    }
    if kind == "kakehashi":
        cmd = [sys.executable, "-m", "cli", "serve", "--host", "127.0.0.1", "--port", str(port)]
    else:
        cmd = [
            sys.executable,
            "-m",
            "uvicorn",
            "benchmarks.line_echo_baseline:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--log-level",
            "warning",
        ]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            httpx.post(f"{url}/webhooks/line", content=b"{}", timeout=1)
            return proc, url
        except httpx.HTTPError:
            time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"{kind} server did not start")


async def drive_at_rate(
    url: str, bodies: list[bytes], rate: float
) -> tuple[list[float], float, int]:
    """Open loop: request i starts at i / rate seconds, whatever the server's pace."""
    latencies: list[float] = []
    errors = 0
    limits = httpx.Limits(max_connections=256, max_keepalive_connections=256)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def one(index: int, body: bytes) -> None:
            nonlocal errors
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            sent = time.perf_counter()
            response = await client.post(
                f"{url}/webhooks/line", content=body, headers=line_headers(body)
            )
            latencies.append(time.perf_counter() - sent)
            if response.status_code != 200:
                errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed, errors


async def drive(url: str, bodies: list[bytes], concurrency: int) -> tuple[list[float], float, int]:
    latencies: list[float] = []
    errors = 0
    queue: asyncio.Queue[bytes] = asyncio.Queue()
    for body in bodies:
        queue.put_nowait(body)
    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(limits=limits, timeout=60) as client:

        async def worker() -> None:
            nonlocal errors
            while not queue.empty():
                body = queue.get_nowait()
                started = time.perf_counter()
                response = await client.post(
                    f"{url}/webhooks/line", content=body, headers=line_headers(body)
                )
                latencies.append(time.perf_counter() - started)
                if response.status_code != 200:
                    errors += 1

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return latencies, elapsed, errors


def run(kind: str, args: argparse.Namespace) -> dict[str, Any]:
    standin = PlatformStandIn(delay_s=args.api_delay_ms / 1000).start()
    data_dir = Path(tempfile.mkdtemp(prefix=f"bench-{kind}-"))
    proc, url = start_server(kind, standin.url, data_dir)
    try:
        events = [
            line_text(f"Ubench{i % args.users:05d}", f"hello {i}") for i in range(args.events)
        ]
        bodies = [line_body(event) for event in events]
        t0 = time.perf_counter()
        if args.rate:
            latencies, elapsed, errors = asyncio.run(drive_at_rate(url, bodies, args.rate))
        else:
            latencies, elapsed, errors = asyncio.run(drive(url, bodies, args.concurrency))
        calls = standin.wait_for(args.events, "reply", "push", timeout=args.drain_timeout)
        all_delivered = time.perf_counter() - t0
        time.sleep(1.0)
        calls = standin.calls_to("reply", "push")
        tokens = Counter(
            c.body.get("replyToken") or c.headers.get("x-line-retry-key") for c in calls
        )
        latencies.sort()
        return {
            "kind": kind,
            "acked": len(latencies) - errors,
            "errors": errors,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "acks_per_s": len(latencies) / elapsed,
            "all_replies_s": all_delivered,
            "replies": len(calls),
            "exactly_once": len(calls) == args.events and max(tokens.values()) == 1,
        }
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        standin.stop()


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=3000)
    parser.add_argument("--users", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument(
        "--api-delay-ms", type=float, default=50.0, help="stand-in LINE API latency"
    )
    parser.add_argument("--drain-timeout", type=float, default=300.0)
    parser.add_argument(
        "--rate",
        type=float,
        default=None,
        help="open loop: requests per second instead of a concurrency",
    )
    args = parser.parse_args()
    results = [run("baseline", args), run("kakehashi", args)]
    base, ours = results
    load = f"rate={args.rate:.0f}/s (open loop)" if args.rate else f"concurrency={args.concurrency}"
    print(f"events={args.events} users={args.users} {load} api_delay={args.api_delay_ms:.0f}ms")
    print(
        f"{'server':<10} {'ack p50 ms':>10} {'ack p99 ms':>10} {'acks/s':>8} {'all replies s':>13} {'replies':>8} {'exactly once':>12}"
    )
    for r in results:
        print(
            f"{r['kind']:<10} {r['p50_ms']:>10.1f} {r['p99_ms']:>10.1f} {r['acks_per_s']:>8.0f} "
            f"{r['all_replies_s']:>13.1f} {r['replies']:>8} {r['exactly_once']!s:>12}"
        )
    print(
        f"ratio kakehashi/baseline: p50 {ours['p50_ms'] / base['p50_ms']:.2f}, p99 {ours['p99_ms'] / base['p99_ms']:.2f}, "
        f"throughput {ours['acks_per_s'] / base['acks_per_s']:.2f}, all replies {ours['all_replies_s'] / base['all_replies_s']:.2f}"
    )


if __name__ == "__main__":
    main()
