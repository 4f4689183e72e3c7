"""Directory CSV export in the format of DESIGN.md ("Directory CSV"), phone in E.164."""

from __future__ import annotations

import csv
import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from sqlmodel import Session

from language.parse import Invalid, parse_phone
from matching import repo
from matching.directory_csv import COLUMNS, EXTENDED_COLUMNS
from matching.models import Company

logger = logging.getLogger(__name__)


_E164 = re.compile(r"^\+[1-9]\d{7,14}$")


def e164(phone: str | None, country: str) -> str | None:
    """The phone in E.164, or None when it cannot be read as a phone number."""
    if not phone:
        return None
    try:
        return parse_phone(phone, region="TH" if country == "TH" else "JP")
    except Invalid:
        compact = re.sub(r"[\s\-().]", "", phone)
        return compact if _E164.match(compact) else None


@dataclass(frozen=True)
class ExportResult:
    rows: int
    phones_dropped: int  # stored phones that are not phone numbers, written empty


def _join(values: Iterable[str]) -> str:
    return ";".join(v for v in values if v)


def company_row(company: Company, *, extended: bool = False) -> tuple[dict[str, str], bool]:
    """One CSV row, and whether a stored phone had to be dropped."""
    phone = e164(company.phone, company.country)
    row = {
        "ref": company.ref,
        "country": company.country,
        "name": company.name,
        "sector": company.sector or "",
        "offers": company.offers or "",
        "seeks": company.seeks or "",
        "partnership": _join(company.partnership),
        "certifications": _join(company.certifications),
        "employees": "" if company.employees is None else str(company.employees),
        "location": company.location or "",
        "languages": _join(company.languages),
        "email": company.email or "",
        "phone": phone or "",
    }
    if extended:
        row.update(
            required_certifications=_join(company.required_certifications),
            contact_person=company.contact_person or "",
            name_en=company.name_en or "",
            thai_base=company.thai_base or "",
        )
    return row, bool(company.phone) and phone is None


def write_csv(companies: Iterable[Company], out: TextIO, *, extended: bool = False) -> ExportResult:
    columns = COLUMNS + (EXTENDED_COLUMNS if extended else ())
    writer = csv.DictWriter(out, fieldnames=columns, lineterminator="\n")
    writer.writeheader()
    rows = dropped = 0
    for company in companies:
        row, lost = company_row(company, extended=extended)
        writer.writerow(row)
        rows += 1
        dropped += lost
    if dropped:
        logger.warning("%d stored phone number(s) could not be written as E.164", dropped)
    return ExportResult(rows=rows, phones_dropped=dropped)


def export_file(session: Session, path: Path, *, extended: bool = False) -> ExportResult:
    with path.open("w", encoding="utf-8", newline="") as fh:
        return write_csv(repo.list_companies(session), fh, extended=extended)
