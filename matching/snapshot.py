"""What the matcher knows of the directory: each company as a `Profile`, all of them as
the arrays of one immutable `Snapshot`, and the viewer of a search as a `Query`.

The snapshot holds the embeddings of what every company offers and seeks, plus its sector,
partnership types, certificates, size and Thai area as small arrays, grouped by country
so that one country's companies are one contiguous block of rows.
"""

from __future__ import annotations

import bisect
import copy
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

import numpy as np

from matching import concepts, scoring
from matching.concepts import ConceptIndex
from matching.models import Company

COUNTRIES = ("TH", "JP")


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

    @property
    def offer_text(self) -> str:
        """What it offers, without the certificates it names (`scoring.without_certs`)."""
        return scoring.without_certs(self.offers, self._cert_names)

    @property
    def seek_text(self) -> str:
        return scoring.without_certs(self.seeks, self._cert_names)

    @property
    def _cert_names(self) -> tuple[str, ...]:
        return (*self.certifications, *self.required_certifications)

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
    # The concepts of the viewer's need and offer as dense vectors over the glossary
    # (`Glossary.query_vector`), None when the text names none.
    seeks_concepts: np.ndarray | None = None
    offers_concepts: np.ndarray | None = None


class Row(NamedTuple):
    """The small per-company values of a snapshot row (everything but the embeddings)."""

    has_offers: bool
    has_seeks: bool
    pmask: int
    certs: np.uint64
    required: np.uint64
    log_emp: float
    area: int
    province: int
    offer_ids: np.ndarray
    offer_w: np.ndarray
    seek_ids: np.ndarray
    seek_w: np.ndarray


# Snapshot attributes holding one value (or one slot row) per company, in Row's order.
_COLUMNS = (
    ("has_offers", bool),
    ("has_seeks", bool),
    ("pmask", np.uint8),
    ("certs", np.uint64),
    ("required", np.uint64),
    ("log_emp", np.float32),
    ("area", np.int32),
    ("province", np.int32),
    ("offer_ids", np.int16),
    ("offer_w", np.float32),
    ("seek_ids", np.int16),
    ("seek_w", np.float32),
)


class Snapshot:
    """Every company of the directory as arrays, grouped by country (immutable: an update
    makes a new snapshot that shares nothing mutable with the old one)."""

    # One value (or one row of concept slots) per company; see _COLUMNS.
    has_offers: np.ndarray
    has_seeks: np.ndarray
    pmask: np.ndarray
    certs: np.ndarray
    required: np.ndarray
    log_emp: np.ndarray
    area: np.ndarray
    province: np.ndarray
    offer_ids: np.ndarray
    offer_w: np.ndarray
    seek_ids: np.ndarray
    seek_w: np.ndarray

    def __init__(
        self,
        profiles: Sequence[Profile],
        offers: np.ndarray,
        seeks: np.ndarray,
        glossary: ConceptIndex | None = None,
    ) -> None:
        order = sorted(range(len(profiles)), key=lambda i: (profiles[i].country, profiles[i].id))
        self.glossary = glossary
        self.profiles = [profiles[i] for i in order]
        n = len(self.profiles)
        dim = offers.shape[1] if offers.ndim == 2 else 0
        self.offers = np.ascontiguousarray(offers[order]) if n else np.zeros((0, dim), np.float32)
        self.seeks = np.ascontiguousarray(seeks[order]) if n else np.zeros((0, dim), np.float32)
        self._index_rows()
        self.sector_codes, self.sector, self.compat = _sector_arrays(self.profiles)
        self.cert_bit = _cert_bits(self.profiles)
        self.province_idx: dict[str, int] = {}
        self._set_columns([self._row(p) for p in self.profiles])
        self._postings: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}

    def _index_rows(self) -> None:
        """Row of each company id, and each country's block of rows (rows are sorted by
        country, so a country's companies are contiguous)."""
        self.row_of = {p.id: i for i, p in enumerate(self.profiles)}
        self.blocks: dict[str, tuple[int, int]] = {c: (0, 0) for c in COUNTRIES}
        for i, p in enumerate(self.profiles):
            start, end = self.blocks.get(p.country, (0, 0))
            self.blocks[p.country] = (start if end > start else i, i + 1)

    def _set_columns(self, rows: Sequence[Row]) -> None:
        for j, (name, dtype) in enumerate(_COLUMNS):
            values = [r[j] for r in rows]
            if name.endswith(("_ids", "_w")):
                arr = np.stack(values) if values else np.zeros((0, concepts.SLOTS), dtype)
            else:
                arr = np.array(values, dtype=dtype)
            setattr(self, name, arr.astype(dtype, copy=False))

    def _row(self, p: Profile) -> Row:
        place = p.location if p.country == "TH" else p.thai_base
        found = scoring.thai_area(place)
        prov = scoring.thai_province_in(place)
        offer_ids, offer_w = self._slots(p.offer_text)
        seek_ids, seek_w = self._slots(p.seek_text)
        return Row(
            has_offers=bool(p.offers.strip()),
            has_seeks=bool(p.seeks.strip()),
            pmask=sum(scoring.PARTNERSHIP_BIT[x] for x in set(p.partnership)),
            certs=self._mask(p.certifications),
            required=self._mask(p.required_certifications),
            log_emp=math.log10(p.employees) if p.employees and p.employees > 0 else np.nan,
            area=_AREA_IDX[found] if found is not None else -1,
            province=self.province_idx.setdefault(prov, len(self.province_idx)) if prov else -1,
            offer_ids=offer_ids,
            offer_w=offer_w,
            seek_ids=seek_ids,
            seek_w=seek_w,
        )

    def _slots(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        if self.glossary is None or not text.strip():
            return np.full(concepts.SLOTS, -1, np.int16), np.zeros(concepts.SLOTS, np.float32)
        return self.glossary.slots(text)

    def concept_vector(self, row: int, side: str) -> np.ndarray | None:
        """The concepts of one row's offers or seeks as a dense vector (None: none named)."""
        if self.glossary is None:
            return None
        ids = (self.offer_ids if side == "offers" else self.seek_ids)[row]
        ws = (self.offer_w if side == "offers" else self.seek_w)[row]
        if not (ids >= 0).any():
            return None
        vec = np.zeros(len(self.glossary) + 1, dtype=np.float32)
        vec[ids[ids >= 0]] = ws[ids >= 0]
        return vec

    def concept_overlap(self, qvec: np.ndarray, side: str, cand: slice) -> np.ndarray:
        """For rows `cand`: the strongest concept shared, the query's weight for it times
        the row's, over each row's concept slots (of its offers or seeks). Computed
        from postings (concept -> rows), so a query touches only rows sharing a concept."""
        rows, ws, offsets = self._posting(side)
        start, end = cand.start or 0, cand.stop if cand.stop is not None else len(self)
        out = np.zeros(end - start, dtype=np.float32)
        for c in np.flatnonzero(qvec[:-1]):
            lo, hi = offsets[c], offsets[c + 1]
            r = rows[lo:hi]
            a, b = np.searchsorted(r, (start, end))
            at = r[a:b] - start
            out[at] = np.maximum(out[at], qvec[c] * ws[lo + a : lo + b])
        return out

    def _posting(self, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows (ascending) and weights per concept, and each concept's offset into them;
        built on first use by each snapshot."""
        got = self._postings.get(side)
        if got is None:
            ids, ws = (
                (self.offer_ids, self.offer_w) if side == "offers" else (self.seek_ids, self.seek_w)
            )
            flat = ids.ravel().astype(np.int64)
            keep = flat >= 0
            rows = np.repeat(np.arange(len(ids)), ids.shape[1])[keep]
            cids, weights = flat[keep], ws.ravel()[keep]
            order = np.argsort(cids, kind="stable")
            size = len(self.glossary) if self.glossary is not None else 0
            offsets = np.searchsorted(cids[order], np.arange(size + 2))
            got = (rows[order], weights[order], offsets)
            self._postings[side] = got
        return got

    def _mask(self, names: Iterable[str]) -> np.uint64:
        mask = np.uint64(0)
        for key in scoring.cert_keys(names):
            mask |= self.cert_bit.get(key, np.uint64(0))
        return mask

    def __len__(self) -> int:
        return len(self.profiles)

    def updated(self, changes: Sequence[tuple[Profile, np.ndarray, np.ndarray]]) -> Snapshot:
        """A new snapshot with these companies added or replaced, row by row: only the
        changed rows are computed, the rest is copied (no text is embedded or parsed again).
        A company that changed country is moved by a full rebuild of the arrays."""
        moved = any(
            (row := self.row_of.get(p.id)) is not None and self.profiles[row].country != p.country
            for p, _, _ in changes
        )
        if moved:
            keep = {p.id for p, _, _ in changes}
            rows = [i for i, p in enumerate(self.profiles) if p.id not in keep]
            return Snapshot(
                [*(self.profiles[i] for i in rows), *(p for p, _, _ in changes)],
                np.vstack([self.offers[rows], *(o[None] for _, o, _ in changes)]),
                np.vstack([self.seeks[rows], *(s[None] for _, _, s in changes)]),
                self.glossary,
            )
        new = copy.copy(self)
        new._postings = {}
        new.cert_bit = dict(self.cert_bit)
        new.province_idx = dict(self.province_idx)
        sector_idx = {s: i for i, s in enumerate(self.sector_codes)}
        replaced: dict[int, tuple[Profile, tuple[Any, ...]]] = {}
        added: list[tuple[int, Profile, tuple[Any, ...]]] = []
        for p, offer, seek in changes:
            new._grow_cert_bits(p)
            values = (*new._row(p), sector_idx.get(p.sector or "", -1), offer, seek)
            row = self.row_of.get(p.id)
            if row is None:  # a new company: after the last company of its country
                added.append((_insert_at(self, p), p, values))
            else:
                replaced[row] = (p, values)
        new._copy_rows(self, replaced, sorted(added, key=lambda e: e[0]))
        if any(p.sector and p.sector not in sector_idx for p, _, _ in changes):
            new.sector_codes, new.sector, new.compat = _sector_arrays(new.profiles)
        return new

    def _copy_rows(
        self,
        src: Snapshot,
        replaced: dict[int, tuple[Profile, tuple[Any, ...]]],
        added: list[tuple[int, Profile, tuple[Any, ...]]],
    ) -> None:
        """Every column of `src` copied once, with rows replaced and inserted (`added`
        sorted by position among the old rows); the row index and blocks follow."""
        at = [pos for pos, _, _ in added]
        for j, name in enumerate([*(n for n, _ in _COLUMNS), "sector", "offers", "seeks"]):
            old = getattr(src, name)
            arr = np.insert(old, at, [v[j] for _, _, v in added], axis=0) if at else old.copy()
            for row, (_, values) in replaced.items():
                arr[row + bisect.bisect_right(at, row)] = values[j]
            setattr(self, name, arr)
        profiles = list(src.profiles)
        for row, (p, _) in replaced.items():
            profiles[row] = p
        for shift, (pos, p, _) in enumerate(added):
            profiles.insert(pos + shift, p)
        self.profiles = profiles
        self.row_of = dict(src.row_of)
        for i in range(at[0] if at else len(profiles), len(profiles)):  # rows that moved
            self.row_of[profiles[i].id] = i
        counts = {c: end - start for c, (start, end) in src.blocks.items() if end > start}
        for _, p, _ in added:
            counts[p.country] = counts.get(p.country, 0) + 1
        self.blocks = {c: (0, 0) for c in COUNTRIES}
        start = 0
        for country in sorted(counts):  # rows are sorted by country
            self.blocks[country] = (start, start + counts[country])
            start += counts[country]

    def _grow_cert_bits(self, p: Profile) -> None:
        """A certificate first seen in an update gets a free bit, while any is left."""
        for key in sorted(
            scoring.cert_keys(p.certifications) | scoring.cert_keys(p.required_certifications)
        ):
            if key not in self.cert_bit and len(self.cert_bit) < 64:
                self.cert_bit[key] = np.uint64(1) << np.uint64(len(self.cert_bit))


def _insert_at(snap: Snapshot, p: Profile) -> int:
    """The row a new company takes: after the last company of its country."""
    start, end = snap.blocks.get(p.country, (0, 0))
    if end > start:
        return end
    # An empty block: rows are sorted by country, so after every country sorted before it.
    return sum(1 for q in snap.profiles if q.country < p.country)


def _sector_arrays(profiles: Sequence[Profile]) -> tuple[list[str], np.ndarray, np.ndarray]:
    """The sector codes, each profile's index into them (-1: none), and their compatibility
    matrix, whose last row and column (an unknown sector) are NaN."""
    sectors = sorted({p.sector for p in profiles if p.sector})
    sector_idx = {s: i for i, s in enumerate(sectors)}
    sector = np.array([sector_idx.get(p.sector or "", -1) for p in profiles], np.int32)
    s = len(sectors)
    compat = np.zeros((s + 1, s + 1), dtype=np.float32)  # last row/col: unknown
    for i, a in enumerate(sectors):
        for j, b in enumerate(sectors):
            compat[i, j] = scoring.sector_fit(a, b) or 0.0
    compat[s, :] = compat[:, s] = np.nan
    return sectors, sector, compat


def _cert_bits(profiles: Sequence[Profile]) -> dict[str, np.uint64]:
    """Certificates as bit masks over the (at most 64) most common names."""
    counts: dict[str, int] = {}
    for p in profiles:
        for key in scoring.cert_keys(p.certifications) | scoring.cert_keys(
            p.required_certifications
        ):
            counts[key] = counts.get(key, 0) + 1
    vocab = sorted(counts, key=lambda k: (-counts[k], k))[:64]
    return {k: np.uint64(1) << np.uint64(i) for i, k in enumerate(vocab)}


_AREA_IDX = {a: i for i, a in enumerate(sorted(set(scoring.THAI_AREAS)))}
