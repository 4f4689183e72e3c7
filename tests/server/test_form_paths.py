"""Issue 9's form bugs, end to end on each route a person uses: the chat simulator
(POST /api/chat), the LINE webhook and the Telegram webhook (signed bodies; the replies
are read from the JSON the platform stand-in received).

One walk through the Thai SME form per route covers: a language typed at a step, lists
split on "กับ", an item tried word by word ("ฮาลาล อย."), "โทร" before a phone number,
"スキップ" typed on an optional multi-choice that shows a skip button and keeps what was
ticked, and "ใช่ ยกเลิกเลย" at the cancel confirmation, after which the next message is a
request, not an answer. The join-request test covers one company per registration number
across LINE and Telegram, with the existing contact confirming in their own chat.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.i18n import t
from core.state import ChatUser
from core.types import Lang
from inbox.models import InboxEvent, OutboxMessage
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
from tests.registration.test_happy_paths import THAI_SME_SCRIPTS
from tests.standin import PlatformStandIn

ROUTES = ("api", "line", "telegram")


@dataclass(frozen=True)
class Said:
    """One message the user received: its text and the data of its buttons."""

    text: str
    data: tuple[str, ...]
    labels: tuple[str, ...]


class Person:
    """One chat user on one route; `send` returns what they were sent back."""

    def __init__(self, client: TestClient, standin: PlatformStandIn, route: str, user: str):
        self.client, self.standin, self.route, self.user = client, standin, route, user
        self.channel = "telegram" if route == "telegram" else "line"

    def say(self, text: str) -> list[Said]:
        return self._send(text=text)

    def press(self, data: str) -> list[Said]:
        return self._send(postback=data)

    def _send(self, **body: str) -> list[Said]:
        if self.route == "api":
            response = self.client.post(
                "/api/chat", json={"channel": self.channel, "user_id": self.user, **body}
            )
            assert response.status_code == 200, response.text
            return [
                Said(
                    r["text"],
                    tuple(b["data"] for b in r["buttons"]),
                    tuple(b["label"] for b in r["buttons"]),
                )
                for r in response.json()["replies"]
            ]
        before = len(self.standin.calls)
        self._post(**body)
        settle(self.client)
        return received(self.standin, self.route, self.user, since=before)

    def _post(self, *, text: str | None = None, postback: str | None = None) -> None:
        if self.route == "line":
            event = line_text(self.user, text) if text else line_postback(self.user, postback or "")
            raw = line_body(event)
            response = self.client.post("/webhooks/line", content=raw, headers=line_headers(raw))
        else:
            user = int(self.user)
            raw = tg_text(user, text) if text else tg_callback(user, postback or "")
            response = self.client.post(
                "/webhooks/telegram", content=raw, headers=telegram_headers()
            )
        assert response.json()["stored"] == 1, response.text


def settle(client: TestClient, timeout: float = 600) -> None:
    """Wait until every stored event is handled and every queued reply has been sent."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
            statuses = [e.status for e in session.exec(select(InboxEvent))]
            unsent = [o for o in session.exec(select(OutboxMessage)) if o.sent_at is None]
        assert "failed" not in statuses
        if all(s == "done" for s in statuses) and not unsent:
            return
        time.sleep(0.05)
    raise AssertionError(f"not settled: {statuses}")


def received(standin: PlatformStandIn, route: str, user: str, *, since: int = 0) -> list[Said]:
    """What the stand-in delivered to `user` (exact platform JSON, read back)."""
    out: list[Said] = []
    for call in standin.calls[since:]:
        body: Any = call.body
        if route == "line" and call.endpoint in {"reply", "push"}:
            if call.endpoint == "push" and body.get("to") != user:
                continue
            for message in body["messages"]:
                items = (message.get("quickReply") or {}).get("items", [])
                actions = [i["action"] for i in items if i["action"].get("type") == "postback"]
                out.append(
                    Said(
                        message.get("text", ""),
                        tuple(a["data"] for a in actions),
                        tuple(a["label"] for a in actions),
                    )
                )
        elif route == "telegram" and call.endpoint == "sendMessage":
            if body.get("chat_id") != user:
                continue
            rows = (body.get("reply_markup") or {}).get("inline_keyboard", [])
            buttons = [b for row in rows for b in row]
            out.append(
                Said(
                    body["text"],
                    tuple(b.get("callback_data", "") for b in buttons),
                    tuple(b["text"] for b in buttons),
                )
            )
    return out


def texts(said: list[Said]) -> str:
    return "\n".join(s.text for s in said)


def data(said: list[Said]) -> set[str]:
    return {d for s in said for d in s.data}


def draft(client: TestClient, channel: str, user: str) -> dict[str, Any]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        row = session.get(ChatUser, (channel, user))
        assert row is not None
        return (row.data.get("reg") or {}).get("draft") or {}


@pytest.mark.parametrize("route", ROUTES)
def test_form_bugs_of_issue_9_on_every_route(
    client: TestClient, standin: PlatformStandIn, route: str
) -> None:
    person = Person(client, standin, route, "9101" if route == "telegram" else f"U-form-{route}")
    channel = person.channel
    person.press("reg:start")
    person.press("reg:form:th_sme")
    # a language typed at a step switches the language and asks the same step again
    said = person.say("English" if channel == "line" else "ภาษาไทย")
    lang: Lang = "en" if channel == "line" else "th"
    assert said[0].text == t("language.changed", lang)
    assert t("reg.q.thai.name", lang) in texts(said[1:])
    assert "name" not in draft(client, channel, person.user)["answers"]

    person.say("บริษัท ทดสอบเส้นทาง จำกัด")
    person.press("reg:skip:name_en")
    person.say("0105536003771")
    person.say("พลาสติก")
    person.say("ชิ้นส่วนพลาสติกฉีดขึ้นรูป")
    # a list joined by "กับ": both items kept
    person.say("ลูกค้า กับ ถ่ายทอดเทคโนโลยี")
    assert draft(client, channel, person.user)["pending"] == ["buyer", "technology"]
    person.say("done")
    said = person.say("ข้าม")  # the optional needs text
    # the optional multi-choice has a skip button
    assert "reg:skip:certifications" in data(said)
    # "ฮาลาล อย.": each word is a choice, both kept; a typed "スキップ" keeps the ticks
    person.say("ฮาลาล อย.")
    person.say("スキップ")
    answers = draft(client, channel, person.user)["answers"]
    assert answers["partnership"] == ["buyer", "technology"]
    assert answers["certifications"] == ["Halal", "Thai FDA"]
    person.say("๑๒๐")
    person.say("80 ล้าน")
    person.say("ชลบุรี")
    person.say("ข้าม")
    person.say("สมชาย ใจดี")
    # "โทร" before a number written in Thai digits
    person.say("โทร ๐๘๑-๒๓๔-๕๖๗๘")
    assert draft(client, channel, person.user)["answers"]["phone"] == "+66812345678"

    # cancel asks first; a colloquial Thai yes cancels; the next message is a request
    said = person.say("ยกเลิก")
    assert said[0].text == t("reg.cancel_confirm", lang)
    said = person.say("ใช่ ยกเลิกเลย")
    assert said[0].text == t("reg.cancelled", lang)
    said = person.say("ลงทะเบียนบริษัท")
    assert {"reg:form:th_sme", "reg:form:jp_firm"} <= data(said)
    assert draft(client, channel, person.user) == {}
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert list(session.exec(select(Company))) == []


def _register(person: Person, lang: str) -> list[Said]:
    if lang != {"line": "th", "telegram": "ja"}[person.channel]:
        person.press(f"lang:{lang}")
    person.press("reg:start")
    person.press("reg:form:th_sme")
    said: list[Said] = []
    for kind, value in THAI_SME_SCRIPTS[lang]:
        said = person.say(value) if kind == "text" else person.press(value)
    return said


def _members(client: TestClient) -> list[tuple[str, str]]:
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        return sorted((m.channel, m.user_id) for m in session.exec(select(CompanyMember)))


@pytest.mark.parametrize("accept", [True, False])
def test_join_request_is_confirmed_by_the_contact_across_line_and_telegram(
    client: TestClient, standin: PlatformStandIn, accept: bool
) -> None:
    owner = Person(client, standin, "line", "U-owner")
    _register(owner, "th")
    colleague = Person(client, standin, "telegram", "9202")
    said = _register(colleague, "en")  # the same juristic number, from Telegram in English
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        (company,) = session.exec(select(Company)).all()
    assert t("reg.duplicate.chat", "en", name=company.name, number="0105536003771") in texts(said)
    assert "reg:jr:ask" in data(said)

    before = len(standin.calls)
    said = colleague.press("reg:jr:ask")
    assert texts(said) == t("reg.join_request.sent", "en", name=company.name)
    # the owner is asked in their own chat (a LINE push), in Thai, with Accept/Decline
    [request] = received(standin, "line", "U-owner", since=before)
    assert company.name in request.text and "Telegram" in request.text
    assert request.labels == (t("reg.button.join_accept", "th"), t("reg.button.join_decline", "th"))
    accept_data, decline_data = request.data
    assert accept_data.startswith("reg:jr:y:") and decline_data.startswith("reg:jr:n:")

    before = len(standin.calls)
    said = owner.press(accept_data if accept else decline_data)
    key = "reg.join_request.accepted" if accept else "reg.join_request.declined"
    assert t(key, "th", name=company.name) in texts(said)
    [told] = received(standin, "telegram", "9202", since=before)
    if accept:
        assert told.text == t("reg.join_request.welcome", "en", name=company.name)
        assert _members(client) == [("line", "U-owner"), ("telegram", "9202")]
        assert company.name in texts(colleague.press("reg:profile"))
    else:
        assert told.text == t("reg.join_request.refused", "en", name=company.name)
        assert "kb:staff" in told.data
        assert _members(client) == [("line", "U-owner")]
