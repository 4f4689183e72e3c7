"""A local HTTP server standing in for the LINE and Telegram APIs.

It records the exact JSON each request carried (Telegram's form fields are decoded, with
JSON-valued fields such as reply_markup parsed) and can be told to fail the next calls.
Used by the tests and by benchmarks/webhook.py; it listens on 127.0.0.1 only.
"""

from __future__ import annotations

import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qsl


@dataclass
class Call:
    method: str
    path: str
    headers: dict[str, str]
    body: Any

    @property
    def endpoint(self) -> str:
        """The API method: 'reply' / 'push' for LINE, 'sendMessage' etc. for Telegram."""
        return self.path.rstrip("/").rsplit("/", 1)[-1]


@dataclass
class Failure:
    endpoint: str
    status: int
    times: int
    headers: dict[str, str] = field(default_factory=dict)
    body: dict[str, Any] = field(default_factory=dict)


class PlatformStandIn:
    def __init__(self, *, delay_s: float = 0.0) -> None:
        self.calls: list[Call] = []
        self.failures: list[Failure] = []
        self.delay_s = delay_s
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def start(self) -> PlatformStandIn:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def fail(
        self,
        endpoint: str,
        status: int,
        *,
        times: int = 1,
        headers: dict[str, str] | None = None,
        body: dict[str, Any] | None = None,
    ) -> None:
        with self._lock:
            self.failures.append(Failure(endpoint, status, times, headers or {}, body or {}))

    def calls_to(self, *endpoints: str) -> list[Call]:
        with self._lock:
            return [c for c in self.calls if c.endpoint in endpoints]

    def wait_for(self, count: int, *endpoints: str, timeout: float = 20.0) -> list[Call]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls_to(*endpoints)
            if len(calls) >= count:
                return calls
            time.sleep(0.02)
        return self.calls_to(*endpoints)

    def _take_failure(self, endpoint: str) -> Failure | None:
        with self._lock:
            for failure in self.failures:
                if failure.endpoint == endpoint and failure.times > 0:
                    failure.times -= 1
                    return failure
        return None

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        standin = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: Any) -> None:
                return

            def do_GET(self) -> None:
                self._handle()

            def do_POST(self) -> None:
                self._handle()

            def do_PUT(self) -> None:
                self._handle()

            def _handle(self) -> None:
                length = int(self.headers.get("content-length") or 0)
                raw = self.rfile.read(length) if length else b""
                call = Call(
                    self.command,
                    self.path,
                    {k.lower(): v for k, v in self.headers.items()},
                    _decode(raw, self.headers.get("content-type", "")),
                )
                failure = standin._take_failure(call.endpoint)
                if standin.delay_s:
                    time.sleep(standin.delay_s)
                if failure is None:
                    with standin._lock:
                        standin.calls.append(call)
                    self._answer(200, _success(call), {})
                else:
                    self._answer(
                        failure.status,
                        failure.body or {"message": "stand-in failure"},
                        failure.headers,
                    )

            def _answer(
                self, status: int, payload: dict[str, Any], headers: dict[str, str]
            ) -> None:
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

        return Handler


def _decode(raw: bytes, content_type: str) -> Any:
    if not raw:
        return {}
    if "json" in content_type:
        return json.loads(raw)
    if "form-urlencoded" in content_type:
        fields: dict[str, Any] = {}
        for key, value in parse_qsl(raw.decode(), keep_blank_values=True):
            try:
                fields[key] = json.loads(value) if value[:1] in "{[" else value
            except ValueError:
                fields[key] = value
        return fields
    return raw.decode(errors="replace")


def _success(call: Call) -> dict[str, Any]:
    endpoint = call.endpoint
    if endpoint in ("reply", "push"):
        return {"sentMessages": [{"id": str(int(time.time() * 1000)), "quoteToken": "q"}]}
    if endpoint == "getMe":
        return {
            "ok": True,
            "result": {
                "id": 777,
                "is_bot": True,
                "first_name": "Kakehashi",
                "username": "kakehashi_test_bot",
            },
        }
    if endpoint == "sendMessage":
        chat_id = call.body.get("chat_id", 1) if isinstance(call.body, dict) else 1
        return {
            "ok": True,
            "result": {
                "message_id": len(chat_id) if isinstance(chat_id, str) else 1,
                "date": int(time.time()),
                "chat": {"id": int(chat_id), "type": "private"},
                "text": "ok",
            },
        }
    if endpoint in ("answerCallbackQuery", "setWebhook"):
        return {"ok": True, "result": True}
    return {}
