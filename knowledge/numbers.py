"""Amounts and years written in different ways, reduced to one term each.

"20 billion baht", "20,000 ล้านบาท", "2 หมื่นล้าน" and "200億バーツ" all become `#n20000000000`;
"2024", "2567", "ปี 67" and "2024年" all become `#y2024`. A question and a sentence that
name the same amount or year then share a term, whatever the language or the wording.
"""

from __future__ import annotations

import re

# Multipliers after a number, longest first so "หมื่นล้าน" wins over "ล้าน".
_MULTIPLIERS = {
    "แสนล้าน": 10**11,
    "หมื่นล้าน": 10**10,
    "พันล้าน": 10**9,
    "ล้าน": 10**6,
    "แสน": 10**5,
    "หมื่น": 10**4,
    "trillion": 10**12,
    "billion": 10**9,
    "million": 10**6,
    "bn": 10**9,
    "千万": 10**7,
    "百万": 10**6,
    "億": 10**8,
    "万": 10**4,
}
_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*("
    + "|".join(sorted(map(re.escape, _MULTIPLIERS), key=len, reverse=True))
    + r")?(?![\d])",
    re.IGNORECASE,
)
# A Japanese amount written in two parts: "44億2,300万" is 4,423 million.
_JA_COMPOUND = re.compile(r"(\d+)億(\d{1,3}(?:,\d{3})*|\d+)万")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d|25[4-7]\d)(?!\d)")
# Colloquial Thai two-digit Buddhist-era years: "ปี 67", "ปี67", "ต.ค. 60".
_SHORT_BE = re.compile(r"(?:ปี|พ\.ศ\.|\.ค\.|\.ย\.)\s*([5-9]\d)(?!\d)")


def _to_year(value: int) -> int:
    return value - 543 if value > 2400 else value


def years(text: str) -> set[int]:
    found = {_to_year(int(y)) for y in _YEAR.findall(text)}
    found.update(_to_year(2500 + int(y)) for y in _SHORT_BE.findall(text))
    return found


def amounts(text: str) -> set[int]:
    """Numbers other than years, with their multiplier applied (rounded to an integer)."""
    found: set[int] = set()
    for big, small in _JA_COMPOUND.findall(text):
        found.add(int(big) * 10**8 + int(small.replace(",", "")) * 10**4)
    text = _SHORT_BE.sub(" ", _JA_COMPOUND.sub(" ", text))
    for match in _NUMBER.finditer(text):
        whole, fraction, word = match.groups()
        digits = whole.replace(",", "")
        if not word and _YEAR.fullmatch(digits):
            continue
        value = float(f"{digits}.{fraction}" if fraction else digits)
        if word:
            value *= _MULTIPLIERS[word.lower()]
        found.add(round(value))
    return found


def number_terms(text: str) -> set[str]:
    """`#y<year>` for each year and `#n<value>` for each amount named in `text`."""
    return {f"#y{y}" for y in years(text)} | {f"#n{n}" for n in amounts(text)}
