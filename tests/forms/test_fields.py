"""Field types: fuzzy choices in three languages, multi-choice, places, the ISIC picker."""

from __future__ import annotations

from typing import Any

import pytest

from language import reference
from language.parse import Invalid
from registration.forms.definitions import JAPAN_FIRM_FORM, THAI_SME_FORM
from registration.forms.engine import Form
from registration.forms.fields import Candidates


def _field(form: Form, name: str) -> Any:
    found = form.field(name)
    assert found is not None
    return found


PARTNER = _field(THAI_SME_FORM, "partnership")
CERTS = _field(THAI_SME_FORM, "certifications")
PROVINCE = _field(THAI_SME_FORM, "province")
SECTOR_TH = _field(THAI_SME_FORM, "sector")
SECTOR_JP = _field(JAPAN_FIRM_FORM, "sector")
PREFECTURE = _field(JAPAN_FIRM_FORM, "prefecture")
THAI_BASE = _field(JAPAN_FIRM_FORM, "thai_base")
CONSENT = _field(THAI_SME_FORM, "consent")


def test_reference_data_is_complete() -> None:
    provinces = reference.thai_provinces()
    assert len(provinces) == 77
    assert len({p.code for p in provinces}) == 77
    assert all(p.th and p.en for p in provinces)
    prefectures = reference.jp_prefectures()
    assert len(prefectures) == 47
    assert all(p.ja and p.en for p in prefectures)
    assert [c.code for c in reference.choice_list("partner_types")] == [
        "supplier", "buyer", "oem", "joint_venture", "technology", "distribution", "investment",
    ]  # fmt: skip
    assert [c.code for c in reference.choice_list("certifications")] == [
        "ISO 9001", "ISO 14001", "IATF 16949", "ISO 13485", "GMP", "HACCP", "Halal", "Thai FDA", "JIS", "other",
    ]  # fmt: skip
    for name in ("partner_types", "certifications", "yes_no", "consent"):
        for choice in reference.choice_list(name):
            assert choice.th and choice.ja and choice.en


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (["supplier"], ["supplier"]),
        (["suplier"], ["supplier"]),  # misspelt
        (["ซัพพลายเออร์"], ["supplier"]),
        (["ซัพพลายเออ"], ["supplier"]),  # misspelt Thai
        (["仕入先・サプライヤー"], ["supplier"]),
        (["販売代理店"], ["distribution"]),
        (["distributer"], ["distribution"]),
        (["OEM"], ["oem"]),
        (["合弁"], ["joint_venture"]),
        (["joint venture, investor"], ["joint_venture", "investment"]),
        (["ลูกค้า, ตัวแทน"], ["buyer", "distribution"]),
        (["1, 3"], ["supplier", "oem"]),
        (["2"], ["buyer"]),
    ],
)
def test_partner_types_typed(text: list[str], expected: list[str]) -> None:
    assert PARTNER.parse_many(text[0]) == expected


@pytest.mark.parametrize("text", ["banana", "8", "0", "ซื้อขายหุ้น"])
def test_partner_types_unknown(text: str) -> None:
    with pytest.raises(Invalid) as exc:
        PARTNER.parse_many(text)
    assert exc.value.key == "form.error.choice"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("iso9001", ["ISO 9001"]),
        ("ISO 9001、IATF16949", ["ISO 9001", "IATF 16949"]),
        ("ฮาลาล", ["Halal"]),
        ("ハラール", ["Halal"]),
        ("อย.", ["Thai FDA"]),
        ("haccp and gmp", ["HACCP", "GMP"]),
    ],
)
def test_certifications_typed(text: str, expected: list[str]) -> None:
    assert CERTS.parse_many(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ชลบุรี", "Chonburi"),
        ("Chonburi", "Chonburi"),
        ("chon buri", "Chonburi"),
        ("Chonbury", "Chonburi"),  # misspelt
        ("กทม", "Bangkok"),
        ("bangkok", "Bangkok"),
        ("バンコク", "Bangkok"),
        ("อยุธยา", "Phra Nakhon Si Ayutthaya"),
        ("ระยอง", "Rayong"),
        ("Nakhon Ratchasima", "Nakhon Ratchasima"),
        ("โคราช", "Nakhon Ratchasima"),
        ("จังหวัดชลบุรี", "Chonburi"),
        ("จ.ระยอง", "Rayong"),
        ("Rayong province", "Rayong"),
        ("Samut Prakan, Thailand", "Samut Prakan"),
    ],
)
def test_province(text: str, expected: str) -> None:
    assert PROVINCE.parse(text, "th") == expected


def test_province_ambiguous_offers_candidates() -> None:
    found = PROVINCE.parse("Nakhon", "en")
    assert isinstance(found, Candidates)
    assert "Nakhon Pathom" in found.codes and "Nakhon Sawan" in found.codes


def test_province_unknown() -> None:
    with pytest.raises(Invalid) as exc:
        PROVINCE.parse("Osaka", "en")
    assert exc.value.key == "form.error.place"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("愛知県", "Aichi"),
        ("愛知", "Aichi"),
        ("aichi", "Aichi"),
        ("Aichi-ken", "Aichi"),
        ("東京都", "Tokyo"),
        ("Tokio", "Tokyo"),
        ("โตเกียว", "Tokyo"),
        ("大阪", "Osaka"),
        ("北海道", "Hokkaido"),
    ],
)
def test_prefecture(text: str, expected: str) -> None:
    assert PREFECTURE.parse(text, "ja") == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("はい", "yes"),
        ("あり", "yes"),
        ("yes", "yes"),
        ("มี", "yes"),
        ("no", "no"),
        ("なし", "no"),
        ("ไม่มี", "no"),
        ("1", "yes"),
        ("2", "no"),
    ],
)
def test_yes_no(text: str, expected: str) -> None:
    assert THAI_BASE.parse(text, "ja") == expected


def test_consent_only_agreeing_answers() -> None:
    assert CONSENT.parse("ยินยอม", "th") == "agree"
    assert CONSENT.parse("同意します", "ja") == "agree"
    assert CONSENT.parse("I agree", "en") == "agree"
    for text in ("ไม่ยินยอม", "同意しません", "I do not agree", "maybe"):
        with pytest.raises(Invalid):
            CONSENT.parse(text, "en")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("พลาสติก", "22"),
        ("金型", "25"),
        ("food", "10"),
        ("software", "62"),
        ("โรงแรม", "55"),
        ("ชิ้นส่วนยานยนต์", "29"),
        ("食品", "10"),
        ("22", "22"),
    ],
)
def test_division_direct(text: str, expected: str) -> None:
    assert SECTOR_TH.parse(text, "th") == expected


def test_division_candidates_for_a_vague_word() -> None:
    found = SECTOR_TH.parse("metal", "en")
    assert isinstance(found, Candidates)
    assert {"24", "25"} <= set(found.codes)
    assert 1 < len(found.codes) <= 5


def test_division_misspelt_word_still_found() -> None:
    found = SECTOR_TH.parse("plastik", "en")
    codes = found.codes if isinstance(found, Candidates) else (found,)
    assert "22" in codes


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("JSIC 18", "22"),
        ("jsic 19", "22"),
        ("E24", "25"),
        ("Ｅ２４", "25"),
        ("jsic 39", "62"),
        ("I52", "46"),
    ],
)
def test_jsic_codes_map_to_isic(text: str, expected: str) -> None:
    assert SECTOR_JP.parse(text, "ja") == expected


def test_bare_number_on_japanese_form_offers_both_readings() -> None:
    found = SECTOR_JP.parse("24", "ja")
    # ISIC 24 is basic metals; JSIC 24 (fabricated metal products) maps to ISIC 25
    assert isinstance(found, Candidates)
    assert found.codes == ("24", "25")


def test_jsic_not_accepted_on_thai_form_and_bad_codes() -> None:
    with pytest.raises(Invalid):
        SECTOR_TH.parse("E24", "th")
    with pytest.raises(Invalid) as exc:
        SECTOR_TH.parse("04", "th")  # no ISIC division 04
    assert exc.value.key == "form.error.division_code"
    with pytest.raises(Invalid):
        SECTOR_JP.parse("A24", "ja")  # JSIC 24 is in major E, not A
    with pytest.raises(Invalid):
        SECTOR_TH.parse("xyzzy", "en")


def test_number_field_bounds() -> None:
    employees = _field(THAI_SME_FORM, "employees")
    assert employees.parse("๑๒๐", "th") == 120
    with pytest.raises(Invalid) as exc:
        employees.parse("2,000,000", "en")
    assert exc.value.key == "form.error.number_max"
    assert employees.display(1200, "en") == "1,200 people"
    assert employees.display(1200, "ja") == "1,200名"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bang Lamung, Chon Buri 20150, Thailand", "Chonburi"),
        ("123 หมู่ 4 อ.ศรีราชา จ.ชลบุรี 20230", "Chonburi"),
        ("นิคมอุตสาหกรรมอมตะซิตี้ ระยอง", "Rayong"),
    ],
)
def test_province_found_inside_an_address(text: str, expected: str) -> None:
    assert PROVINCE.parse(text, "th") == expected


def test_prefecture_found_inside_an_address() -> None:
    assert PREFECTURE.parse("愛知県名古屋市中区1-2-3", "ja") == "Aichi"
    assert PREFECTURE.parse("Nagoya, Aichi 460-0001", "en") == "Aichi"


def test_everyday_thai_words_are_not_provinces() -> None:
    with pytest.raises(Invalid):
        PROVINCE.parse("ไม่ทราบเลยค่ะ", "th")  # contains เลย (Loei) as a word


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("ピッサヌローク", "Phitsanulok"),
        ("ウドンタニ", "Udon Thani"),
        ("シラチャ", "Chonburi"),
        ("アマタナコン工業団地", "Chonburi"),
        ("Wellgrow", "Chachoengsao"),
    ],
)
def test_thai_base_in_japanese_and_by_industrial_area(text: str, expected: str) -> None:
    assert _field(JAPAN_FIRM_FORM, "thai_base_location").parse(text, "ja") == expected


def test_every_thai_province_has_a_japanese_name() -> None:
    assert all(p.ja != p.en for p in reference.thai_provinces())


def test_multi_choice_names_the_item_it_did_not_understand() -> None:
    with pytest.raises(Invalid) as exc:
        CERTS.parse_many("ISO 9001, Michelin star")
    assert exc.value.key == "form.error.choice_item"
    assert exc.value.params == {"item": "Michelin star"}


@pytest.mark.parametrize(
    ("field", "typed", "codes", "unknown"),
    [
        ("partnership", "ลูกค้า กับ ถ่ายทอดเทคโนโลยี", ["buyer", "technology"], []),
        ("partnership", "ลูกค้า กับ อะไรสักอย่าง", ["buyer"], ["อะไรสักอย่าง"]),
        ("certifications", "ฮาลาล อย.", ["Halal", "Thai FDA"], []),
        ("certifications", "ISO 9001、HACCP・GMP", ["ISO 9001", "HACCP", "GMP"], []),
        ("certifications", "ISO 9001 และ IATF 16949", ["ISO 9001", "IATF 16949"], []),
    ],
)
def test_typed_lists_keep_every_item_or_name_it(field, typed, codes, unknown) -> None:
    from registration.forms.definitions import FORMS, TH_SME
    from registration.forms.fields import MultiChoiceField

    fld = {f.name: f for f in FORMS[TH_SME].fields}[field]
    assert isinstance(fld, MultiChoiceField)
    assert fld.parse_items(typed) == (codes, unknown)
