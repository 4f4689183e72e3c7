"""A conversation in the chat simulator reads in the console like one on LINE: the bot's
replies are kept as delivered, and nothing is sent to the platform a second time."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from console.transcript import transcript
from inbox.models import OutboxMessage
from tests.standin import PlatformStandIn


def test_the_bot_side_of_a_simulated_chat_is_in_the_transcript_and_sent_once(
    client: TestClient, standin: PlatformStandIn
) -> None:
    answered = client.post(
        "/api/chat", json={"channel": "line", "user_id": "sim-1", "text": "สวัสดีครับ"}
    ).json()["replies"]
    assert answered and answered[0]["text"]
    engine = client.app.state.engine  # type: ignore[attr-defined]
    with Session(engine) as session:
        lines = transcript(session, channel="line", user_id="sim-1", handoff_id=None)
        rows = list(session.exec(select(OutboxMessage).where(OutboxMessage.user_id == "sim-1")))
    assert [(line.who, line.text) for line in lines] == [
        ("user", "สวัสดีครับ"),
        *(("bot", reply["text"]) for reply in answered),
    ]
    assert len(rows) == 1 and rows[0].sent_at is not None
    time.sleep(1.5)  # the worker would have picked up an unsent row by now
    assert standin.calls_to("reply", "push") == []
