"""What people type instead of pressing a button, through the whole app (POST /api/chat).

The sentences are the ones a review found answered by the knowledge base with "I don't
know"; each must now do what it asks, and thanks must not be logged as a question.
"""

from __future__ import annotations

import time
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from core.state import ChatUser
from core.types import Lang
from knowledge.models import UnansweredQuestion


def chat(client: TestClient, channel: str, user: str, **body: str) -> list[dict[str, Any]]:
    response = client.post("/api/chat", json={"channel": channel, "user_id": user, **body})
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    assert replies, "every message gets a reply"
    return replies


def button_data(replies: list[dict[str, Any]]) -> set[str]:
    return {b["data"] for r in replies for b in r["buttons"]}


def unanswered(client: TestClient) -> list[str]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return [row.question for row in session.exec(select(UnansweredQuestion))]


def conversation(client: TestClient, channel: str, user: str) -> ChatUser:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        row = session.get(ChatUser, (channel, user))
        assert row is not None
        return row


@pytest.mark.parametrize(
    ("channel", "text"),
    [
        ("line", "อยากลงทะเบียนบริษัทค่ะ"),
        ("telegram", "会社を登録したいです"),
        ("telegram", "sign me up pls"),
        # a hello and a request, with the spaces Thai puts between phrases, not words
        ("line", "สวัสดีครับ อยากลงทะเบียนบริษัทครับ"),
        ("telegram", "hello, could you register our company?"),
    ],
)
def test_typed_register_starts_registration(client: TestClient, channel: str, text: str) -> None:
    replies = chat(client, channel, "U-reg", text=text)
    assert {"reg:form:th_sme", "reg:form:jp_firm"} <= button_data(replies)
    assert unanswered(client) == []


@pytest.mark.parametrize(
    ("channel", "text", "lang"),
    [
        ("line", "คุยกับเจ้าหน้าที่", "th"),
        ("telegram", "担当者と話したいです", "ja"),
        ("telegram", "Can I talk to a person?", "en"),
    ],
)
def test_typed_request_for_a_person_reaches_staff(
    client: TestClient, channel: str, text: str, lang: str
) -> None:
    replies = chat(client, channel, "U-staff", text=text)
    # The live handoff: the user is told a person will reply here, with the way back.
    assert replies[0]["buttons"][0]["data"] == "handoff:back"
    assert replies[0]["text"].startswith(t("handoff.started", lang, hours="")[:12])  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("channel", "text", "lang", "key"),
    [
        ("line", "ขอบคุณครับ", "th", "ack.thanks"),
        ("line", "โอเคครับ 🙏", "th", "ack.thanks"),
        ("telegram", "ありがとうございます", "ja", "ack.thanks"),
        ("telegram", "thx!", "en", "ack.thanks"),
        # only "ok": noted, not "you're welcome"
        ("line", "👍", "th", "ack.noted"),
        ("line", "รับทราบค่ะ", "th", "ack.noted"),
        ("telegram", "了解です", "ja", "ack.noted"),
        ("telegram", "ok got it", "en", "ack.noted"),
    ],
)
def test_thanks_is_acknowledged_and_not_logged(
    client: TestClient, channel: str, text: str, lang: str, key: str
) -> None:
    replies = chat(client, channel, "U-thanks", text=text)
    assert replies[0]["text"] == t(key, lang)  # type: ignore[arg-type]
    assert unanswered(client) == []


def test_typing_a_language_switches_to_it(client: TestClient) -> None:
    replies = chat(client, "line", "U-lang", text="English please")
    assert replies[-1]["text"] == t("language.changed", "en")
    row = conversation(client, "line", "U-lang")
    assert row.lang == "en" and row.lang_chosen
    # and it stays: a Thai greeting is now answered in English
    assert chat(client, "line", "U-lang", text="สวัสดีครับ")[0]["lang"] == "en"


def test_a_described_need_becomes_the_partner_search(client: TestClient) -> None:
    text = "タイで金型を作れる会社を探しています"
    chat(client, "telegram", "U-search", text=text)
    row = conversation(client, "telegram", "U-search")
    assert row.data["match"]["description"] == text
    assert unanswered(client) == []


def test_asking_for_partners_for_a_named_product_searches_for_it(client: TestClient) -> None:
    # read as "find partners" (no profile yet), but it names what is wanted: search it
    text = "hi krub, i want find japanese partner for my durian export"
    deadline = time.monotonic() + 120  # the matcher builds in the background at start-up
    while (replies := chat(client, "line", "U-durian", text=text))[0]["text"] == t(
        "match.warming_up", "en"
    ) and time.monotonic() < deadline:
        time.sleep(0.5)
    assert conversation(client, "line", "U-durian").data["match"]["description"] == text
    shown = replies[0]["text"]
    assert shown == t("match.none", "en") or shown.startswith(
        t("match.results_description", "en", first=1, last=0)[:12]
    ), shown
    # without a product it still asks for a profile or a description
    replies = chat(client, "line", "U-bare", text="i want find japanese partner")
    assert replies[0]["text"] == t("match.no_company", "en")


def test_menu_words_in_any_wording(client: TestClient) -> None:
    replies = chat(client, "telegram", "U-menu", text="メニュー見せてください")
    assert replies[0]["text"] == t("menu.title", "ja")
    assert "reg:start" in button_data(replies)


def test_inside_a_form_language_and_cancel_are_commands_not_answers(client: TestClient) -> None:
    user = "U-form"
    chat(client, "line", user, postback="reg:start")
    chat(client, "line", user, postback="reg:form:th_sme")
    # "English" at the company-name step changes the language and asks the step again
    replies = chat(client, "line", user, text="English")
    assert replies[0]["text"] == t("language.changed", "en")
    assert all(r["lang"] == "en" for r in replies[1:]) and len(replies) >= 2
    draft = conversation(client, "line", user).data["reg"]["draft"]
    assert "name" not in draft["answers"]
    # with an answer given, "cancel" in Thai asks first; a colloquial yes cancels
    chat(client, "line", user, text="Siam Test Parts Co., Ltd.")
    replies = chat(client, "line", user, text="ขอยกเลิกค่ะ")
    assert replies[0]["text"] == t("reg.cancel_confirm", "en")
    replies = chat(client, "line", user, text="ใช่ ยกเลิกเลย")
    assert replies[0]["text"] == t("reg.cancelled", "en")
    # the next message is a request, not the company's name
    replies = chat(client, "line", user, text="ลงทะเบียนบริษัท")
    assert {"reg:form:th_sme", "reg:form:jp_firm"} <= button_data(replies)


@pytest.mark.parametrize(
    ("channel", "text", "lang", "said"),
    [
        ("line", "ใช่ ยกเลิกเลย", "th", "fallback.nothing_to_cancel"),
        ("telegram", "キャンセルでお願いします", "ja", "fallback.nothing_to_cancel"),
        ("line", "ข้ามไปก่อน", "th", "fallback.nothing_to_skip"),
        ("telegram", "スキップ", "ja", "fallback.nothing_to_skip"),
        ("telegram", "go back", "en", "fallback.nothing_to_skip"),
    ],
)
def test_a_form_command_with_nothing_in_progress_says_so_and_is_not_a_question(
    client: TestClient, channel: str, text: str, lang: Lang, said: str
) -> None:
    replies = chat(client, channel, f"idle-command-{lang}", text=text)
    assert replies[-1]["text"] == t(said, lang)
    assert "reg:start" in button_data(replies)
    assert text not in unanswered(client)


@pytest.mark.parametrize("text", ["skip เอกสารไหนต้องใช้ตอนกู้", "戻る前に金利を教えてください"])
def test_a_question_holding_a_skip_word_is_still_answered(client: TestClient, text: str) -> None:
    replies = chat(client, "line", "idle-skip-question", text=text)
    said = {r["text"] for r in replies}
    langs: tuple[Lang, ...] = ("th", "ja", "en")
    assert not said & {t("fallback.nothing_to_skip", lang) for lang in langs}
