"""The hybrid index: chromadb (dense, our embeddings) + BM25 over language-aware tokens,
fused by reciprocal rank fusion. Built once per process and updated in place.

The relational store is the source of truth (documents and chunks, with their tokens);
the chroma collection is synchronised from it at start-up, and the BM25 index is rebuilt
from the in-memory chunk list whenever a document changes.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import bm25s
import numpy as np

from knowledge.extract import split_units
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
    order: list[str] = field(default_factory=list)  # BM25 row and matrix row -> chunk id
    bm25: Any = None
    row: dict[str, int] = field(default_factory=dict)  # chunk id -> row
    by_topic_lang: dict[tuple[str, str], list[ChunkRecord]] = field(default_factory=dict)
    matrix: np.ndarray = field(default_factory=lambda: np.zeros((0, 1), dtype=np.float32))
    units: dict[str, Units] = field(default_factory=dict)  # chunk id -> its units
    document_frequency: dict[str, int] = field(default_factory=dict)  # token -> documents
    documents: int = 0


@dataclass(frozen=True)
class Units:
    texts: tuple[str, ...]
    vectors: np.ndarray  # one row per unit


def unit_ids(record: ChunkRecord) -> list[str]:
    return [f"{record.id}/{n}" for n in range(len(split_units(record.text)))]


def unit_match_texts(record: ChunkRecord) -> list[str]:
    """What a unit's embedding sees: the section heading gives a bare bullet its context."""
    head = f"{record.section}: " if record.section else ""
    return [f"{head}{unit}" for unit in split_units(record.text)]


def topic_of(record: ChunkRecord) -> str:
    return record.topic or f"doc-{record.document_id}"


class HybridIndex:
    """Vectors are kept in memory (dense search is a matrix product); chroma persists them
    so a restart does not re-embed. A reload caused by another process embeds what it has
    not seen itself and never writes to chroma, which that process has written already."""

    def __init__(
        self,
        *,
        embedder: Embedder,
        tokenizer: Tokenizer,
        collection: Any,  # a chromadb Collection created without an embedding function
        unit_collection: Any = None,  # the same for units; None: units are kept in memory
        candidates: int = 30,
        rrf_k: int = 60,
    ) -> None:
        self._embedder = embedder
        self._tokenizer = tokenizer
        self._collection = collection
        self._unit_collection = unit_collection
        self._candidates = candidates
        self._rrf_k = rrf_k
        self._lock = threading.RLock()  # serialises writers; readers use the current snapshot
        self._snapshot = _Snapshot()
        self._pending: dict[str, ChunkRecord] | None = None
        self._vectors: dict[str, np.ndarray] = {}
        self._units: dict[str, Units] = {}

    @property
    def size(self) -> int:
        return len(self._snapshot.order)

    @property
    def embedder(self) -> Embedder:
        return self._embedder

    @property
    def tokenizer(self) -> Tokenizer:
        return self._tokenizer

    def tokenize(self, text: str) -> list[str]:
        return self._tokenizer.tokenize(text)

    def health(self) -> None:
        """Raises when the vector store does not answer."""
        self._collection.count()

    def records(self) -> list[ChunkRecord]:
        snapshot = self._snapshot
        return [snapshot.records[i] for i in snapshot.order]

    # -- writing --------------------------------------------------------------------

    def load(self, records: Sequence[ChunkRecord], *, sync_store: bool = True) -> int:
        """Take `records` as the whole index. With `sync_store` (start-up), chroma is made to
        match: what it lacks is embedded and added, what it has extra is deleted. Without
        (another process changed the store), what this process lacks is embedded in memory
        only. Returns how many chunks had to be embedded."""
        with self._lock:
            if sync_store:
                embedded = self._sync(self._collection, records, chunks=True)
                if self._unit_collection is not None:
                    self._sync(self._unit_collection, records, chunks=False)
            else:
                embedded = len([r for r in records if r.id not in self._vectors])
            self._embed_in_memory(
                [r for r in records if r.id not in self._vectors],
                [r for r in records if r.id not in self._units],
            )
            wanted = {r.id for r in records}
            self._vectors = {i: v for i, v in self._vectors.items() if i in wanted}
            self._units = {i: u for i, u in self._units.items() if i in wanted}
            self._publish({r.id: r for r in records})
            return embedded

    def _sync(self, collection: Any, records: Sequence[ChunkRecord], *, chunks: bool) -> int:
        """Make `collection` hold exactly the vectors of `records` (chunks or units) and
        keep the stored ones in memory; returns how many chunks were embedded."""
        wanted = {i: r for r in records for i in ([r.id] if chunks else unit_ids(r))}
        existing = set(_all_ids(collection))
        stale = [i for i in existing if i not in wanted]
        for start in range(0, len(stale), _BATCH):
            collection.delete(ids=stale[start : start + _BATCH])
        stored = _get_vectors(collection, [i for i in wanted if i in existing])
        missing = {id(wanted[i]): wanted[i] for i in wanted if i not in existing}
        missing_records = list(missing.values())
        if chunks:
            self._vectors.update(stored)
            self._add(missing_records, units=False)
        else:
            for r in records:
                ids = unit_ids(r)
                if ids and all(i in stored for i in ids):
                    self._units[r.id] = Units(
                        tuple(split_units(r.text)), np.vstack([stored[i] for i in ids])
                    )
            self._add(missing_records, units=True)
        if stale or missing:
            logger.info("vector store synchronised: %d added, %d removed", len(missing), len(stale))
        return len(missing_records)

    def _add(self, records: Sequence[ChunkRecord], *, units: bool) -> None:
        if not records:
            return
        if units:
            self._embed_in_memory([], records)
            self._store_units(records)
        else:
            self._embed_in_memory(records, [])
            self._store_chunks(records)

    def _embed_in_memory(
        self, chunks: Sequence[ChunkRecord], with_units: Sequence[ChunkRecord]
    ) -> None:
        """One embedding call for the chunks' texts and the units of `with_units`."""
        unit_texts = [unit_match_texts(r) for r in with_units]
        texts = [r.match_text for r in chunks] + [t for ts in unit_texts for t in ts]
        if not texts:
            return
        vectors = self._embedder.embed(texts)
        for n, record in enumerate(chunks):
            self._vectors[record.id] = vectors[n]
        offset = len(chunks)
        for record, ts in zip(with_units, unit_texts, strict=True):
            self._units[record.id] = Units(
                tuple(split_units(record.text)), vectors[offset : offset + len(ts)]
            )
            offset += len(ts)

    def _store_chunks(self, records: Sequence[ChunkRecord]) -> None:
        _add_vectors(
            self._collection,
            [r.id for r in records],
            [self._vectors[r.id] for r in records],
            [{"document_id": r.document_id, "lang": r.lang, "topic": topic_of(r)} for r in records],
        )

    def _store_units(self, records: Sequence[ChunkRecord]) -> None:
        if self._unit_collection is None:
            return
        ids, vectors, metadatas = [], [], []
        for r in records:
            units = self._units[r.id]
            for unit_id, vector in zip(unit_ids(r), units.vectors, strict=True):
                ids.append(unit_id)
                vectors.append(vector)
                metadatas.append({"document_id": r.document_id, "chunk_id": r.id})
        _add_vectors(self._unit_collection, ids, vectors, metadatas)

    def replace_document(self, document_id: int, records: Sequence[ChunkRecord]) -> None:
        """The document's chunks become `records` (empty: the document is gone)."""
        with self._lock:
            self._embed_in_memory(records, records)  # fail before touching anything
            self._collection.delete(where={"document_id": document_id})
            if self._unit_collection is not None:
                self._unit_collection.delete(where={"document_id": document_id})
            self._store_chunks(records)
            self._store_units(records)
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

    def _publish(self, records: dict[str, ChunkRecord]) -> None:
        order = sorted(records, key=lambda i: (records[i].document_id, records[i].position))
        bm25 = None
        corpus = [list(records[i].tokens) or ["\u2400"] for i in order]
        if corpus:
            bm25 = bm25s.BM25()
            bm25.index(corpus, show_progress=False)
        by_topic_lang: dict[tuple[str, str], list[ChunkRecord]] = {}
        vocabulary: dict[int, set[str]] = {}
        for chunk_id in order:
            record = records[chunk_id]
            by_topic_lang.setdefault((topic_of(record), record.lang), []).append(record)
            vocabulary.setdefault(record.document_id, set()).update(record.tokens)
        frequency: Counter[str] = Counter()
        for words in vocabulary.values():
            frequency.update(words)
        dim = self._embedder.dim
        matrix = (
            np.vstack([self._vectors[i] for i in order]).astype(np.float32)
            if order
            else np.zeros((0, dim), dtype=np.float32)
        )
        self._snapshot = _Snapshot(
            records=records,
            order=order,
            bm25=bm25,
            row={chunk_id: n for n, chunk_id in enumerate(order)},
            by_topic_lang=by_topic_lang,
            matrix=matrix,
            units={i: self._units[i] for i in order if i in self._units},
            document_frequency=dict(frequency),
            documents=len(vocabulary),
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
        position = snapshot.row
        sims = snapshot.matrix[[position[r.id] for r in candidates]] @ query_vector
        words = self._tokenizer.tokenize(query)
        keyword: dict[str, float] = {}
        if words and snapshot.bm25 is not None:
            scores = snapshot.bm25.get_scores(words)
            top = max((float(scores[position[r.id]]) for r in candidates), default=0.0)
            if top > 0:
                keyword = {r.id: float(scores[position[r.id]]) / top for r in candidates}
        ranked = [
            (record, float(sim), float(sim) + 0.1 * keyword.get(record.id, 0.0))
            for record, sim in zip(candidates, sims, strict=True)
        ]
        ranked.sort(key=lambda item: item[2], reverse=True)
        return ranked[:limit]

    def record(self, chunk_id: str) -> ChunkRecord | None:
        return self._snapshot.records.get(chunk_id)

    def chunks_of(self, topic: str, lang: str) -> list[ChunkRecord]:
        return list(self._snapshot.by_topic_lang.get((topic, lang), []))

    def similarity(self, record: ChunkRecord, query_vector: np.ndarray) -> float:
        snapshot = self._snapshot
        return float(snapshot.matrix[snapshot.row[record.id]] @ query_vector)

    def document_frequency(self) -> tuple[dict[str, int], int]:
        """In how many documents each keyword token occurs, and the number of documents."""
        snapshot = self._snapshot
        return snapshot.document_frequency, snapshot.documents

    def keyword_records(self, tokens: Sequence[str]) -> list[ChunkRecord]:
        """The chunks the keyword leg alone finds for `tokens`, best first."""
        snapshot = self._snapshot
        found = self._keyword(tokens, snapshot)
        return [snapshot.records[i] for i, _ in found if i in snapshot.records]

    def has_language(self, lang: str) -> bool:
        return any(key[1] == lang for key in self._snapshot.by_topic_lang)

    def units_of(self, record: ChunkRecord) -> Units | None:
        return self._snapshot.units.get(record.id)

    def _dense(self, vector: np.ndarray, snapshot: _Snapshot) -> list[tuple[str, float]]:
        n = min(self._candidates, len(snapshot.order))
        sims = snapshot.matrix @ vector
        top = np.argpartition(-sims, n - 1)[:n] if n < len(sims) else np.arange(len(sims))
        top = top[np.argsort(-sims[top])]
        return [(snapshot.order[int(i)], float(sims[i])) for i in top]

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


def _all_ids(collection: Any) -> list[str]:
    total = collection.count()
    ids: list[str] = []
    for offset in range(0, total, _BATCH * 5):
        ids.extend(collection.get(include=[], limit=_BATCH * 5, offset=offset)["ids"])
    return ids


def _get_vectors(collection: Any, ids: Sequence[str]) -> dict[str, np.ndarray]:
    found: dict[str, np.ndarray] = {}
    for start in range(0, len(ids), _BATCH):
        got = collection.get(ids=list(ids[start : start + _BATCH]), include=["embeddings"])
        for i, vector in zip(got["ids"], got["embeddings"], strict=True):
            found[i] = np.asarray(vector, dtype=np.float32)
    return found


def _add_vectors(
    collection: Any,
    ids: Sequence[str],
    vectors: Sequence[np.ndarray],
    metadatas: Sequence[dict[str, Any]],
) -> None:
    for start in range(0, len(ids), _BATCH):
        collection.upsert(
            ids=list(ids[start : start + _BATCH]),
            embeddings=np.vstack(vectors[start : start + _BATCH]),
            metadatas=list(metadatas[start : start + _BATCH]),
        )
