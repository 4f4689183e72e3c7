"""The matching engine: built once per process, scores one company against the directory.

`Matcher` keeps an in-memory snapshot of every company: the embeddings of what it offers
and what it seeks (one multilingual space, so Thai text meets Japanese text), plus its
sector, partnership types, certificates, size and area as small arrays. A query scores all
of the other country's companies in a few vector operations, combines the two directions
reciprocally (harmonic mean), down-ranks "not interested" marks, re-ranks the best with
MMR for diversity, and explains the final few with reasons in the reader's language.

Refreshing: `ensure_fresh(session)` compares a cheap fingerprint of the company table
(count, max id, max updated_at) and rebuilds the snapshot when it changed; embeddings of
texts seen before come from an in-memory and on-disk cache keyed by the text's hash.
"""

from __future__ import annotations

import hashlib
import logging
import math
import threading
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
from sqlalchemy import func
from sqlmodel import Session, select

from core.types import Lang
from language.detect import detect as _detect_lang
from language.embeddings import Embedder
from matching import scoring
from matching.models import Company
from matching.scoring import DEFAULT_WEIGHTS, Reason, Weights

logger = logging.getLogger(__name__)

COUNTRIES = ("TH", "JP")


@lru_cache(maxsize=1 << 16)
def detect_lang(text: str) -> str | None:
    return _detect_lang(text)


def other_country(country: str) -> str:
    return "JP" if country == "TH" else "TH"


@dataclass(frozen=True)
class Profile:
    """What the engine needs of a company (no contact details)."""

    id: int
    ref: str
    name: str
    country: str
    sector: str | None = None
    offers: str = ""
    seeks: str = ""
    partnership: tuple[str, ...] = ()
    certifications: tuple[str, ...] = ()
    required_certifications: tuple[str, ...] = ()
    employees: int | None = None
    location: str | None = None
    thai_base: str | None = None

    @classmethod
    def from_company(cls, c: Company) -> Profile:
        assert c.id is not None
        return cls(
            id=c.id,
            ref=c.ref,
            name=c.name,
            country=(c.country or "").upper(),
            sector=(c.sector or None),
            offers=c.offers or "",
            seeks=c.seeks or "",
            partnership=tuple(p for p in (c.partnership or []) if p in scoring.PARTNERSHIP_BIT),
            certifications=tuple(c.certifications or []),
            required_certifications=tuple(c.required_certifications or []),
            employees=c.employees,
            location=c.location,
            thai_base=c.thai_base,
        )


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


def text_key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    """Embeddings by text hash, in memory and (optionally) in one .npz file on disk."""

    def __init__(self, embedder: Embedder, path: Path | None = None) -> None:
        self._embedder = embedder
        self._path = path
        self._index: dict[str, int] = {}
        self._vectors = np.zeros((0, embedder.dim), dtype=np.float32)
        self._lock = threading.Lock()
        if path is not None and path.exists():
            try:
                with np.load(path, allow_pickle=False) as data:
                    keys = [str(k) for k in data["keys"]]
                    vectors = np.asarray(data["vectors"], dtype=np.float32)
                if vectors.shape == (len(keys), embedder.dim):
                    self._vectors = vectors
                    self._index = {k: i for i, k in enumerate(keys)}
            except (OSError, ValueError, KeyError):
                logger.warning("embedding cache %s unreadable; starting empty", path)

    def __len__(self) -> int:
        return len(self._index)

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """Vectors for `texts`; empty text gives a zero vector (no signal)."""
        keys = [text_key(t) if t.strip() else "" for t in texts]
        with self._lock:
            missing: dict[str, str] = {}
            for key, text in zip(keys, texts, strict=True):
                if key and key not in self._index and key not in missing:
                    missing[key] = text
            if missing:
                started = time.perf_counter()
                new = self._embedder.embed(list(missing.values()))
                base = len(self._vectors)
                self._vectors = np.vstack([self._vectors, new.astype(np.float32)])
                for i, key in enumerate(missing):
                    self._index[key] = base + i
                logger.info(
                    "embedded %s new texts in %.1f s", len(missing), time.perf_counter() - started
                )
                self._save()
            out = np.zeros((len(texts), self._embedder.dim), dtype=np.float32)
            for row, key in enumerate(keys):
                if key:
                    out[row] = self._vectors[self._index[key]]
            return out

    def _save(self) -> None:
        if self._path is None:
            return
        self._path.parent.mkdir(parents=True, exist_ok=True)
        tmp = self._path.with_suffix(".tmp.npz")
        keys = np.array(sorted(self._index, key=self._index.__getitem__))
        np.savez(tmp, keys=keys, vectors=self._vectors)
        tmp.replace(self._path)


def language_means(
    vectors: np.ndarray, texts: Sequence[str], *, least: int = 10
) -> dict[str, np.ndarray]:
    """Mean embedding of each language's texts, when every language has `least` texts.

    Multilingual sentence embeddings carry the language itself as a direction: two English
    texts on different products can sit closer than an English and a Thai text on the same
    product. Subtracting each language's mean removes most of that (Libovický et al. 2020,
    "On the language neutrality of pre-trained multilingual representations").
    """
    groups: dict[str, list[int]] = {}
    for i, text in enumerate(texts):
        lang = detect_lang(text) if text.strip() else None
        if lang:
            groups.setdefault(lang, []).append(i)
    # Centre every language or none: a centred language next to an uncentred one would drift.
    if len(groups) < 2 or any(len(rows) < least for rows in groups.values()):
        return {}
    return {lang: vectors[rows].mean(axis=0) for lang, rows in groups.items()}


def center(vectors: np.ndarray, texts: Sequence[str], means: dict[str, np.ndarray]) -> np.ndarray:
    if not means:
        return vectors
    out = vectors.copy()
    for i, text in enumerate(texts):
        mean = means.get(detect_lang(text) or "") if text.strip() else None
        if mean is not None:
            out[i] = vectors[i] - mean
    norms = np.linalg.norm(out, axis=1, keepdims=True)
    return np.where(norms > 1e-9, out / np.maximum(norms, 1e-9), 0.0).astype(np.float32)


class Snapshot:
    """Every company of the directory as arrays, grouped by country (immutable)."""

    def __init__(self, profiles: Sequence[Profile], offers: np.ndarray, seeks: np.ndarray) -> None:
        order = sorted(range(len(profiles)), key=lambda i: (profiles[i].country, profiles[i].id))
        self.profiles = [profiles[i] for i in order]
        n = len(self.profiles)
        dim = offers.shape[1] if offers.ndim == 2 else 0
        self.offers = np.ascontiguousarray(offers[order]) if n else np.zeros((0, dim), np.float32)
        self.seeks = np.ascontiguousarray(seeks[order]) if n else np.zeros((0, dim), np.float32)
        self.row_of = {p.id: i for i, p in enumerate(self.profiles)}
        self.blocks: dict[str, tuple[int, int]] = {}
        for country in COUNTRIES:
            rows = [i for i, p in enumerate(self.profiles) if p.country == country]
            self.blocks[country] = (rows[0], rows[-1] + 1) if rows else (0, 0)
        self.has_offers = np.array([bool(p.offers.strip()) for p in self.profiles], dtype=bool)
        self.has_seeks = np.array([bool(p.seeks.strip()) for p in self.profiles], dtype=bool)

        sectors = sorted({p.sector for p in self.profiles if p.sector})
        self.sector_codes = sectors
        sector_idx = {s: i for i, s in enumerate(sectors)}
        self.sector = np.array(
            [sector_idx.get(p.sector or "", -1) for p in self.profiles], np.int32
        )
        s = len(sectors)
        compat = np.zeros((s + 1, s + 1), dtype=np.float32)  # last row/col: unknown
        for i, a in enumerate(sectors):
            for j, b in enumerate(sectors):
                compat[i, j] = scoring.sector_fit(a, b) or 0.0
        compat[s, :] = compat[:, s] = np.nan
        self.compat = compat

        self.pmask = np.array(
            [sum(scoring.PARTNERSHIP_BIT[x] for x in set(p.partnership)) for p in self.profiles],
            dtype=np.uint8,
        )
        # Certificates as bit masks over the (at most 64) most common names.
        counts: dict[str, int] = {}
        for p in self.profiles:
            for key in scoring.cert_keys(p.certifications) | scoring.cert_keys(
                p.required_certifications
            ):
                counts[key] = counts.get(key, 0) + 1
        vocab = sorted(counts, key=lambda k: (-counts[k], k))[:64]
        self.cert_bit = {k: np.uint64(1) << np.uint64(i) for i, k in enumerate(vocab)}
        self.certs = np.array(
            [self._mask(p.certifications) for p in self.profiles], dtype=np.uint64
        )
        self.required = np.array(
            [self._mask(p.required_certifications) for p in self.profiles], dtype=np.uint64
        )
        self.log_emp = np.array(
            [
                math.log10(p.employees) if p.employees and p.employees > 0 else np.nan
                for p in self.profiles
            ],
            dtype=np.float32,
        )
        # Thai area: the province of a Thai company, the base of a Japanese one.
        areas = sorted(set(scoring.THAI_AREAS))
        area_idx = {a: i for i, a in enumerate(areas)}
        provinces: dict[str, int] = {}
        self.area = np.full(n, -1, dtype=np.int32)
        self.province = np.full(n, -1, dtype=np.int32)
        for i, p in enumerate(self.profiles):
            place = p.location if p.country == "TH" else p.thai_base
            area = scoring.thai_area(place)
            if area is not None:
                self.area[i] = area_idx[area]
            prov = scoring.thai_province_in(place)
            if prov:
                self.province[i] = provinces.setdefault(prov, len(provinces))

    def _mask(self, names: Iterable[str]) -> np.uint64:
        mask = np.uint64(0)
        for key in scoring.cert_keys(names):
            mask |= self.cert_bit.get(key, np.uint64(0))
        return mask

    def __len__(self) -> int:
        return len(self.profiles)


@dataclass
class Query:
    """The viewer: a company of the directory, or a free-text description of a need."""

    country: str
    offers_vec: np.ndarray | None
    seeks_vec: np.ndarray | None
    profile: Profile | None = None
    seeks_text: str | None = None
    # What the viewer's need is compared with: what the others offer, or (a description
    # asking for buyers, e.g. "Japanese importers of seafood") what the others look for.
    against: str = "offers"


class Matcher:
    def __init__(
        self,
        embedder: Embedder,
        *,
        cache_path: Path | None = None,
        weights: Weights = DEFAULT_WEIGHTS,
    ) -> None:
        self.embedder = embedder
        self.weights = weights
        self.cache = EmbeddingCache(embedder, cache_path)
        self._snapshot = Snapshot(
            [], np.zeros((0, embedder.dim), np.float32), np.zeros((0, embedder.dim), np.float32)
        )
        self._fingerprint: tuple[Any, ...] | None = None
        self.lang_means: dict[str, np.ndarray] = {}
        self._lock = threading.Lock()
        self.last_refresh_s = 0.0

    # -- building ------------------------------------------------------------------

    @property
    def snapshot(self) -> Snapshot:
        return self._snapshot

    def load_profiles(self, profiles: Sequence[Profile]) -> None:
        started = time.perf_counter()
        offer_texts = [p.offers for p in profiles]
        seek_texts = [p.seeks for p in profiles]
        offers = self.embed_texts(offer_texts, center=False)
        seeks = self.embed_texts(seek_texts, center=False)
        if self.weights.center_languages:
            self.lang_means = language_means(
                np.vstack([offers, seeks]), [*offer_texts, *seek_texts]
            )
            offers = center(offers, offer_texts, self.lang_means)
            seeks = center(seeks, seek_texts, self.lang_means)
        self.load_vectors(profiles, offers, seeks)
        self.last_refresh_s = time.perf_counter() - started

    def embed_texts(self, texts: Sequence[str], *, center: bool = True) -> np.ndarray:
        """Embeddings of the texts' substance (framing such as "looking for" removed), with
        each language's mean direction taken out so that languages meet on content."""
        vectors = self.cache.embed([scoring.strip_framing(t) if t.strip() else "" for t in texts])
        if center and self.weights.center_languages:
            vectors = globals()["center"](vectors, texts, self.lang_means)
        return vectors

    def load_vectors(
        self, profiles: Sequence[Profile], offers: np.ndarray, seeks: np.ndarray
    ) -> None:
        """Swap in a new snapshot built from profiles and their precomputed vectors."""
        self._snapshot = Snapshot(profiles, offers, seeks)

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
        logger.info("matcher loaded %s companies in %.2f s", len(companies), self.last_refresh_s)

    @property
    def ready(self) -> bool:
        """True once the directory has been loaded at least once."""
        return self._fingerprint is not None

    def ensure_fresh(self, session: Session | None) -> None:
        """Reload when the company table changed. While another thread is already
        reloading (e.g. the start-up load), answer from the current snapshot instead."""
        if session is None or self.fingerprint(session) == self._fingerprint:
            return
        if not self._lock.acquire(blocking=False):
            return
        try:
            self._refresh_locked(session)
        finally:
            self._lock.release()

    def refresh_in_background(self, engine: Any) -> threading.Thread:
        """Load the directory on a daemon thread (start-up need not wait for embeddings)."""

        def run() -> None:
            try:
                with Session(engine) as session:
                    self.refresh(session)
            except Exception:
                logger.exception("matcher: background load failed")

        thread = threading.Thread(target=run, name="matcher-load", daemon=True)
        thread.start()
        return thread

    # -- queries -------------------------------------------------------------------

    def query_for(self, company_id: int, *, seeks_text: str | None = None) -> Query:
        snap = self._snapshot
        row = snap.row_of.get(company_id)
        if row is None:
            raise KeyError(f"company {company_id} is not in the directory")
        profile = snap.profiles[row]
        seeks_vec = snap.seeks[row] if snap.has_seeks[row] else None
        against = "offers"
        if seeks_text:
            seeks_vec = self.embed_texts([seeks_text])[0]
            against = "seeks" if scoring.asks_for_buyers(seeks_text) else "offers"
        return Query(
            country=profile.country,
            offers_vec=snap.offers[row] if snap.has_offers[row] else None,
            seeks_vec=seeks_vec,
            profile=profile,
            seeks_text=seeks_text,
            against=against,
        )

    def query_for_text(self, text: str, *, country: str) -> Query:
        """A viewer with no profile: only a description of what it looks for."""
        return Query(
            country=country,
            offers_vec=None,
            seeks_vec=self.embed_texts([text])[0],
            seeks_text=text,
            against="seeks" if scoring.asks_for_buyers(text) else "offers",
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
        order = self._rank(snap, scores, rows, want, diversify=diversify)
        out = []
        for local in order[offset:want]:
            row = int(rows[local])
            profile = snap.profiles[row]
            reasons = self.explain(query, row, {name: float(v[local]) for name, v in parts.items()})
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
        scores, parts = self._score(query, slice(start, end))
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
        return [snap.profiles[start + int(i)].id for i in top]

    # -- scoring -------------------------------------------------------------------

    def score_block(
        self, query: Query, start: int, end: int
    ) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Reciprocal scores of rows [start, end) for the viewer, and the signals behind them."""
        return self._score(query, slice(start, end))

    def _score(self, query: Query, cand: slice) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        """Scores of the rows `cand` for the viewer, and the signals behind them."""
        w = self.weights
        snap = self._snapshot
        has_offers, has_seeks = snap.has_offers[cand], snap.has_seeks[cand]
        n = len(has_offers)
        neutral = np.float32(w.neutral)

        def text_signal(sims: np.ndarray | None, present: np.ndarray) -> np.ndarray:
            if sims is None:
                return np.full(n, neutral, dtype=np.float32)
            norm = np.clip((sims - w.text_lo) / (w.text_hi - w.text_lo), 0.0, 1.0)
            return np.where(present, norm, neutral).astype(np.float32)

        # a = viewer, b = candidates. "ab": how well b answers a's needs; "ba": the reverse.
        by_needs = query.against == "seeks"
        target, present = (snap.seeks, has_seeks) if by_needs else (snap.offers, has_offers)
        sims_ab = target[cand] @ query.seeks_vec if query.seeks_vec is not None else None
        sims_ba = snap.seeks[cand] @ query.offers_vec if query.offers_vec is not None else None
        text_ab = text_signal(sims_ab, present)
        text_ba = text_signal(sims_ba, has_seeks)

        p = query.profile
        row = snap.row_of.get(p.id) if p is not None else None
        if p is None or row is None:
            # A free-text query: only what the text says, no profile to reciprocate.
            parts = {"text_ab": text_ab, "text_ba": np.full(n, np.nan, np.float32)}
            return text_ab.copy(), parts

        s_idx = snap.sector[cand]
        a_sector = snap.sector[row]
        if a_sector < 0:
            sector = np.full(n, neutral, dtype=np.float32)
        else:
            sector = snap.compat[a_sector, np.where(s_idx < 0, len(snap.sector_codes), s_idx)]
            sector = np.where(np.isnan(sector), neutral, sector).astype(np.float32)

        a_pmask = int(snap.pmask[row])
        complement = 0
        for name, bit in scoring.PARTNERSHIP_BIT.items():
            if a_pmask & bit:
                complement |= scoring.PARTNERSHIP_BIT[scoring.COMPLEMENT[name]]
        b_pmask = snap.pmask[cand]
        partnership = np.where(
            (b_pmask & np.uint8(complement)) != 0, np.float32(1.0), np.float32(0.0)
        )
        if a_pmask == 0:
            partnership = np.full(n, neutral, dtype=np.float32)
        else:
            partnership = np.where(b_pmask == 0, neutral, partnership).astype(np.float32)

        # What the texts themselves say, for the reasons (the rule below is for scoring).
        said_ab, said_ba = text_ab, text_ba
        # A firm that wants buyers wants buyers *of what it offers*: for a pair where one side
        # wants a supplier and the other wants buyers, the buyer's need meeting the seller's
        # offer is the evidence in both directions.
        buyer = scoring.PARTNERSHIP_BIT["buyer"]
        supplier = scoring.PARTNERSHIP_BIT["supplier"]
        if a_pmask & supplier:  # a buys; b sells and wants buyers
            b_sells = (b_pmask & np.uint8(buyer)) != 0
            text_ba = np.where(b_sells, np.maximum(text_ba, text_ab), text_ba)
        if a_pmask & buyer:  # a sells and wants buyers; b wants a supplier
            b_buys = (b_pmask & np.uint8(supplier)) != 0
            text_ab = np.where(b_buys, np.maximum(text_ab, text_ba), text_ab)

        certs_b = snap.certs[cand]
        req_b = snap.required[cand]
        req_a = snap.required[row]
        certs_a = snap.certs[row]
        if req_a:
            cert_ab = np.bitwise_count(certs_b & req_a).astype(np.float32) / float(
                np.bitwise_count(req_a)
            )
        else:
            cert_ab = np.full(n, neutral, dtype=np.float32)
        need = np.bitwise_count(req_b).astype(np.float32)
        have = np.bitwise_count(req_b & certs_a).astype(np.float32)
        cert_ba = np.where(need > 0, have / np.maximum(need, 1), neutral).astype(np.float32)

        a_emp = snap.log_emp[row]
        b_emp = snap.log_emp[cand]
        if np.isnan(a_emp):
            size = np.full(n, neutral, dtype=np.float32)
        else:
            gap = np.abs(b_emp - a_emp)
            size = np.clip(1.0 - (gap - 1.3) / 2.0, 0.3, 1.0)
            size = np.where(np.isnan(b_emp), neutral, size).astype(np.float32)

        a_area, a_prov = snap.area[row], snap.province[row]
        b_area, b_prov = snap.area[cand], snap.province[cand]
        location = np.full(n, neutral, dtype=np.float32)
        if a_prov >= 0:
            known = b_prov >= 0
            location = np.where(known, np.float32(0.2), location)
            if a_area >= 0:
                location = np.where(known & (b_area == a_area), np.float32(0.75), location)
            location = np.where(b_prov == a_prov, np.float32(1.0), location).astype(np.float32)

        shared = (
            w.sector * sector + w.partnership * partnership + w.size * size + w.location * location
        )
        dir_ab = w.text * text_ab + w.certifications * cert_ab + shared
        # A required certificate is close to a hard condition: missing ones cut the direction.
        if req_a:
            dir_ab = dir_ab * (1.0 - w.missing_cert_cut * (1.0 - cert_ab))
        dir_ba = w.text * text_ba + w.certifications * cert_ba + shared
        dir_ba = np.where(need > 0, dir_ba * (1.0 - w.missing_cert_cut * (1.0 - cert_ba)), dir_ba)
        scores = (2.0 * dir_ab * dir_ba / np.maximum(dir_ab + dir_ba, 1e-9)).astype(np.float32)
        parts = {
            "text_ab": said_ab,
            "text_ba": said_ba,
            "sector": sector,
            "partnership": partnership,
            "cert_ab": cert_ab,
            "cert_ba": cert_ba,
            "location": location,
            "size": size,
        }
        return scores, parts

    def _rank(
        self, snap: Snapshot, scores: np.ndarray, rows: np.ndarray, want: int, *, diversify: bool
    ) -> list[int]:
        """Positions in `scores` (aligned with `rows`), best first, diversified."""
        w = self.weights
        n = len(scores)
        pool = min(n, max(w.diversity_pool, want * 2))
        top = np.argpartition(-scores, pool - 1)[:pool] if pool < n else np.arange(n)
        top = top[np.argsort(-scores[top], kind="stable")]
        if not diversify or w.diversity == "none" or len(top) <= 1:
            return [int(i) for i in top[:want]]
        vecs = snap.offers[rows[top]]
        sim = vecs @ vecs.T
        if w.diversity == "mmr":
            return [
                int(top[i]) for i in _mmr(scores[top], sim, want, lam=w.mmr_lambda, tau=w.near_copy)
            ]
        return [int(top[i]) for i in _defer_copies(sim, want, page=w.page_size, tau=w.near_copy)]

    # -- reasons -------------------------------------------------------------------

    def explain(self, query: Query, row: int, parts: dict[str, float]) -> list[Reason]:
        snap = self._snapshot
        b = snap.profiles[row]
        a = query.profile
        w = self.weights
        reasons: list[Reason] = []
        text_ab = parts.get("text_ab", 0.0)
        if query.against == "seeks":
            if query.seeks_vec is not None and snap.has_seeks[row] and text_ab >= 0.15:
                reasons.append(
                    Reason(
                        "match.reason.needs_described",
                        w.text * text_ab,
                        {"need": scoring.snippet(b.seeks)},
                    )
                )
        elif query.seeks_vec is not None and snap.has_offers[row] and text_ab >= 0.15:
            key = "match.reason.fits_description" if query.seeks_text else "match.reason.offers_fit"
            reasons.append(Reason(key, w.text * text_ab, {"offer": scoring.snippet(b.offers)}))
        text_ba = parts.get("text_ba", float("nan"))
        if (
            not math.isnan(text_ba)
            and query.offers_vec is not None
            and snap.has_seeks[row]
            and text_ba >= 0.15
        ):
            reasons.append(
                Reason(
                    "match.reason.seeks_you", w.text * text_ba, {"need": scoring.snippet(b.seeks)}
                )
            )
        if a is None:
            if b.location:
                reasons.append(Reason("match.reason.located", 0.01, {"place": b.location}))
            return scoring.pick_reasons(reasons)

        if a.sector and b.sector:
            table = scoring.sector_compat()
            if a.sector == b.sector:
                reasons.append(
                    Reason(
                        "match.reason.same_sector",
                        w.sector * parts.get("sector", 0.0),
                        sectors={"sector": a.sector},
                    )
                )
            else:
                they = table.get((b.sector, a.sector), 0.0)
                you = table.get((a.sector, b.sector), 0.0)
                key = "match.reason.they_supply" if they >= you else "match.reason.you_supply"
                if max(they, you) > 0:
                    reasons.append(
                        Reason(
                            key,
                            w.sector * parts.get("sector", 0.0),
                            sectors={"theirs": b.sector, "yours": a.sector},
                        )
                    )

        # Certificates they require that you hold (weighted above the rest: concrete, rare).
        theirs_req = {scoring.normalise_cert(c): c for c in b.required_certifications}
        mine = scoring.cert_keys(a.certifications)
        held = [name for key, name in theirs_req.items() if key in mine]
        if held:
            reasons.append(
                Reason(
                    "match.reason.cert_you_hold", w.certifications + 0.1, {"certs": ", ".join(held)}
                )
            )
        my_req = {scoring.normalise_cert(c): c for c in a.required_certifications}
        theirs = scoring.cert_keys(b.certifications)
        they_hold = [name for key, name in my_req.items() if key in theirs]
        if they_hold:
            reasons.append(
                Reason(
                    "match.reason.cert_they_hold",
                    w.certifications + 0.08,
                    {"certs": ", ".join(they_hold)},
                )
            )

        fits = [x for x in a.partnership if scoring.COMPLEMENT[x] in b.partnership]
        if fits:
            kind = "supplier" if "supplier" in fits else ("buyer" if "buyer" in fits else fits[0])
            key = {
                "supplier": "match.reason.partner_they_supply",
                "buyer": "match.reason.partner_they_buy",
            }.get(kind, "match.reason.partner_both")
            reasons.append(
                Reason(key, w.partnership * parts.get("partnership", 1.0), ptypes={"kind": kind})
            )

        loc = parts.get("location", 0.0)
        place_a = a.location if a.country == "TH" else a.thai_base
        if b.country == "TH" and b.location and place_a and loc >= 0.75:
            key = "match.reason.near_base" if loc < 1.0 else "match.reason.same_province"
            reasons.append(Reason(key, w.location * loc, {"place": b.location, "base": place_a}))
        elif a.country == "TH" and b.thai_base and loc >= 0.75:
            reasons.append(
                Reason("match.reason.has_base_near", w.location * loc, {"base": b.thai_base})
            )
        if b.location:
            reasons.append(Reason("match.reason.located", 0.001, {"place": b.location}))
        return scoring.pick_reasons(reasons)


def _defer_copies(sim: np.ndarray, want: int, *, page: int, tau: float) -> list[int]:
    """Score order, except that a near-copy of something already on the same page of
    `page` results waits for the next page (so no page shows two near-copies)."""
    result: list[int] = []
    waiting: list[int] = []
    pending = iter(range(len(sim)))

    def fits(i: int) -> bool:
        first = (len(result) // page) * page
        return all(sim[i, j] <= tau for j in result[first:])

    while len(result) < want:
        placed = next((i for i in waiting if fits(i)), None)
        if placed is not None:
            waiting.remove(placed)
            result.append(placed)
            continue
        i = next(pending, None)
        if i is None:
            if not waiting:
                break
            result.append(waiting.pop(0))  # only copies left: show them rather than nothing
        elif fits(i):
            result.append(i)
        else:
            waiting.append(i)
    return result


def _mmr(scores: np.ndarray, sim: np.ndarray, want: int, *, lam: float, tau: float) -> list[int]:
    """Maximal marginal relevance, with redundancy counted only above `tau` similarity."""
    redundancy = np.clip((sim - tau) / (1.0 - tau), 0.0, 1.0)
    chosen: list[int] = []
    max_red = np.zeros(len(scores), dtype=np.float32)
    available = np.ones(len(scores), dtype=bool)
    for _ in range(min(want, len(scores))):
        value = np.where(available, lam * scores - (1.0 - lam) * max_red, -np.inf)
        pick = int(np.argmax(value))
        chosen.append(pick)
        available[pick] = False
        max_red = np.maximum(max_red, redundancy[pick])
    return chosen
