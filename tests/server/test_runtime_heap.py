"""After start-up a process freezes what it built out of the garbage collector's full
passes (`KAKEHASHI_GC_FREEZE`, on by default): those passes stalled requests under load."""

from __future__ import annotations

import gc
from pathlib import Path

from fastapi.testclient import TestClient

from core.settings import Settings
from server import create_app
from tests.helpers import make_settings


def test_start_up_freezes_what_it_built(tmp_path: Path) -> None:
    gc.unfreeze()
    assert gc.get_freeze_count() == 0
    try:
        with TestClient(create_app(make_settings(tmp_path, gc_freeze=True))) as client:
            frozen = gc.get_freeze_count()
            assert client.get("/healthz").status_code == 200
        assert frozen > 10_000  # the models and tables, not a handful of objects
    finally:
        gc.unfreeze()  # this test process builds many more apps


def test_freezing_is_on_unless_turned_off(monkeypatch) -> None:
    monkeypatch.delenv("KAKEHASHI_GC_FREEZE", raising=False)
    assert Settings().gc_freeze is True
    monkeypatch.setenv("KAKEHASHI_GC_FREEZE", "false")
    assert Settings().gc_freeze is False
