"""What the dialogue manager does with a recognised intent.

Understanding comes before answering: a typed message first goes through the intent
layer (`language.intents`); only what is no intent goes on to the active flow's answer
or the knowledge base. Most intents are the same as pressing a menu button, so they are
routed as that button's data to the skill that owns it; a few the dialogue manager
answers itself. Inside a flow only commands that leave or pause it act here (menu,
language, a person); yes/no/back/skip/cancel are left to the flow, which reads
`turn.intent`.
"""

from __future__ import annotations

from typing import Protocol

from core.turn import Turn
from core.types import Lang
from language.intents import Context, IntentMatch

# The button each intent stands for.
AS_BUTTON: dict[str, str] = {
    "register": "reg:start",
    "my_profile": "reg:profile",
    "delete_data": "reg:delete",
    "find_partners": "match:find",
    "partner_search": "match:search",
    "more": "match:more",
    "accept_intro": "match:answer:yes",
    "decline_intro": "match:answer:no",
    "ask_question": "kb:ask",
    "talk_to_staff": "kb:staff",
}
# Commands that act even while a flow waits for an answer.
IN_FLOW = frozenset({"menu", "switch_language", "talk_to_staff"})


class IntentReader(Protocol):
    def classify(self, text: str, *, context: Context = "idle") -> IntentMatch | None: ...
    def form_command(self, text: str) -> str | None: ...


class Actions(Protocol):
    """What the dialogue manager offers the router (implemented by `Dialogue`)."""

    def greet(self, turn: Turn) -> None: ...
    def acknowledge(self, turn: Turn, *, thanked: bool) -> None: ...
    def menu(self, turn: Turn) -> None: ...
    def choose_language(self, turn: Turn, lang: Lang | None) -> None: ...
    def press(self, turn: Turn, data: str) -> bool: ...
    def leave_flow(self, turn: Turn) -> None: ...


def act(actions: Actions, turn: Turn, match: IntentMatch, *, in_flow: bool) -> bool:
    """Carry out `match`; False when the message should go on (to the flow or answers)."""
    name = match.name
    if in_flow and name not in IN_FLOW:
        return False
    if name == "greet":
        actions.greet(turn)
    elif name == "thanks":
        actions.acknowledge(turn, thanked=match.thanked)
    elif name == "menu":
        actions.menu(turn)
    elif name == "switch_language":
        actions.choose_language(turn, match.target_lang)
    elif name in AS_BUTTON:
        if in_flow:
            actions.leave_flow(turn)  # the flow keeps its answers to resume later
        return actions.press(turn, AS_BUTTON[name])
    else:
        return False  # edit_field, yes/no/back/skip/cancel at the menu: the skills read text
    return True
