"""Live handoff in the chat: asking for a person, the bot staying quiet, the way back."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from core.i18n import t
from core.staff import create_staff
from handoff import repo
from handoff import staff as handoff_staff
from handoff.hours import OfficeHours
from handoff.models import HandoffState
from handoff.words import is_back_to_bot
from tests.handoff.wire import staff_push
from tests.standin import PlatformStandIn


def chat(
    client: TestClient, user: str, *, text: str | None = None, postback: str | None = None
) -> list[dict[str, Any]]:
    body: dict[str, Any] = {"channel": "line", "user_id": user}
    body.update({"text": text} if text is not None else {"postback": postback})
    response = client.post("/api/chat", json=body)
    assert response.status_code == 200, response.text
    replies: list[dict[str, Any]] = response.json()["replies"]
    return replies


def _session(client: TestClient) -> Session:
    return Session(client.app.state.engine, expire_on_commit=False)  # type: ignore[attr-defined]


def test_typed_request_queues_the_user_and_the_bot_stays_quiet(client: TestClient) -> None:
    started = chat(client, "U-h1", text="ขอคุยกับเจ้าหน้าที่หน่อยครับ")
    assert [b["data"] for b in started[0]["buttons"]] == ["handoff:back"]
    assert "8:30–16:30" in started[0]["text"] and "เวลาประเทศไทย" in started[0]["text"]
    # Menu words, greetings, questions and old buttons: no answer from the bot.
    assert chat(client, "U-h1", text="เมนู") == []
    assert chat(client, "U-h1", text="สวัสดีครับ") == []
    assert chat(client, "U-h1", text="กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่") == []
    pressed = chat(client, "U-h1", postback="reg:start")
    assert pressed[0]["text"] == t("handoff.still_with_staff", "th")
    with _session(client) as session:
        row = repo.active_for(session, channel="line", user_id="U-h1")
        assert row is not None and row.state == HandoffState.WAITING.value and row.lang == "th"
        said = [m.text for m in repo.messages(session, handoff_id=row.id or 0)]
    assert said == ["เมนู", "สวัสดีครับ", "กองทุนประชารัฐกู้ได้สูงสุดเท่าไหร่"]


def test_back_to_the_bot_by_sentence_then_the_bot_answers_again(client: TestClient) -> None:
    chat(client, "U-h2", postback="kb:staff")
    back = chat(client, "U-h2", text="ボットに戻りたいです")
    assert back[0]["text"] == t("handoff.back_by_user", "ja")
    menu = chat(client, "U-h2", text="メニュー")
    assert menu[0]["text"] == t("menu.title", "ja")
    with _session(client) as session:
        assert repo.active_for(session, channel="line", user_id="U-h2") is None
        closed = repo.recent_closed(session)
    assert [(h.user_id, h.closed_by) for h in closed] == [("U-h2", "user")]


def test_back_button_without_a_handoff_says_so(client: TestClient) -> None:
    replies = chat(client, "U-h3", postback="handoff:back")
    assert replies[0]["text"] == t("handoff.not_with_staff", "th")


def test_staff_reply_and_hand_back_reach_the_user_on_line(
    client: TestClient, standin: PlatformStandIn
) -> None:
    chat(client, "U-h4", text="I'd like to talk to a person please")
    engine = client.app.state.engine  # type: ignore[attr-defined]
    notify = client.app.state.notify_factory  # type: ignore[attr-defined]
    with Session(engine, expire_on_commit=False) as session:
        staff = create_staff(session, email="desk@dip.example", role="editor")
        row = repo.active_for(session, channel="line", user_id="U-h4")
        assert row is not None and staff.id is not None
        handoff_staff.reply(
            session,
            handoff=row,
            staff_id=staff.id,
            text="Hello, this is Ploy from DIP.",
            notify=notify(session),
        )
        session.commit()
        assert row.state == HandoffState.OPEN.value and row.assigned_staff_id == staff.id
    client.app.state.worker.wake()  # type: ignore[attr-defined]
    pushes = standin.wait_for(1, "push")
    assert pushes[0].body == staff_push("U-h4", "Hello, this is Ploy from DIP.")
    with Session(engine, expire_on_commit=False) as session:
        row = repo.get(session, row.id or 0)
        assert row is not None
        handoff_staff.hand_back(session, handoff=row, staff_id=staff.id, notify=notify(session))
        session.commit()
    client.app.state.worker.wake()  # type: ignore[attr-defined]
    pushes = standin.wait_for(2, "push")
    assert pushes[1].body["messages"][0]["text"] == t("handoff.back_by_staff", "en")
    # The bot answers this user again.
    assert chat(client, "U-h4", text="menu")[0]["text"] == t("menu.title", "en")


def test_a_reply_to_a_closed_handoff_is_refused(client: TestClient) -> None:
    chat(client, "U-h5", text="คุยกับเจ้าหน้าที่")
    chat(client, "U-h5", postback="handoff:back")
    with _session(client) as session:
        staff = create_staff(session, email="x@dip.example", role="editor")
        row = repo.recent_closed(session)[0]
        with pytest.raises(handoff_staff.HandoffClosed):
            handoff_staff.reply(
                session, handoff=row, staff_id=staff.id or 0, text="hi", notify=lambda **_: None
            )


def test_delete_my_data_removes_handoffs(client: TestClient) -> None:
    chat(client, "U-h6", text="คุยกับเจ้าหน้าที่")
    chat(client, "U-h6", text="ข้อมูลส่วนตัวของฉัน")
    from assembly.privacy import erase_user

    with _session(client) as session:
        erase_user(session, channel="line", user_id="U-h6")
        session.commit()
        assert repo.active_for(session, channel="line", user_id="U-h6") is None
        assert repo.queue(session) == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("back to the bot", True),
        ("Back to bot please!", True),
        ("กลับไปคุยกับบอตครับ", True),
        ("ボットに戻る", True),
        ("bot", False),
        (
            "Could you tell me whether the bot will be back to the bot menu after I get the loan approved?",
            False,
        ),
        ("กองทุนประชารัฐ", False),
    ],
)
def test_back_to_the_bot_wordings(text: str, expected: bool) -> None:
    assert is_back_to_bot(text) is expected


def test_office_hours_in_bangkok_time() -> None:
    hours = OfficeHours()
    assert hours.is_open(datetime(2026, 12, 2, 2, 0, tzinfo=UTC))  # Wed 09:00 in Bangkok
    assert not hours.is_open(datetime(2026, 12, 2, 10, 0, tzinfo=UTC))  # Wed 17:00
    assert not hours.is_open(datetime(2026, 12, 5, 3, 0, tzinfo=UTC))  # Saturday
    assert hours.describe("en") == "Mon–Fri 8:30–16:30 Bangkok time"
    assert hours.describe("ja") == "月〜金8:30〜16:30、バンコク時間"
    assert hours.describe("th") == "จันทร์–ศุกร์ 8:30–16:30 น. เวลาประเทศไทย"
