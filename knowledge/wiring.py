"""Build the knowledge service once per process (called from the app lifespan)."""

from __future__ import annotations

import fcntl
import logging
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy.engine import Engine

from core.settings import Settings
from knowledge.generate import LLMWriter, make_chat_model
from knowledge.index import HybridIndex
from knowledge.loaders import load_file
from knowledge.service import KnowledgeService
from language.embeddings import get_embedder
from language.tokenize import get_tokenizer

logger = logging.getLogger(__name__)

STARTER_DIR = Path(__file__).parent / "starter"


def make_chroma_client(settings: Settings) -> Any:
    """Embedded PersistentClient in `<data_dir>/chroma`, or an HttpClient for CHROMA_URL.
    Telemetry is off; collections never get chromadb's default (downloading) embedder."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    chroma_settings = ChromaSettings(anonymized_telemetry=False)
    if settings.chroma_url:
        from urllib.parse import urlparse

        url = urlparse(settings.chroma_url)
        client = chromadb.HttpClient(
            host=url.hostname or "127.0.0.1",
            port=url.port or (443 if url.scheme == "https" else 8000),
            ssl=url.scheme == "https",
            settings=chroma_settings,
        )
        try:
            client.heartbeat()
        except Exception as exc:
            raise RuntimeError(f"CHROMA_URL={settings.chroma_url} does not answer: {exc}") from exc
        return client
    path = settings.data_dir / "chroma"
    path.mkdir(parents=True, exist_ok=True)
    return chromadb.PersistentClient(path=str(path), settings=chroma_settings)


def get_collection(client: Any, *, name: str, embedder_name: str) -> Any:
    # One collection per embedding model: vectors of two models never mix.
    return client.get_or_create_collection(
        name=f"{name}-{embedder_name}",
        embedding_function=None,
        metadata={"hnsw:space": "cosine", "embedder": embedder_name},
    )


def load_starter_documents(service: KnowledgeService) -> int:
    files = service.files_to_ingest([STARTER_DIR])
    service.ingest_many(load_file(path, key=f"starter/{path.name}") for path in files)
    logger.info("loaded %d starter knowledge documents", len(files))
    return len(files)


@contextmanager
def one_process_at_a_time(data_dir: Path) -> Iterator[None]:
    """Processes on this machine open the store one after another: the embedded Chroma
    creates its tables on first open, and two processes doing that at once fail with
    "table collections already exists"; two loading the starter documents would race."""
    data_dir.mkdir(parents=True, exist_ok=True)
    with open(data_dir / ".knowledge-open.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def build_knowledge(
    settings: Settings,
    engine: Engine,
    *,
    chroma_client: Any = None,
    load_starter: bool = True,
) -> KnowledgeService:
    """The process's KnowledgeService; loads the starter documents into an empty store."""
    with one_process_at_a_time(settings.data_dir):
        return _build_knowledge(
            settings, engine, chroma_client=chroma_client, load_starter=load_starter
        )


def _build_knowledge(
    settings: Settings, engine: Engine, *, chroma_client: Any, load_starter: bool
) -> KnowledgeService:
    started = time.perf_counter()
    embedder = get_embedder(settings.embedder)
    client = chroma_client if chroma_client is not None else make_chroma_client(settings)
    collection = get_collection(client, name=settings.kb_collection, embedder_name=embedder.name)
    index = HybridIndex(
        embedder=embedder,
        tokenizer=get_tokenizer(),
        collection=collection,
        unit_collection=get_collection(
            client, name=f"{settings.kb_collection}-units", embedder_name=embedder.name
        ),
        candidates=settings.kb_candidates,
    )
    writer = LLMWriter(make_chat_model(settings.llm)) if settings.llm else None
    service = KnowledgeService(engine=engine, index=index, settings=settings, writer=writer)
    service.load_index()
    if load_starter and service.is_empty():
        load_starter_documents(service)
    logger.info(
        "knowledge base ready: %d chunks in %.2f s", index.size, time.perf_counter() - started
    )
    return service
