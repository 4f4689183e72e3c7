from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.base import MalformedRequest, VerificationError
from channels.line import LineAdapter, signature
from core.types import Button, Card, Kind, Reply
from tests.helpers import LINE_SECRET, make_settings

FIXTURE = Path(__file__).parent.parent / "data" / "line_sdk_v3_webhook_28_events.json"


@pytest.fixture
def adapter(tmp_path: Path) -> LineAdapter:
    return LineAdapter(make_settings(tmp_path))


def test_known_answer_signature() -> None:
    # From line-bot-sdk's own tests (shared/fixtures/README.md).
    assert (
        signature("channel_secret", b"bodybodybodybody")
        == "/gg9a+LvFevTH1sd7XCQycD7tsWclCsInj7MhBHxN7k="
    )


def test_verify_accepts_the_right_signature_and_refuses_others(adapter: LineAdapter) -> None:
    body = b'{"destination":"U1","events":[]}'
    adapter.verify({"x-line-signature": signature(LINE_SECRET, body)}, body)
    with pytest.raises(VerificationError) as missing:
        adapter.verify({}, body)
    assert missing.value.status_code == 401
    with pytest.raises(VerificationError) as wrong:
        adapter.verify({"x-line-signature": signature("another-secret", body)}, body)
    assert wrong.value.status_code == 403
    with pytest.raises(VerificationError):
        adapter.verify({"x-line-signature": signature(LINE_SECRET, body)}, body + b" ")


def test_all_28_sdk_events_verify_and_parse(adapter: LineAdapter) -> None:
    body = FIXTURE.read_bytes()
    adapter.verify({"x-line-signature": signature(LINE_SECRET, body)}, body)
    messages = adapter.parse(body)
    kinds = [m.kind for m in messages]
    # 1:1 text, location, sticker, follow, unfollow, 4 postbacks, file, image, text (redelivery).
    # Skipped: room image, video, audio, join, leave, beacons, accountLink, group/room texts
    # without a mention, member events, unsend, videoPlayComplete, messageEdited, unknown.
    assert kinds == [
        Kind.TEXT,
        Kind.LOCATION,
        Kind.STICKER,
        Kind.FOLLOW,
        Kind.UNFOLLOW,
        Kind.POSTBACK,
        Kind.POSTBACK,
        Kind.POSTBACK,
        Kind.POSTBACK,
        Kind.FILE,
        Kind.IMAGE,
        Kind.TEXT,
    ]
    text = messages[0]
    assert text.text == "Hello, world" and text.reply_token == "nHuyWiB7yP5Zw52FIkcQobQuGDXCTA"
    assert (
        text.user_id == "U206d25c2ea6bd87c17655609a1c37cb8"
        and text.event_id == "testwebhookeventid"
    )
    location = messages[1].location
    assert location is not None and location.latitude == pytest.approx(35.65910807942215)
    sticker = messages[2].sticker
    assert sticker is not None and sticker.package_id == "1" and sticker.sticker_id == "1"
    assert messages[5].postback == "action=buyItem&itemId=123123&color=red"
    media = messages[9].media
    assert media is not None and media.file_name == "file.txt" and media.size == 2138
    assert not any(m.is_group for m in messages)


def test_group_text_is_taken_only_when_the_bot_is_mentioned(adapter: LineAdapter) -> None:
    def group_text(text: str, mentionees: list[dict]) -> bytes:
        event = {
            "type": "message",
            "mode": "active",
            "timestamp": 1700000000000,
            "source": {"type": "group", "groupId": "Cgroup", "userId": "Uuser"},
            "webhookEventId": "01GROUP",
            "deliveryContext": {"isRedelivery": False},
            "replyToken": "rt",
            "message": {
                "type": "text",
                "id": "1",
                "quoteToken": "q",
                "text": text,
                "mention": {"mentionees": mentionees} if mentionees else None,
            },
        }
        if not mentionees:
            del event["message"]["mention"]  # type: ignore[attr-defined]
        return json.dumps({"destination": "U", "events": [event]}).encode()

    assert adapter.parse(group_text("hello everyone", [])) == []
    other = [{"index": 0, "length": 6, "type": "user", "userId": "Uother", "isSelf": False}]
    assert adapter.parse(group_text("@Somsa hi", other)) == []
    me = [{"index": 0, "length": 10, "type": "user", "isSelf": True}]
    (msg,) = adapter.parse(group_text("@Kakehashi menu", me))
    assert (
        msg.is_group and msg.text == "menu" and msg.chat_id == "Cgroup" and msg.user_id == "Uuser"
    )


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"events": [{"type": "message"}]}', b'{"events": 5}']
)
def test_malformed_bodies_are_refused(adapter: LineAdapter, body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        adapter.parse(body)


def test_render_quick_replies_flex_and_numbered_fallback(adapter: LineAdapter) -> None:
    reply = Reply(
        text="Choose",
        buttons=(
            Button("Register my company today", "reg:start"),
            Button("Source", "x", url="https://example.org/doc"),
        ),
        cards=(
            Card(
                "Siam Mold (Demo)",
                "Injection moulds",
                buttons=(Button("Request introduction", "intro:req:1"),),
            ),
        ),
    )
    text, flex = (m.to_dict() for m in adapter.render([reply]))
    assert text == {"type": "text", "text": "Choose"}  # the intro first, without buttons
    assert flex["type"] == "flex" and flex["contents"]["type"] == "carousel"
    bubble = flex["contents"]["contents"][0]
    assert bubble["body"]["contents"][0]["text"] == "Siam Mold (Demo)"
    assert bubble["footer"]["contents"][0]["action"] == {
        "type": "postback",
        "label": "Request introduction",
        "data": "intro:req:1",
        "displayText": "Request introduction",
    }
    assert "1. Siam Mold (Demo)" in flex["altText"]
    items = flex["quickReply"]["items"]  # quick replies ride on the last message
    assert items[0]["action"]["label"] == "Register my company…"  # LINE's 20-character limit
    assert items[0]["action"]["data"] == "reg:start"
    assert items[1]["action"] == {
        "type": "uri",
        "label": "Source",
        "uri": "https://example.org/doc",
    }

    many = Reply(
        text="Pick a province", buttons=tuple(Button(f"P{i}", f"p:{i}") for i in range(20))
    )
    (only,) = (m.to_dict() for m in adapter.render([many]))
    assert len(only["quickReply"]["items"]) == 13
    assert "20. P19" in only["text"]
