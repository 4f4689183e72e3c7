"""Double opt-in across channels, through the whole app: simulator and real platforms."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from core.staff import create_staff, issue_token
from matching.intro_models import Introduction
from matching.models import Company
from server import create_app
from tests.helpers import make_settings
from tests.registration.test_happy_paths import JAPAN_FIRM_SCRIPTS, THAI_SME_SCRIPTS
from tests.standin import PlatformStandIn


def chat(client: TestClient, channel: str, user: str, **payload: str) -> list[dict[str, Any]]:
    response = client.post("/api/chat", json={"channel": channel, "user_id": user, **payload})
    assert response.status_code == 200, response.text
    return response.json()["replies"]


def register(
    client: TestClient, channel: str, user: str, form: str, script: list[tuple[str, str]]
) -> None:
    chat(client, channel, user, postback="reg:start")
    chat(client, channel, user, postback=f"reg:form:{form}")
    for kind, value in script:
        chat(client, channel, user, **({"text": value} if kind == "text" else {"postback": value}))


def buttons(replies: list[dict[str, Any]]) -> list[str]:
    return [b["data"] for r in replies for b in r["buttons"]] + [
        b["data"] for r in replies for c in r["cards"] for b in c["buttons"]
    ]


def held(
    client: TestClient, channel: str, user: str, *, timeout: float = 15
) -> list[dict[str, Any]]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        replies = client.get("/api/chat/held", params={"channel": channel, "user_id": user}).json()[
            "replies"
        ]
        if replies:
            return replies
        time.sleep(0.1)
    return []


def find_partners(client: TestClient, channel: str, user: str, target_ref_prefix: str) -> int:
    """Press "Find partners" until the matcher (loading in the background) proposes someone."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        replies = chat(client, channel, user, postback="match:find")
        asks = [d for d in buttons(replies) if d.startswith("match:ask:")]
        if asks:
            return int(asks[0].rsplit(":", 1)[1])
        time.sleep(0.5)
    raise AssertionError("no proposal appeared")


@pytest.fixture
def offline_client(tmp_path) -> Iterator[TestClient]:
    """No platform credentials: messages to other users are held for the chat page."""
    settings = make_settings(
        tmp_path,
        line_channel_secret=None,
        line_channel_access_token=None,
        telegram_bot_token=None,
        telegram_webhook_secret=None,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def test_introduction_in_the_simulator_reaches_the_other_side_and_back(
    offline_client: TestClient,
) -> None:
    client = offline_client
    register(client, "telegram", "jp-buyer", "jp_firm", JAPAN_FIRM_SCRIPTS["ja"])
    register(client, "line", "th-maker", "th_sme", THAI_SME_SCRIPTS["th"])
    target = find_partners(client, "telegram", "jp-buyer", "TH-CHAT-")
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        assert session.get(Company, target).country == "TH"  # type: ignore[union-attr]
    chat(client, "telegram", "jp-buyer", postback=f"match:ask:{target}")
    chat(client, "telegram", "jp-buyer", postback="match:skip")

    request = held(client, "line", "th-maker")
    assert request, "the Thai SME was not told about the request"
    assert all(r["lang"] == "th" for r in request)
    decide = [d for d in buttons(request) if d.startswith("match:yes:")]
    assert decide, buttons(request)
    shown = " ".join(r["text"] + " ".join(c["body"] for c in r["cards"]) for r in request)
    assert "tanaka@test-kanagata.co.jp" not in shown  # no contact details before both agree

    accepted = chat(client, "line", "th-maker", postback=decide[0])
    assert "tanaka@test-kanagata.co.jp" in " ".join(r["text"] for r in accepted)
    told = held(client, "telegram", "jp-buyer")
    assert "somchai@siamplastic.co.th" in " ".join(r["text"] for r in told)
    assert all(r["lang"] == "ja" for r in told)
    assert held(client, "telegram", "jp-buyer", timeout=0.5) == []  # handed over once


def test_staff_decision_reaches_the_requester_on_telegram(
    client: TestClient, standin: PlatformStandIn
) -> None:
    register(client, "telegram", "7001", "jp_firm", JAPAN_FIRM_SCRIPTS["en"])
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        imported = Company(
            ref="TH-IMPORTED-1",
            country="TH",
            name="Chonburi Mould (Demo)",
            sector="25",
            offers="Press dies and injection moulds for car parts",
            seeks="Japanese buyers",
            partnership=["supplier"],
            email="sales@chonburi-mould.example",
            location="Chonburi",
        )
        session.add(imported)
        create_staff(session, email="desk@dip.example", role="editor")
        token = issue_token(session, email="desk@dip.example")
        session.commit()
        target = imported.id
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        client.app.state.matcher.refresh(session)  # type: ignore[attr-defined]
    chat(client, "telegram", "7001", postback=f"match:ask:{target}")
    chat(client, "telegram", "7001", postback="match:skip")
    with Session(client.app.state.engine) as session:  # type: ignore[attr-defined]
        (intro,) = session.exec(select(Introduction)).all()
    assert intro.status == "awaiting_staff"  # an imported company has no chat account
    before = len(standin.calls_to("sendMessage"))
    decided = client.post(
        f"/api/introductions/{intro.id}/decision",
        json={"accept": True},
        headers={"authorization": f"Bearer {token}"},
    )
    assert decided.status_code == 200, decided.text
    calls = standin.wait_for(before + 1, "sendMessage")
    told = calls[before:]
    assert told and told[-1].body["chat_id"] == "7001"
    assert "sales@chonburi-mould.example" in " ".join(c.body["text"] for c in told)
