"""The "reg" skill: conversational registration, profile view and edit, data erasure.

The skill asks for writes through effects (save the company, update one field, erase the
user's data); the runtime applies them in the turn's transaction. The company directory
and the erasure of every store are handed in by the composition root (`core.ports`).
"""

from __future__ import annotations

import logging

from core.turn import Turn
from core.types import Kind
from registration.forms.definitions import FORMS
from registration.forms.engine import is_word
from registration.mapping import company_to_answers
from registration.membership import MembershipSteps
from registration.words import (
    CANCEL_WORDS,
    CONFIRM_WORDS,
    JOIN_REQUEST,
    LANG_CHANGE_WORDS,
    PROFILE_WORDS,
    REGISTER_WORDS,
)

logger = logging.getLogger(__name__)

NAME = "reg"
P = NAME + ":"
# Inside a form question yes and no are answers (a yes/no choice, a consent), so only
# the confirmations read them as commands.
COMMAND_WORDS = {"yes": "yes", "no": "no", "back": "back", "skip": "skip", "cancel": "cancel"}


class RegistrationSkill(MembershipSteps):
    """The Skill the dialogue manager routes "reg:..." buttons and registration text to."""

    def on_postback(self, turn: Turn, data: str) -> bool:
        reg = self._state(turn)
        parts = data.split(":")
        action = parts[1] if len(parts) > 1 else ""
        arg = parts[2] if len(parts) > 2 else ""
        if action == "start":
            self._start(turn, reg)
        elif action == "profile":
            self._show_profile(turn, reg)
        elif action == "form" and arg in FORMS:
            self._begin_form(turn, reg, arg)
        elif action == "resume":
            self._resume(turn, reg)
        elif action == "restart":
            reg["draft"] = None
            self._choose_form(turn, reg)
        elif action == "lang":
            self._language(turn, reg, arg)
        elif action in {"o", "done", "skip"}:
            self._engine_button(turn, reg, action, arg, parts[3] if len(parts) > 3 else "")
        elif action == "back":
            self._back(turn, reg)
        elif action == "cancel":
            self._cancel(turn, reg, arg)
        elif action == "edit":
            self._edit_draft_field(turn, reg, arg)
        elif action == "confirm":
            self._confirm(turn, reg)
        elif action == "pedit":
            self._begin_profile_edit(turn, reg, arg)
        elif action == "delete":
            self._delete(turn, reg, arg)
        elif action == "invite":
            self._invite(turn, reg)
        elif action == "join":
            self._join(turn, reg, arg)
        elif action == "jr":
            self._join_request(turn, reg, parts[2:])
        else:
            return False
        return True

    def takes_answer(self, turn: Turn, text: str) -> bool:
        reg = turn.conv.data.get(NAME)  # read only: the turn is not this skill's yet
        if not isinstance(reg, dict) or reg.get("stage") not in {"form", "pedit"}:
            return False
        state = self._engine_state(reg)
        lang = reg.get("lang") or turn.lang
        return state is not None and self.engine.would_take(state, text.strip(), lang)

    def on_text(self, turn: Turn) -> bool:
        reg = self._state(turn)
        text = (turn.msg.text or "").strip()
        location = turn.msg.location
        if turn.msg.kind is Kind.LOCATION and location is not None:
            # A shared location answers a province question by its address.
            text = (location.address or location.title or "").strip()
        # A command the intent layer recognised ("ใช่ ยกเลิกเลย", "前の質問に戻る") reads as
        # the one word the steps below know for it.
        stage = reg.get("stage")
        if turn.intent in COMMAND_WORDS and not (
            turn.intent in {"yes", "no"} and stage in {"form", "pedit"}
        ):
            text = COMMAND_WORDS[turn.intent]
        if self._is_delete_request(text):
            self._delete(turn, reg, "")
            return True
        if is_word(text, LANG_CHANGE_WORDS):
            self._language(turn, reg, "")
            return True
        join = JOIN_REQUEST.match(text)
        if join:
            self._join(turn, reg, join.group(1))
            return True
        if stage == "join":
            self._join(turn, reg, "yes" if is_word(text, CONFIRM_WORDS) else "no")
            return True
        if stage == "choose":
            return self._text_choose(turn, reg, text)
        if stage == "resume":
            return self._text_resume(turn, reg, text)
        if stage == "cancel":
            self._cancel(turn, reg, "yes" if is_word(text, CONFIRM_WORDS | CANCEL_WORDS) else "no")
            return True
        if stage == "delete":
            if is_word(text, CONFIRM_WORDS):
                self._delete(turn, reg, "yes")
            else:
                self._delete(turn, reg, "no")
            return True
        if stage in {"form", "pedit"}:
            return self._text_form(turn, reg, text)
        if stage == "summary":
            return self._text_summary(turn, reg, text)
        if stage == "profile":
            return self._text_profile(turn, reg, text)
        turn.conv.flow = None
        return False

    def on_free_text(self, turn: Turn) -> bool:
        """Typed requests outside a flow ("delete my data", "edit phone", "my profile").

        For the dialogue manager to call before the knowledge answerer.
        """
        text = (turn.msg.text or "").strip()
        if self._is_delete_request(text):
            self._delete(turn, self._state(turn), "")
            return True
        if is_word(text, PROFILE_WORDS):
            self._show_profile(turn, self._state(turn))
            return True
        if is_word(text, REGISTER_WORDS):
            self._start(turn, self._state(turn))
            return True
        join = JOIN_REQUEST.match(text)
        if join:
            self._join(turn, self._state(turn), join.group(1))
            return True
        company = self._company(turn)
        if company is not None:
            form, _ = company_to_answers(company)
            target = self._edit_target(text, form, turn.lang)
            if target is not None:
                self._begin_profile_edit(turn, self._state(turn), target)
                return True
        return False
