from __future__ import annotations

import json

import pytest
import typer
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.settings import Settings
from matching import demo, match_cli
from matching.models import Company


def _cli() -> typer.Typer:
    app = typer.Typer()
    match_cli.register(app)
    return app


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)


def test_match_json(env: None, directory: dict[str, int]) -> None:
    res = CliRunner().invoke(_cli(), ["match", "JP-AUTO", "--top", "4", "--json"])
    assert res.exit_code == 0, res.output
    body = json.loads(res.output)
    assert isinstance(body, list) and len(body) == 4
    assert [set(item) for item in body] == [{"ref", "name", "country", "score", "reasons"}] * 4
    assert body[0]["ref"] == "TH-SEAL"
    assert body[0]["score"] >= body[1]["score"]
    assert all(item["country"] == "TH" and 2 <= len(item["reasons"]) <= 3 for item in body)


def test_match_text_and_unknown_ref(env: None, directory: dict[str, int]) -> None:
    res = CliRunner().invoke(_cli(), ["match", "TH-DIST", "--top", "2", "--lang", "th"])
    assert res.exit_code == 0, res.output
    assert res.output.splitlines()[0].split()[2] == "JP-ROBOT"
    assert "ครับ" in res.output
    missing = CliRunner().invoke(_cli(), ["match", "NOPE"])
    assert missing.exit_code == 1


def test_generator_shape() -> None:
    records = demo.generate()  # the full J-GoodTech scale; generation alone takes ~0.1 s
    thai = [r for r in records if r["country"] == "TH"]
    japanese = [r for r in records if r["country"] == "JP"]
    assert (len(thai), len(japanese)) == (1000, 4000)
    assert len({r["ref"] for r in records}) == 5000
    assert all(r["name"].endswith("(Demo)") for r in records)
    assert all(r["email"].endswith(("@example.com", "@example.jp")) for r in records)
    assert all(r["phone"].startswith(("+6620", "+8130")) for r in records)
    assert demo.generate(thai=20, japanese=20) == demo.generate(thai=20, japanese=20)
    assert demo.generate(thai=20, japanese=20, seed=1) != demo.generate(thai=20, japanese=20)
    # Descriptions in all three languages.
    texts = " ".join(r["offers"] + r["seeks"] for r in records)
    assert any("\u0e00" <= ch <= "\u0e7f" for ch in texts)  # Thai
    assert any("\u3040" <= ch <= "\u30ff" for ch in texts)  # Japanese kana
    assert "Looking for" in texts


def test_load_if_empty(session: Session) -> None:
    assert demo.load_if_empty(session, thai=30, japanese=60) == 90
    session.commit()
    assert demo.load_if_empty(session, thai=30, japanese=60) == 0
    rows = session.exec(select(Company)).all()
    assert len(rows) == 90 and {r.source for r in rows} == {"demo"}


def test_demo_load_command(env: None, session: Session) -> None:
    res = CliRunner().invoke(_cli(), ["demo", "load", "--thai", "10", "--japanese", "10"])
    assert res.exit_code == 0, res.output
    assert "added 20" in res.output
    again = CliRunner().invoke(_cli(), ["demo", "load", "--thai", "10", "--japanese", "10"])
    assert "added 0" in again.output
