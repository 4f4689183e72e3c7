"""The hybrid index: chromadb (dense, our embeddings) + BM25 over language-aware tokens,
fused by reciprocal rank fusion. Built once per process and updated in place.

The relational store is the source of truth (documents and chunks, with their tokens);
the chroma collection is synchronised from it at start-up, and the BM25 index is rebuilt
from the in-memory chunk list whenever a document changes.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import bm25s
import numpy as np

from language.embeddings import Embedder
from language.tokenize import Tokenizer

logger = logging.getLogger(__name__)

Mode = Literal["hybrid", "dense", "keyword"]
_BATCH = 1000


@dataclass(frozen=True)
class ChunkRecord:
    id: str
    document_id: int
    version: int
    position: int
    text: str
    title: str
    lang: str
    topic: str
    source: str = ""
    url: str = ""
    as_of: str = ""
    section: str = ""
    tokens: tuple[str, ...] = ()

    @property
    def match_text(self) -> str:
        """What the embedding sees: title and section give a short chunk its context."""
        head = f"{self.title} — {self.section}" if self.section else self.title
        return f"{head}\n{self.text}"


@dataclass(frozen=True)
class Hit:
    record: ChunkRecord
    score: float  # fused score (RRF), or the single leg's score in dense/keyword mode
    dense: float | None = None  # cosine similarity, when the dense leg returned this chunk
    keyword: float | None = None  # BM25 score, when the keyword leg returned this chunk


@dataclass(frozen=True)
class SearchResult:
    hits: list[Hit]
    best_dense: float  # the dense leg's best cosine similarity (0 when it found nothing)
    dense_top_topic: str | None
    keyword_top_topic: str | None
    best_keyword: float = 0.0


@dataclass
class _Snapshot:
    records: dict[str, ChunkRecord] = field(default_factory=dict)
    order: list[str] = field(default_factory=list)  # BM25 row -> chunk id
    bm25: Any = None
    row: dict[str, int] = field(default_factory=dict)  # chunk id -> BM25 row
    by_topic_lang: dict[tuple[str, str], list[ChunkRecord]] = field(default_factory=dict)


def topic_of(record: ChunkRecord) -> str:
    return record.topic or f"doc-{record.document_id}"


class HybridIndex:
    def __init__(
        self,
        *,
        embedder: Embedder,
        tokenizer: Tokenizer,
        collection: Any,  # a chromadb Collection created without an embedding function
        candidates: int = 30,
        rrf_k: int = 60,
    ) -> None:
        self._embedder = embedder
        self._tokenizer = tokenizer
        self._collection = collection
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._lock = threading.RLock()  # serialises writers; readers use the current snapshot
        self._snapshot = _Snapshot()
        self._pending: dict[str, ChunkRecord] | None = None

    @property
    def size(self) -> int:
        return len(self._snapshot.order)

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    def tokenize(self, text: str) -> list[str]:
        return self._tokenizer.tokenize(text)

    def health(self) -> None:
        """Raises when the vector store does not answer."""
        self._collection.count()

    def records(self) -> list[ChunkRecord]:
        snapshot = self._snapshot
        return [snapshot.records[i] for i in snapshot.order]

    # -- writing --------------------------------------------------------------------

    def load(self, records: Sequence[ChunkRecord]) -> int:
        """Start-up: take `records` as the whole index; embed what chroma is missing and
        drop what it has extra. Returns how many chunks had to be embedded."""
        with self._lock:
            wanted = {r.id: r for r in records}
            existing = set(self._all_collection_ids())
            stale = [i for i in existing if i not in wanted]
            for start in range(0, len(stale), _BATCH):
                self._collection.delete(ids=stale[start : start + _BATCH])
            missing = [r for r in records if r.id not in existing]
            self._add_to_collection(missing)
            self._publish({r.id: r for r in records})
            if stale or missing:
                logger.info(
                    "vector index synchronised: %d added, %d removed", len(missing), len(stale)
                )
            return len(missing)

    def replace_document(self, document_id: int, records: Sequence[ChunkRecord]) -> None:
        """The document's chunks become `records` (empty: the document is gone)."""
        with self._lock:
            embeddings = self._embed(records)  # fail before touching anything
            self._collection.delete(where={"document_id": document_id})
            self._add_to_collection(records, embeddings=embeddings)
            base = self._pending if self._pending is not None else self._snapshot.records
            kept = {i: r for i, r in base.items() if r.document_id != document_id}
            kept.update({r.id: r for r in records})
            if self._pending is not None:
                self._pending = kept
            else:
                self._publish(kept)

    @contextmanager
    def batch(self) -> Iterator[None]:
        """Many document changes, one keyword-index rebuild at the end (bulk ingestion).
        Searches during the batch see the index as it was before it."""
        with self._lock:
            if self._pending is not None:  # nested: the outer batch publishes
                yield
                return
            self._pending = dict(self._snapshot.records)
            try:
                yield
            finally:
                pending, self._pending = self._pending, None
                self._publish(pending)

    def remove_document(self, document_id: int) -> None:
        self.replace_document(document_id, [])

    def _all_collection_ids(self) -> list[str]:
        total = self._collection.count()
        ids: list[str] = []
        for offset in range(0, total, _BATCH * 5):
            ids.extend(self._collection.get(include=[], limit=_BATCH * 5, offset=offset)["ids"])
        return ids

    def _embed(self, records: Sequence[ChunkRecord]) -> np.ndarray:
        return self._embedder.embed([r.match_text for r in records])

    def _add_to_collection(
        self, records: Sequence[ChunkRecord], *, embeddings: np.ndarray | None = None
    ) -> None:
        if not records:
            return
        if embeddings is None:
            embeddings = self._embed(records)
        for start in range(0, len(records), _BATCH):
            batch = records[start : start + _BATCH]
            self._collection.add(
                ids=[r.id for r in batch],
                embeddings=embeddings[start : start + _BATCH],
                metadatas=[
                    {"document_id": r.document_id, "lang": r.lang, "topic": topic_of(r)}
                    for r in batch
                ],
            )

    def _publish(self, records: dict[str, ChunkRecord]) -> None:
        order = sorted(records, key=lambda i: (records[i].document_id, records[i].position))
        bm25 = None
        corpus = [list(records[i].tokens) or ["\u2400"] for i in order]
        if corpus:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        by_topic_lang: dict[tuple[str, str], list[ChunkRecord]] = {}
        for chunk_id in order:
            record = records[chunk_id]
            by_topic_lang.setdefault((topic_of(record), record.lang), []).append(record)
        self._snapshot = _Snapshot(
            records=records,
            order=order,
            bm25=bm25,
            row={chunk_id: n for n, chunk_id in enumerate(order)},
            by_topic_lang=by_topic_lang,
        )

    # -- reading --------------------------------------------------------------------

    def embed_query(self, text: str) -> np.ndarray:
        return self._embedder.embed([text])[0]

    def search(
        self,
        query: str,
        *,
        k: int = 10,
        mode: Mode = "hybrid",
        query_vector: np.ndarray | None = None,
    ) -> SearchResult:
        snapshot = self._snapshot
        if not snapshot.order:
            return SearchResult(
                hits=[], best_dense=0.0, dense_top_topic=None, keyword_top_topic=None
            )
        dense: list[tuple[str, float]] = []
        keyword: list[tuple[str, float]] = []
        if mode in ("hybrid", "dense"):
            vector = query_vector if query_vector is not None else self.embed_query(query)
            dense = self._dense(vector, snapshot)
        if mode in ("hybrid", "keyword"):
            keyword = self._keyword(self._tokenizer.tokenize(query), snapshot)
        dense_score = dict(dense)
        keyword_score = dict(keyword)
        if mode == "dense":
            ranked = [(i, s) for i, s in dense]
        elif mode == "keyword":
            ranked = [(i, s) for i, s in keyword]
        else:
            fused: dict[str, float] = {}
            for results in (dense, keyword):
                for rank, (chunk_id, _) in enumerate(results, start=1):
                    fused[chunk_id] = fused.get(chunk_id, 0.0) + 1.0 / (self._rrf_k + rank)
            ranked = sorted(fused.items(), key=lambda item: item[1], reverse=True)
        hits = [
            Hit(
                record=snapshot.records[chunk_id],
                score=score,
                dense=dense_score.get(chunk_id),
                keyword=keyword_score.get(chunk_id),
            )
            for chunk_id, score in ranked[:k]
            if chunk_id in snapshot.records
        ]
        return SearchResult(
            hits=hits,
            best_dense=dense[0][1] if dense else 0.0,
            dense_top_topic=topic_of(snapshot.records[dense[0][0]]) if dense else None,
            keyword_top_topic=topic_of(snapshot.records[keyword[0][0]]) if keyword else None,
            best_keyword=keyword[0][1] if keyword else 0.0,
        )

    def best_in(
        self, query: str, query_vector: np.ndarray, *, topic: str, lang: str, limit: int = 2
    ) -> list[tuple[ChunkRecord, float, float]]:
        """The chunks of `topic` written in `lang` that best answer the question, best first,
        as (chunk, cosine similarity, score); empty when that translation does not exist.
        The score is the similarity plus a share of the BM25 score: every chunk of a
        document carries its title, so the rarer question words help pick the section."""
        snapshot = self._snapshot
        candidates = snapshot.by_topic_lang.get((topic, lang), [])
        if not candidates:
            return []
        result = self._collection.query(
            query_embeddings=[query_vector],
            n_results=len(candidates),
            where={"$and": [{"topic": topic}, {"lang": lang}]},
            include=["distances"],
        )
        words = self._tokenizer.tokenize(query)
        keyword: dict[str, float] = {}
        if words and snapshot.bm25 is not None:
            scores = snapshot.bm25.get_scores(words)
            position = snapshot.row
            top = max((float(scores[position[r.id]]) for r in candidates), default=0.0)
            if top > 0:
                keyword = {r.id: float(scores[position[r.id]]) / top for r in candidates}
        ranked: list[tuple[ChunkRecord, float, float]] = []
        for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True):
            record = snapshot.records.get(chunk_id)
            if record is not None:
                similarity = 1.0 - float(distance)
                ranked.append((record, similarity, similarity + 0.1 * keyword.get(chunk_id, 0.0)))
        ranked.sort(key=lambda item: item[2], reverse=True)
        return ranked[:limit]

    def _dense(self, vector: np.ndarray, snapshot: _Snapshot) -> list[tuple[str, float]]:
        n = min(self._candidates, len(snapshot.order))
        result = self._collection.query(
            query_embeddings=[vector], n_results=n, include=["distances"]
        )
        return [
            (chunk_id, 1.0 - float(distance))
            for chunk_id, distance in zip(result["ids"][0], result["distances"][0], strict=True)
            if chunk_id in snapshot.records
        ]

    def _keyword(self, tokens: Iterable[str], snapshot: _Snapshot) -> list[tuple[str, float]]:
        tokens = list(tokens)
        if not tokens or snapshot.bm25 is None:
            return []
        n = min(self._candidates, len(snapshot.order))
        docs, scores = snapshot.bm25.retrieve([tokens], k=n, show_progress=False, n_threads=1)
        return [
            (snapshot.order[int(index)], float(score))
            for index, score in zip(docs[0], scores[0], strict=True)
            if score > 0
        ]
