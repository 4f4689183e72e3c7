"""Load benchmark (issue 14): several processes on PostgreSQL and one process on SQLite,
beside the SDK-style baseline (benchmarks/line_echo_baseline.py), in the same run.

Signed LINE bodies, one text event each, from many users at a fixed concurrency (or at a
fixed rate, open loop), against a local LINE stand-in answering after each --api-delay-ms.
For each server: acknowledged events per second, ack p50/p99, the time until the last
reply reached the stand-in, and whether every user received every reply exactly once and
in order (each event carries its own reply token; KAKEHASHI_LINE_REPLY_MAX_AGE_S is raised
so that every reply uses it). A delivery that is not acknowledged (not 200, or no answer)
is delivered again as LINE does, marked `isRedelivery`, after the run; the table counts
first deliveries not taken and, in brackets, those still not taken after five more tries.
Ends with a Markdown table, the ratios to the baseline and why deliveries were not taken.

    .venv/bin/python -m benchmarks.load                                   # the full run
    .venv/bin/python -m benchmarks.load --events 3000 --users 300         # small, while developing

The full run is 20,000 events from 1,000 users at concurrency 32, the stand-in answering
after 0 ms and after 50 ms. "kakehashi-pg" is `kakehashi serve --workers 2` (two web
processes that only acknowledge, one worker process under SCHED_IDLE) on a
throwaway PostgreSQL cluster on 127.0.0.1; "kakehashi-sqlite" the default one process.
benchmarks/webhook.py is the one-process comparison with an open-loop option; it drives
and reports with the functions here. Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import functools
import json
import multiprocessing
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Coroutine
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import aiohttp
import httpx

from tests.helpers import LINE_SECRET, LINE_TOKEN, line_body, line_headers, line_text
from tests.postgres import fresh_database, postgres_cluster
from tests.server_process import free_port
from tests.standin import Call, PlatformStandIn

ROOT = Path(__file__).resolve().parents[1]
KINDS = ("baseline", "kakehashi-pg", "kakehashi-sqlite")
Spans = list[tuple[float, float]]  # per body: when it was sent, when it was acknowledged
Failures = dict[int, str]  # per body that was not acknowledged: why (status or error)
Drive = Callable[[str, list[bytes]], Coroutine[Any, Any, tuple[Spans, float, Failures]]]


# -- servers ------------------------------------------------------------------------------


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
    # Its own process group: stop() ends the web and worker processes it started as well.
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    url = f"http://127.0.0.1:{port}"
    probe = line_body()
    deadline = time.monotonic() + 900
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:  # a signed body without events: 200 once the server is up
            if httpx.post(f"{url}/webhooks/line", content=probe, headers=line_headers(probe),
                          timeout=2).status_code == 200:  # fmt: skip
                settle(proc.pid)  # every process of it started (the second web process too)
                return proc, url
        except httpx.HTTPError:
            pass
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError(f"{kind} did not start; see {data_dir / 'server.log'}")


def cpu_seconds(pid: int) -> float:
    """CPU time of `pid` and every process below it (from /proc; Linux)."""
    total, stack = 0.0, [pid]
    while stack:
        current = stack.pop()
        try:
            fields = Path(f"/proc/{current}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
            children = Path(f"/proc/{current}/task/{current}/children").read_text().split()
        except (OSError, IndexError, ValueError):
            continue
        stack.extend(int(child) for child in children)
    return total


def settle(pid: int, timeout: float = 900.0) -> None:
    """Until the server's processes are idle (start-up done: features built, workers up),
    so that no start-up work is measured as load."""
    deadline = time.monotonic() + timeout
    before = cpu_seconds(pid)
    while time.monotonic() < deadline:
        time.sleep(3.0)
        now = cpu_seconds(pid)
        if now - before < 0.3:
            return
        before = now


def stop(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)
    # Anything of the server still running (a worker finishing its batch): gone.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGKILL)


# -- driving ------------------------------------------------------------------------------


def drive_apart(driver: Drive, url: str, bodies: list[bytes]) -> tuple[Spans, float, Failures]:
    """Runs the driver in a process of its own, as LINE's senders are not in the process
    that stands in for its API: the stand-in's threads must not delay the driver's reading
    of acknowledgements. Times are time.perf_counter(), one clock for every process."""
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(_drive, driver, url, bodies).result()


def _drive(driver: Drive, url: str, bodies: list[bytes]) -> tuple[Spans, float, Failures]:
    return asyncio.run(driver(url, bodies))


async def drive(url: str, bodies: list[bytes], concurrency: int) -> tuple[Spans, float, Failures]:
    """Closed loop: `concurrency` connections, each posting the next body once answered.
    Returns ((sent, acknowledged) times per body, seconds for all, the bodies not taken).
    aiohttp, not httpx: the sender stands in for LINE's servers and shares the cores with
    the server under test, so it should take as little CPU per request as it can (httpx
    took about 4 ms per request here, aiohttp about a quarter of that)."""
    spans: Spans = [(0.0, 0.0)] * len(bodies)
    failures: Failures = {}
    queue: asyncio.Queue[tuple[int, bytes]] = asyncio.Queue()
    for index, body in enumerate(bodies):
        queue.put_nowait((index, body))
    connector = aiohttp.TCPConnector(limit=concurrency)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

        async def worker() -> None:
            while not queue.empty():
                index, body = queue.get_nowait()
                sent = time.perf_counter()
                failure = await post(client, url, body)
                spans[index] = (sent, time.perf_counter())
                if failure:
                    failures[index] = failure

        started = time.perf_counter()
        await asyncio.gather(*(worker() for _ in range(concurrency)))
        elapsed = time.perf_counter() - started
    return spans, elapsed, failures


async def post(client: aiohttp.ClientSession, url: str, body: bytes) -> str | None:
    """One signed delivery; None when acknowledged (200), else what went wrong."""
    headers = line_headers(body)
    try:
        async with client.post(f"{url}/webhooks/line", data=body, headers=headers) as response:
            await response.read()
            return None if response.status == 200 else f"HTTP {response.status}"
    except (aiohttp.ClientError, TimeoutError) as exc:
        return type(exc).__name__


async def redeliver(
    url: str, bodies: list[bytes], spans: Spans, failures: Failures, tries: int = 5
) -> Failures:
    """What LINE does with a delivery that was not acknowledged: send it again, marked
    `isRedelivery`, a little later. Returns the bodies still not taken after `tries`."""
    left = dict(failures)
    async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=60)) as client:
        for _ in range(tries):
            if not left:
                break
            await asyncio.sleep(1.0)
            for index in list(left):
                body = json.loads(bodies[index])
                for event in body["events"]:
                    event.setdefault("deliveryContext", {})["isRedelivery"] = True
                again = json.dumps(body).encode()
                failure = await post(client, url, again)
                if failure is None:
                    spans[index] = (spans[index][0], time.perf_counter())
                    del left[index]
                else:
                    left[index] = failure
    return left


async def drive_at_rate(
    url: str, bodies: list[bytes], rate: float
) -> tuple[Spans, float, Failures]:
    """Open loop: request i starts at i / rate seconds, whatever the server's pace."""
    spans: Spans = [(0.0, 0.0)] * len(bodies)
    failures: Failures = {}
    connector = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(connector=connector, timeout=timeout) as client:

        async def one(index: int, body: bytes) -> None:
            await asyncio.sleep(max(0.0, started + index / rate - time.perf_counter()))
            sent = time.perf_counter()
            failure = await post(client, url, body)
            spans[index] = (sent, time.perf_counter())
            if failure:
                failures[index] = failure

        started = time.perf_counter()
        await asyncio.gather(*(one(i, body) for i, body in enumerate(bodies)))
        elapsed = time.perf_counter() - started
    return spans, elapsed, failures


def in_order(calls: list[Call], token_order: dict[str, tuple[str, int]], spans: Spans) -> bool:
    """Every event answered exactly once, and no user's events answered out of the order
    they were sent in: a reply never comes after the reply to an event that was sent only
    once this one had been acknowledged. (Two events of one user in flight at the same
    time, as with LINE's own concurrent deliveries, have no order to keep.)"""
    tokens = [c.body.get("replyToken") for c in calls]
    if len(tokens) != len(token_order) or len(set(tokens)) != len(tokens):
        return False
    latest_sent: dict[str, float] = {}  # per user: the latest send among the replies so far
    for token in tokens:
        if token not in token_order:
            return False
        user, index = token_order[token]
        sent, acknowledged = spans[index]
        if acknowledged < latest_sent.get(user, 0.0):
            return False  # answered after an event that was sent once this one was acked
        latest_sent[user] = max(latest_sent.get(user, 0.0), sent)
    return True


def run(
    kind: str,
    *,
    events: int,
    users: int,
    delay_ms: float,
    driver: Drive,
    drain_timeout: float,
    database_url: str | None = None,
) -> dict[str, Any]:
    """One server under one load: the figures of one table row."""
    standin = PlatformStandIn(delay_s=delay_ms / 1000).start()
    data_dir = Path(tempfile.mkdtemp(prefix=f"load-{kind}-"))
    proc, url = start(kind, standin.url, data_dir, database_url)
    try:
        sent = [line_text(f"Uload{i % users:05d}", f"hello {i}") for i in range(events)]
        order = {e["replyToken"]: (e["source"]["userId"], i) for i, e in enumerate(sent)}
        started = time.perf_counter()
        bodies = [line_body(e) for e in sent]
        spans, elapsed, failures = drive_apart(driver, url, bodies)
        # Latencies of first deliveries only; a failed one is then delivered again.
        latencies = sorted(acked - at for i, (at, acked) in enumerate(spans) if i not in failures)
        lost = asyncio.run(redeliver(url, bodies, spans, failures))
        answered = len(standin.wait_for(events, "reply", "push", timeout=drain_timeout))
        last_reply = time.perf_counter() - started if answered >= events else float("nan")
        time.sleep(1.0)  # anything sent twice would arrive now
        calls = standin.calls_to("reply", "push")
        return {
            "kind": kind, "delay": delay_ms, "errors": len(failures), "lost": len(lost),
            "why": sorted(collections.Counter(failures.values()).items()),
            "acks_per_s": len(latencies) / elapsed,
            "p50_ms": statistics.median(latencies) * 1000,
            "p99_ms": latencies[max(0, int(len(latencies) * 0.99) - 1)] * 1000,
            "last_reply_s": last_reply, "replies": len(calls),
            "once_in_order": in_order(calls, order, spans),
        }  # fmt: skip
    finally:
        stop(proc)
        standin.stop()


# -- reporting ----------------------------------------------------------------------------

COLUMNS = ("server", "api ms", "acks/s", "ack p50 ms", "ack p99 ms", "last reply s",
           "replies", "not taken (after redelivery)", "once, in order", "× base acks/s", "× base p99")  # fmt: skip


def table(results: list[dict[str, Any]]) -> str:
    """A Markdown table; the ratios are to the baseline at the same platform latency."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    for r in results:
        base = next(
            (b for b in results if b["kind"] == "baseline" and b["delay"] == r["delay"]), None
        )
        ratios = (
            (f"{r['acks_per_s'] / base['acks_per_s']:.2f}", f"{r['p99_ms'] / base['p99_ms']:.2f}")
            if base
            else ("", "")
        )
        cells = (
            r["kind"], f"{r['delay']:.0f}", f"{r['acks_per_s']:.0f}", f"{r['p50_ms']:.1f}",
            f"{r['p99_ms']:.1f}", f"{r['last_reply_s']:.1f}", str(r["replies"]), f"{r['errors']} ({r['lost']})",
            "yes" if r["once_in_order"] else "NO", *ratios,
        )  # fmt: skip
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--api-delay-ms", type=float, nargs="+", default=[0.0, 50.0])
    parser.add_argument("--drain-timeout", type=float, default=3600.0)
    parser.add_argument("--kinds", nargs="+", default=list(KINDS), choices=KINDS)
    args = parser.parse_args()
    results = []
    with ExitStack() as stack:
        cluster = stack.enter_context(postgres_cluster()) if "kakehashi-pg" in args.kinds else None
        for n, delay in enumerate(args.api_delay_ms):
            for kind in args.kinds:
                pg = kind == "kakehashi-pg" and cluster is not None
                url = fresh_database(cluster, f"load{n}") if pg and cluster else None
                results.append(
                    run(
                        kind,
                        events=args.events,
                        users=args.users,
                        delay_ms=delay,
                        driver=functools.partial(drive, concurrency=args.concurrency),
                        drain_timeout=args.drain_timeout,
                        database_url=url,
                    )
                )
                print(f"done: {kind} at {delay:.0f} ms", file=sys.stderr, flush=True)
    print(
        f"events={args.events} users={args.users} concurrency={args.concurrency} "
        f"cores={os.cpu_count()} load average={os.getloadavg()[0]:.1f}\n"
    )
    print(table(results))
    for r in results:
        if r["why"]:
            why = ", ".join(f"{reason} x{n}" for reason, n in r["why"])
            print(f"\n{r['kind']} at {r['delay']:.0f} ms, first deliveries not taken: {why}")


if __name__ == "__main__":
    main()
