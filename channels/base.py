"""What every channel adapter does: verify a request, parse it, send replies."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from core.types import Channel, IncomingMessage, Reply


class VerificationError(Exception):
    """The request is not from the platform: 401 when the proof is missing, 403 when wrong."""

    def __init__(self, status_code: int, detail: str) -> None:
        super().__init__(detail)
        self.status_code = status_code
        self.detail = detail


class MalformedRequest(Exception):
    """The body is not a webhook body we can read (bad JSON, wrong shape)."""


class SendError(Exception):
    def __init__(self, detail: str, *, retryable: bool, retry_after: float | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.retryable = retryable
        self.retry_after = retry_after


@dataclass(frozen=True)
class Delivery:
    """Replies for one recipient, as stored in the outbox; parts already sent are skipped."""

    key: str  # stable per outbox row: retry keys are derived from it
    user_id: str
    chat_id: str
    replies: tuple[Reply, ...]
    reply_token: str | None = None
    callback_query_id: str | None = None
    event_time: datetime | None = None
    parts_sent: int = 0


PartSent = Callable[[int, int], Awaitable[None]]  # (parts sent so far, parts in all)


class ChannelAdapter(Protocol):
    name: Channel

    def missing_settings(self) -> list[str]:
        """Environment variables this channel needs that are unset (503 until they are)."""
        ...

    def verify(self, headers: Mapping[str, str], body: bytes) -> None:
        """Raise VerificationError unless the raw body provably comes from the platform."""
        ...

    def parse(self, body: bytes) -> Sequence[IncomingMessage]:
        """Normalise the body into our messages; skip (and log) what we do not handle."""
        ...

    async def send(self, delivery: Delivery, on_part_sent: PartSent) -> None:
        """Send the delivery's remaining parts, awaiting on_part_sent(n, total) after each."""
        ...

    async def start(self) -> None:
        """Prepare on the loop that will send (e.g. learn the bot's own name)."""
        ...

    async def close(self) -> None:
        """Release the clients, on the loop that sent with them."""
        ...
