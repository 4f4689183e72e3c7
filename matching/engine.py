"""The matching engine: built once per process, scores one company against the directory.

`Matcher` keeps an in-memory snapshot of every company (`matching.snapshot`): the
embeddings of what it offers and what it seeks (one multilingual space, so Thai text meets
Japanese text, `matching.vectors`), plus its sector, partnership types, certificates, size
and area as small arrays. A query scores all of the other country's companies in a few
vector operations, combining the two directions reciprocally (`matching.signals`),
down-ranks "not interested" marks, re-ranks the best for diversity (`matching.diversity`),
and explains the final few with reasons in the reader's language (`matching.explain`).

Refreshing: `ensure_fresh(session)` compares a cheap fingerprint of the company table
(count, max id, max updated_at) on every use. When it changed, only the companies added or
edited since the last look are read and their rows replaced or inserted
(`Snapshot.updated`); a full reload happens at start-up and, on a background thread,
when companies were deleted. Embeddings of texts seen before come from an in-memory and
on-disk cache keyed by the text's hash.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func, or_
from sqlmodel import Session, select

from core.db import is_unavailable
from core.types import Lang
from language.embeddings import Embedder
from matching import scoring, vectors
from matching.concepts import Glossary, default_glossary
from matching.diversity import rank
from matching.explain import reasons_for
from matching.linker import ConceptLinker
from matching.models import Company
from matching.scoring import DEFAULT_WEIGHTS, Weights
from matching.signals import score_rows
from matching.snapshot import Profile, Query, Snapshot, other_country
from matching.vectors import EmbeddingCache, language_means

logger = logging.getLogger(__name__)

# An edit committed this long before the newest one seen may still be unseen (clocks of
# several processes, transactions committing out of order): the delta read looks back.
DELTA_SLACK = timedelta(seconds=5)


@dataclass(frozen=True)
class Match:
    company_id: int
    ref: str
    name: str
    country: str
    score: float
    reasons: list[str]
    reason_keys: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "ref": self.ref,
            "name": self.name,
            "country": self.country,
            "score": round(self.score, 4),
            "reasons": self.reasons,
        }


class Matcher:
    def __init__(
        self,
        embedder: Embedder,
        *,
        cache_path: Path | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
        glossary: Glossary | None = None,
    ) -> None:
        self.embedder = embedder
        self.weights = weights
        self.glossary = glossary if glossary is not None else default_glossary()
        self.cache = EmbeddingCache(embedder, cache_path)
        self._linker: ConceptLinker | None = None
        empty = np.zeros((0, embedder.dim), np.float32)
        self._snapshot = Snapshot([], empty, empty, None)
        self._fingerprint: tuple[Any, ...] | None = None
        self._max_id = 0
        self._since: datetime | None = None  # the newest updated_at of the last read
        self.full_loads = 0  # how many times the whole directory was read
        self.incremental_loads = 0  # how many times only changed companies were
        self.lang_means: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.last_refresh_s = 0.0

    # -- building ------------------------------------------------------------------

    @property
    def linker(self) -> ConceptLinker:
        """The glossary plus concept links by embedding (its forms embedded on first use,
        through the same cache as the directory's texts)."""
        if self._linker is None:
            self._linker = ConceptLinker(
                self.glossary,
                self.cache.embed,
                prepare=scoring.strip_framing,
                threshold=self.weights.link_threshold,
                margin=self.weights.link_margin,
                partial=self.weights.link_partial,
                prefer=self.weights.link_prefer,
                narrower=self.weights.narrower,
                narrower_least=self.weights.narrower_least,
            )
        return self._linker

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def load_profiles(self, profiles: Sequence[Profile]) -> None:
        started = time.perf_counter()
        offer_texts = [p.offer_text for p in profiles]
        seek_texts = [p.seek_text for p in profiles]
        self.linker.learn([*offer_texts, *seek_texts])
        offers = self.embed_texts(offer_texts, center=False)
        seeks = self.embed_texts(seek_texts, center=False)
        if self.weights.center_languages:
            self.lang_means = language_means(
                np.vstack([offers, seeks]), [*offer_texts, *seek_texts]
            )
            offers = vectors.center(offers, offer_texts, self.lang_means)
            seeks = vectors.center(seeks, seek_texts, self.lang_means)
        self.load_vectors(profiles, offers, seeks)
        self.last_refresh_s = time.perf_counter() - started

    def embed_texts(self, texts: Sequence[str], *, center: bool = True) -> np.ndarray:
        """Embeddings of the texts' substance, with each language's mean direction taken
        out so that languages meet on content. The substance is the product phrase
        (`ConceptLinker.phrase`: framing such as "looking for" and the directory's
        boilerplate words removed) when `Weights.embed_phrase`, else the text without
        framing."""
        prepare = self.linker.phrase if self.weights.embed_phrase else scoring.strip_framing
        embedded = self.cache.embed([prepare(t) if t.strip() else "" for t in texts])
        if center and self.weights.center_languages:
            embedded = vectors.center(embedded, texts, self.lang_means)
        return embedded

    def load_vectors(
        self, profiles: Sequence[Profile], offers: np.ndarray, seeks: np.ndarray
    ) -> None:
        """Swap in a new snapshot built from profiles and their precomputed vectors."""
        self._snapshot = Snapshot(profiles, offers, seeks, self.linker)

    def apply(self, profiles: Sequence[Profile]) -> None:
        """Add or replace these companies' rows (embedding only texts not seen before),
        without reading or rebuilding the rest of the directory."""
        if not profiles:
            return
        if not len(self._snapshot):  # nothing loaded yet: these are the directory
            self.load_profiles(profiles)
            self.incremental_loads += 1
            return
        offers = self.embed_texts([p.offer_text for p in profiles])
        seeks = self.embed_texts([p.seek_text for p in profiles])
        self._snapshot = self._snapshot.updated(list(zip(profiles, offers, seeks, strict=True)))
        self.incremental_loads += 1

    @staticmethod
    def fingerprint(session: Session) -> tuple[Any, ...]:
        row = session.exec(
            select(func.count(Company.id), func.max(Company.id), func.max(Company.updated_at))  # type: ignore[arg-type]
        ).one()
        return tuple(str(v) for v in row)

    def refresh(self, session: Session) -> None:
        with self._lock:
            self._refresh_locked(session)

    def _refresh_locked(self, session: Session) -> None:
        fp = self.fingerprint(session)
        companies = session.exec(select(Company)).all()
        self.load_profiles([Profile.from_company(c) for c in companies])
        self._fingerprint = fp
        self._mark(companies)
        self.full_loads += 1
        logger.info("matcher loaded %s companies in %.2f s", len(companies), self.last_refresh_s)

    def _mark(self, companies: Sequence[Company]) -> None:
        """Remember the newest id and edit read, where the next delta read starts."""
        for c in companies:
            self._max_id = max(self._max_id, c.id or 0)
            if self._since is None or c.updated_at > self._since:
                self._since = c.updated_at

    def _update_locked(self, session: Session, fp: tuple[Any, ...]) -> None:
        """Read only the companies added or edited since the last read and apply them; a
        shrunken table (deletions) is reloaded in full on a background thread."""
        started = time.perf_counter()
        changed: Any = Company.id > self._max_id  # type: ignore[operator]
        if self._since is not None:
            changed = or_(changed, Company.updated_at >= self._since - DELTA_SLACK)  # type: ignore[arg-type]
        companies = session.exec(select(Company).where(changed)).all()
        self.apply([Profile.from_company(c) for c in companies])
        self._mark(companies)
        self._fingerprint = fp
        self.last_refresh_s = time.perf_counter() - started
        logger.info("matcher updated %s companies in %.3f s", len(companies), self.last_refresh_s)
        if len(self._snapshot) != int(fp[0]):
            logger.info("matcher: companies were deleted; reloading in the background")
            self.refresh_in_background(session.get_bind())

    @property
    def ready(self) -> bool:
        """True once the directory has been loaded at least once."""
        return self._fingerprint is not None

    def ensure_fresh(self, session: Session | None) -> None:
        """Catch up when the company table changed: the changed rows only, once loaded.
        While another thread is already loading (e.g. the start-up load), answer from the
        current snapshot instead."""
        if session is None:
            return
        fp = self.fingerprint(session)
        if fp == self._fingerprint:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            if self._fingerprint is None:
                self._refresh_locked(session)
            else:
                self._update_locked(session, fp)
        finally:
            self._lock.release()

    def refresh_in_background(self, engine: Any, *, retry_s: float = 1.0) -> threading.Thread:
        """Load the directory on a daemon thread (start-up need not wait for embeddings).
        The database away meanwhile is waited for, not a failure: the load runs again."""

        def run() -> None:
            delay = retry_s
            while True:
                try:
                    with Session(engine) as session:
                        self.refresh(session)
                    return
                except Exception as exc:
                    if not is_unavailable(exc):
                        logger.exception("matcher: background load failed")
                        return
                    logger.warning("matcher: database unavailable; loading again in %.0f s", delay)
                    time.sleep(delay)
                    delay = min(delay * 2, 30.0)

        thread = threading.Thread(target=run, name="matcher-load", daemon=True)
        thread.start()
        return thread

    # -- queries -------------------------------------------------------------------

    def query_for(self, company_id: int, *, seeks_text: str | None = None) -> Query:
        snap = self._snapshot
        row = snap.row_of.get(company_id)
        if row is None:
            raise KeyError(f"company {company_id} is not in the directory")
        profile = snap.profile(row)
        seeks_vec = snap.seeks[row] if snap.has_seeks[row] else None
        seeks_concepts = snap.concept_vector(row, "seeks")
        # A company asking for buyers is compared with what the others seek.
        by_needs = self.weights.buyers_by_needs and bool(snap.buyers[row])
        against = "seeks" if by_needs else "offers"
        if seeks_text:
            seeks_vec = self.embed_texts([seeks_text])[0]
            seeks_concepts = self.text_concepts(seeks_text)
            against = "seeks" if scoring.asks_for_buyers(seeks_text) else "offers"
        return Query(
            country=profile.country,
            offers_vec=snap.offers[row] if snap.has_offers[row] else None,
            seeks_vec=seeks_vec,
            profile=profile,
            seeks_text=seeks_text,
            against=against,
            seeks_concepts=seeks_concepts,
            offers_concepts=snap.concept_vector(row, "offers"),
        )

    def text_concepts(self, text: str) -> np.ndarray | None:
        """The concepts a text names, as a dense vector over the glossary (None: none)."""
        vec = self.linker.query_vector(text)
        return vec if vec.any() else None

    def query_for_text(self, text: str, *, country: str) -> Query:
        """A viewer with no profile: only a description of what it looks for."""
        return Query(
            country=country,
            offers_vec=None,
            seeks_vec=self.embed_texts([text])[0],
            seeks_text=text,
            against="seeks" if scoring.asks_for_buyers(text) else "offers",
            seeks_concepts=self.text_concepts(text),
        )

    def match(
        self,
        company_id: int,
        *,
        k: int = 10,
        offset: int = 0,
        lang: Lang = "en",
        not_interested: Iterable[int] = (),
        seeks_text: str | None = None,
        session: Session | None = None,
    ) -> list[Match]:
        self.ensure_fresh(session)
        query = self.query_for(company_id, seeks_text=seeks_text)
        return self.search(query, k=k, offset=offset, lang=lang, not_interested=not_interested)

    def match_text(
        self,
        text: str,
        *,
        country: str,
        k: int = 10,
        offset: int = 0,
        lang: Lang = "en",
        not_interested: Iterable[int] = (),
        session: Session | None = None,
    ) -> list[Match]:
        self.ensure_fresh(session)
        query = self.query_for_text(text, country=country)
        return self.search(query, k=k, offset=offset, lang=lang, not_interested=not_interested)

    def search(
        self,
        query: Query,
        *,
        k: int = 10,
        offset: int = 0,
        lang: Lang = "en",
        not_interested: Iterable[int] = (),
        diversify: bool = True,
    ) -> list[Match]:
        snap = self._snapshot
        start, end = snap.blocks.get(other_country(query.country), (0, 0))
        if end <= start or k <= 0:
            return []
        want = offset + k
        rows, scores, parts = self._candidates(query, start, end, want, set(not_interested))
        order = rank(snap, self.weights, scores, rows, want, diversify=diversify)
        out = []
        for local in order[offset:want]:
            row = int(rows[local])
            profile = snap.profile(row)
            signals = {name: float(v[local]) for name, v in parts.items()}
            reasons = reasons_for(snap, self.weights, query, row, signals)
            out.append(
                Match(
                    company_id=profile.id,
                    ref=profile.ref,
                    name=profile.name,
                    country=profile.country,
                    score=float(scores[local]),
                    reasons=[r.render(lang) for r in reasons],
                    reason_keys=[r.key for r in reasons],
                )
            )
        return out

    def _candidates(
        self, query: Query, start: int, end: int, want: int, not_interested: set[int]
    ) -> tuple[np.ndarray, np.ndarray, dict[str, np.ndarray]]:
        """Every row of the block with its exact score and signals.

        (A two-stage search, an upper bound from one matrix then exact scores for the best
        bounds, was tried: on directories with many similar descriptions the bound is loose
        and it was slower than this single pass; see docs/matching.md.)
        """
        snap = self._snapshot
        scores, parts = score_rows(snap, self.weights, query, slice(start, end))
        for cid in not_interested:
            row = snap.row_of.get(cid)
            if row is not None and start <= row < end:
                scores[row - start] *= self.weights.not_interested_factor
        return np.arange(start, end), scores, parts

    def baseline(self, query: Query, *, k: int = 10) -> list[int]:
        """One-direction text similarity only (what the viewer seeks vs what B offers)."""
        snap = self._snapshot
        start, end = snap.blocks.get(other_country(query.country), (0, 0))
        if query.seeks_vec is None or end <= start:
            return []
        sims = snap.offers[start:end] @ query.seeks_vec
        top = np.argsort(-sims, kind="stable")[:k]
        return [snap.profile(start + int(i)).id for i in top]

    # -- scoring -------------------------------------------------------------------

    def score_block(
        self, query: Query, start: int, end: int
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Reciprocal scores of rows [start, end) for the viewer, and the signals behind them."""
        return score_rows(self._snapshot, self.weights, query, slice(start, end))
