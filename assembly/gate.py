"""The dialogue with a gate in front: while a user is with staff (live handoff), the
handoff sees each of their turns first and the bot stays quiet.

The dialogue manager routes by skill and knows nothing of handoffs; this subclass, built
by the composition root, asks the handoff skill before every turn.
"""

from __future__ import annotations

import copy
import logging
from typing import Any

from bot.dialogue import Dialogue
from core.turn import Outcome
from core.types import Conversation, IncomingMessage
from handoff.skill import HandoffSkill

logger = logging.getLogger(__name__)


class GatedDialogue(Dialogue):
    def __init__(self, *, gate: HandoffSkill, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._gate = gate

    def handle(self, conv: Conversation, msg: IncomingMessage, *, session: Any = None) -> Outcome:
        conv = copy.deepcopy(conv)
        try:
            outcome = self._gate.intercept(conv, msg, session=session, services=self._services)
        except Exception:
            # A failing gate must not silence the user: the bot answers as usual.
            logger.exception("handoff gate failed for %s user", msg.channel)
            outcome = None
        if outcome is not None:
            return outcome
        return super().handle(conv, msg, session=session)
