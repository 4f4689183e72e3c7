from __future__ import annotations

from pathlib import Path

import pytest
import typer
from sqlmodel import Session, select
from typer.testing import CliRunner

from matching import csv_import
from matching.csv_import import COLUMNS, import_text, normalise_phone
from matching.models import Company

from .conftest import DIRECTORY_CSV

HEADER = ",".join(COLUMNS)


def companies(session: Session) -> dict[str, Company]:
    return {c.ref: c for c in session.exec(select(Company)).all()}


def test_import_reads_every_column(session: Session) -> None:
    result = import_text(session, DIRECTORY_CSV.read_text(encoding="utf-8"))
    session.commit()
    assert result.ok and result.imported
    assert result.created == 18
    auto = companies(session)["JP-AUTO"]
    assert auto.country == "JP" and auto.sector == "29"
    assert auto.partnership == ["supplier"]
    assert auto.certifications == ["ISO 9001"]
    assert auto.required_certifications == ["IATF 16949"]
    assert auto.employees == 800
    assert auto.languages == ["ja", "en"]
    assert auto.phone == "+81300001001"
    assert auto.thai_base == "Rayong"
    assert auto.source == "import"
    assert companies(session)["JP-MOULD"].phone == "+81300001002"  # 03-... written locally
    assert companies(session)["TH-SEAL"].phone == "+6620002001"


def test_import_is_idempotent_on_ref(session: Session) -> None:
    text = DIRECTORY_CSV.read_text(encoding="utf-8")
    first = import_text(session, text)
    session.commit()
    stamp = companies(session)["TH-SEAL"].updated_at
    second = import_text(session, text)
    session.commit()
    assert (second.created, second.updated, second.unchanged) == (0, 0, first.created)
    assert len(companies(session)) == first.created
    assert companies(session)["TH-SEAL"].updated_at == stamp
    changed = text.replace("Rayong Rubber Seal Co. (Demo)", "Rayong Rubber Seal Public Co. (Demo)")
    third = import_text(session, changed)
    session.commit()
    assert (third.created, third.updated) == (0, 1)
    assert companies(session)["TH-SEAL"].name == "Rayong Rubber Seal Public Co. (Demo)"


BAD = f"""{HEADER}
A1,TH,Good One (Demo),22,seals,buyers,buyer,ISO 9001,10,Rayong,th,a@example.com,+66200000001
A2,XX,Bad Country (Demo),22,seals,buyers,buyer,,10,Rayong,th,,
"A3",JP,"Multi
line name (Demo)",29,parts,seals,supplier,,10,Aichi,ja,,
A4,JP,Bad Sector (Demo),4,parts,seals,partner,,ten,Aichi,ja,not-an-email,12
A1,TH,Duplicate (Demo),22,seals,buyers,buyer,,10,Rayong,th,,
"""


def test_errors_carry_line_numbers_and_nothing_is_imported(session: Session) -> None:
    result = import_text(session, BAD)
    session.commit()
    assert not result.imported
    messages = [str(e) for e in result.errors]
    assert any(m.startswith("line 3, column country") for m in messages), messages
    # Line 4 holds a quoted name spanning two lines, so the next record starts on line 6.
    bad_sector = [e for e in result.errors if e.line == 6]
    assert {e.column for e in bad_sector} == {
        "sector",
        "partnership",
        "employees",
        "email",
        "phone",
    }
    assert any(e.line == 7 and e.column == "ref" and "line 2" in e.message for e in result.errors)
    assert not any(e.line in (2, 4) for e in result.errors)
    assert companies(session) == {}


def test_skip_bad_rows_imports_the_good_ones(session: Session) -> None:
    result = import_text(session, BAD, skip_bad_rows=True)
    session.commit()
    assert result.imported
    assert result.created == 2 and result.skipped == 3
    assert set(companies(session)) == {"A1", "A3"}
    assert companies(session)["A3"].name == "Multi\nline name (Demo)"
    assert companies(session)["A1"].name == "Good One (Demo)"  # the duplicate did not win


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("ref,name,country\nA,B,TH\n", "header must start with"),
        (HEADER + ",favourite_colour\n", "unknown column"),
    ],
)
def test_bad_headers(session: Session, text: str, message: str) -> None:
    result = import_text(session, text)
    assert not result.imported
    assert result.errors[0].line == 1 and message in result.errors[0].message


def test_wrong_field_count(session: Session) -> None:
    result = import_text(session, f"{HEADER}\nA1,TH,Too short\n")
    assert result.errors[0].line == 2 and "fields" in result.errors[0].message


def test_phone_normalisation() -> None:
    assert normalise_phone("02-000-1234", "TH") == "+6620001234"
    assert normalise_phone("๐๒ ๐๐๐ ๑๒๓๔", "TH") == "+6620001234"
    assert normalise_phone("０３-００００-１２３４", "JP") == "+81300001234"
    assert normalise_phone("+81 3 0000 1234", "TH") == "+81300001234"
    assert normalise_phone("12", "TH") is None
    assert normalise_phone("call me", "JP") is None


def _cli() -> typer.Typer:
    app = typer.Typer()
    companies_app = typer.Typer()
    csv_import.register(companies_app)
    app.add_typer(companies_app, name="companies")

    @app.callback()
    def main() -> None:
        pass

    return app


def test_cli_import(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings, session: Session
) -> None:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(settings.data_dir))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    runner = CliRunner()
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD, encoding="utf-8")
    refused = runner.invoke(_cli(), ["companies", "import", str(bad)])
    assert refused.exit_code == 1
    assert "line 3, column country" in refused.output
    assert companies(session) == {}
    ok = runner.invoke(_cli(), ["companies", "import", str(DIRECTORY_CSV)])
    assert ok.exit_code == 0, ok.output
    assert "created 18" in ok.output
    again = runner.invoke(_cli(), ["companies", "import", str(DIRECTORY_CSV)])
    assert "created 0, updated 0, unchanged 18" in again.output
    skipped = runner.invoke(_cli(), ["companies", "import", "--skip-bad-rows", str(bad)])
    assert skipped.exit_code == 0 and "skipped 3" in skipped.output
    session.expire_all()
    assert len(companies(session)) == 20


@pytest.mark.parametrize("extended", [False, True])
def test_export_import_round_trip(session: Session, tmp_path: Path, extended: bool) -> None:
    export = pytest.importorskip("matching.export")
    first = import_text(session, DIRECTORY_CSV.read_text(encoding="utf-8"))
    session.commit()
    before = {
        ref: c.model_dump(exclude={"id", "created_at", "updated_at"})
        for ref, c in companies(session).items()
    }
    out = tmp_path / "out.csv"
    export.export_file(session, out, extended=extended)
    again = import_text(session, out.read_text(encoding="utf-8"))
    session.commit()
    assert again.ok, again.errors
    assert (again.created, again.updated, again.unchanged) == (0, 0, first.created)
    after = {
        ref: c.model_dump(exclude={"id", "created_at", "updated_at"})
        for ref, c in companies(session).items()
    }
    assert after == before
