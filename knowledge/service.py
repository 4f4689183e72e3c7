"""The knowledge service: documents in, answers out. One instance per process."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Literal

from sqlalchemy.engine import Engine
from sqlmodel import Session

from core.db import session_scope
from core.i18n import t
from core.settings import Settings
from knowledge import repo
from knowledge.compose import Extraction, extract, has_evidence
from knowledge.extract import Extractor, build_cues
from knowledge.generate import AnswerWriter
from knowledge.index import ChunkRecord, Hit, HybridIndex, Mode, SearchResult, topic_of
from knowledge.loaders import Chunker, LoadedDocument, iter_files, load_file
from knowledge.models import KnowledgeChunk, KnowledgeDocument
from knowledge.types import Answer, Passage, Source
from language import detect as langdetect

logger = logging.getLogger(__name__)

# A second section of the same document is quoted when it scores within this of the best.
SECOND_PASSAGE_MARGIN = 0.08

IngestStatus = Literal["added", "updated", "unchanged", "deleted"]


@dataclass(frozen=True)
class IngestResult:
    document_id: int
    key: str
    status: IngestStatus
    version: int
    chunks: int


class DocumentNotFound(LookupError):
    pass


def new_ref() -> str:
    return uuid.uuid4().hex[:12]


class KnowledgeService:
    def __init__(
        self,
        *,
        engine: Engine,
        index: HybridIndex,
        settings: Settings | None = None,
        writer: AnswerWriter | None = None,
    ) -> None:
        self._engine = engine
        self._index = index
        self._settings = settings or Settings()
        self._chunker = Chunker(
            chunk_size=self._settings.kb_chunk_size, chunk_overlap=self._settings.kb_chunk_overlap
        )
        self._writer = writer
        self._extractor = Extractor(index.tokenizer, build_cues(index.tokenizer))
        self._stamp: tuple[int, int, str] | None = None
        self._checked_at = 0.0

    def variant(
        self, settings: Settings, *, writer: AnswerWriter | None = None
    ) -> KnowledgeService:
        """Another service over the same store and index, with other settings (to compare
        answer strategies in one run)."""
        return KnowledgeService(
            engine=self._engine, index=self._index, settings=settings, writer=writer
        )

    @property
    def index(self) -> HybridIndex:
        return self._index

    @property
    def settings(self) -> Settings:
        return self._settings

    # -- start-up -----------------------------------------------------------------------

    def load_index(self, *, sync_store: bool = True) -> int:
        """Fill the in-process index from the store; returns the number of chunks embedded.
        `sync_store=False` (a change by another process) leaves the vector store alone."""
        with Session(self._engine) as session:
            stamp = repo.store_stamp(session)
            records = [_record(chunk, doc) for chunk, doc in repo.all_chunks(session)]
        embedded = self._index.load(records, sync_store=sync_store)
        self._stamp = stamp
        return embedded

    def refresh_if_stale(self) -> bool:
        """Reload the index when another process changed the documents (a `kakehashi
        ingest` run, or another app process on the same database). Checked at most every
        `refresh_interval_s` seconds, with one small query. True when it reloaded."""
        now = time.monotonic()
        if now - self._checked_at < self._settings.kb_refresh_interval_s:
            return False
        self._checked_at = now
        with Session(self._engine) as session:
            stamp = repo.store_stamp(session)
        if stamp == self._stamp:
            return False
        logger.info("knowledge documents changed in another process; reloading the index")
        self.load_index(sync_store=False)
        return True

    def health(self) -> None:
        """Raises when the store or the vector index does not answer (for /healthz)."""
        with Session(self._engine) as session:
            repo.count_documents(session)
        self._index.health()

    def close(self) -> None:
        """Nothing to release: the embedded chroma client and the SQL engine belong to the
        process and the app respectively. Kept so the app can call it on shutdown."""

    def is_empty(self) -> bool:
        with Session(self._engine) as session:
            return repo.count_documents(session) == 0

    # -- ingestion --------------------------------------------------------------------

    def ingest(self, loaded: LoadedDocument) -> IngestResult:
        """Add or replace one document; an unchanged one is left alone."""
        digest = loaded.content_hash()
        with session_scope(self._engine) as session:
            document = repo.get_document_by_key(session, loaded.key)
            if document is not None and document.content_hash == digest:
                assert document.id is not None
                return IngestResult(document.id, loaded.key, "unchanged", document.version, 0)
            status: IngestStatus = "added" if document is None else "updated"
            if document is None:
                document = KnowledgeDocument(
                    key=loaded.key, title="", lang="en", content="", content_hash=""
                )
                document.version = 1
            else:
                document.version += 1
            document.title = loaded.title
            document.lang = loaded.lang
            document.topic = loaded.topic
            document.source = loaded.source
            document.url = loaded.url
            document.as_of = loaded.as_of
            document.content = loaded.content
            document.content_hash = digest
            document.origin = loaded.origin
            repo.save_document(session, document)
            assert document.id is not None
            chunks = [
                KnowledgeChunk(
                    id=f"{document.id}-{document.version}-{piece.position}",
                    document_id=document.id,
                    version=document.version,
                    position=piece.position,
                    section=piece.section,
                    text=piece.text,
                    tokens=[],
                )
                for piece in self._chunker.split(loaded)
            ]
            for chunk in chunks:
                chunk.tokens = self._index.tokenize(_record(chunk, document).match_text)
            repo.replace_chunks(session, document_id=document.id, chunks=chunks)
            # The index changes last, inside the transaction: if embedding fails nothing is
            # stored; if the commit fails the next start-up re-synchronises the vectors.
            self._index.replace_document(document.id, [_record(c, document) for c in chunks])
            result = IngestResult(document.id, loaded.key, status, document.version, len(chunks))
            session.commit()
            self._stamp = repo.store_stamp(session)
        logger.info(
            "knowledge document %s %s (version %d, %d chunks)",
            result.document_id,
            status,
            result.version,
            result.chunks,
        )
        return result

    def ingest_paths(
        self,
        paths: Sequence[Path],
        *,
        prune: bool = False,
        on_file: Callable[[Path, IngestResult], None] | None = None,
    ) -> list[IngestResult]:
        """Ingest files and directories. With `prune`, a document that came from one of
        the given directories but whose file is gone is deleted."""
        files = iter_files([Path(p) for p in paths])
        results = []
        with self._index.batch():
            for path in files:
                result = self.ingest(load_file(path))
                results.append(result)
                if on_file is not None:
                    on_file(path, result)
        if prune:
            seen = {str(p.resolve()) for p in files}
            for directory in (Path(p).resolve() for p in paths if Path(p).is_dir()):
                with Session(self._engine) as session:
                    gone = [
                        d
                        for d in repo.documents_with_origin_under(session, str(directory) + "/")
                        if d.origin not in seen
                    ]
                for document in gone:
                    assert document.id is not None
                    self.delete_document(document.id)
                    results.append(
                        IngestResult(document.id, document.key, "deleted", document.version, 0)
                    )
        return results

    def ingest_many(self, documents: Iterable[LoadedDocument]) -> list[IngestResult]:
        """Ingest several documents with a single keyword-index rebuild at the end."""
        with self._index.batch():
            return [self.ingest(document) for document in documents]

    def files_to_ingest(self, paths: Iterable[Path]) -> list[Path]:
        return iter_files([Path(p) for p in paths])

    # -- documents ----------------------------------------------------------------------

    def list_documents(self, *, lang: str | None = None) -> list[KnowledgeDocument]:
        with Session(self._engine, expire_on_commit=False) as session:
            return repo.list_documents(session, lang=lang)

    def get_document(self, document_id: int) -> KnowledgeDocument | None:
        with Session(self._engine, expire_on_commit=False) as session:
            return repo.get_document(session, document_id)

    def create_document(self, loaded: LoadedDocument) -> IngestResult:
        with Session(self._engine) as session:
            if repo.get_document_by_key(session, loaded.key) is not None:
                raise ValueError(f"a document with key {loaded.key!r} exists already")
        return self.ingest(loaded)

    def update_document(self, document_id: int, **changes: str | None) -> IngestResult:
        """Change text and/or metadata; a real change makes a new version."""
        document = self.get_document(document_id)
        if document is None:
            raise DocumentNotFound(document_id)
        fields = {
            name: getattr(document, name)
            for name in ("title", "lang", "topic", "source", "url", "as_of", "content")
        }
        fields.update({name: value for name, value in changes.items() if value is not None})
        loaded = LoadedDocument(key=document.key, origin=document.origin, **fields)
        return self.ingest(loaded)

    def delete_document(self, document_id: int) -> bool:
        with session_scope(self._engine) as session:
            if not repo.delete_document(session, document_id):
                return False
            self._index.remove_document(document_id)
            session.commit()
            self._stamp = repo.store_stamp(session)
        logger.info("knowledge document %s deleted", document_id)
        return True

    def reindex(self) -> int:
        """Re-split, re-tokenize and re-embed every document (after a chunking change)."""
        count = 0
        for document in self.list_documents():
            assert document.id is not None
            loaded = LoadedDocument(
                key=document.key,
                title=document.title,
                lang=document.lang,
                content=document.content,
                topic=document.topic,
                source=document.source,
                url=document.url,
                as_of=document.as_of,
                origin=document.origin,
            )
            with session_scope(self._engine) as session:
                stored = repo.get_document(session, document.id)
                assert stored is not None
                stored.content_hash = ""  # force the rebuild, keeping the version history
            self.ingest(loaded)
            count += 1
        return count

    # -- questions --------------------------------------------------------------------

    def search(self, query: str, k: int = 5, *, mode: Mode = "hybrid") -> list[Passage]:
        self.refresh_if_stale()
        result = self._index.search(query.strip()[:1000], k=k, mode=mode)
        return [_passage(hit) for hit in result.hits]

    def retrieve(self, query: str, k: int = 10, *, mode: Mode = "hybrid") -> SearchResult:
        return self._index.search(query.strip()[:1000], k=k, mode=mode)

    def is_confident(self, result: SearchResult) -> bool:
        if not result.hits:
            return False
        if result.best_dense >= self._settings.kb_min_similarity:
            return True
        agreed = (
            result.keyword_top_topic is not None
            and result.keyword_top_topic == result.dense_top_topic
            and topic_of(result.hits[0].record) == result.dense_top_topic
        )
        return agreed and result.best_dense >= self._settings.kb_min_similarity_agreed

    def answer(self, question: str, lang: str | None = None) -> Answer:
        self.refresh_if_stale()
        question = question.strip()[:1000]
        lang = lang if lang in ("th", "ja", "en") else (langdetect.detect(question) or "en")
        ref = new_ref()
        vector = self._index.embed_query(question)
        result = self._index.search(question, k=8, query_vector=vector)
        passages = [_passage(hit) for hit in result.hits]
        if not self._settings.kb_extract:
            if not self.is_confident(result):
                return self._unknown(question, lang, ref, passages, result.best_dense)
            quoted, text = self._sections(question, vector, result, lang)
            return self._finish(question, lang, ref, quoted, passages, text, result)
        extraction = extract(
            self._extractor, self._index, question, vector, result, lang, self._settings
        )
        if not has_evidence(extraction, self._settings):
            return self._unknown(question, lang, ref, passages, result.best_dense)
        assert extraction.best is not None
        best_chunk = extraction.best.candidate.chunk_id
        quoted = [_unit_passage(extraction, self._index, best_chunk)]
        text = extraction.text
        url = quoted[0].url
        if url and url not in text and self._extractor.cues.asks(question, "website"):
            text = f"{text}\n🔗 {url}"  # "ขอลิ้งค์หน่อย": the address itself, not only a button
        return self._finish(question, lang, ref, quoted, passages, text, result)

    def _sections(
        self, question: str, vector: Any, result: SearchResult, lang: str
    ) -> tuple[list[Passage], str]:
        """Without extraction: the best sections of the top topic, in the user's language
        when that translation exists, else in the language of the top passage: the best
        one, and the runner-up when it scores almost as well."""
        top = result.hits[0].record
        quoted = [_passage(result.hits[0])]
        for quote_lang in dict.fromkeys((lang, top.lang)):
            found = self._index.best_in(question, vector, topic=topic_of(top), lang=quote_lang)
            if found:
                first_score = found[0][2]
                quoted = [
                    _passage(Hit(record=record, score=result.hits[0].score, dense=similarity))
                    for record, similarity, score in found
                    if score >= first_score - SECOND_PASSAGE_MARGIN
                ]
                break
        in_document_order = sorted(quoted, key=lambda p: p.position)
        return quoted, "\n\n".join(p.text for p in in_document_order)

    def _finish(
        self,
        question: str,
        lang: str,
        ref: str,
        quoted: list[Passage],
        passages: list[Passage],
        text: str,
        result: SearchResult,
    ) -> Answer:
        best = quoted[0]
        quoted_ids = {p.chunk_id for p in quoted}
        ordered = [*quoted, *(p for p in passages if p.chunk_id not in quoted_ids)]
        generated, used = False, [best]
        if self._writer is not None:
            try:
                written = self._writer.write(question, lang, ordered[:4])
            except Exception:
                logger.exception("the chat model failed; answering with the best passage instead")
            else:
                if written is None:
                    return self._unknown(question, lang, ref, ordered, result.best_dense)
                text, generated, used = written, True, ordered[:4]
        return Answer(
            question=question,
            lang=lang,
            text=text,
            confident=True,
            passages=tuple(ordered),
            sources=tuple(_sources(used)),
            ref=ref,
            generated=generated,
            best_similarity=result.best_dense,
        )

    def _unknown(
        self, question: str, lang: str, ref: str, passages: list[Passage], best: float
    ) -> Answer:
        return Answer(
            question=question,
            lang=lang,
            text=t("kb.unknown", lang),  # type: ignore[arg-type]
            confident=False,
            passages=tuple(passages),
            ref=ref,
            best_similarity=best,
        )


def _record(chunk: KnowledgeChunk, document: KnowledgeDocument) -> ChunkRecord:
    assert document.id is not None
    return ChunkRecord(
        id=chunk.id,
        document_id=document.id,
        version=chunk.version,
        position=chunk.position,
        text=chunk.text,
        title=document.title,
        lang=document.lang,
        topic=document.topic,
        source=document.source,
        url=document.url,
        as_of=document.as_of,
        section=chunk.section,
        tokens=tuple(chunk.tokens),
    )


def _unit_passage(extraction: Extraction, index: HybridIndex, chunk_id: str) -> Passage:
    """The extracted sentences as a passage of the best unit's chunk (what a chat model
    is given first, and what the answer cites)."""
    record = index.record(chunk_id)
    assert record is not None and extraction.best is not None
    return replace(
        _passage(Hit(record=record, score=extraction.best.score, dense=extraction.best.similarity)),
        text=extraction.text,
    )


def _passage(hit: Hit) -> Passage:
    r = hit.record
    return Passage(
        text=r.text,
        score=round(hit.score, 6),
        document_id=r.document_id,
        chunk_id=r.id,
        title=r.title,
        lang=r.lang,
        topic=topic_of(r),
        source=r.source,
        url=r.url,
        as_of=r.as_of,
        position=r.position,
        similarity=None if hit.dense is None else round(hit.dense, 4),
    )


def _sources(passages: Iterable[Passage]) -> list[Source]:
    seen: dict[int, Source] = {}
    for p in passages:
        seen.setdefault(p.document_id, Source(p.document_id, p.title, p.source, p.url, p.as_of))
    return list(seen.values())
