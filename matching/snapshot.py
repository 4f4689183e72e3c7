"""What the matcher knows of the directory: each company as a `Profile`, all of them as
the arrays of one immutable `Snapshot`, and the viewer of a search as a `Query`.

The snapshot holds the embeddings of what every company offers and seeks, plus its sector,
partnership types, certificates, size and Thai area as small arrays, grouped by country
so that one country's companies are one contiguous block of rows.
"""

from __future__ import annotations

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
        """What it offers, without the certificates it names and the market it is for
        (`scoring.product_text`)."""
        return scoring.product_text(self.offers, self._cert_names)

    @property
    def seek_text(self) -> str:
        return scoring.product_text(self.seeks, self._cert_names)

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
    buyers: bool  # what it seeks is buyers (`scoring.asks_for_buyers`)
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
    ("buyers", bool),
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


# Spare rows per country: a sixteenth of its companies, at least 256.
SPARE = 1 / 16
_EMPTY: dict[str, Any] = {"log_emp": np.nan, "area": -1, "province": -1}


class Snapshot:
    """Every company of the directory as arrays, grouped by country.

    Each country owns a region of rows with spare capacity at its end: its companies are
    the block `blocks[country]` at the start of that region, and the rows after it are
    empty (no profile, no text). An update (`updated`) writes the changed rows in place
    and a new company into its country's next spare row, so it costs O(changed rows); only
    when a region is full (or a company changed country) is a new, larger snapshot built.
    Writers are serialised by the matcher; a search running meanwhile sees each row
    either before or after its update (a new row is published only once it is written).
    """

    # One value (or one row of concept slots) per row; see _COLUMNS.
    has_offers: np.ndarray
    has_seeks: np.ndarray
    buyers: np.ndarray
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
        *,
        spare: float = SPARE,
    ) -> None:
        self.glossary = glossary
        self.spare = spare
        dim = offers.shape[1] if offers.ndim == 2 else 0
        by_country: dict[str, list[int]] = {c: [] for c in COUNTRIES}
        for i in sorted(range(len(profiles)), key=lambda i: (profiles[i].country, profiles[i].id)):
            by_country.setdefault(profiles[i].country, []).append(i)
        self.blocks: dict[str, tuple[int, int]] = {}
        self.capacity: dict[str, int] = {}
        rows = [0] * len(profiles)  # the row of each profile, in input order
        base = 0
        for country in sorted(by_country):  # rows are sorted by country
            members = by_country[country]
            cap = len(members) + _spare_rows(len(members), spare)
            for k, i in enumerate(members):
                rows[i] = base + k
            self.blocks[country] = (base, base + len(members))
            self.capacity[country] = cap
            base += cap
        self.profiles: list[Profile | None] = [None] * base
        for i, row in enumerate(rows):
            self.profiles[row] = profiles[i]
        self.row_of = {profiles[i].id: row for i, row in enumerate(rows)}
        self.offers = np.zeros((base, dim), np.float32)
        self.seeks = np.zeros((base, dim), np.float32)
        if rows:
            self.offers[rows] = offers
            self.seeks[rows] = seeks
        self.sector_codes, self.compat = _sector_table(
            sorted({p.sector for p in profiles if p.sector})
        )
        self.cert_bit = _cert_bits(profiles)
        self.province_idx: dict[str, int] = {}
        self._allocate(base)
        sector_idx = {s: i for i, s in enumerate(self.sector_codes)}
        for i, row in enumerate(rows):
            self._write(row, profiles[i], sector_idx.get(profiles[i].sector or "", -1))
        self._postings: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
        self._dirty: set[int] = set()  # rows changed since the postings were built

    def _allocate(self, size: int) -> None:
        """Every small column, `size` empty rows."""
        for name, dtype in _COLUMNS:
            slotted = name.endswith(("_ids", "_w"))
            shape = (size, concepts.SLOTS) if slotted else (size,)
            empty = (-1 if name.endswith("_ids") else 0) if slotted else _EMPTY.get(name, 0)
            setattr(self, name, np.full(shape, empty, dtype))
        self.sector = np.full(size, -1, np.int32)

    def _write(self, row: int, p: Profile, sector: int) -> None:
        for (name, _), value in zip(_COLUMNS, self._row(p), strict=True):
            getattr(self, name)[row] = value
        self.sector[row] = sector

    def _row(self, p: Profile) -> Row:
        place = p.location if p.country == "TH" else p.thai_base
        found = scoring.thai_area(place)
        prov = scoring.thai_province_in(place)
        offer_ids, offer_w = self._slots(p.offer_text, scoring.linked_divisions(p.sector, "offers"))
        seek_ids, seek_w = self._slots(p.seek_text, scoring.linked_divisions(p.sector, "seeks"))
        return Row(
            has_offers=bool(p.offers.strip()),
            has_seeks=bool(p.seeks.strip()),
            buyers=bool(p.seeks.strip()) and scoring.asks_for_buyers(p.seeks),
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

    def _slots(self, text: str, divisions: frozenset[str]) -> tuple[np.ndarray, np.ndarray]:
        if self.glossary is None or not text.strip():
            return np.full(concepts.SLOTS, -1, np.int16), np.zeros(concepts.SLOTS, np.float32)
        return self.glossary.slots(text, divisions)

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
        from postings (concept -> rows), so a query touches only rows sharing a concept;
        rows updated since the postings were built are computed from their slots."""
        dirty = list(self._dirty)
        rows, ws, offsets = self._posting(side)
        start, end = cand.start or 0, cand.stop if cand.stop is not None else len(self.profiles)
        out = np.zeros(end - start, dtype=np.float32)
        for c in np.flatnonzero(qvec[:-1]):
            lo, hi = offsets[c], offsets[c + 1]
            r = rows[lo:hi]
            a, b = np.searchsorted(r, (start, end))
            at = r[a:b] - start
            out[at] = np.maximum(out[at], qvec[c] * ws[lo + a : lo + b])
        fresh = np.array([r for r in dirty if start <= r < end], dtype=np.int64)
        if len(fresh):
            ids = (self.offer_ids if side == "offers" else self.seek_ids)[fresh]
            w = (self.offer_w if side == "offers" else self.seek_w)[fresh]
            out[fresh - start] = (qvec[ids] * w).max(axis=1)
        return out

    def _posting(self, side: str) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Rows (ascending) and weights per concept, and each concept's offset into them;
        built on first use, and again once many rows have changed since."""
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

    def profile(self, row: int) -> Profile:
        """The company of a row of a block."""
        p = self.profiles[row]
        assert p is not None, f"row {row} is a spare row"
        return p

    def __len__(self) -> int:
        """How many companies (spare rows not counted)."""
        return len(self.row_of)

    def updated(self, changes: Sequence[tuple[Profile, np.ndarray, np.ndarray]]) -> Snapshot:
        """This snapshot with these companies added or replaced, row by row in place (no
        other text is embedded or parsed again, no other row is copied). A new, larger
        snapshot is built and returned instead when a country's spare rows run out or a
        company changed country."""
        moved = any(
            (row := self.row_of.get(p.id)) is not None
            and (old := self.profiles[row]) is not None
            and old.country != p.country
            for p, _, _ in changes
        )
        new_rows: dict[str, int] = {}
        for p, _, _ in changes:
            if p.id not in self.row_of:
                new_rows[p.country] = new_rows.get(p.country, 0) + 1
        full = any(
            self.blocks.get(c, (0, 0))[1] - self.blocks.get(c, (0, 0))[0] + k
            > self.capacity.get(c, 0)
            for c, k in new_rows.items()
        )
        if moved or full:
            return self._rebuilt(changes)
        self._apply(changes)
        return self

    def _rebuilt(self, changes: Sequence[tuple[Profile, np.ndarray, np.ndarray]]) -> Snapshot:
        keep = {p.id for p, _, _ in changes}
        rows = [r for pid, r in self.row_of.items() if pid not in keep]
        kept = [p for r in rows if (p := self.profiles[r]) is not None]
        return Snapshot(
            [*kept, *(p for p, _, _ in changes)],
            np.vstack([self.offers[rows], *(o[None] for _, o, _ in changes)]),
            np.vstack([self.seeks[rows], *(s[None] for _, _, s in changes)]),
            self.glossary,
            spare=self.spare,
        )

    def _apply(self, changes: Sequence[tuple[Profile, np.ndarray, np.ndarray]]) -> None:
        """Write each change into its row (a new company: its country's next spare row),
        then publish the new rows (profiles, row index, blocks)."""
        codes = [p.sector for p, _, _ in changes if p.sector and p.sector not in self.sector_codes]
        if codes:  # new sector codes go after the known ones (rows keep their indices)
            self.sector_codes, self.compat = _sector_table(
                [*self.sector_codes, *dict.fromkeys(codes)]
            )
        sector_idx = {s: i for i, s in enumerate(self.sector_codes)}
        blocks = dict(self.blocks)
        published: list[tuple[int, Profile]] = []
        for p, offer, seek in changes:
            self._grow_cert_bits(p)
            row = self.row_of.get(p.id)
            if row is None:
                start, end = blocks.get(p.country, (0, 0))
                row, blocks[p.country] = end, (start, end + 1)
            self.offers[row] = offer
            self.seeks[row] = seek
            self._write(row, p, sector_idx.get(p.sector or "", -1))
            self._dirty.add(row)
            published.append((row, p))
        for row, p in published:
            self.profiles[row] = p
            self.row_of[p.id] = row
        self.blocks = blocks
        if len(self._dirty) > max(256, len(self.row_of) // 100):
            self._postings = {}  # rebuilt from the slots on next use
            self._dirty = set()

    def _grow_cert_bits(self, p: Profile) -> None:
        """A certificate first seen in an update gets a free bit, while any is left."""
        for key in sorted(
            scoring.cert_keys(p.certifications) | scoring.cert_keys(p.required_certifications)
        ):
            if key not in self.cert_bit and len(self.cert_bit) < 64:
                self.cert_bit[key] = np.uint64(1) << np.uint64(len(self.cert_bit))


def _spare_rows(n: int, spare: float) -> int:
    return max(256, int(n * spare)) if spare > 0 else 0


def _sector_table(codes: list[str]) -> tuple[list[str], np.ndarray]:
    """The sector codes and their compatibility matrix, whose last row and column (an
    unknown sector) are NaN."""
    s = len(codes)
    compat = np.zeros((s + 1, s + 1), dtype=np.float32)  # last row/col: unknown
    for i, a in enumerate(codes):
        for j, b in enumerate(codes):
            compat[i, j] = scoring.sector_fit(a, b) or 0.0
    compat[s, :] = compat[:, s] = np.nan
    return codes, compat


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
