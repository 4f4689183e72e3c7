"""Parsers for typed answers. Each returns the normalised value or raises Invalid.

`Invalid.key` is a catalogue key explaining what is wrong (shown to the user in their
language); `params` fill its placeholders.
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from language.normalize import normalize_text


class Invalid(ValueError):
    def __init__(self, key: str, **params: object) -> None:
        super().__init__(key)
        self.key = key
        self.params = params


# Dashes and separators people type in numbers: hyphen, en/em dash, minus, katakana long
# vowel mark (often typed for a hyphen in Japanese phone numbers), middle dots.
_SEPARATORS = re.compile(r"[\s\-‐‑‒–—―−ー－.()・]+")


def digits_only(text: str) -> str:
    return _SEPARATORS.sub("", normalize_text(text))


# -- numbers -------------------------------------------------------------------------

# Multipliers a number may carry: "5 ล้าน", "1.2 million", "3億", "1200万", "5m", "20k".
_MULTIPLIERS = {
    "ล้าน": 1_000_000,
    "แสน": 100_000,
    "หมื่น": 10_000,
    "พัน": 1_000,
    "million": 1_000_000,
    "mil": 1_000_000,
    "mn": 1_000_000,
    "m": 1_000_000,
    "billion": 1_000_000_000,
    "bn": 1_000_000_000,
    "b": 1_000_000_000,
    "thousand": 1_000,
    "k": 1_000,
    "億": 100_000_000,
    "千万": 10_000_000,
    "百万": 1_000_000,
    "万": 10_000,
    "千": 1_000,
}
_UNIT_WORDS = re.compile(
    r"(บาท|baht|thb|฿|円|yen|jpy|คน|people|persons|person|employees|staff|名|人|ราย)", re.IGNORECASE
)
# "about 50", "ประมาณ 50", "約50": an estimate is still the number
_APPROX_WORDS = re.compile(
    r"^(about|approx\.?|approximately|around|roughly|~|ประมาณ|ราว ?ๆ?|ราว|約|およそ|大体|だいたい)\s*"
)
# Words around a count: "従業員120人", "120名程度", "พนักงาน 50 คน", "staff of 80"
_COUNT_WORDS = re.compile(
    r"^(?:従業員(?:数)?(?:は)?|社員(?:数)?|พนักงาน(?:ประมาณ)?|มีพนักงาน|staff of|employees:?)\s*"
    r"|\s*(?:程度|ほど|くらい|ぐらい|前後|กว่า|โดยประมาณ|or so)$"
)
_NUMBER_RE = re.compile(r"^(\d+(?:,\d{3})*(?:\.\d+)?|\d*\.\d+)\s*([^\d\s]*)$")


def parse_number(text: str, *, allow_multiplier: bool = True) -> int:
    """A non-negative whole number: "1,200", "๑๒๐๐", "１２００", "5 ล้าน", "3億円"."""
    norm = normalize_text(text).lower()
    norm = _UNIT_WORDS.sub("", norm).strip()
    norm = _COUNT_WORDS.sub("", norm).strip()
    norm = _APPROX_WORDS.sub("", norm)
    norm = norm.replace(" ", "")
    if norm.startswith("-"):
        raise Invalid("form.error.number_negative")
    match = _NUMBER_RE.match(norm)
    if not match:
        raise Invalid("form.error.number")
    digits, unit = match.groups()
    try:
        value = Decimal(digits.replace(",", ""))
    except InvalidOperation:
        raise Invalid("form.error.number") from None
    if unit:
        factor = _MULTIPLIERS.get(unit)
        if factor is None or not allow_multiplier:
            raise Invalid("form.error.number")
        value *= factor
    if value != value.to_integral_value():
        raise Invalid("form.error.number_whole")
    return int(value)


# -- identifiers ---------------------------------------------------------------------


def thai_id_check_digit(first12: str) -> int:
    """Check digit of a Thai 13-digit id (juristic persons and citizens use the same rule)."""
    total = sum(int(d) * (13 - i) for i, d in enumerate(first12))
    return (11 - total % 11) % 10


def parse_thai_juristic_id(text: str) -> str:
    number = digits_only(text)
    if not number.isdigit():
        raise Invalid("form.error.th_juristic_digits")
    if len(number) != 13:
        raise Invalid("form.error.th_juristic_length", count=len(number))
    if number[0] != "0":
        # 13-digit ids beginning 1-8 are personal citizen ids, not juristic persons.
        raise Invalid("form.error.th_juristic_prefix")
    if thai_id_check_digit(number[:12]) != int(number[12]):
        raise Invalid("form.error.check_digit")
    return number


def jp_corporate_check_digit(base12: str) -> int:
    """法人番号 check digit: 9 - (sum of digit x (1 if odd position else 2) from the right) mod 9."""
    total = sum(int(d) * (1 if n % 2 == 1 else 2) for n, d in enumerate(reversed(base12), start=1))
    return 9 - total % 9


def parse_jp_corporate_number(text: str) -> str:
    number = digits_only(text)
    if not number.isdigit():
        raise Invalid("form.error.jp_corporate_digits")
    if len(number) != 13:
        raise Invalid("form.error.jp_corporate_length", count=len(number))
    if jp_corporate_check_digit(number[1:]) != int(number[0]):
        raise Invalid("form.error.check_digit")
    return number


# -- phone ---------------------------------------------------------------------------


def _international(number: str) -> str | None:
    """The digits after the country code if `number` is written internationally."""
    if number.startswith("+"):
        return number[1:]
    if number.startswith("00"):
        return number[2:]
    return None


def _thai_national(national: str) -> str:
    """E.164 for a Thai number given without the country code or trunk 0."""
    if len(national) == 9 and national[0] in "689":
        return "+66" + national  # mobile: 06/08/09 + 8 digits
    if len(national) == 8 and national[0] in "234567":
        return "+66" + national  # landline: 02 Bangkok, 03x-07x provinces
    raise Invalid("form.error.phone_th")


def _jp_national(national: str) -> str:
    """E.164 for a Japanese number given without the country code or trunk 0."""
    if len(national) == 10 and national[:2] in {"70", "80", "90", "50", "20"}:
        return "+81" + national  # mobile, IP phone, M2M: 0X0-XXXX-XXXX
    if (
        len(national) == 9
        and national[0] in "123456789"
        and national[:2] not in {"70", "80", "90", "50", "20"}
    ):
        return "+81" + national  # landline and 0120 free dial: 10 digits with the trunk 0
    raise Invalid("form.error.phone_jp")


# Words people put before a number: "โทร 081...", "เบอร์ 08...", "Tel: 03-...", "電話 03-..."
_PHONE_WORDS = re.compile(
    r"^(?:โทร(?:ศัพท์)?|เบอร์(?:โทร(?:ศัพท์)?)?|มือถือ|tel\.?|phone|mobile|電話(?:番号)?|携帯|連絡先)"
    r"\s*[:：]?\s*",
    re.IGNORECASE,
)


def parse_phone(text: str, *, region: str, lenient: bool = False) -> str:
    """A phone number in E.164. `region` ("TH" or "JP") says how to read a national number.

    International numbers (+66..., +81..., 0066..., 66...) are accepted on either form;
    other countries' numbers are accepted when written with + and of plausible length.
    `lenient` (directory imports, which cannot ask back) also takes a Thai or Japanese
    number that does not follow the national numbering plan, if its length is plausible.
    """
    raw = _PHONE_WORDS.sub("", normalize_text(text).replace("＋", "+"))
    number = _SEPARATORS.sub("", raw)
    if not re.fullmatch(r"\+?\d+", number):
        raise Invalid("form.error.phone_th" if region == "TH" else "form.error.phone_jp")
    intl = _international(number)
    if intl is None and region == "TH" and number.startswith("66") and len(number) in (10, 11):
        intl = number
    if intl is None and region == "JP" and number.startswith("81") and len(number) in (11, 12):
        intl = number
    national = _national(number, intl, region)
    if national is not None:
        country, rest = national
        try:
            return _thai_national(rest) if country == "66" else _jp_national(rest)
        except Invalid:
            if lenient and 8 <= len(country + rest) <= 15:
                return f"+{country}{rest}"
            raise
    if intl is not None:
        if 8 <= len(intl) <= 15 and intl[0] != "0":
            return "+" + intl
        raise Invalid("form.error.phone_intl")
    raise Invalid("form.error.phone_th" if region == "TH" else "form.error.phone_jp")


def _national(number: str, intl: str | None, region: str) -> tuple[str, str] | None:
    """(country code, national number) for a Thai or Japanese number, else None."""
    if intl is not None:
        for code in ("66", "81"):
            if intl.startswith(code):
                return code, intl[2:].removeprefix("0")
        return None
    if number.startswith("0"):
        return ("66" if region == "TH" else "81"), number[1:]
    return None


# -- email ---------------------------------------------------------------------------

_EMAIL_RE = re.compile(
    r"^[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@"
    r"(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}$"
)


def parse_email(text: str) -> str:
    value = normalize_text(text).replace(" ", "")
    if not _EMAIL_RE.match(value) or ".." in value or len(value) > 254:
        raise Invalid("form.error.email")
    local, domain = value.rsplit("@", 1)
    if local.startswith(".") or local.endswith("."):
        raise Invalid("form.error.email")
    return f"{local}@{domain.lower()}"


# -- free text -----------------------------------------------------------------------


def parse_text(text: str, *, min_len: int = 1, max_len: int = 300) -> str:
    value = " ".join(unicodedata.normalize("NFC", text).split())
    if len(value) < min_len:
        raise Invalid("form.error.text_short", min=min_len)
    if len(value) > max_len:
        raise Invalid("form.error.text_long", max=max_len)
    return value
