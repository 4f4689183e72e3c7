from __future__ import annotations

import json
from pathlib import Path

import pytest

from channels.base import MalformedRequest, VerificationError
from channels.telegram import CALLBACK_DATA_LIMIT, TelegramAdapter
from core.types import Button, Card, Kind, Reply
from tests.helpers import BOT_USERNAME, TELEGRAM_SECRET, make_settings, tg_callback, tg_text

FIXTURES = sorted((Path(__file__).parent.parent / "data" / "telegram").glob("*.json"))


@pytest.fixture
def aliases() -> dict[str, str]:
    return {}


@pytest.fixture
def adapter(tmp_path: Path, aliases: dict[str, str]) -> TelegramAdapter:
    return TelegramAdapter(
        make_settings(tmp_path), put_alias=aliases.__setitem__, get_alias=aliases.get
    )


def test_verify_secret_header(adapter: TelegramAdapter) -> None:
    adapter.verify({"x-telegram-bot-api-secret-token": TELEGRAM_SECRET}, b"{}")
    with pytest.raises(VerificationError) as missing:
        adapter.verify({}, b"{}")
    assert missing.value.status_code == 401
    with pytest.raises(VerificationError) as wrong:
        adapter.verify({"x-telegram-bot-api-secret-token": TELEGRAM_SECRET + "x"}, b"{}")
    assert wrong.value.status_code == 403


@pytest.mark.parametrize("path", FIXTURES, ids=[p.stem for p in FIXTURES])
def test_every_fixture_parses(adapter: TelegramAdapter, path: Path) -> None:
    expected = {
        "private_text_message": (Kind.TEXT, "hello there"),
        "private_text_message_2": (Kind.TEXT, "4"),
        "supergroup_command_reply_to_story": (Kind.TEXT, "/report"),
        "my_chat_member_private_kicked": (Kind.UNFOLLOW, None),
        "supergroup_dice": None,  # a dice in a group is not addressed to the bot
        "supergroup_pinned_message": None,
    }[path.stem]
    messages = adapter.parse(path.read_bytes())
    if expected is None:
        assert messages == []
    else:
        (msg,) = messages
        assert (msg.kind, msg.text) == expected
        assert msg.event_id == str(json.loads(path.read_bytes())["update_id"])


def test_start_with_deep_link_payload(adapter: TelegramAdapter) -> None:
    (msg,) = adapter.parse(tg_text(42, "/start intro-123"))
    assert msg.kind is Kind.FOLLOW and msg.start_payload == "intro-123" and msg.lang_hint == "ja"
    (plain,) = adapter.parse(tg_text(42, "/start"))
    assert plain.kind is Kind.FOLLOW and plain.start_payload is None


def test_groups_only_when_addressed(adapter: TelegramAdapter) -> None:
    group = {"id": -100, "type": "supergroup", "title": "Buyers"}
    assert adapter.parse(tg_text(42, "good morning all", chat=group)) == []
    assert adapter.parse(tg_text(42, "/help@other_bot", chat=group)) == []
    (command,) = adapter.parse(tg_text(42, f"/help@{BOT_USERNAME}", chat=group))
    assert command.text == "/help" and command.is_group and command.chat_id == "-100"
    mention = f"@{BOT_USERNAME}"
    entities = [{"type": "mention", "offset": 0, "length": len(mention)}]
    (mentioned,) = adapter.parse(
        tg_text(42, f"{mention} 担保は必要ですか", chat=group, entities=entities)
    )
    assert mentioned.text == "担保は必要ですか"


def test_edited_message_and_callback_query(adapter: TelegramAdapter) -> None:
    body = json.loads(tg_text(42, "edited text"))
    body["edited_message"] = body.pop("message")
    (edited,) = adapter.parse(json.dumps(body).encode())
    assert edited.edited and edited.text == "edited text"
    (press,) = adapter.parse(tg_callback(42, "reg:start"))
    assert press.kind is Kind.POSTBACK and press.postback == "reg:start" and press.callback_query_id


def test_long_callback_data_goes_through_an_alias(
    adapter: TelegramAdapter, aliases: dict[str, str]
) -> None:
    long_data = "match:more:" + "x" * 80
    reply = Reply(text="t", buttons=(Button("More", long_data), Button("Menu", "menu")))
    ((_text, keyboard),) = adapter.render([reply])
    assert keyboard is not None
    data = [button.callback_data for row in keyboard.inline_keyboard for button in row]
    assert all(len(str(d).encode()) <= CALLBACK_DATA_LIMIT for d in data)
    assert data[1] == "menu" and data[0] != long_data
    (press,) = adapter.parse(tg_callback(42, str(data[0])))
    assert press.postback == long_data


def test_render_cards_and_escaping(adapter: TelegramAdapter) -> None:
    reply = Reply(
        text="Top <5> matches",
        cards=(Card("A & B Co.", "moulds", buttons=(Button("Intro", "intro:req:1"),)),),
    )
    # The text that introduces the cards comes first, as on LINE.
    (text, kb), (card_text, card_kb) = adapter.render([reply])
    assert card_text.startswith("<b>A &amp; B Co.</b>")
    assert card_kb is not None and card_kb.inline_keyboard[0][0].callback_data == "intro:req:1"
    assert text == "Top &lt;5&gt; matches" and kb is None


def test_the_replys_buttons_follow_the_last_card(adapter: TelegramAdapter) -> None:
    reply = Reply(
        text="Proposals",
        cards=(
            Card("A", "", buttons=(Button("Intro A", "match:ask:1"),)),
            Card("B", "", buttons=(Button("Intro B", "match:ask:2"),)),
        ),
        buttons=(Button("More", "match:more:5"), Button("Intro B", "match:ask:2")),
    )
    parts = adapter.render([reply])
    assert [p[0].split("<")[0] or p[0][3] for p in parts] == ["Proposals", "A", "B"]
    assert parts[0][1] is None
    last_kb = parts[2][1]
    assert last_kb is not None
    data = [k.callback_data for row in last_kb.inline_keyboard for k in row]
    assert data == ["match:ask:2", "match:more:5"]  # no button twice


@pytest.mark.parametrize(
    "body", [b"not json", b"[]", b'{"message": {}}', b'{"update_id": "x", "message": 5}']
)
def test_malformed_updates_are_refused(adapter: TelegramAdapter, body: bytes) -> None:
    with pytest.raises(MalformedRequest):
        adapter.parse(body)
