"""Builders for webhook bodies and settings shared by the tests."""

from __future__ import annotations

import itertools
import json
import time
from pathlib import Path
from typing import Any

from channels.line import signature
from core.settings import Settings
from tests.postgres import database_for

LINE_SECRET = "line-channel-secret-for-tests"
LINE_TOKEN = "line-access-token-for-tests"
TELEGRAM_TOKEN = "123456:TEST-telegram-token"
TELEGRAM_SECRET = "telegram-webhook-secret-for-tests"
BOT_USERNAME = "kakehashi_test_bot"

_ids = itertools.count(1)


def make_settings(
    data_dir: Path, api_base: str = "http://127.0.0.1:9", **overrides: Any
) -> Settings:
    values: dict[str, Any] = {
        "data_dir": data_dir,
        "line_channel_secret": LINE_SECRET,
        "line_channel_access_token": LINE_TOKEN,
        "line_api_base_url": api_base,
        "telegram_bot_token": TELEGRAM_TOKEN,
        "telegram_webhook_secret": TELEGRAM_SECRET,
        "telegram_api_base_url": api_base,
        "telegram_bot_username": BOT_USERNAME,
        "send_backoff_s": 0.01,
        "send_max_backoff_s": 0.05,
        "worker_poll_s": 0.05,
        "load_demo_content": False,
        "gc_freeze": False,  # many apps in one test process: frozen objects would stay
    }
    database_url = database_for(data_dir)  # KAKEHASHI_TEST_DATABASE=postgresql runs
    if database_url:
        values["database_url"] = database_url
    values.update(overrides)
    return Settings(**values)


def line_headers(body: bytes, secret: str = LINE_SECRET) -> dict[str, str]:
    return {
        "content-type": "application/json; charset=utf-8",
        "x-line-signature": signature(secret, body),
    }


def telegram_headers(secret: str = TELEGRAM_SECRET) -> dict[str, str]:
    return {"content-type": "application/json", "x-telegram-bot-api-secret-token": secret}


def line_body(*events: dict[str, Any]) -> bytes:
    return json.dumps({"destination": "Ubot", "events": list(events)}, ensure_ascii=False).encode()


def _line_base(user: str, event_id: str | None, reply_token: str | None) -> dict[str, Any]:
    return {
        "mode": "active",
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user},
        "webhookEventId": event_id or f"01TESTEVENT{next(_ids):015d}",
        "deliveryContext": {"isRedelivery": False},
        "replyToken": reply_token or f"rt-{next(_ids)}",
    }


def line_text(
    user: str, text: str, *, event_id: str | None = None, reply_token: str | None = None
) -> dict[str, Any]:
    event = _line_base(user, event_id, reply_token)
    event.update(
        {
            "type": "message",
            "message": {"type": "text", "id": str(next(_ids)), "quoteToken": "q", "text": text},
        }
    )
    return event


def line_postback(user: str, data: str, *, event_id: str | None = None) -> dict[str, Any]:
    event = _line_base(user, event_id, None)
    event.update({"type": "postback", "postback": {"data": data}})
    return event


def line_follow(user: str, *, event_id: str | None = None) -> dict[str, Any]:
    event = _line_base(user, event_id, None)
    event.update({"type": "follow", "follow": {"isUnblocked": False}})
    return event


def tg_text(
    user: int,
    text: str,
    *,
    update_id: int | None = None,
    chat: dict[str, Any] | None = None,
    entities: list[dict[str, Any]] | None = None,
    lang: str = "ja",
) -> bytes:
    message: dict[str, Any] = {
        "message_id": next(_ids),
        "from": {"id": user, "is_bot": False, "first_name": "Taro", "language_code": lang},
        "chat": chat or {"id": user, "type": "private", "first_name": "Taro"},
        "date": int(time.time()),
        "text": text,
    }
    if entities:
        message["entities"] = entities
    return json.dumps(
        {"update_id": update_id or next(_ids), "message": message}, ensure_ascii=False
    ).encode()


def tg_callback(user: int, data: str, *, update_id: int | None = None) -> bytes:
    return json.dumps(
        {
            "update_id": update_id or next(_ids),
            "callback_query": {
                "id": f"cbq-{next(_ids)}",
                "from": {"id": user, "is_bot": False, "first_name": "Taro", "language_code": "ja"},
                "chat_instance": "ci",
                "data": data,
                "message": {
                    "message_id": 1,
                    "date": int(time.time()),
                    "chat": {"id": user, "type": "private"},
                    "text": "menu",
                },
            },
        }
    ).encode()
