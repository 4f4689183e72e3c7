"""Industry taxonomy: ISIC Rev.4 divisions with th/ja/en labels, and JSIC Rev.14 mapped onto them.

The ISIC division code (two digits) is the stable key stored on a company. Labels and
search keywords live in `matching/data/` (see its README for provenance).
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from rapidfuzz import fuzz

from language.normalize import normalize_text

DATA_DIR = Path(__file__).parent / "data"

SectorGroup = str  # "manufacturing" | "trade" | "service"


@dataclass(frozen=True)
class Division:
    code: str
    section: str
    en: str
    th: str
    ja: str
    keywords: tuple[str, ...]

    def label(self, lang: str) -> str:
        return {"th": self.th, "ja": self.ja}.get(lang, self.en)


@dataclass(frozen=True)
class JsicMiddle:
    code: str
    major: str
    ja: str
    en: str
    isic: str


def _read_csv(name: str) -> list[dict[str, str]]:
    with (DATA_DIR / name).open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


@cache
def divisions() -> dict[str, Division]:
    english = {
        row["code"]: (row["section"], row["description"])
        for row in _read_csv("isic_rev4_sections_divisions.csv")
        if row["level"] == "division"
    }
    out: dict[str, Division] = {}
    for row in _read_csv("isic_divisions_i18n.csv"):
        section, en = english[row["code"]]
        out[row["code"]] = Division(
            code=row["code"],
            section=section,
            en=en,
            th=row["th"],
            ja=row["ja"],
            keywords=tuple(k.strip() for k in row["keywords"].split("|") if k.strip()),
        )
    missing = set(english) - set(out)
    if missing:
        raise ValueError(f"ISIC divisions without th/ja labels: {sorted(missing)}")
    return out


@cache
def jsic_middles() -> dict[str, JsicMiddle]:
    mapping = {row["jsic"]: row["isic"] for row in _read_csv("jsic_to_isic.csv")}
    out: dict[str, JsicMiddle] = {}
    for row in _read_csv("jsic_rev14_major_middle.csv"):
        if row["level"] != "middle":
            continue
        out[row["code"]] = JsicMiddle(
            code=row["code"],
            major=row["major"],
            ja=row["name_ja"],
            en=row["name_en"],
            isic=mapping[row["code"]],
        )
    return out


def division(code: str) -> Division | None:
    return divisions().get(code)


def division_label(code: str, lang: str) -> str:
    div = divisions().get(code)
    if div is None:
        return code
    # Japanese puts the code after the name, without a half-width space: 金属製品製造業（25）
    return f"{div.label(lang)}（{code}）" if lang == "ja" else f"{code} {div.label(lang)}"


def is_division(code: str) -> bool:
    return code in divisions()


def sector_group(code: str | None) -> SectorGroup:
    """OSMEP's split: manufacturing (ISIC section C), trade (section G), else service."""
    div = divisions().get(code or "")
    if div is None:
        return "service"
    if div.section == "C":
        return "manufacturing"
    if div.section == "G":
        return "trade"
    return "service"


def jsic_to_isic(code: str) -> str | None:
    middle = jsic_middles().get(code)
    return middle.isic if middle else None


_JSIC_RE = re.compile(r"^(?:jsic)?\s*([a-t])?\s*[-\s]?\s*(\d{1,2})$")


def parse_jsic(text: str) -> JsicMiddle | None:
    """A JSIC middle code typed as "JSIC 18", "E18", "e-18" (a bare number is not JSIC)."""
    norm = normalize(text)
    match = _JSIC_RE.match(norm)
    if not match or not (norm.startswith("jsic") or match.group(1)):
        return None
    code = match.group(2).zfill(2)
    middle = jsic_middles().get(code)
    if middle is None:
        return None
    if match.group(1) and match.group(1).upper() != middle.major:
        return None
    return middle


def normalize(text: str) -> str:
    return normalize_text(text).lower()


def _contains(haystack: str, needle: str) -> bool:
    """Substring for Thai and Japanese (no spaces between words); whole words for Latin."""
    if needle.isascii() and haystack.isascii():
        return re.search(rf"\b{re.escape(needle)}", haystack) is not None and (
            re.search(rf"{re.escape(needle)}\b", haystack) is not None or len(needle) >= 4
        )
    return needle in haystack


@cache
def _search_terms() -> tuple[tuple[str, str], ...]:
    terms: list[tuple[str, str]] = []
    for div in divisions().values():
        for term in (div.en, div.th, div.ja, *div.keywords):
            terms.append((normalize(term), div.code))
    for middle in jsic_middles().values():
        terms.append((normalize(middle.ja), middle.isic))
        terms.append((normalize(middle.en), middle.isic))
    return tuple(terms)


def search_divisions(
    text: str, *, limit: int = 5, min_score: float = 66.0
) -> list[tuple[str, float]]:
    """Divisions whose labels or keywords (any language) best match `text`, best first."""
    query = normalize(text)
    if not query:
        return []
    best: dict[str, float] = {}
    queries = [query]
    if query.isascii() and len(query) > 4 and query.endswith("s"):
        queries.append(query[:-1])  # "plastics" -> "plastic", "moulds" -> "mould"
    for term, code in _search_terms():
        for q in queries:
            score = _score(q, term)
            if score > best.get(code, 0.0):
                best[code] = score
    top = max(best.values(), default=0.0)
    ranked = sorted(
        ((c, s) for c, s in best.items() if s >= min_score and s >= top - 25.0),
        key=lambda cs: (-cs[1], cs[0]),
    )
    return ranked[:limit]


def _score(query: str, term: str) -> float:
    if not term:
        return 0.0
    if term == query:
        return 100.0
    shortest = 3 if query.isascii() else 2
    if min(len(term), len(query)) >= shortest and _contains(term, query):
        # the user typed part of a label or keyword: "พลาสติก" in "ฉีดพลาสติก"
        return 78.0 + 20.0 * len(query) / len(term)
    if min(len(term), len(query)) >= shortest and _contains(query, term):
        # a keyword inside a longer answer: "金型" in "金型製造"; a short term in a long
        # answer is weak evidence ("ยา" inside "ยานยนต์")
        return 55.0 + 43.0 * len(term) / len(query)
    if len(query) >= 3:
        # WRatio's partial matching makes short terms match inside anything ("arts" in
        # "plastic parts"); short terms must match as a whole
        return (fuzz.WRatio(query, term) if len(term) >= 6 else fuzz.ratio(query, term)) * 0.9
    return 0.0
