"""Both forms, end to end through Dialogue.handle, in th, ja and en; stored field by field."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlmodel import Session, select

from core.i18n import catalogue
from core.types import Channel
from language.detect import detect
from matching.models import Company, CompanyMember
from tests.registration.driver import Driver, button_data, texts

ERRORS = {
    lang: [
        entry[lang]
        for key, entry in catalogue().items()
        if key.startswith("form.error.")
        or key
        in {"form.stale_button", "fallback.stale_button", "reg.missing_answer", "form.pick_hint"}
    ]
    for lang in ("th", "ja", "en")
}

# A step is ("text", what the user types) or ("press", button data).
THAI_SME_SCRIPTS = {
    "th": [
        ("text", "บริษัท สยามพลาสติกพาร์ท จำกัด"),
        ("text", "Siam Plastic Parts Co., Ltd."),
        ("text", "๐-๑๐๕๕-๓๖๐๐๓-๗๗-๑"),
        ("text", "พลาสติก"),
        ("text", "ชิ้นส่วนพลาสติกฉีดขึ้นรูปสำหรับยานยนต์"),
        ("text", "ลูกค้า, รับจ้างผลิต"),
        ("text", "เสร็จแล้ว"),
        ("text", "หาลูกค้าญี่ปุ่นที่ต้องการชิ้นส่วนพลาสติก"),
        ("press", "reg:o:certifications:0"),
        ("press", "reg:o:certifications:2"),
        ("press", "reg:done:certifications"),
        ("text", "๑๒๐"),
        ("text", "80 ล้าน"),
        ("text", "ชลบุรี"),
        ("text", "ญี่ปุ่น, เวียดนาม"),
        ("text", "สมชาย ใจดี"),
        ("text", "081-234-5678"),
        ("text", "somchai@siamplastic.co.th"),
        ("text", "ยินยอม"),
        ("text", "ยืนยัน"),
    ],
    "ja": [
        ("text", "サイアム・プラスチック・パーツ"),
        ("press", "reg:skip:name_en"),
        ("text", "０１０５５３６００３７７１"),
        ("text", "プラスチック"),
        ("text", "自動車向けプラスチック射出成形部品"),
        ("text", "顧客、OEM"),
        ("text", "完了"),
        ("text", "スキップ"),
        ("text", "ISO 9001、IATF 16949"),
        ("text", "完了"),
        ("text", "１２０名"),
        ("text", "8000万"),
        ("text", "チョンブリー"),
        ("press", "reg:skip:export_markets"),
        ("text", "ソムチャイ"),
        ("text", "+66 81 234 5678"),
        ("text", "somchai@siamplastic.co.th"),
        ("press", "reg:o:consent:0"),
        ("press", "reg:confirm"),
    ],
    "en": [
        ("text", "Siam Plastic Parts"),
        ("text", "Siam Plastic Parts Co., Ltd."),
        ("text", "0105536003771"),
        ("text", "plastics"),
        ("text", "Injection-moulded plastic parts for cars"),
        ("press", "reg:o:partnership:1"),
        ("press", "reg:o:partnership:2"),
        ("press", "reg:done:partnership"),
        ("text", "Japanese customers for plastic parts"),
        ("text", "iso 9001, iatf 16949"),
        ("text", "done"),
        ("text", "120"),
        ("text", "80 million"),
        ("text", "Chonbury"),
        ("text", "Japan, Vietnam"),
        ("text", "Somchai Jaidee"),
        ("text", "081 234 5678"),
        ("text", "somchai@siamplastic.co.th"),
        ("text", "I agree"),
        ("text", "confirm"),
    ],
}

JAPAN_FIRM_SCRIPTS = {
    "ja": [
        ("text", "株式会社テスト金型"),
        ("text", "Test Kanagata Co., Ltd."),  # the English name, asked since issue 11
        ("text", "７００００１２０５０００２"),
        ("text", "愛知県"),
        ("text", "金型"),
        ("text", "自動車用プレス金型の設計・製作"),
        ("text", "仕入先、合弁"),
        ("text", "完了"),
        ("text", "タイで金型部品を加工できる協力工場"),
        ("press", "reg:o:required_certifications:2"),
        ("press", "reg:done:required_certifications"),
        ("text", "３５０"),
        ("text", "はい"),
        ("text", "ラヨーン"),
        ("text", "田中太郎"),
        ("text", "tanaka@test-kanagata.co.jp"),
        ("text", "052-123-4567"),
        ("text", "同意します"),
        ("text", "はい"),
    ],
    "en": [
        ("text", "Test Kanagata Co., Ltd."),
        ("press", "reg:skip:name_en"),
        ("text", "7000012050002"),
        ("text", "aichi"),
        ("text", "JSIC 24"),
        ("text", "Press dies for car makers"),
        ("text", "supplier, joint venture"),
        ("text", "done"),
        ("text", "Thai machining partner"),
        ("text", "IATF 16949"),
        ("text", "done"),
        ("text", "350"),
        ("text", "yes"),
        ("text", "Rayong"),
        ("text", "Taro Tanaka"),
        ("text", "tanaka@test-kanagata.co.jp"),
        ("text", "+81 52 123 4567"),
        ("press", "reg:o:consent:0"),
        ("press", "reg:confirm"),
    ],
    "th": [
        ("text", "Test Kanagata"),
        ("press", "reg:skip:name_en"),
        ("text", "7000012050002"),
        ("text", "ไอจิ"),
        ("text", "แม่พิมพ์"),
        ("text", "แม่พิมพ์ปั๊มสำหรับรถยนต์"),
        ("text", "ซัพพลายเออร์, กิจการร่วมค้า"),
        ("text", "เสร็จแล้ว"),
        ("text", "โรงงานกลึงในไทย"),
        ("press", "reg:o:required_certifications:2"),
        ("text", "เสร็จแล้ว"),
        ("text", "๓๕๐"),
        ("text", "มี"),
        ("text", "ระยอง"),
        ("text", "ทานากะ"),
        ("text", "tanaka@test-kanagata.co.jp"),
        ("text", "052-123-4567"),
        ("text", "ยินยอม"),
        ("text", "ยืนยัน"),
    ],
}


def _start(driver: Driver, lang: str, form: str) -> None:
    if lang != {"line": "th", "telegram": "ja"}[driver.channel]:
        driver.press(f"lang:{lang}")
    replies = driver.press("reg:start")
    assert f"reg:form:{form}" in button_data(replies)
    replies = driver.press(f"reg:form:{form}")
    assert all(r.lang == lang for r in replies)


def _run(driver: Driver, script: list[tuple[str, str]], lang: str) -> list:
    replies = []
    for kind, value in script:
        replies = driver.text(value) if kind == "text" else driver.press(value)
        assert replies, value
        for reply in replies:
            assert reply.lang == lang, (value, reply.text)
        # no answer was refused and no button was stale
        shown = texts(replies)
        for error in ERRORS[lang]:
            assert error not in shown, (value, shown)
        assert driver.skill.problems(driver.conv().data) == []
    return replies


def _stored(engine) -> tuple[Company, CompanyMember]:
    with Session(engine) as session:
        companies = list(session.exec(select(Company)))
        members = list(session.exec(select(CompanyMember)))
    assert len(companies) == 1 and len(members) == 1
    return companies[0], members[0]


@pytest.mark.parametrize("lang", ["th", "ja", "en"])
def test_thai_sme_happy_path(db_engine, lang: str) -> None:
    driver = Driver(db_engine, channel="line", user_id=f"U-th-{lang}")
    _start(driver, lang, "th_sme")
    last = _run(driver, THAI_SME_SCRIPTS[lang], lang)
    company, member = _stored(db_engine)

    assert company.country == "TH"
    assert company.source == "chat"
    assert re.fullmatch(r"TH-CHAT-\d{6}", company.ref)
    assert company.name == {"th": "บริษัท สยามพลาสติกพาร์ท จำกัด", "ja": "サイアム・プラスチック・パーツ",
                            "en": "Siam Plastic Parts"}[lang]  # fmt: skip
    assert company.name_en == (None if lang == "ja" else "Siam Plastic Parts Co., Ltd.")
    assert company.registration_number == "0105536003771"
    assert company.sector == "22"
    assert company.offers
    assert company.partnership == ["buyer", "oem"]
    assert company.seeks == ("" if lang == "ja" else company.seeks) and (
        lang == "ja" or company.seeks
    )
    assert company.certifications == ["ISO 9001", "IATF 16949"]
    assert company.employees == 120
    assert company.annual_revenue_thb == 80_000_000
    assert company.size_class == "small"  # 120 employees, but 80 million baht: revenue decides
    assert company.location == "Chonburi"
    assert company.export_markets == (
        None if lang == "ja" else {"th": "ญี่ปุ่น, เวียดนาม"}.get(lang, "Japan, Vietnam")
    )
    assert company.phone == "+66812345678"
    assert company.email == "somchai@siamplastic.co.th"
    assert company.contact_person
    assert company.languages == {"th": ["th"], "ja": ["ja", "th"], "en": ["en", "th"]}[lang]
    assert company.extra["registered_lang"] == lang
    assert company.consent_at is not None
    assert company.consent_at.replace(tzinfo=UTC) == datetime(2026, 11, 28, 1, 0, tzinfo=UTC)
    assert company.created_at is not None and company.updated_at is not None
    assert (member.channel, member.user_id, member.lang) == ("line", f"U-th-{lang}", lang)
    assert member.company_id == company.id

    # told the size class and candidate programmes, in the user's language, never a promise
    told = texts(last)
    assert {"th": "วิสาหกิจขนาดย่อม", "ja": "小規模企業", "en": "small enterprise"}[lang] in told
    assert {"th": "กองทุนพัฒนาเอสเอ็มอี", "ja": "SME開発基金", "en": "SME Development Fund"}[
        lang
    ] in told
    assert {
        "th": "ยังไม่ใช่การอนุมัติ",
        "ja": "承認を意味するものではありません",
        "en": "not an approval",
    }[lang] in told
    assert all(r.lang == lang for r in last)
    assert driver.conv().flow is None
    assert driver.conv().data["reg"]["draft"] is None


@pytest.mark.parametrize("lang", ["ja", "en", "th"])
def test_japanese_firm_happy_path(db_engine, lang: str) -> None:
    driver = Driver(db_engine, channel="telegram", user_id=f"T-{lang}")
    _start(driver, lang, "jp_firm")
    last = _run(driver, JAPAN_FIRM_SCRIPTS[lang], lang)
    company, member = _stored(db_engine)

    assert company.country == "JP"
    assert re.fullmatch(r"JP-CHAT-\d{6}", company.ref)
    assert company.source == "chat"
    assert company.registration_number == "7000012050002"
    assert company.name_en == {"ja": "Test Kanagata Co., Ltd."}.get(lang)
    assert company.location == "Aichi"
    assert company.sector == "25"  # 金型 / JSIC 24 -> ISIC 25 fabricated metal products
    assert company.partnership == ["supplier", "joint_venture"]
    assert company.seeks
    assert company.required_certifications == ["IATF 16949"]
    assert company.certifications == []
    assert company.employees == 350
    assert company.thai_base == "Rayong"
    assert company.extra["thai_base"] == "yes"
    assert company.email == "tanaka@test-kanagata.co.jp"
    assert company.phone == "+81521234567"
    assert company.contact_person
    assert company.size_class is None and company.annual_revenue_thb is None
    assert company.languages == {"th": ["th", "ja"], "ja": ["ja"], "en": ["en", "ja"]}[lang]
    assert company.consent_at is not None
    assert (member.channel, member.user_id, member.lang) == ("telegram", f"T-{lang}", lang)
    # no OSMEP size for Japanese firms
    assert "OSMEP" not in texts(last)
    for reply in last:
        assert detect(reply.text.replace(company.name, "")) in (lang, None)


@pytest.mark.parametrize(
    ("channel", "lang", "form"),
    [("line", "th", "th_sme"), ("telegram", "ja", "jp_firm"), ("telegram", "en", "jp_firm")],
)
def test_the_intro_counts_the_questions_the_form_numbers(
    db_engine, channel: Channel, lang: str, form: str
) -> None:
    driver = Driver(db_engine, channel=channel, user_id=f"count-{lang}")
    if lang != {"line": "th", "telegram": "ja"}[channel]:
        driver.press(f"lang:{lang}")
    driver.press("reg:start")
    intro, question = (r.text for r in driver.press(f"reg:form:{form}"))
    total = re.search(r"[（(]1/(\d+)[)）]", question)
    assert total is not None, question
    assert f"{total.group(1)} " in intro or f"{total.group(1)}問" in intro, intro
