"""Long-lived matching objects, built once per process by the app's lifespan.

ensure_demo_directory(settings, engine)   # before the matcher: fills an empty directory
app.state.matcher = build_matcher(settings, engine)
skill = matching_skill(app.state.matcher, settings)   # add to Dialogue(skills=[...])
"""

from __future__ import annotations

import logging
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import session_scope
from core.settings import Settings
from language.embeddings import get_embedder
from language.translate import TextTranslator
from matching import demo
from matching.engine import Matcher
from matching.introductions import DEFAULT_TTL
from matching.skill import MatchingSkill

logger = logging.getLogger(__name__)


def embedding_cache_path(settings: Settings) -> Path:
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in settings.embedder)
    return settings.data_dir / "matching" / f"embeddings-{safe}.npz"


def build_matcher(settings: Settings, engine: Engine, *, background: bool = False) -> Matcher:
    """The matcher with every company of the directory loaded (embeddings cached on disk).

    With `background=True` it returns at once and loads on a daemon thread; until then the
    chat says matching is starting up and the API answers 503.
    """
    started = time.perf_counter()
    matcher = Matcher(get_embedder(settings.embedder), cache_path=embedding_cache_path(settings))
    if background:
        matcher.refresh_in_background(engine)
        return matcher
    with Session(engine) as session:
        matcher.refresh(session)
    logger.info(
        "matcher ready: %s companies in %.1f s",
        len(matcher.snapshot),
        time.perf_counter() - started,
    )
    return matcher


def ensure_demo_directory(
    settings: Settings, engine: Engine, *, thai: int = 1000, japanese: int = 4000
) -> int:
    """Load the fictional demo directory when the company table is empty; how many were added."""
    if not settings.load_demo_content:
        return 0
    with session_scope(engine) as session:
        return demo.load_if_empty(session, thai=thai, japanese=japanese)


def introduction_ttl(settings: Settings) -> timedelta:
    days = getattr(settings, "intro_expiry_days", None)
    return timedelta(days=float(days)) if days else DEFAULT_TTL


def matching_skill(
    matcher: Matcher | None, settings: Settings, *, translator: TextTranslator | None = None
) -> MatchingSkill:
    return MatchingSkill(matcher, ttl=introduction_ttl(settings), translator=translator)
