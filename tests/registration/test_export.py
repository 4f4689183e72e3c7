"""`kakehashi companies export FILE.csv`: the DESIGN.md directory CSV, phone in E.164."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
import typer
from sqlmodel import Session, select
from typer.testing import CliRunner

from core.db import init_db, make_engine, session_scope
from core.settings import Settings
from matching import cli as matching_cli
from matching import repo
from matching.export import COLUMNS, e164, write_csv
from matching.models import Company
from tests.registration.driver import Driver
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS, _start

HEADER = "ref,country,name,sector,offers,seeks,partnership,certifications,employees,location,languages,email,phone"


def _seed(engine) -> None:
    for channel, form, script in (
        ("line", "th_sme", THAI_SME_SCRIPTS["en"]),
        ("telegram", "jp_firm", JAPAN_FIRM_SCRIPTS["ja"]),
    ):
        driver = Driver(engine, channel=channel, user_id=f"X-{form}")  # type: ignore[arg-type]
        _start(driver, "en" if form == "th_sme" else "ja", form)
        for kind, value in script:
            driver.text(value) if kind == "text" else driver.press(value)
    with session_scope(engine) as session:
        session.add(Company(ref="IMP-1", country="TH", name="Imported, \"quoted\" Co", phone="02 123 4567",
                            partnership=["buyer"], languages=["th", "en"], employees=None))  # fmt: skip
        session.add(Company(ref="IMP-2", country="JP", name="No phone KK", phone="call the office"))


def test_columns_match_design() -> None:
    assert ",".join(COLUMNS) == HEADER


def test_e164_on_export() -> None:
    assert e164("081-234-5678", "TH") == "+66812345678"
    assert e164("03-1234-5678", "JP") == "+81312345678"
    assert e164("+1 415 555 2671", "JP") == "+14155552671"
    assert e164("call the office", "JP") is None
    assert e164(None, "TH") is None


def test_export_writes_every_company(db_engine) -> None:
    _seed(db_engine)
    out = io.StringIO()
    with Session(db_engine) as session:
        result = write_csv(repo.list_companies(session), out)
    assert result.rows == 4 and result.phones_dropped == 1
    text = out.getvalue()
    assert text.splitlines()[0] == HEADER
    rows = list(csv.DictReader(io.StringIO(text)))
    by_ref = {r["ref"]: r for r in rows}
    thai = next(r for r in rows if r["ref"].startswith("TH-CHAT-"))
    assert thai == {
        "ref": thai["ref"], "country": "TH", "name": "Siam Plastic Parts", "sector": "22",
        "offers": "Injection-moulded plastic parts for cars", "seeks": "Japanese customers for plastic parts",
        "partnership": "buyer;oem", "certifications": "ISO 9001;IATF 16949", "employees": "120",
        "location": "Chonburi", "languages": "en;th", "email": "somchai@siamplastic.co.th", "phone": "+66812345678",
    }  # fmt: skip
    japanese = next(r for r in rows if r["ref"].startswith("JP-CHAT-"))
    assert japanese["name"] == "株式会社テスト金型"
    assert japanese["partnership"] == "supplier;joint_venture"
    assert japanese["location"] == "Aichi" and japanese["phone"] == "+81521234567"
    assert japanese["languages"] == "ja"
    assert by_ref["IMP-1"]["name"] == 'Imported, "quoted" Co'
    assert by_ref["IMP-1"]["phone"] == "+6621234567"  # normalised on export
    assert by_ref["IMP-1"]["employees"] == ""
    assert by_ref["IMP-2"]["phone"] == ""


@pytest.fixture
def cli_app(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> typer.Typer:
    monkeypatch.setenv("KAKEHASHI_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """test app"""

    matching_cli.register(app)
    return app


def test_cli_export(cli_app: typer.Typer, tmp_path: Path) -> None:
    engine = make_engine(Settings(data_dir=tmp_path / "data"))
    init_db(engine)
    _seed(engine)
    engine.dispose()
    target = tmp_path / "out.csv"
    result = CliRunner().invoke(cli_app, ["companies", "export", str(target)])
    assert result.exit_code == 0, result.output
    assert "wrote 4 companies" in result.output
    lines = target.read_text(encoding="utf-8").splitlines()
    assert lines[0] == HEADER and len(lines) == 5


def test_cli_group_has_the_import_command_of_the_other_module(cli_app: typer.Typer) -> None:
    result = CliRunner().invoke(cli_app, ["companies", "--help"])
    assert result.exit_code == 0
    assert "export" in result.output and "import" in result.output


def test_extended_export_round_trips_through_the_importer(
    cli_app: typer.Typer, tmp_path: Path
) -> None:
    source = make_engine(Settings(data_dir=tmp_path / "data"))
    init_db(source)
    _seed(source)
    source.dispose()
    target = tmp_path / "out.csv"
    assert (
        CliRunner().invoke(cli_app, ["companies", "export", "--extended", str(target)]).exit_code
        == 0
    )
    other = tmp_path / "other"
    result = CliRunner().invoke(
        cli_app,
        ["companies", "import", str(target), "--skip-bad-rows"],
        env={"KAKEHASHI_DATA_DIR": str(other)},
    )
    assert result.exit_code == 0, result.output
    engine = make_engine(Settings(data_dir=other))
    with Session(engine) as session:
        imported = {c.ref: c for c in session.exec(select(Company))}
    engine.dispose()
    chat = next(c for ref, c in imported.items() if ref.startswith("TH-CHAT-"))
    assert chat.phone == "+66812345678" and chat.certifications == ["ISO 9001", "IATF 16949"]
    japanese = next(c for ref, c in imported.items() if ref.startswith("JP-CHAT-"))
    assert japanese.required_certifications == ["IATF 16949"] and japanese.thai_base == "Rayong"
