"""`kakehashi companies import FILE.csv`: the directory CSV of DESIGN.md into the database.

Idempotent on `ref` (a second import of the same file changes nothing), every problem is
reported with its line number, and a file with any bad row imports nothing unless
`--skip-bad-rows` is given. Besides the standard columns, these optional columns are read
when present after them: `required_certifications`, `contact_person`, `name_en`,
`thai_base`.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer
from sqlmodel import Session, select

from core.time import utcnow
from language.parse import Invalid, parse_email, parse_phone
from matching.directory_csv import COLUMNS, EXTENDED_COLUMNS
from matching.models import Company
from matching.scoring import PARTNERSHIP_TYPES

LIST_FIELDS = ("partnership", "certifications", "languages", "required_certifications")


@dataclass(frozen=True)
class RowError:
    line: int
    column: str | None
    message: str

    def __str__(self) -> str:
        where = f"line {self.line}" + (f", column {self.column}" if self.column else "")
        return f"{where}: {self.message}"


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    skipped: int = 0
    errors: list[RowError] = field(default_factory=list)
    imported: bool = False  # False when a bad file was refused as a whole

    @property
    def ok(self) -> bool:
        return not self.errors


def _split(value: str) -> list[str]:
    return [part.strip() for part in value.split(";") if part.strip()]


def normalise_phone(raw: str, country: str) -> str | None:
    """E.164 by the one phone rule of the forms (`language.parse`); None if not a number."""
    try:
        return parse_phone(raw, region=country, lenient=True)
    except Invalid:
        return None


def _is_division(code: str) -> bool:
    from language import taxonomy

    return taxonomy.is_division(code)


_Complain = Callable[[str, str], None]


def _parse_identity(value: dict[str, str], bad: _Complain) -> dict[str, Any]:
    """ref, country, name and sector."""
    out: dict[str, Any] = {}
    if not value["ref"]:
        bad("ref", "is empty")
    elif len(value["ref"]) > 64:
        bad("ref", "is longer than 64 characters")
    out["ref"] = value["ref"]
    country = value["country"].upper()
    if country not in ("TH", "JP"):
        bad("country", f"must be TH or JP, not {value['country']!r}")
    out["country"] = country
    if not value["name"]:
        bad("name", "is empty")
    out["name"] = value["name"][:300]
    sector = value["sector"]
    if sector:
        sector = sector.zfill(2)
        if not (sector.isdigit() and len(sector) == 2 and _is_division(sector)):
            bad("sector", f"{value['sector']!r} is not an ISIC Rev.4 division (two digits)")
    out["sector"] = sector or None
    return out


def _parse_profile(value: dict[str, str], bad: _Complain) -> dict[str, Any]:
    """What the company offers and seeks, partnership types, certificates, size, place."""
    out: dict[str, Any] = {"offers": value["offers"], "seeks": value["seeks"]}
    partnership = [p.lower() for p in _split(value["partnership"])]
    unknown = [p for p in partnership if p not in PARTNERSHIP_TYPES]
    if unknown:
        bad(
            "partnership",
            f"unknown type(s) {', '.join(unknown)}; use {', '.join(PARTNERSHIP_TYPES)}",
        )
    out["partnership"] = list(dict.fromkeys(partnership))
    out["certifications"] = _split(value["certifications"])
    out["required_certifications"] = _split(value["required_certifications"])
    employees: int | None = None
    if value["employees"]:
        text = unicodedata.normalize("NFKC", value["employees"]).replace(",", "")
        if not text.isdigit():
            bad("employees", f"{value['employees']!r} is not a whole number")
        else:
            employees = int(text)
    out["employees"] = employees
    out["location"] = value["location"] or None
    languages = [code.lower() for code in _split(value["languages"])]
    if any(not re.fullmatch(r"[a-z]{2}", code) for code in languages):
        bad("languages", "must be ;-separated two-letter ISO 639-1 codes")
    out["languages"] = languages
    return out


def _parse_contact(value: dict[str, str], country: str, bad: _Complain) -> dict[str, Any]:
    """Email, phone (read for the row's country), contact person, English name, Thai base."""
    out: dict[str, Any] = {}
    email = value["email"]
    if email:
        try:
            email = parse_email(email)
        except Invalid:
            bad("email", f"{email!r} is not an email address")
    out["email"] = email or None
    phone = None
    if value["phone"]:
        phone = normalise_phone(value["phone"], country)
        if phone is None:
            bad("phone", f"{value['phone']!r} is not a phone number")
    out["phone"] = phone
    out["contact_person"] = value["contact_person"] or None
    out["name_en"] = value["name_en"] or None
    out["thai_base"] = value["thai_base"] or None
    return out


def parse_row(row: dict[str, str], line: int) -> tuple[dict[str, Any] | None, list[RowError]]:
    errors: list[RowError] = []
    value = {k: (row.get(k) or "").strip() for k in (*COLUMNS, *EXTENDED_COLUMNS)}

    def bad(column: str, message: str) -> None:
        errors.append(RowError(line, column, message))

    out = _parse_identity(value, bad)
    out |= _parse_profile(value, bad)
    out |= _parse_contact(value, out["country"], bad)
    # An optional column the file does not have leaves the stored value alone.
    for column in EXTENDED_COLUMNS:
        if column not in row:
            out.pop(column)
    return (None if errors else out), errors


def parse_csv(text: str) -> tuple[list[tuple[int, dict[str, Any]]], list[RowError]]:
    """Rows (with their line numbers) and every error found; line 1 is the header."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = [h.strip() for h in next(reader)]
    except StopIteration:
        return [], [RowError(1, None, "the file is empty; expected a header row")]
    if tuple(header[: len(COLUMNS)]) != COLUMNS:
        return [], [RowError(1, None, f"the header must start with: {','.join(COLUMNS)}")]
    extra = [h for h in header[len(COLUMNS) :] if h and h not in EXTENDED_COLUMNS]
    if extra:
        return [], [RowError(1, None, f"unknown column(s): {', '.join(extra)}")]
    rows: list[tuple[int, dict[str, Any]]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    line_end = reader.line_num
    for cells in reader:
        line = line_end + 1  # where this record starts
        line_end = reader.line_num
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != len(header):
            errors.append(
                RowError(line, None, f"has {len(cells)} fields, the header has {len(header)}")
            )
            continue
        parsed, row_errors = parse_row(dict(zip(header, cells, strict=True)), line)
        if parsed is not None and parsed["ref"] in seen:
            row_errors.append(
                RowError(
                    line, "ref", f"{parsed['ref']!r} already appears on line {seen[parsed['ref']]}"
                )
            )
            parsed = None
        errors.extend(row_errors)
        if parsed is not None:
            seen[parsed["ref"]] = line
            rows.append((line, parsed))
    return rows, errors


def _upsert(
    session: Session, rows: Iterable[dict[str, Any]], result: ImportResult, *, source: str
) -> None:
    rows = list(rows)
    refs = [r["ref"] for r in rows]
    existing: dict[str, Company] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        for found in session.exec(select(Company).where(Company.ref.in_(chunk))):  # type: ignore[attr-defined]
            existing[found.ref] = found
    now = utcnow()
    for data in rows:
        company = existing.get(data["ref"])
        if company is None:
            session.add(Company(**data, source=source, created_at=now, updated_at=now))
            result.created += 1
            continue
        changed = False
        for key, new in data.items():
            if getattr(company, key) != new:
                setattr(company, key, new)
                changed = True
        if changed:
            company.updated_at = now
            session.add(company)
            result.updated += 1
        else:
            result.unchanged += 1


def import_text(
    session: Session, text: str, *, skip_bad_rows: bool = False, source: str = "import"
) -> ImportResult:
    """Import a directory CSV through `session` (the caller commits)."""
    rows, errors = parse_csv(text)
    result = ImportResult(errors=errors)
    if errors and not skip_bad_rows:
        return result
    bad_lines = {e.line for e in errors}
    result.skipped = len(bad_lines)
    _upsert(session, (data for _, data in rows), result, source=source)
    result.imported = True
    return result


def import_file(session: Session, path: Path, *, skip_bad_rows: bool = False) -> ImportResult:
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        return ImportResult(errors=[RowError(1, None, f"the file is not UTF-8 ({exc.reason})")])
    return import_text(session, text, skip_bad_rows=skip_bad_rows)


def register(companies_app: typer.Typer) -> None:
    """Add `import` to the `kakehashi companies` command group."""

    @companies_app.command("import")
    def import_command(
        file: Annotated[
            Path,
            typer.Argument(
                exists=True, dir_okay=False, readable=True, help="Directory CSV (UTF-8)"
            ),
        ],
        skip_bad_rows: Annotated[
            bool,
            typer.Option(
                "--skip-bad-rows", help="Import the good rows of a file that has bad ones"
            ),
        ] = False,
    ) -> None:
        """Import companies from a directory CSV (idempotent on ref)."""
        from core.db import init_db, make_engine, session_scope
        from core.settings import Settings

        engine = make_engine(Settings())
        init_db(engine)
        with session_scope(engine) as session:
            result = import_file(session, file, skip_bad_rows=skip_bad_rows)
        for error in result.errors:
            typer.echo(str(error), err=True)
        if not result.imported:
            typer.echo(
                f"Nothing imported: {len(result.errors)} problem(s). Fix them, or use --skip-bad-rows.",
                err=True,
            )
            raise typer.Exit(code=1)
        typer.echo(
            f"created {result.created}, updated {result.updated}, unchanged {result.unchanged}, "
            f"skipped {result.skipped} bad row(s)"
        )
