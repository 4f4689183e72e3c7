"""Dates, years, numbers, money, phones and lists written the reader's way.

Thai readers count years in the Buddhist era and abbreviate months ("20 พ.ค. 2568");
Japanese readers write 2025年5月20日 and count money in 万 and 億 ("10億バーツ"); English
readers read "20 May 2025" and "1 billion baht". Every feature formats through here, so a
Thai sentence never shows a Western year and a Japanese one never a half-width space
around its units.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import date, datetime

import phonenumbers

from core.types import Lang

BUDDHIST_ERA_OFFSET = 543

TH_MONTHS = (
    "ม.ค.",
    "ก.พ.",
    "มี.ค.",
    "เม.ย.",
    "พ.ค.",
    "มิ.ย.",
    "ก.ค.",
    "ส.ค.",
    "ก.ย.",
    "ต.ค.",
    "พ.ย.",
    "ธ.ค.",
)
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


def year_text(year: int, lang: Lang | str) -> str:
    """A calendar year: 2560 (Buddhist era) / 2017年 / 2017."""
    if lang == "th":
        return str(year + BUDDHIST_ERA_OFFSET)
    if lang == "ja":
        return f"{year}年"
    return str(year)


def date_text(day: date | datetime | str, lang: Lang | str) -> str:
    """20 พ.ค. 2568 / 2025年5月20日 / 20 May 2025. A string may be an ISO date, a year and
    month (พ.ค. 2568 / 2025年5月 / May 2025) or a bare year (พ.ศ. 2568 / 2025年 / 2025);
    anything else is returned as it is."""
    if isinstance(day, str):
        text = day.strip()
        if re.fullmatch(r"\d{4}", text):
            year = int(text)
            return f"พ.ศ. {year_text(year, lang)}" if lang == "th" else year_text(year, lang)
        if m := re.fullmatch(r"(\d{4})-(\d{1,2})", text):
            return _month_text(int(m.group(1)), int(m.group(2)), lang)
        try:
            day = date.fromisoformat(text[:10])
        except ValueError:
            return text
    if lang == "th":
        return f"{day.day} {TH_MONTHS[day.month - 1]} {day.year + BUDDHIST_ERA_OFFSET}"
    if lang == "ja":
        return f"{day.year}年{day.month}月{day.day}日"
    return f"{day.day} {EN_MONTHS[day.month - 1]} {day.year}"


def _month_text(year: int, month: int, lang: Lang | str) -> str:
    if not 1 <= month <= 12:
        return f"{year}-{month:02d}"
    if lang == "th":
        return f"{TH_MONTHS[month - 1]} {year + BUDDHIST_ERA_OFFSET}"
    if lang == "ja":
        return f"{year}年{month}月"
    return f"{EN_MONTHS[month - 1]} {year}"


def number_text(value: int | float, lang: Lang | str = "en") -> str:
    """Digits grouped by thousands (the same in all three languages): 1,234,567."""
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.1f}".rstrip("0").rstrip(".")
    return f"{int(value):,}"


def _trim(value: float) -> str:
    """At most one decimal, none when it is zero: 1.8, 10, 1,000."""
    rounded = round(value, 1)
    return number_text(int(rounded)) if rounded.is_integer() else f"{rounded:,.1f}"


CURRENCIES: dict[str, dict[str, str]] = {
    "THB": {"th": "บาท", "ja": "バーツ", "en": "baht"},
    "JPY": {"th": "เยน", "ja": "円", "en": "yen"},
}


def money_text(amount: int | float, lang: Lang | str, *, currency: str = "THB") -> str:
    """1,000 ล้านบาท / 10億バーツ / 1 billion baht; small sums grouped: 500,000 บาท."""
    unit = CURRENCIES[currency][lang if lang in ("th", "ja") else "en"]
    if lang == "ja":
        return _ja_money(int(amount)) + unit
    if lang == "th":
        if abs(amount) >= 1_000_000:
            return f"{_trim(amount / 1_000_000)} ล้าน{unit}"
        return f"{number_text(amount)} {unit}"
    for size, word in ((1_000_000_000_000, "trillion"), (1_000_000_000, "billion")):
        if abs(amount) >= size:
            return f"{_trim(amount / size)} {word} {unit}"
    if abs(amount) >= 1_000_000:
        return f"{_trim(amount / 1_000_000)} million {unit}"
    return f"{number_text(amount)} {unit}"


def _ja_money(amount: int) -> str:
    """Japanese units of 10^4: 1億5,000万, 180万, 9,800."""
    if amount < 10_000:
        return number_text(amount)
    parts = []
    rest = amount
    for size, word in ((10**12, "兆"), (10**8, "億"), (10**4, "万")):
        if rest >= size:
            parts.append(f"{number_text(rest // size)}{word}")
            rest %= size
    if rest:
        parts.append(number_text(rest))
    return "".join(parts)


# Whose national format a reader expects: a Thai reader dials Thai numbers the Thai way.
_READER_REGION = {"th": "TH", "ja": "JP"}


def phone_text(e164: str, lang: Lang | str) -> str:
    """A stored E.164 number as the reader dials it: the national format when the number is
    in the reader's own country (081-234-5678, 03-1234-5678), else the international one
    (+66 81 234 5678)."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    region = phonenumbers.region_code_for_number(number)
    fmt = (
        phonenumbers.PhoneNumberFormat.NATIONAL
        if _READER_REGION.get(str(lang)) == region
        else phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )
    text = phonenumbers.format_number(number, fmt)
    return text.replace(" ", "-") if fmt == phonenumbers.PhoneNumberFormat.NATIONAL else text


def join_list(items: Iterable[str], lang: Lang | str) -> str:
    """A list the reader's way: ISO 9001、ハラール / ISO 9001, ฮาลาล และ อย. / A, B and C."""
    parts = [item for item in items if item]
    if lang == "ja":
        return "、".join(parts)
    if len(parts) <= 1:
        return "".join(parts)
    last = " และ " if lang == "th" else " and "
    return ", ".join(parts[:-1]) + last + parts[-1]


_THAI = re.compile(r"[\u0e00-\u0e7f]")
_JAPANESE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff]")


def reads_in(text: str, lang: Lang | str) -> bool:
    """Whether a reader of `lang` can read `text`'s script (English: no Thai, kana or kanji)."""
    if lang == "th":
        return bool(_THAI.search(text)) and not _JAPANESE.search(text)
    if lang == "ja":
        return bool(_JAPANESE.search(text)) and not _THAI.search(text)
    return not (_THAI.search(text) or _JAPANESE.search(text))


def company_name(name: str, name_en: str | None, lang: Lang | str) -> str:
    """A company's name for a reader: in their own script if it is written so, else the
    English name given at registration, else the original."""
    if reads_in(name, lang):
        return name
    if name_en and name_en.strip():
        return name_en.strip()
    return name
