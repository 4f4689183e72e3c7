from __future__ import annotations

from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from knowledge.cli import register
from tests.knowledge.conftest import FIXTURES


@pytest.fixture
def app() -> typer.Typer:
    app = typer.Typer()
    register(app)
    return app


def test_ingest_command_adds_then_skips_unchanged_files(app, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("CHROMA_URL", raising=False)
    folder = tmp_path / "docs"
    folder.mkdir()
    (folder / "subsidy.md").write_bytes((FIXTURES / "subsidy.md").read_bytes())
    (folder / "page.html").write_bytes((FIXTURES / "page.html").read_bytes())
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(folder)])
    assert first.exit_code == 0, first.output
    assert "2 files: 2 added." in first.output
    second = runner.invoke(app, ["ingest", str(folder)])
    assert "2 files: 2 unchanged." in second.output


def test_ingest_command_reports_a_missing_path(app, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(tmp_path / "data"))
    result = CliRunner().invoke(app, ["ingest", str(tmp_path / "nope")])
    assert result.exit_code != 0
    assert "no such file" in result.output
