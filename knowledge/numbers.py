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
    "ร้อยล้าน": 10**8,
    "หมื่นล้าน": 10**10,
    "พันล้าน": 10**9,
    "ล้าน": 10**6,
    "ล.": 10**6,  # "5 ล." in chat: ล้าน abbreviated
    "แสน": 10**5,
    "หมื่น": 10**4,
    "trillion": 10**12,
    "billion": 10**9,
    "million": 10**6,
    "bn": 10**9,
    "mil": 10**6,
    "mn": 10**6,
    "m": 10**6,  # "5m baht", "10 mil" in chat
    "k": 10**3,
    "千万": 10**7,
    "百万": 10**6,
    "億": 10**8,
    "万": 10**4,
}


def _multiplier(word: str) -> str:
    """A Latin multiplier only as a whole word ("5m", "10 millions", not "5 months")."""
    return re.escape(word) + (r"s?(?![a-z])" if word.isascii() and word[0].isalpha() else "")


_NUMBER = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d+))?\s*("
    + "|".join(map(_multiplier, sorted(_MULTIPLIERS, key=len, reverse=True)))
    + r")?(?![\d])",
    re.IGNORECASE,
)
# Thai amounts written in words, as in chat: "สิบล้าน" (10 million), "ห้าแสน" (500,000),
# "สองหมื่นล้าน" (20,000 million), "สิบห้าล้าน" (15 million).
_THAI_DIGITS = {
    "หนึ่ง": 1,
    "นึง": 1,
    "เอ็ด": 1,
    "สอง": 2,
    "ยี่": 2,
    "สาม": 3,
    "สี่": 4,
    "ห้า": 5,
    "หก": 6,
    "เจ็ด": 7,
    "แปด": 8,
    "เก้า": 9,
}
_THAI_DIGIT = "|".join(_THAI_DIGITS)
_THAI_WORDS = re.compile(
    rf"(?:({_THAI_DIGIT})?(สิบ))?({_THAI_DIGIT})?\s*("
    + "|".join(sorted((w for w in _MULTIPLIERS if "\u0e00" <= w[0] <= "\u0e7f"), key=len)[::-1])
    + ")"
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
            word = word.lower()
            value *= _MULTIPLIERS[word if word in _MULTIPLIERS else word[:-1]]  # "millions"
        found.add(round(value))
    for tens_digit, ten, unit, word in _THAI_WORDS.findall(text):
        if not (ten or unit) or word == "ล.":
            continue
        tens = (_THAI_DIGITS[tens_digit] if tens_digit else 1) if ten else 0
        found.add((tens * 10 + (_THAI_DIGITS[unit] if unit else 0)) * _MULTIPLIERS[word])
    return found


def number_terms(text: str) -> set[str]:
    """`#y<year>` for each year and `#n<value>` for each amount named in `text`."""
    return {f"#y{y}" for y in years(text)} | {f"#n{n}" for n in amounts(text)}
