"""Schemathesis against the OpenAPI schema of a real `kakehashi serve`: no request the
schema allows (or nearly allows) may get a 5xx. Run by hand, offline:

    .venv/bin/python -m benchmarks.api_fuzz --max-examples 50

It starts a server on a temporary SQLite data directory (no platform credentials, no demo
content), creates a staff account so that the staff endpoints are exercised past their
401, and runs `schemathesis run` with the `not_a_server_error` check only.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from tests.server_process import ROOT, ServerProcess


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--max-examples", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kakehashi-fuzz-") as tmp:
        data = Path(tmp) / "data"
        env = {"KAKEHASHI_DATA_DIR": str(data), "HF_HUB_OFFLINE": "1"}
        run = {**os.environ, **env}
        cli = [sys.executable, "-m", "cli"]
        subprocess.run([*cli, "staff", "create", "fuzz@example.org", "--role", "admin"],
                       cwd=ROOT, env=run, check=True, capture_output=True)  # fmt: skip
        token = subprocess.run([*cli, "staff", "token", "fuzz@example.org"], cwd=ROOT,
                               env=run, check=True, capture_output=True, text=True).stdout.strip()  # fmt: skip
        server = ServerProcess(data, "http://127.0.0.1:9", **env)
        for name in ("LINE_CHANNEL_SECRET", "LINE_CHANNEL_ACCESS_TOKEN", "TELEGRAM_BOT_TOKEN",
                     "TELEGRAM_WEBHOOK_SECRET"):  # fmt: skip
            server.env.pop(name, None)
        server.start(timeout=600)
        try:
            done = subprocess.run(
                [
                    str(Path(sys.executable).parent / "schemathesis"),
                    "run",
                    f"{server.url}/openapi.json",
                    "--checks",
                    "not_a_server_error",
                    "--max-examples",
                    str(args.max_examples),
                    "--workers",
                    str(args.workers),
                    "-H",
                    f"Authorization: Bearer {token}",
                ],
                cwd=ROOT,
                env=run,
            )
        finally:
            server.stop()
        print(f"server log: {server.log_path}" if done.returncode else "no 5xx found")
        return done.returncode


if __name__ == "__main__":
    raise SystemExit(main())
