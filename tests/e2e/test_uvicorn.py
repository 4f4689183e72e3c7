"""End to end through a real uvicorn server and a local stand-in for the platform APIs."""

from __future__ import annotations

import time
from collections import Counter

import pytest

from core.i18n import t
from tests.helpers import (
    line_body,
    line_follow,
    line_headers,
    line_postback,
    line_text,
    telegram_headers,
    tg_callback,
    tg_text,
)
from tests.standin import PlatformStandIn

pytestmark = pytest.mark.slow

MENU_DATA = ["reg:start", "kb:ask", "match:find", "reg:profile", "lang", "help"]


def test_line_greeting_menu_and_button_press(serve, standin: PlatformStandIn) -> None:
    server = serve(standin.url)
    follow = line_follow("Ue2e")
    body = line_body(follow)
    assert server.post("/webhooks/line", body, line_headers(body)).json()["stored"] == 1
    (greeting,) = standin.wait_for(1, "reply")
    labels = [
        t(f"menu.{k}", "th")
        for k in ("register", "ask", "find_partners", "profile", "language", "help")
    ]
    assert greeting.body == {
        "replyToken": follow["replyToken"],
        "messages": [
            {
                "type": "text",
                "text": t("greeting", "th"),
                "quickReply": {
                    "items": [
                        {
                            "type": "action",
                            "action": {
                                "type": "postback",
                                "label": label,
                                "data": data,
                                "displayText": label,
                            },
                        }
                        for label, data in zip(labels, MENU_DATA, strict=True)
                    ]
                },
            }
        ],
        "notificationDisabled": False,
    }
    assert greeting.body["messages"][0]["text"] == t("greeting", "th")
    assert [
        i["action"]["data"] for i in greeting.body["messages"][0]["quickReply"]["items"]
    ] == MENU_DATA

    body = line_body(line_text("Ue2e", "เมนู"))
    server.post("/webhooks/line", body, line_headers(body))
    menu = standin.wait_for(2, "reply")[1]
    assert menu.body["messages"][0]["text"] == t("menu.title", "th")

    body = line_body(line_postback("Ue2e", "lang:en"))
    server.post("/webhooks/line", body, line_headers(body))
    pressed = standin.wait_for(3, "reply")[2]
    assert pressed.body["messages"][0]["text"] == t("language.changed", "en")
    assert next(
        i["action"]["label"] for i in pressed.body["messages"][0]["quickReply"]["items"]
    ) == t("menu.register", "en")


def test_telegram_start_menu_and_button_press(serve, standin: PlatformStandIn) -> None:
    server = serve(standin.url)
    server.post("/webhooks/telegram", tg_text(5150, "/start"), telegram_headers())
    (greeting,) = standin.wait_for(1, "sendMessage")
    assert greeting.body == {
        "chat_id": "5150",
        "text": t("greeting", "ja"),
        "parse_mode": "HTML",
        "reply_markup": {
            "inline_keyboard": [
                [
                    {"text": t("menu.register", "ja"), "callback_data": "reg:start"},
                    {"text": t("menu.ask", "ja"), "callback_data": "kb:ask"},
                ],
                [
                    {"text": t("menu.find_partners", "ja"), "callback_data": "match:find"},
                    {"text": t("menu.profile", "ja"), "callback_data": "reg:profile"},
                ],
                [
                    {"text": t("menu.language", "ja"), "callback_data": "lang"},
                    {"text": t("menu.help", "ja"), "callback_data": "help"},
                ],
            ]
        },
        "link_preview_options": {"is_disabled": True},
    }
    server.post("/webhooks/telegram", tg_callback(5150, "help"), telegram_headers())
    (answer,) = standin.wait_for(1, "answerCallbackQuery")
    assert answer.body["callback_query_id"].startswith("cbq-")
    help_message = standin.wait_for(2, "sendMessage")[1]
    assert help_message.body["text"] == t("help", "ja")


def test_crash_after_ack_loses_nothing_and_sends_once(serve, standin: PlatformStandIn) -> None:
    """Acknowledged events survive SIGKILL before sending; after restart each reply goes once."""
    first = serve(standin.url, KAKEHASHI_WORKER_ENABLED="false")
    users = [f"Ucrash{i}" for i in range(6)]
    events = [line_text(u, w) for u in users for w in ("hello", "menu", "help")]
    body = line_body(*events)
    assert first.post("/webhooks/line", body, line_headers(body)).json() == {
        "status": "ok",
        "stored": 18,
        "duplicates": 0,
    }
    tg_updates = [tg_text(9000 + i, "メニュー", update_id=70000 + i) for i in range(4)]
    for update in tg_updates:
        assert first.post("/webhooks/telegram", update, telegram_headers()).json()["stored"] == 1
    first.kill()  # SIGKILL: acknowledged, nothing sent
    assert standin.calls == []

    second = serve(standin.url)
    # The platform redelivers one event after the restart: still answered once.
    assert (
        second.post(
            "/webhooks/line", line_body(events[0]), line_headers(line_body(events[0]))
        ).json()["duplicates"]
        == 1
    )
    line_calls = standin.wait_for(18, "reply", "push", timeout=60)
    tg_calls = standin.wait_for(4, "sendMessage", timeout=60)
    time.sleep(0.5)  # anything extra would arrive now
    line_calls = standin.calls_to("reply", "push")
    assert len(line_calls) == 18 and len(standin.calls_to("sendMessage")) == 4
    texts = Counter(c.body["messages"][0]["text"] for c in line_calls)
    assert texts == {t("greeting", "en"): 6, t("menu.title", "en"): 6, t("help", "en"): 6}
    assert sorted(c.body["chat_id"] for c in tg_calls) == sorted(str(9000 + i) for i in range(4))
