"""Webhook benchmark: Kakehashi's durable inbox (one process, SQLite) against the
SDK-echo-style baseline, closed loop at a concurrency or open loop at a fixed rate.

Drives POST /webhooks/line with signed bodies (one text event each, many users) against a
real server process, with a local stand-in for the LINE API that answers after a fixed
delay. Driving, checking (every reply once and in order) and the table are
benchmarks/load.py's; this is its one-process comparison with an open-loop option.

    .venv/bin/python -m benchmarks.webhook --events 3000 --users 500 --concurrency 32
    .venv/bin/python -m benchmarks.webhook --events 3000 --users 500 --rate 80

Run by hand; nothing here is a test.
"""

from __future__ import annotations

import argparse
import functools
import os

from benchmarks.load import drive, drive_at_rate, run, table


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
    parser.add_argument("--drain-timeout", type=float, default=600.0)
    parser.add_argument("--rate", type=float, default=None, help="open loop: requests per second")
    args = parser.parse_args()
    if args.rate:
        load = f"rate={args.rate:.0f}/s (open loop)"
        driver = functools.partial(drive_at_rate, rate=args.rate)
    else:
        load = f"concurrency={args.concurrency}"
        driver = functools.partial(drive, concurrency=args.concurrency)
    results = [
        run(
            kind,
            events=args.events,
            users=args.users,
            delay_ms=args.api_delay_ms,
            driver=driver,
            drain_timeout=args.drain_timeout,
        )
        for kind in ("baseline", "kakehashi-sqlite")
    ]
    print(
        f"events={args.events} users={args.users} {load} api_delay={args.api_delay_ms:.0f}ms "
        f"load average={os.getloadavg()[0]:.1f}\n"
    )
    print(table(results))


if __name__ == "__main__":
    main()
