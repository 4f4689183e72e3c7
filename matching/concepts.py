"""Products, materials, processes and services as concepts shared by th/ja/en texts.

The glossary (`matching/data/concepts.toml`) names each concept in Thai, Japanese and
English, with its ISIC division and an optional broader concept. Every surface form and
every text is cut into tokens by the shared tokenizer (`language.tokenize`: Thai words,
Japanese morphemes in their normalised form, stemmed English words) and concepts are
found by longest match on those token sequences, so "プリント基板の実装" and
"プリント基板実装" are one mention, as are "moulds" and "molds".

A text's concepts become a few (concept index, weight) slots: 1 for a concept named in
the text, `BROADER_WEIGHT` for its broader concept, its square for the one above. When a
text names no concept, `matching.linker.ConceptLinker` links it to the concepts whose forms are nearest
in the sentence-embedding space. The matcher compares these slots as its keyword leg
(`matching.signals`, `Snapshot.concept_overlap`).
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Protocol

import numpy as np

from core.types import Lang
from language.normalize import normalize_text
from language.tokenize import get_tokenizer

GLOSSARY_TOML = Path(__file__).parent / "data" / "concepts.toml"
LANGS: tuple[Lang, ...] = ("th", "ja", "en")
BROADER_WEIGHT = 0.5
SLOTS = 10  # concept slots per text (named concepts first, then broader ones)

# British and American spellings meet (the tokenizer already stems plurals).
_SPELLING = {
    "mould": "mold",
    "moulding": "molding",
    "moulded": "molded",
    "aluminium": "aluminum",
    "colour": "color",
    "fibre": "fiber",
    "tyre": "tire",
    "centre": "center",
    "galvanised": "galvanized",
    "fertiliser": "fertilizer",
}


@lru_cache(maxsize=1 << 17)
def concept_tokens(text: str) -> tuple[str, ...]:
    """The tokens concepts are matched on (shared tokenizer, spellings unified)."""
    words = get_tokenizer().tokenize(normalize_text(text))
    return tuple(_SPELLING.get(w, w) for w in words)


@dataclass(frozen=True)
class Concept:
    id: str
    index: int
    isic: str
    kind: str
    names: dict[str, tuple[str, ...]]
    broader: str | None = None

    def label(self, lang: Lang) -> str:
        """The preferred name in the reader's language (English when it has none)."""
        names = self.names.get(lang) or self.names.get("en") or (self.id,)
        return names[0]


class Glossary:
    """The concepts and an index of their surface forms as token sequences."""

    def __init__(self, concepts: Sequence[Concept]) -> None:
        self.concepts = list(concepts)
        self.by_id = {c.id: c for c in self.concepts}
        self._ancestors = [self._chain(c) for c in self.concepts]
        # Each form as its tokens written together: a tokenizer may cut a compound one
        # way alone and another inside a sentence ("射出成形金型" is 金 + 型 alone, 金型 in
        # "…の射出成形金型を…"), so a name is matched on the letters of whole tokens.
        self._joined: dict[str, int] = {}
        for c in self.concepts:
            for forms in c.names.values():
                for form in forms:
                    joined = "".join(concept_tokens(form))
                    if joined:
                        self._joined.setdefault(joined, c.index)
        self._longest = max((len(k) for k in self._joined), default=0)

    def __len__(self) -> int:
        return len(self.concepts)

    def ancestors(self, index: int) -> list[int]:
        """Indices of a concept's broader concepts, nearest first."""
        return self._ancestors[index]

    def _chain(self, c: Concept) -> list[int]:
        """Indices of the broader concepts, nearest first (cycles cut)."""
        out: list[int] = []
        seen = {c.id}
        up = c.broader
        while up and up in self.by_id and up not in seen:
            seen.add(up)
            out.append(self.by_id[up].index)
            up = self.by_id[up].broader
        return out

    @classmethod
    def load(
        cls, path: Path = GLOSSARY_TOML, *, drop: Iterable[tuple[str, str, str]] = ()
    ) -> Glossary:
        """The glossary of a TOML file; `drop` leaves out (concept id, lang, form) entries
        (the held-out benchmark phrases its test seeds with forms the matcher lacks)."""
        dropped = set(drop)
        with path.open("rb") as fh:
            table = tomllib.load(fh)["concept"]
        concepts = []
        for i, (cid, entry) in enumerate(table.items()):
            names: dict[str, tuple[str, ...]] = {
                lang: tuple(f for f in entry.get(lang, []) if (cid, lang, f) not in dropped)
                for lang in LANGS
            }
            concepts.append(
                Concept(
                    id=cid,
                    index=i,
                    isic=str(entry.get("isic", "")).zfill(2),
                    kind=str(entry.get("kind", "product")),
                    names=names,
                    broader=entry.get("broader"),
                )
            )
        return cls(concepts)

    def find(self, text: str) -> list[Concept]:
        """Concepts named in the text, in order of first mention (longest match wins)."""
        return [self.concepts[i] for i in self.named(text)]

    @lru_cache(maxsize=1 << 16)  # noqa: B019 (one glossary per process; texts repeat)
    def named(self, text: str) -> tuple[int, ...]:
        """Indices of the concepts named in the text, in order of first mention."""
        return self.scan(text)[0]

    @lru_cache(maxsize=1 << 16)  # noqa: B019 (one glossary per process; texts repeat)
    def scan(self, text: str) -> tuple[tuple[int, ...], int]:
        """The concepts named in the text (in order of first mention) and how many of its
        tokens no name covers."""
        toks = concept_tokens(text) if text.strip() else ()
        found: list[int] = []
        left = i = 0
        while i < len(toks):
            match = self._longest_at(toks, i)
            if match is None:
                left += 1
                i += 1
                continue
            end, index = match
            if index not in found:
                found.append(index)
            i = end

        return tuple(found), left

    def _longest_at(self, toks: Sequence[str], i: int) -> tuple[int, int] | None:
        """The end and concept of the longest name starting at token i (whole tokens)."""
        best = None
        joined = ""
        for j in range(i, len(toks)):
            joined += toks[j]
            if len(joined) > self._longest:
                break
            index = self._joined.get(joined)
            if index is not None:
                best = (j + 1, index)
        return best

    def weights(self, text: str) -> dict[int, float]:
        """Concept index -> weight: 1 for a named concept, less for the broader ones."""
        return self.expand(dict.fromkeys(self.named(text), 1.0))

    def expand(self, named: dict[int, float]) -> dict[int, float]:
        """The named concepts with their broader ones at `BROADER_WEIGHT` per step."""
        out = dict(named)
        for index, weight in named.items():
            w = weight * BROADER_WEIGHT
            for up in self._ancestors[index]:
                if out.get(up, 0.0) < w:
                    out[up] = w
                w *= BROADER_WEIGHT
        return out

    def slots(
        self, text: str, divisions: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]:
        """The text's concepts as `SLOTS` (index, weight) pairs; unused slots are -1 / 0.
        (`divisions`, the company's sectors, only matter to a linker.)"""
        return slots_of(self.weights(text))

    def query_vector(self, text: str) -> np.ndarray:
        """A dense vector over the concepts (plus one trailing zero for unused slots)."""
        return dense(self.weights(text), len(self.concepts))


class ConceptIndex(Protocol):
    """What the snapshot and the reasons need of a glossary or a linker."""

    concepts: list[Concept]

    def __len__(self) -> int: ...
    def slots(
        self, text: str, divisions: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]: ...
    def query_vector(self, text: str) -> np.ndarray: ...


def slots_of(weights: dict[int, float]) -> tuple[np.ndarray, np.ndarray]:
    """Concept weights as `SLOTS` (index, weight) pairs, strongest first; unused: -1 / 0."""
    ids = np.full(SLOTS, -1, dtype=np.int16)
    ws = np.zeros(SLOTS, dtype=np.float32)
    ranked = sorted(weights.items(), key=lambda kv: -kv[1])[:SLOTS]
    for j, (index, w) in enumerate(ranked):
        ids[j], ws[j] = index, w
    return ids, ws


def dense(weights: dict[int, float], size: int) -> np.ndarray:
    """A dense vector over the concepts, plus one trailing zero that unused slots read."""
    vec = np.zeros(size + 1, dtype=np.float32)
    for index, w in weights.items():
        vec[index] = w
    return vec


@cache
def default_glossary() -> Glossary:
    """The shipped glossary, loaded once per process."""
    return Glossary.load()
