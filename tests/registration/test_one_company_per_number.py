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


def _ask_to_join(engine) -> tuple[Driver, Driver, list]:
    """A Thai SME registered on LINE (th); a colleague on Telegram (en) types the same
    number and asks to be added."""
    _register(engine, "line", "U-first", "th", "th_sme")
    second = Driver(engine, channel="telegram", user_id="T-second")
    _start(second, "en", "th_sme")
    replies: list = []
    for kind, value in THAI_SME_SCRIPTS["en"]:
        replies = second.text(value) if kind == "text" else second.press(value)
    assert "reg:jr:ask" in {b.data for r in replies for b in r.buttons}
    sent = second.press("reg:jr:ask")
    first = Driver(engine, channel="line", user_id="U-first")
    return first, second, sent


def _members(engine) -> list[tuple[str, str]]:
    with Session(engine) as session:
        return [(m.channel, m.user_id) for m in session.exec(select(CompanyMember))]


def test_the_existing_contact_accepts_a_join_request_in_their_own_chat(db_engine) -> None:
    first, second, sent = _ask_to_join(db_engine)
    company = _company(db_engine)
    assert t("reg.join_request.sent", "en", name=company.name) in [r.text for r in sent]
    # the request reached the LINE contact, in Thai, with Accept and Decline
    [(channel, user_id, chat_id, request)] = second.notified
    assert (channel, user_id, chat_id) == ("line", "U-first", "U-first")
    assert request[0].lang == "th" and company.name in request[0].text
    assert "Telegram" in request[0].text and "Somchai" in request[0].text  # who asks
    accept, decline = (b.data for b in request[0].buttons)
    assert accept.startswith("reg:jr:y:") and decline.startswith("reg:jr:n:")
    assert [b.label for b in request[0].buttons] == [
        t("reg.button.join_accept", "th"),
        t("reg.button.join_decline", "th"),
    ]
    assert len(accept.encode()) <= 64  # Telegram's limit for button data

    replies = first.press(accept)
    assert t("reg.join_request.accepted", "th", name=company.name) in [r.text for r in replies]
    assert _members(db_engine) == [("line", "U-first"), ("telegram", "T-second")]
    [(channel, user_id, _, told)] = first.notified
    assert (channel, user_id) == ("telegram", "T-second")
    assert told[0].text == t("reg.join_request.welcome", "en", name=company.name)
    # pressing again (or the other button) changes nothing
    again = first.press(decline)
    assert t("reg.join_request.handled", "th") in [r.text for r in again]
    assert len(first.notified) == 1
    assert company.name in "\n".join(r.text for r in second.press("reg:profile"))


def test_a_declined_join_request_is_told_politely_and_links_nobody(db_engine) -> None:
    first, second, _ = _ask_to_join(db_engine)
    company = _company(db_engine)
    decline = second.notified[0][3][0].buttons[1].data
    replies = first.press(decline)
    assert t("reg.join_request.declined", "th") in [r.text for r in replies]
    assert _members(db_engine) == [("line", "U-first")]
    [(channel, user_id, _, told)] = first.notified
    assert (channel, user_id) == ("telegram", "T-second")
    assert told[0].text == t("reg.join_request.refused", "en", name=company.name)
    assert "kb:staff" in [b.data for b in told[0].buttons]


def test_only_a_contact_of_that_company_can_answer_a_join_request(db_engine) -> None:
    _, second, _ = _ask_to_join(db_engine)
    accept = second.notified[0][3][0].buttons[0].data
    stranger = Driver(db_engine, channel="line", user_id="U-stranger")
    replies = stranger.press(accept)
    assert t("fallback.stale_button", "th") in [r.text for r in replies]
    forged = Driver(db_engine, channel="telegram", user_id="T-second").press(accept)
    assert t("fallback.stale_button", "en") in [r.text for r in forged]
    assert _members(db_engine) == [("line", "U-first")]


def _company(engine) -> Company:
    with Session(engine) as session:
        return session.exec(select(Company)).one()
