"""Reference vocabularies (`language/data/`): choice lists, provinces, prefectures.

A `Choice` has a stable code (what is stored), labels in th/ja/en and extra aliases; typed
answers are matched against all of them, fuzzily, so "suplier", "ซัพพลายเออ" or "仕入先"
all mean "supplier".
"""

from __future__ import annotations

import csv
import re
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from core.types import Lang
from language.normalize import fold

DATA_DIR = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Choice:
    code: str
    th: str
    ja: str
    en: str
    aliases: tuple[str, ...] = ()

    def label(self, lang: Lang | str) -> str:
        return {"th": self.th, "ja": self.ja}.get(lang, self.en) or self.en

    def terms(self) -> tuple[str, ...]:
        labels = (self.th, self.ja, self.en)
        # the parts of a compound label count on their own: "仕入先・サプライヤー", "Buyer / customer"
        parts = tuple(p for label in labels for p in re.split(r"[・/／()（）]", label) if p.strip())
        return (self.code, *labels, *self.aliases, *parts)


def match_choices(
    text: str, choices: tuple[Choice, ...], *, min_score: float = 80.0
) -> list[tuple[Choice, float]]:
    """Choices matching `text`, best first: exact terms score 100, small misspellings less."""
    query = fold(text)
    if not query:
        return []
    scored: list[tuple[Choice, float]] = []
    for choice in choices:
        best = 0.0
        for term in choice.terms():
            folded = fold(term)
            if not folded:
                continue
            if folded == query:
                best = 100.0
                break
            if len(query) >= 3 and len(folded) >= 3:
                best = max(best, fuzz.ratio(query, folded))
                if len(query) >= 4 and folded.startswith(query):
                    best = max(best, 90.0)  # a prefix: "ฉะเชิง", "chachoeng"
        if best >= min_score:
            scored.append((choice, best))
    scored.sort(key=lambda cs: -cs[1])
    return scored


def best_choice(text: str, choices: tuple[Choice, ...]) -> Choice | None:
    """The single clear match for `text`, or None when there is none or it is ambiguous."""
    scored = match_choices(text, choices)
    if not scored:
        return None
    if len(scored) > 1 and scored[1][1] >= scored[0][1] - 3 and scored[0][1] < 100:
        return None
    return scored[0][0]


def _aliases(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(a.strip() for a in value.split("|") if a.strip())
    return tuple(value or ())


@cache
def _choices_toml() -> dict[str, Any]:
    with (DATA_DIR / "choices.toml").open("rb") as fh:
        return tomllib.load(fh)


@cache
def choice_list(name: str) -> tuple[Choice, ...]:
    table = _choices_toml()[name]
    return tuple(
        Choice(
            code=code,
            th=row["th"],
            ja=row["ja"],
            en=row["en"],
            aliases=_aliases(row.get("aliases")),
        )
        for code, row in table.items()
    )


@cache
def thai_provinces() -> tuple[Choice, ...]:
    with (DATA_DIR / "thai_provinces.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    # The code stored is the English name (the directory CSV's `location` is in English).
    return tuple(
        Choice(
            code=row["en"],
            th=row["th"],
            ja=row["ja"] or row["en"],
            en=row["en"],
            aliases=(row["code"], *_aliases(row["aliases"])),
        )
        for row in rows
    )


@cache
def jp_prefectures() -> tuple[Choice, ...]:
    with (DATA_DIR / "jp_prefectures.csv").open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return tuple(
        Choice(
            code=row["en"],
            th=row["th"] or row["en"],
            ja=row["ja"],
            en=row["en"],
            # "愛知" for "愛知県", "Aichi-ken", "Tokyo-to"
            aliases=(
                row["ja"].rstrip("都道府県") if len(row["ja"]) > 2 else row["ja"],
                f"{row['en']}-ken",
                f"{row['en']} prefecture",
                *_aliases(row["aliases"]),
            ),
        )
        for row in rows
    )
