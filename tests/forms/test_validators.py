"""Every validator with valid and invalid input, including check-digit vectors."""

from __future__ import annotations

import pytest

from language import parse as v
from language.parse import Invalid

# -- numbers ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1200", 1200),
        ("1,200", 1200),
        ("๑๒๐๐", 1200),
        ("๑,๒๐๐", 1200),
        ("１２００", 1200),
        ("１，２００", 1200),
        (" 45 ", 45),
        ("45 คน", 45),
        ("45名", 45),
        ("120 employees", 120),
        ("0", 0),
        ("5 ล้าน", 5_000_000),
        ("12ล้านบาท", 12_000_000),
        ("1.2 million", 1_200_000),
        ("3億円", 300_000_000),
        ("1200万", 12_000_000),
        ("20k", 20_000),
        ("12,000,000 baht", 12_000_000),
        ("ประมาณ 50 คน", 50),
        ("about 1,200", 1200),
        ("約300名", 300),
    ],
)
def test_number_accepts(text: str, expected: int) -> None:
    assert v.parse_number(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("", "form.error.number"),
        ("abc", "form.error.number"),
        ("twelve", "form.error.number"),
        ("1,20", "form.error.number"),
        ("12 apples", "form.error.number"),
        ("-5", "form.error.number_negative"),
        ("2.5", "form.error.number_whole"),
        ("1.2.3", "form.error.number"),
    ],
)
def test_number_rejects(text: str, key: str) -> None:
    with pytest.raises(Invalid) as exc:
        v.parse_number(text)
    assert exc.value.key == key


# -- Thai juristic person id -------------------------------------------------------------


def test_thai_check_digit_by_hand() -> None:
    # 0*13 + 1*12 + 0*11 + 5*10 + 5*9 + 3*8 + 6*7 + 0*6 + 0*5 + 3*4 + 7*3 + 7*2 = 220;
    # 220 mod 11 = 0; (11 - 0) mod 10 = 1
    assert v.thai_id_check_digit("010553600377") == 1


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0105536003771", "0105536003771"),
        ("0-1055-36003-77-1", "0105536003771"),
        ("0105 536 003 771", "0105536003771"),
        ("๐๑๐๕๕๓๖๐๐๓๗๗๑", "0105536003771"),
        ("０１０５５３６００３７７１", "0105536003771"),
        ("0526018159088", "0526018159088"),
        ("0301661318603", "0301661318603"),
        ("0913909960300", "0913909960300"),
    ],
)
def test_thai_juristic_accepts(text: str, expected: str) -> None:
    assert v.parse_thai_juristic_id(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("0105536003772", "form.error.check_digit"),  # last digit changed
        ("0105536003717", "form.error.check_digit"),  # two digits swapped
        ("010553600377", "form.error.th_juristic_length"),  # 12 digits
        ("01055360037711", "form.error.th_juristic_length"),  # 14 digits
        ("1101700203451", "form.error.th_juristic_prefix"),  # a citizen id format, not a company
        ("0105536OO3771", "form.error.th_juristic_digits"),  # letters O for zeros
        ("", "form.error.th_juristic_digits"),
    ],
)
def test_thai_juristic_rejects(text: str, key: str) -> None:
    with pytest.raises(Invalid) as exc:
        v.parse_thai_juristic_id(text)
    assert exc.value.key == key


# -- Japanese corporate number (法人番号) -------------------------------------------------


def test_jp_check_digit_by_hand() -> None:
    # base 000012050002, digits from the right weighted 1,2,1,2,...:
    # 2*1 + 0*2 + 0*1 + 0*2 + 5*1 + 0*2 + 2*1 + 1*2 + 0 + 0 + 0 + 0 = 11; 9 - 11 mod 9 = 7
    assert v.jp_corporate_check_digit("000012050002") == 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("7000012050002", "7000012050002"),
        ("７００００１２０５０００２", "7000012050002"),
        ("7-0000-1205-0002", "7000012050002"),
        ("5010001008846", "5010001008846"),
        ("3180001031569", "3180001031569"),
    ],
)
def test_jp_corporate_accepts(text: str, expected: str) -> None:
    assert v.parse_jp_corporate_number(text) == expected


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("8000012050002", "form.error.check_digit"),  # wrong check digit
        ("7000012050003", "form.error.check_digit"),  # base changed
        ("7000021050002", "form.error.check_digit"),  # digits swapped
        ("700001205000", "form.error.jp_corporate_length"),
        ("0105536003771", "form.error.check_digit"),  # a Thai id is not a 法人番号
        ("T7000012050002", "form.error.jp_corporate_digits"),  # invoice number format, with T
        ("七〇〇〇", "form.error.jp_corporate_digits"),
    ],
)
def test_jp_corporate_rejects(text: str, key: str) -> None:
    with pytest.raises(Invalid) as exc:
        v.parse_jp_corporate_number(text)
    assert exc.value.key == key


# -- phone -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "region", "expected"),
    [
        ("081-234-5678", "TH", "+66812345678"),
        ("0812345678", "TH", "+66812345678"),
        ("๐๘๑-๒๓๔-๕๖๗๘", "TH", "+66812345678"),
        ("+66 81 234 5678", "TH", "+66812345678"),
        ("+66 (0)81 234 5678", "TH", "+66812345678"),
        ("66812345678", "TH", "+66812345678"),
        ("0066812345678", "TH", "+66812345678"),
        ("02-123-4567", "TH", "+6621234567"),
        ("038 123 456", "TH", "+6638123456"),
        ("061.234.5678", "TH", "+66612345678"),
        ("03-1234-5678", "JP", "+81312345678"),
        ("090-1234-5678", "JP", "+819012345678"),
        ("０９０－１２３４－５６７８", "JP", "+819012345678"),
        ("090ー1234ー5678", "JP", "+819012345678"),
        ("0120-123-456", "JP", "+81120123456"),
        ("052-123-4567", "JP", "+81521234567"),
        ("+81 3-1234-5678", "JP", "+81312345678"),
        ("81312345678", "JP", "+81312345678"),
        ("+66 2 123 4567", "JP", "+6621234567"),  # a Thai office of a Japanese firm
        ("+81 90 1234 5678", "TH", "+819012345678"),
        ("+1 415 555 2671", "TH", "+14155552671"),
    ],
)
def test_phone_accepts(text: str, region: str, expected: str) -> None:
    assert v.parse_phone(text, region=region) == expected


@pytest.mark.parametrize(
    ("text", "region"),
    [
        ("12345", "TH"),
        ("081-234-567", "TH"),  # mobile one digit short
        ("081-234-56789", "TH"),  # one digit long
        ("02-123-45678", "TH"),  # Bangkok landline too long
        ("012345678", "TH"),  # 01 is not in use
        ("1234567890", "TH"),  # no trunk 0
        ("+66 12 345 678", "TH"),
        ("call me", "TH"),
        ("081-234-5678 ext", "TH"),
        ("03-1234-567", "JP"),  # landline one digit short
        ("090-1234-567", "JP"),  # mobile one digit short
        ("0312345678901", "JP"),
        ("+81 90 1234 567", "JP"),
        ("+0 123 4567", "JP"),
        ("", "JP"),
    ],
)
def test_phone_rejects(text: str, region: str) -> None:
    with pytest.raises(Invalid):
        v.parse_phone(text, region=region)


# -- email -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("somchai@example.co.th", "somchai@example.co.th"),
        ("Tanaka.Taro@Example.CO.JP", "Tanaka.Taro@example.co.jp"),
        ("ｔａｎａｋａ＠ｅｘａｍｐｌｅ．ｊｐ", "tanaka@example.jp"),
        ("  a+tag@sub.example.com ", "a+tag@sub.example.com"),
    ],
)
def test_email_accepts(text: str, expected: str) -> None:
    assert v.parse_email(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "somchai",
        "somchai@",
        "@example.com",
        "a@b",
        "a@@b.com",
        "a..b@example.com",
        "a@example..com",
        ".a@example.com",
        "a@-example.com",
        "สมชาย@example.com",
        "a@example.c",
    ],
)
def test_email_rejects(text: str) -> None:
    with pytest.raises(Invalid) as exc:
        v.parse_email(text)
    assert exc.value.key == "form.error.email"


# -- free text ---------------------------------------------------------------------------


def test_text_trims_and_limits() -> None:
    assert v.parse_text("  บริษัท   ทดสอบ  ") == "บริษัท ทดสอบ"
    with pytest.raises(Invalid) as exc:
        v.parse_text("   ")
    assert exc.value.key == "form.error.text_short"
    with pytest.raises(Invalid) as exc:
        v.parse_text("x" * 301)
    assert exc.value.key == "form.error.text_long"
    assert exc.value.params == {"max": 300}


@pytest.mark.parametrize(
    ("typed", "expected"),
    [("約120名", 120), ("120名程度", 120), ("従業員120人", 120), ("พนักงาน 50 คน", 50)],
)
def test_words_around_a_count_are_read(typed: str, expected: int) -> None:
    assert v.parse_number(typed) == expected


@pytest.mark.parametrize(
    ("typed", "region", "expected"),
    [
        ("โทร ๐๘๑-๒๓๔-๕๖๗๘", "TH", "+66812345678"),
        ("เบอร์ 0812345678", "TH", "+66812345678"),
        ("Tel: 081-234-5678", "TH", "+66812345678"),
        ("電話 03-1234-5678", "JP", "+81312345678"),
    ],
)
def test_words_before_a_phone_number_are_read(typed: str, region: str, expected: str) -> None:
    assert v.parse_phone(typed, region=region) == expected
