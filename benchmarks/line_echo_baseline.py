"""Baseline for benchmarks/webhook.py: written the way line-bot-sdk's FastAPI echo example
works — verify and parse in the request, then await the reply call before answering 200.

Run as: python -m uvicorn benchmarks.line_echo_baseline:app (settings from the environment).
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI, HTTPException, Request
from linebot.v3 import WebhookParser
from linebot.v3.exceptions import InvalidSignatureError
from linebot.v3.messaging import (
    AsyncApiClient,
    AsyncMessagingApi,
    Configuration,
    ReplyMessageRequest,
    TextMessage,
)
from linebot.v3.webhooks import MessageEvent, TextMessageContent

configuration = Configuration(
    host=os.environ.get("LINE_API_BASE_URL", "https://api.line.me"),
    access_token=os.environ["LINE_CHANNEL_ACCESS_TOKEN"],
)
parser = WebhookParser(os.environ["LINE_CHANNEL_SECRET"])
clients: dict[str, AsyncMessagingApi] = {}


@asynccontextmanager
async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
    # The SDK example builds the client at import; current aiohttp needs a running loop.
    async_api_client = AsyncApiClient(configuration)
    clients["line"] = AsyncMessagingApi(async_api_client)
    yield
    await async_api_client.close()


app = FastAPI(lifespan=lifespan)


@app.post("/webhooks/line")
async def handle_callback(request: Request) -> str:
    signature = request.headers["X-Line-Signature"]
    body = (await request.body()).decode()
    try:
        events = parser.parse(body, signature)
    except InvalidSignatureError:
        raise HTTPException(status_code=400, detail="Invalid signature") from None
    for event in events:
        if not isinstance(event, MessageEvent) or not isinstance(event.message, TextMessageContent):
            continue
        await clients["line"].reply_message(
            ReplyMessageRequest(
                reply_token=event.reply_token, messages=[TextMessage(text=event.message.text)]
            )
        )
    return "OK"
