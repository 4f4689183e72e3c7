"""Registration end to end through the app: POST /api/chat and the LINE/Telegram webhooks.

The scripts are the ones the dialogue-level happy-path tests use; here they travel the
whole way (HTTP, inbox, worker, platform stand-in) and the stored profile is read back.
"""

from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.staff import create_staff, issue_token
from inbox.models import InboxEvent
from matching.models import Company, CompanyMember
from tests.helpers import (
    line_body,
    line_headers,
    line_postback,
    line_text,
    telegram_headers,
    tg_callback,
    tg_text,
)
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS
from tests.standin import PlatformStandIn

DEFAULT = {"line": "th", "telegram": "ja"}


def stored(client: TestClient) -> tuple[Company, CompanyMember]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        companies = list(session.exec(select(Company)))
        members = list(session.exec(select(CompanyMember)))
    assert len(companies) == 1 and len(members) == 1, (companies, members)
    return companies[0], members[0]


def check_thai_sme(company: Company, lang: str) -> None:
    assert (
        company.country == "TH" and company.source == "chat" and company.ref.startswith("TH-CHAT-")
    )
    assert company.registration_number == "0105536003771"
    assert company.sector == "22"
    assert company.partnership == ["buyer", "oem"]
    assert company.certifications == ["ISO 9001", "IATF 16949"]
    assert company.employees == 120 and company.annual_revenue_thb == 80_000_000
    assert company.size_class == "small"  # 120 employees, 80 million baht: revenue decides
    assert company.location == "Chonburi"
    assert company.phone == "+66812345678" and company.email == "somchai@siamplastic.co.th"
    assert company.extra["registered_lang"] == lang and company.consent_at is not None


def check_japanese_firm(company: Company, lang: str) -> None:
    assert (
        company.country == "JP" and company.source == "chat" and company.ref.startswith("JP-CHAT-")
    )
    assert company.registration_number == "7000012050002"
    assert company.location == "Aichi" and company.sector == "25"
    assert company.partnership == ["supplier", "joint_venture"]
    assert company.required_certifications == ["IATF 16949"]
    assert company.employees == 350 and company.thai_base == "Rayong"
    assert company.phone == "+81521234567" and company.email == "tanaka@test-kanagata.co.jp"
    assert company.extra["registered_lang"] == lang and company.consent_at is not None


def chat(client: TestClient, channel: str, user: str, kind: str, value: str) -> list[dict]:
    payload = {
        "channel": channel,
        "user_id": user,
        ("text" if kind == "text" else "postback"): value,
    }
    response = client.post("/api/chat", json=payload)
    assert response.status_code == 200, response.text
    return response.json()["replies"]


@pytest.mark.parametrize(
    ("form", "channel", "lang"),
    [
        ("th_sme", "line", "th"),
        ("th_sme", "line", "ja"),
        ("th_sme", "line", "en"),
        ("jp_firm", "telegram", "ja"),
        ("jp_firm", "telegram", "en"),
        ("jp_firm", "telegram", "th"),
    ],
)
def test_registration_through_the_chat_api(
    client: TestClient, form: str, channel: str, lang: str
) -> None:
    user = f"api-{form}-{lang}"
    if lang != DEFAULT[channel]:
        chat(client, channel, user, "press", f"lang:{lang}")
    offered = chat(client, channel, user, "press", "reg:start")
    assert f"reg:form:{form}" in [b["data"] for r in offered for b in r["buttons"]]
    chat(client, channel, user, "press", f"reg:form:{form}")
    script = THAI_SME_SCRIPTS[lang] if form == "th_sme" else JAPAN_FIRM_SCRIPTS[lang]
    for kind, value in script:
        replies = chat(client, channel, user, kind, value)
        assert replies and all(r["lang"] == lang for r in replies), (value, replies)
    company, member = stored(client)
    (check_thai_sme if form == "th_sme" else check_japanese_firm)(company, lang)
    assert (member.channel, member.user_id, member.lang) == (channel, user, lang)


def _wait_done(client: TestClient, count: int, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            statuses = [row.status for row in session.exec(select(InboxEvent))]
        if len(statuses) >= count and all(s == "done" for s in statuses):
            return
        assert "failed" not in statuses
        time.sleep(0.05)
    raise AssertionError(f"not all events done: {statuses}")


@pytest.mark.parametrize("lang", ["th", "ja", "en"])
def test_thai_sme_registers_through_the_line_webhook(
    client: TestClient, standin: PlatformStandIn, lang: str
) -> None:
    user = f"Uline-registrant-{lang}"
    chosen = [] if lang == "th" else [("press", f"lang:{lang}")]
    steps = [*chosen, ("press", "reg:start"), ("press", "reg:form:th_sme"), *THAI_SME_SCRIPTS[lang]]
    events = [line_text(user, v) if k == "text" else line_postback(user, v) for k, v in steps]
    body = line_body(*events)  # all at once: the inbox keeps them in order
    assert client.post("/webhooks/line", content=body, headers=line_headers(body)).json()[
        "stored"
    ] == len(steps)
    _wait_done(client, len(steps))
    company, member = stored(client)
    check_thai_sme(company, lang)
    assert (member.channel, member.user_id, member.lang) == ("line", user, lang)
    last = standin.calls_to("reply", "push")[-1].body["messages"]
    size = {"th": "วิสาหกิจขนาดย่อม", "ja": "小規模企業", "en": "small enterprise"}[lang]
    assert any(size in m.get("text", "") for m in last)


@pytest.mark.parametrize("lang", ["ja", "en", "th"])
def test_japanese_firm_registers_through_the_telegram_webhook(
    client: TestClient, standin: PlatformStandIn, lang: str
) -> None:
    user = {"ja": 880011, "en": 880012, "th": 880013}[lang]
    chosen = [] if lang == "ja" else [("press", f"lang:{lang}")]
    steps = [
        *chosen,
        ("press", "reg:start"),
        ("press", "reg:form:jp_firm"),
        *JAPAN_FIRM_SCRIPTS[lang],
    ]
    for kind, value in steps:
        body = tg_text(user, value) if kind == "text" else tg_callback(user, value)
        assert (
            client.post("/webhooks/telegram", content=body, headers=telegram_headers()).json()[
                "stored"
            ]
            == 1
        )
    _wait_done(client, len(steps))
    company, member = stored(client)
    check_japanese_firm(company, lang)
    assert (member.channel, member.user_id, member.lang) == ("telegram", str(user), lang)
    assert len(standin.calls_to("answerCallbackQuery")) == sum(1 for k, _ in steps if k == "press")


def _publish_fund_document(client: TestClient) -> None:
    """A knowledge document the user's question will be answered from."""
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        create_staff(session, email="kb@dip.example", role="editor")
        token = issue_token(session, email="kb@dip.example")
        session.commit()
    document = {
        "title": "กองทุนพัฒนาเอสเอ็มอีตามแนวประชารัฐ",
        "lang": "th",
        "content": "กองทุนประชารัฐให้กู้สูงสุดไม่เกิน 10 ล้านบาทต่อราย ดอกเบี้ยร้อยละ 1 ต่อปี ไม่ต้องใช้หลักประกัน",
        "source": "มติคณะรัฐมนตรี 17 ม.ค. 2560",
        "as_of": "2017-01-17",
    }
    created = client.post(
        "/api/knowledge/documents", json=document, headers={"authorization": f"Bearer {token}"}
    )
    assert created.status_code in (200, 201), created.text


def _assert_no_table_mentions(client: TestClient, personal: list[str]) -> None:
    from sqlalchemy import text as sql

    engine = client.app.state.engine  # type: ignore[attr-defined]
    with engine.connect() as connection:
        tables = [
            row[0]
            for row in connection.execute(sql("SELECT name FROM sqlite_master WHERE type='table'"))
        ]
        for table in tables:
            for row in connection.execute(sql(f'SELECT * FROM "{table}"')):
                dump = " ".join(str(value) for value in row)
                for needle in personal:
                    assert needle not in dump, (table, needle)


def test_delete_my_data_through_the_app_leaves_nothing_about_the_user(client: TestClient) -> None:
    """Every table is read back: profile, links, conversation, inbox, questions, feedback."""
    from sqlalchemy import text as sql

    user = "Uerase-me-4242"
    _publish_fund_document(client)
    for kind, value in [
        ("press", "reg:start"),
        ("press", "reg:form:th_sme"),
        *THAI_SME_SCRIPTS["th"],
    ]:
        chat(client, "line", user, kind, value)
    answered = chat(client, "line", user, "text", "กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่คะ")
    feedback = next(b["data"] for r in answered for b in r["buttons"] if b["data"].endswith(":up"))
    chat(client, "line", user, "press", feedback)
    chat(
        client, "line", user, "text", "พรุ่งนี้ฝนจะตกที่กรุงเทพไหมคะ"
    )  # out of scope: logged as unanswered
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.execute(sql("SELECT count(*) FROM knowledge_unanswered")).scalar_one() >= 1
        assert session.execute(sql("SELECT count(*) FROM knowledge_feedback")).scalar_one() >= 1

    confirm = chat(client, "line", user, "text", "ลบข้อมูลของฉัน")
    assert "reg:delete:yes" in [b["data"] for r in confirm for b in r["buttons"]]
    done = chat(client, "line", user, "press", "reg:delete:yes")
    assert done and all(r["lang"] == "th" for r in done)

    personal = [
        user,
        "0105536003771",
        "+66812345678",
        "somchai@siamplastic.co.th",
        "สยามพลาสติก",
        "กองทุนประชารัฐกู้ได้สูงสุด",
        "ฝนจะตก",
    ]
    _assert_no_table_mentions(client, personal)
