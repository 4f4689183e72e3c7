"""One company per registration number: a second chat user with the same Thai juristic
number or 法人番号, on either platform, is told it is on file and creates nothing."""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from core.i18n import t
from matching.models import Company, CompanyMember
from tests.registration.driver import Driver
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS, _start


def _register(engine, channel: str, user: str, lang: str, form: str) -> list:
    driver = Driver(engine, channel=channel, user_id=user)  # type: ignore[arg-type]
    _start(driver, lang, form)
    script = THAI_SME_SCRIPTS[lang] if form == "th_sme" else JAPAN_FIRM_SCRIPTS[lang]
    replies: list = []
    for kind, value in script:
        replies = driver.text(value) if kind == "text" else driver.press(value)
    return replies


@pytest.mark.parametrize(
    ("form", "first", "second"),
    [
        ("th_sme", ("line", "th"), ("telegram", "en")),
        ("jp_firm", ("telegram", "ja"), ("line", "th")),
    ],
)
def test_the_same_number_twice_keeps_one_company(db_engine, form, first, second) -> None:
    _register(db_engine, first[0], "U-first", first[1], form)
    replies = _register(db_engine, second[0], "U-second", second[1], form)
    with Session(db_engine) as session:
        companies = list(session.exec(select(Company)))
        members = list(session.exec(select(CompanyMember)))
    assert len(companies) == 1
    assert [(m.channel, m.user_id) for m in members] == [(first[0], "U-first")]
    company = companies[0]
    expected = t(
        "reg.duplicate.chat",
        second[1],
        name=company.name,
        number=company.registration_number,
    )
    assert expected in [r.text for r in replies]
    assert "kb:staff" in {b.data for r in replies for b in r.buttons}


def test_a_number_staff_imported_is_not_registered_again(db_engine) -> None:
    with Session(db_engine) as session:
        session.add(
            Company(
                ref="IMP-7", country="TH", name="Siam Imported", registration_number="0105536003771"
            )
        )
        session.commit()
    replies = _register(db_engine, "line", "U-new", "th", "th_sme")
    with Session(db_engine) as session:
        assert [c.ref for c in session.exec(select(Company))] == ["IMP-7"]
    assert t("reg.duplicate.imported", "th", name="Siam Imported", number="0105536003771") in [
        r.text for r in replies
    ]
