"""OSMEP size class and programme candidates for a Thai SME (`registration/data/programmes.toml`)."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from core.types import Lang
from language.format import date_text

SIZES = ("micro", "small", "medium", "large")


@cache
def programmes() -> dict[str, Any]:
    with (Path(__file__).resolve().parent.parent / "data" / "programmes.toml").open("rb") as fh:
        return tomllib.load(fh)


def _size_by(value: int | None, bounds: dict[str, dict[str, int]], key: str) -> int:
    if value is None:
        return 0
    for index, size in enumerate(SIZES[:-1]):
        if value <= bounds[size][key]:
            return index
    return len(SIZES) - 1


def osmep_size(*, employees: int | None, revenue_thb: int | None, sector_group: str) -> str:
    """micro / small / medium / large (not an SME). When the two measures point to different
    sizes, revenue decides (OSMEP, ministerial regulation of 2019); the headcount decides
    only when the revenue is not known."""
    table = programmes()["osmep"]
    bounds = table["manufacturing"] if sector_group == "manufacturing" else table["trade_service"]
    if revenue_thb is not None:
        return SIZES[_size_by(revenue_thb, bounds, "revenue_thb")]
    return SIZES[_size_by(employees, bounds, "employees")]


def _localized(value: str | dict[str, str], lang: Lang) -> str:
    return value if isinstance(value, str) else value.get(lang) or value["en"]


@dataclass(frozen=True)
class Candidate:
    code: str
    name: str
    reason: str
    source: str
    as_of: str


def programme_candidates(
    *, size: str, sector_group: str, employees: int | None, lang: Lang
) -> list[Candidate]:
    """Programmes whose recorded conditions the company meets, with the reason, in `lang`."""
    out: list[Candidate] = []
    for rule in programmes()["programme"]:
        if size not in rule["sizes"] or sector_group not in rule["sectors"]:
            continue
        ceiling: dict[str, Any] = rule.get("max_employees", {})
        limit = ceiling.get(sector_group)
        if limit is not None and (employees is None or employees > limit):
            continue
        out.append(
            Candidate(
                code=rule["code"],
                name=rule["name"][lang],
                reason=rule["reason"][lang],
                source=_localized(rule["source"], lang),
                as_of=date_text(str(rule["as_of"]), lang),
            )
        )
    return out
