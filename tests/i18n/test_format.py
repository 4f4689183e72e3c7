"""Dates, money, phones, lists, places, certificates and names, the reader's way."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from language.format import company_name, date_text, join_list, money_text, phone_text, year_text
from language.reference import cert_label, certs_text, place_label, term


@pytest.mark.parametrize(
    ("lang", "expected"),
    [("th", "20 พ.ค. 2568"), ("ja", "2025年5月20日"), ("en", "20 May 2025")],
)
def test_dates(lang: str, expected: str) -> None:
    assert date_text(date(2025, 5, 20), lang) == expected
    assert date_text("2025-05-20", lang) == expected
    assert date_text(datetime(2025, 5, 20, 23, 0, tzinfo=UTC), lang) == expected


def test_years_are_buddhist_era_in_thai() -> None:
    assert [year_text(2017, lang) for lang in ("th", "ja", "en")] == ["2560", "2017年", "2017"]
    assert date_text("2019", "th") == "พ.ศ. 2562"
    assert date_text("2019", "ja") == "2019年"
    assert [date_text("2024-06", lang) for lang in ("th", "ja", "en")] == [
        "มิ.ย. 2567",
        "2024年6月",
        "June 2024",
    ]
    assert date_text("unknown", "th") == "unknown"
    assert date_text("2024-01-31", "th") == "31 ม.ค. 2567"
    assert date_text("2024-12-01", "en") == "1 December 2024"


@pytest.mark.parametrize(
    ("amount", "th", "ja", "en"),
    [
        (1_000_000_000, "1,000 ล้านบาท", "10億バーツ", "1 billion baht"),
        (1_800_000, "1.8 ล้านบาท", "180万バーツ", "1.8 million baht"),
        (150_000_000, "150 ล้านบาท", "1億5,000万バーツ", "150 million baht"),
        (500_000, "500,000 บาท", "50万バーツ", "500,000 baht"),
        (9_800, "9,800 บาท", "9,800バーツ", "9,800 baht"),
    ],
)
def test_money(amount: int, th: str, ja: str, en: str) -> None:
    assert [money_text(amount, lang) for lang in ("th", "ja", "en")] == [th, ja, en]


def test_yen() -> None:
    assert money_text(30_000_000, "ja", currency="JPY") == "3,000万円"
    assert money_text(30_000_000, "th", currency="JPY") == "30 ล้านเยน"


def test_phones_national_for_a_reader_of_that_country_else_international() -> None:
    assert phone_text("+66812345678", "th") == "081-234-5678"
    assert phone_text("+6621234567", "th") == "02-123-4567"
    assert phone_text("+66812345678", "ja") == "+66 81 234 5678"
    assert phone_text("+81312345678", "ja") == "03-1234-5678"
    assert phone_text("+819012345678", "ja") == "090-1234-5678"
    assert phone_text("+81521234567", "th").startswith("+81 52")
    assert phone_text("not a phone", "en") == "not a phone"


def test_lists_joined_the_readers_way() -> None:
    items = ["ISO 9001", "IATF 16949", "GMP"]
    assert join_list(items, "ja") == "ISO 9001、IATF 16949、GMP"
    assert join_list(items, "th") == "ISO 9001, IATF 16949 และ GMP"
    assert join_list(items, "en") == "ISO 9001, IATF 16949 and GMP"
    assert join_list(["GMP"], "en") == "GMP"


def test_places_in_the_readers_language() -> None:
    assert place_label("Pathum Thani", "ja") == "パトゥムターニー"
    assert place_label("Samut Prakan", "th") == "สมุทรปราการ"
    assert place_label("Aichi", "ja") == "愛知県"
    assert place_label("Aichi", "th") == "ไอจิ"
    assert place_label("chon buri", "ja") == place_label("Chonburi", "ja") == "チョンブリー"
    assert place_label("Atlantis", "ja") == "Atlantis"
    assert place_label(None, "th") == ""


def test_certificates_in_the_readers_language() -> None:
    assert cert_label("Halal", "ja") == "ハラール"
    assert cert_label("halal", "th") == "ฮาลาล"
    assert cert_label("Thai FDA", "ja") == "タイFDA（食品医薬品局）"
    assert cert_label("ISO-9001:2015", "th") == "ISO 9001"
    assert certs_text(["ISO 9001", "Halal"], "ja") == "ISO 9001、ハラール"
    assert certs_text(["ISO 9001", "Halal", "Thai FDA"], "th") == "ISO 9001, ฮาลาล และ อย."


def test_a_name_in_the_readers_script_else_english_else_as_written() -> None:
    jp, jp_en = "三河ブレーキ工業株式会社", "Mikawa Brake Industries"
    th, th_en = "บริษัท สยามพลาสติก จำกัด", "Siam Plastic Co., Ltd."
    assert company_name(jp, jp_en, "ja") == jp
    assert company_name(jp, jp_en, "th") == jp_en
    assert company_name(jp, None, "th") == jp
    assert company_name(th, th_en, "ja") == th_en
    assert company_name(th, th_en, "th") == th
    assert company_name(th, th_en, "en") == th_en
    assert company_name("Acme KK", None, "ja") == "Acme KK"


def test_glossary_terms() -> None:
    assert term("osmep", "th", abbreviated=True) == "สสว."
    assert term("osmep", "ja") == "タイ中小企業振興事務局（OSMEP）"
    assert "revenue decides" in term("size_rule", "en")
