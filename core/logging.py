"""Structured (key=value) logs. Message text and secrets are never logged at INFO."""

from __future__ import annotations

import json
import logging
import time


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(record.created)),
            "level": record.levelname,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(level: str) -> None:
    root = logging.getLogger()
    if any(getattr(h, "_kakehashi", False) for h in root.handlers):
        root.setLevel(level)
        return
    handler = logging.StreamHandler()
    handler.setFormatter(JsonFormatter())
    handler._kakehashi = True  # type: ignore[attr-defined]
    root.addHandler(handler)
    root.setLevel(level)
    # Client libraries log request URLs, which carry the Telegram bot token.
    for noisy in (
        "httpx",
        "httpx2",
        "httpcore",
        "telegram",
        "urllib3",
        "chromadb",
        "aiohttp.access",
        "bm25s",  # one DEBUG line per index build, shown wherever the root level is lower
    ):
        logging.getLogger(noisy).setLevel(logging.WARNING)
