"""Two processes on one data directory (embedded SQLite and chroma): a `kakehashi ingest`
run reaches a running server's knowledge service without a restart, and the server's own
changes afterwards still work."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from core.db import init_db, make_engine
from core.settings import Settings
from knowledge.wiring import build_knowledge
from tests.knowledge.conftest import SMALL_DOCS, doc

REPO = Path(__file__).resolve().parents[2]

RICE = """---
title: Rice export grant
lang: en
topic: rice-export-grant
source: Test ministry leaflet
as_of: 2025-06
---

# Rice export grant

## Amount
- The grant pays at most 250,000 baht per exporter.

## How to apply
- Apply at the provincial commerce office.
"""


def test_ingest_in_another_process_is_answered_without_restart(tmp_path: Path) -> None:
    settings = Settings(data_dir=tmp_path / "data", kb_refresh_interval_s=0)
    engine = make_engine(settings)
    init_db(engine)
    server = build_knowledge(settings, engine, load_starter=False)
    server.ingest(SMALL_DOCS[0])  # the store is not empty: the CLI loads no starter documents
    question = "How much does the rice export grant pay?"
    assert "250,000" not in server.answer(question).text

    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "rice.md").write_text(RICE, encoding="utf-8")
    env = {**os.environ, "KAKEHASHI_DATA_DIR": str(settings.data_dir), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", "from cli import app; app()", "ingest", str(folder)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert "1 added" in done.stdout

    answer = server.answer(question)  # the next question notices the change
    assert answer.confident
    assert "250,000 baht" in answer.text
    assert answer.sources[0].title == "Rice export grant"

    # The server keeps working on the shared store after the other process wrote to it.
    server.ingest(SMALL_DOCS[1])
    server.ingest(
        doc("seminar", "Export seminar", "The export seminar is held in Khon Kaen on 5 March.")
    )
    assert "Khon Kaen" in server.answer("Where is the export seminar held?").text
    assert server.index.size == len({r.id for r in server.index.records()})


def test_processes_open_the_store_one_after_another(tmp_path: Path) -> None:
    """A second process opening the same data directory waits until the first has opened
    the embedded Chroma (whose first open creates tables: two at once fail)."""
    import fcntl
    import threading

    from knowledge.wiring import one_process_at_a_time

    data_dir = tmp_path / "data"
    entered = threading.Event()

    def second_process() -> None:
        with one_process_at_a_time(data_dir):
            entered.set()

    with one_process_at_a_time(data_dir):
        other = threading.Thread(target=second_process)
        other.start()
        assert not entered.wait(0.5), "the second opener did not wait for the first"
    assert entered.wait(10), "the second opener never got its turn"
    other.join()
    with open(data_dir / ".knowledge-open.lock") as lock:  # released afterwards
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
