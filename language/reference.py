"""Reference vocabularies (`language/data/`): choice lists, provinces, prefectures.

A `Choice` has a stable code (what is stored), labels in th/ja/en and extra aliases; typed
answers are matched against all of them, fuzzily, so "suplier", "ซัพพลายเออ" or "仕入先"
all mean "supplier".
"""

from __future__ import annotations

import csv
import re
import tomllib
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from rapidfuzz import fuzz

from core.types import Lang
from language.format import join_list
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


# -- codes shown to a reader ------------------------------------------------------------


def _fold_key(text: str) -> str:
    return re.sub(r"[\s\-_.:]+", "", text).casefold()


@cache
def _places() -> dict[str, Choice]:
    """Every province and prefecture by its code, labels and aliases, folded."""
    table: dict[str, Choice] = {}
    for choice in (*thai_provinces(), *jp_prefectures()):
        for term in (choice.code, choice.th, choice.ja, choice.en, *choice.aliases):
            table.setdefault(_fold_key(term), choice)
    return table


def place_label(place: str | None, lang: Lang | str) -> str:
    """A Thai province or Japanese prefecture in the reader's language ("Pathum Thani" ->
    ปทุมธานี / パトゥムターニー); a place the reference data does not know stays as it is."""
    if not place:
        return ""
    choice = _places().get(_fold_key(place))
    return choice.label(lang) if choice is not None else place


@cache
def _certs() -> dict[str, Choice]:
    table: dict[str, Choice] = {}
    for choice in choice_list("certifications"):
        for term in (choice.code, choice.en, *choice.aliases):
            table.setdefault(_fold_key(re.sub(r":\d{4}$", "", term)), choice)
    return table


def cert_label(name: str, lang: Lang | str) -> str:
    """A certification's name in the reader's language ("Halal" -> ฮาลาล / ハラール); codes
    such as ISO 9001 read the same everywhere; unknown names stay as written."""
    choice = _certs().get(_fold_key(re.sub(r":\d{4}$", "", name.strip())))
    return choice.label(lang) if choice is not None else name.strip()


def certs_text(names: Iterable[str], lang: Lang | str) -> str:
    """Certifications in the reader's language, joined the reader's way."""
    return join_list((cert_label(n, lang) for n in names if n and n.strip()), lang)


# -- the glossary of agency, programme and field terms (language/data/glossary.toml) -----


@dataclass(frozen=True)
class Term:
    code: str
    th: str
    ja: str
    en: str
    short: dict[str, str]
    wrong: tuple[str, ...] = ()

    def label(self, lang: Lang | str, *, abbreviated: bool = False) -> str:
        if abbreviated and lang in self.short:
            return self.short[str(lang)]
        return {"th": self.th, "ja": self.ja}.get(str(lang), self.en)


@cache
def glossary() -> dict[str, Term]:
    with (DATA_DIR / "glossary.toml").open("rb") as fh:
        table = tomllib.load(fh)["term"]
    return {
        code: Term(
            code=code,
            th=row["th"],
            ja=row["ja"],
            en=row["en"],
            short=dict(row.get("short", {})),
            wrong=tuple(row.get("wrong", ())),
        )
        for code, row in table.items()
    }


def term(code: str, lang: Lang | str, *, abbreviated: bool = False) -> str:
    """A glossary term in the reader's language ("osmep" -> สสว. / OSMEP)."""
    return glossary()[code].label(lang, abbreviated=abbreviated)
