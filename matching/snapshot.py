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

import numpy as np

from matching import scoring
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
        self.sector_codes, self.sector, self.compat = _sector_arrays(self.profiles)
        self.pmask = np.array(
            [sum(scoring.PARTNERSHIP_BIT[x] for x in set(p.partnership)) for p in self.profiles],
            dtype=np.uint8,
        )
        self.cert_bit = _cert_bits(self.profiles)
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
        self.area, self.province = _area_arrays(self.profiles)

    def _mask(self, names: Iterable[str]) -> np.uint64:
        mask = np.uint64(0)
        for key in scoring.cert_keys(names):
            mask |= self.cert_bit.get(key, np.uint64(0))
        return mask

    def __len__(self) -> int:
        return len(self.profiles)


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


def _area_arrays(profiles: Sequence[Profile]) -> tuple[np.ndarray, np.ndarray]:
    """Each profile's Thai area and province as indices (-1: unknown).

    The place is the province of a Thai company, the Thai base of a Japanese one.
    """
    areas = sorted(set(scoring.THAI_AREAS))
    area_idx = {a: i for i, a in enumerate(areas)}
    provinces: dict[str, int] = {}
    area = np.full(len(profiles), -1, dtype=np.int32)
    province = np.full(len(profiles), -1, dtype=np.int32)
    for i, p in enumerate(profiles):
        place = p.location if p.country == "TH" else p.thai_base
        found = scoring.thai_area(place)
        if found is not None:
            area[i] = area_idx[found]
        prov = scoring.thai_province_in(place)
        if prov:
            province[i] = provinces.setdefault(prov, len(provinces))
    return area, province
