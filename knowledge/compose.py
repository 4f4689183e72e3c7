"""From retrieved chunks to the sentences shown: candidates, extraction and the evidence
the decline decision uses."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from core.settings import Settings
from knowledge.choose import pick, render_units
from knowledge.cues import places_in
from knowledge.extract import Extractor, ScoredUnit, UnitCandidate
from knowledge.index import ChunkRecord, HybridIndex, SearchResult, topic_of

# Topics (documents and their translations) whose sentences compete for the answer.
CANDIDATE_TOPICS = 3


@dataclass(frozen=True)
class Extraction:
    units: tuple[ScoredUnit, ...]  # the chosen units, in document order
    best: ScoredUnit | None  # the best-scoring unit (the evidence)
    text: str  # the units under their section headings

    @property
    def topic(self) -> str | None:
        return self.best.candidate.topic if self.best else None


def candidates(
    index: HybridIndex,
    result: SearchResult,
    vector: np.ndarray,
    lang: str,
    expanded: Sequence[ChunkRecord] = (),
) -> list[UnitCandidate]:
    """The units of the best topics' chunks, each topic in the user's language when that
    translation exists, else in the language retrieval found it in; plus the first topic
    the keyword search with cross-language concepts (`expanded`) finds, when retrieval
    missed it (a Thai question about a document only in Japanese)."""
    topics: dict[str, str] = {}
    for hit in result.hits:
        topics.setdefault(topic_of(hit.record), hit.record.lang)
        if len(topics) == CANDIDATE_TOPICS:
            break
    for record in expanded[:1]:
        topics.setdefault(topic_of(record), record.lang)
    found: list[UnitCandidate] = []
    for rank, (topic, found_lang) in enumerate(topics.items()):
        chunks = index.chunks_of(topic, lang) or index.chunks_of(topic, found_lang)
        for record in chunks:
            units = index.units_of(record)
            if units is None:
                continue
            chunk_similarity = index.similarity(record, vector)
            for n, (text, unit_vector) in enumerate(zip(units.texts, units.vectors, strict=True)):
                found.append(
                    UnitCandidate(
                        chunk_id=record.id,
                        topic=topic,
                        document_id=record.document_id,
                        title=record.title,
                        position=record.position,
                        n=n,
                        text=text,
                        section=record.section,
                        as_of=record.as_of,
                        vector=unit_vector,
                        chunk_similarity=chunk_similarity,
                        topic_rank=rank,
                        url=record.url,
                    )
                )
    return found


def extract(
    extractor: Extractor,
    index: HybridIndex,
    question: str,
    vector: np.ndarray,
    result: SearchResult,
    lang: str,
    settings: Settings,
) -> Extraction:
    frequency, documents = index.document_frequency()
    rarity = extractor.rarity(frequency, documents)
    # Words unknown to the documents say something only when documents in the question's
    # language exist; a question asked across languages is judged on its meaning.
    own_language = index.has_language(lang)
    novelty = extractor.novelty(question, rarity, frequency) if own_language else 0.0
    # Asked across languages, the keyword leg cannot match the question's words: search
    # again with its concepts in every language. In the user's own language only names
    # are expanded: "เจโทร" finds the Thai document that writes "JETRO" (expanding every
    # concept would only add a topic the concept words happen to share).
    words = extractor.expansion(question, names_only=own_language)
    expanded = index.keyword_records(words) if words else []
    scored = extractor.score(
        question, vector, candidates(index, result, vector, lang, expanded), rarity, novelty
    )
    scored = _speaking_of_places(question, _naming(extractor, question, scored))
    if not scored:
        return Extraction(units=(), best=None, text="")
    chosen = pick(scored, margin=settings.kb_unit_margin, limit=3)
    best = max(chosen, key=lambda s: s.score)
    return Extraction(units=tuple(chosen), best=best, text=render_units(chosen))


def _naming(extractor: Extractor, question: str, scored: list[ScoredUnit]) -> list[ScoredUnit]:
    """A question naming programmes or bodies ("does the JETRO-DIP agreement cover
    health?") is answered from the documents naming them all, when one does: not from
    the SMRJ–DIP memorandum, which never names JETRO."""
    names = extractor.cues.names
    named = {t for t in extractor.question_terms(question) if t[:1] == "@" and t[1:] in names}
    if not named:
        return scored
    documents: dict[int, set[str]] = {}
    for unit in scored:
        c = unit.candidate
        documents.setdefault(c.document_id, set(extractor.unit_terms(c.title))).update(
            extractor.unit_terms(c.text) | extractor.unit_terms(c.section)
        )
    naming = {d for d, terms in documents.items() if named <= terms}
    if not naming or len(naming) == len(documents):
        return scored
    return [unit for unit in scored if unit.candidate.document_id in naming]


def _speaking_of_places(question: str, scored: list[ScoredUnit]) -> list[ScoredUnit]:
    """A question about another country ("does Vietnam have an SME fund?"), or a bank or
    subject no document is about, is answered only by units that name it (in their text,
    section or title), not by the Thai fund's terms; none: nothing to answer from."""
    asked = places_in(question)
    if not asked:
        return scored
    return [
        u
        for u in scored
        if asked <= places_in(f"{u.candidate.title} {u.candidate.section} {u.candidate.text}")
    ]


def has_evidence(extraction: Extraction, settings: Settings) -> bool:
    """The decline decision, on the extracted unit: its score combines its similarity to
    the question, the question words and concepts it shares, the document it names and
    whether it carries the asked kind of fact."""
    best = extraction.best
    return best is not None and best.score >= settings.kb_min_unit_score
