"""Drive the dialogue like the worker does: load state, handle, apply effects, save state."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy.engine import Engine

from assembly.features import registration_skill
from bot.dialogue import Dialogue
from core.db import session_scope
from core.state import load_conversation, save_conversation
from core.turn import Outcome
from core.types import Channel, IncomingMessage, Kind, Reply

_ids = itertools.count(1)


@dataclass
class Ctx:
    session: Any
    notified: list[tuple[str, str, str, Sequence[Reply]]] = field(default_factory=list)

    def notify(self, *, channel: str, user_id: str, chat_id: str, replies: Sequence[Reply]) -> None:
        self.notified.append((channel, user_id, chat_id, replies))


class Driver:
    def __init__(
        self,
        engine: Engine,
        *,
        channel: Channel,
        user_id: str = "U-test-1",
        dialogue: Dialogue | None = None,
        lang_hint: str | None = None,
    ) -> None:
        self.engine = engine
        self.channel = channel
        self.user_id = user_id
        self.skill = registration_skill()
        self.dialogue = dialogue or Dialogue(skills=[self.skill])
        self.lang_hint = lang_hint
        self.last: Outcome | None = None
        # Messages the turns queued for other users: (channel, user id, chat id, replies).
        self.notified: list[tuple[str, str, str, Sequence[Reply]]] = []
        self.timestamp = datetime(2026, 11, 28, 1, 0, tzinfo=UTC)

    def _msg(self, **kwargs: Any) -> IncomingMessage:
        return IncomingMessage(
            channel=self.channel,
            event_id=f"ev-{next(_ids)}",
            user_id=self.user_id,
            chat_id=self.user_id,
            timestamp=self.timestamp,
            lang_hint=self.lang_hint,
            **kwargs,
        )

    def text(self, text: str) -> list[Reply]:
        return self.run(self._msg(kind=Kind.TEXT, text=text))

    def press(self, data: str) -> list[Reply]:
        return self.run(self._msg(kind=Kind.POSTBACK, postback=data))

    def run(self, msg: IncomingMessage) -> list[Reply]:
        with session_scope(self.engine) as session:
            conv = load_conversation(session, channel=self.channel, user_id=self.user_id)
            outcome = self.dialogue.handle(conv, msg, session=session)
            erased = False
            ctx = Ctx(session)
            for effect in outcome.effects:
                effect.apply(ctx)
                erased = erased or bool(getattr(effect, "erases_conversation", False))
            if not erased:
                save_conversation(session, outcome.conv, chat_id=self.user_id)
        self.notified += ctx.notified
        self.last = outcome
        return outcome.replies

    def conv(self):
        with session_scope(self.engine) as session:
            return load_conversation(session, channel=self.channel, user_id=self.user_id)

    def reg_state(self) -> dict[str, Any]:
        return self.conv().data.get("reg") or {}


def texts(replies: Sequence[Reply]) -> str:
    return "\n".join(r.text for r in replies)


def button_data(replies: Sequence[Reply]) -> list[str]:
    out = [b.data for r in replies for b in r.buttons]
    out += [b.data for r in replies for c in r.cards for b in c.buttons]
    return out


def find_button(replies: Sequence[Reply], label: str) -> str:
    for r in replies:
        for b in (*r.buttons, *(b for c in r.cards for b in c.buttons)):
            if b.label == label or b.label == "✓ " + label:
                return b.data
    raise AssertionError(f"no button {label!r} in {[b.label for r in replies for b in r.buttons]}")
