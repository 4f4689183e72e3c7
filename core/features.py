"""Which features the app runs: their long-lived services, chat skills and routers.

Each feature package (knowledge, registration, matching) exposes a builder; this module
puts them together once per process so that server.py stays free of feature details.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from sqlalchemy.engine import Engine

from bot.dialogue import Dialogue, FallbackSkill, Services, Skill
from core.settings import Settings

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
    skills: list[Skill] = []
    fallback: FallbackSkill | None = None
    services: dict[str, Any] = {}
    return Built(
        dialogue=Dialogue(skills=skills, fallback=fallback, services=Services(extras=services)),
        services=services,
    )


def routers() -> list[APIRouter]:
    return []


def health_checks(state: Any) -> dict[str, Callable[[], None]]:
    return {}


def register_cli(app: Any) -> None:
    """Add each feature's commands to the `kakehashi` Typer app."""
