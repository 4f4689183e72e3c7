"""Answer extraction: the sentence, bullet or table row that answers the question.

A chunk is cut into units (`split_units`); units are embedded once, when their chunk is
indexed. For a question, every unit of the candidate chunks is scored by

    cosine(question, unit) + keyword overlap (with cross-language concepts)
    + a bonus when the unit carries the kind of fact the question asks for
      (a number with baht/%/年 for "how much", a date for "when", ...)

The question kinds, their cue words in th/ja/en and the concepts shared by the three
languages are data: `knowledge/answer_cues.toml`.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path

import numpy as np

from language.tokenize import Tokenizer

CUES_FILE = Path(__file__).parent / "answer_cues.toml"

_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|(?<=[。！？])")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d|25[5-6]\d)(?!\d)")
TERMS_CACHE = 100_000  # units whose terms are kept (a 10,000-chunk index has about 40,000)
_THAI_LONG = 320  # a Thai line longer than this is cut at spaces into pieces of about this size


def split_units(text: str) -> list[str]:
    """Sentences, bullets and table rows of a chunk, in order. A bullet or a table row is
    one unit however long; other lines are cut into sentences (Thai, which has no full
    stop, at spaces when the line is long)."""
    units: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if _BULLET.match(line) or " · " in line:
            units.append(line)
        elif _THAI.search(line):
            units.extend(_thai_pieces(line))
        else:
            units.extend(s.strip() for s in _SENTENCE_END.split(line) if s.strip())
    return units


def _thai_pieces(line: str) -> list[str]:
    if len(line) <= _THAI_LONG:
        return [line]
    pieces: list[str] = []
    current = ""
    for word in line.split(" "):
        if current and len(current) + len(word) > _THAI_LONG:
            pieces.append(current)
            current = word
        else:
            current = f"{current} {word}".strip()
    if current:
        if pieces and len(current) < 40:
            pieces[-1] = f"{pieces[-1]} {current}"
        else:
            pieces.append(current)
    return pieces


def display_unit(unit: str) -> str:
    return "• " + _BULLET.sub("", unit, count=1)


def year_of(*texts: str) -> int:
    """The latest year named in `texts` (Buddhist-era years converted), 0 when none."""
    years = [int(y) - 543 if int(y) > 2400 else int(y) for t in texts for y in _YEAR.findall(t)]
    return max(years, default=0)


@dataclass(frozen=True)
class Kind:
    name: str
    priority: int
    cues: dict[str, tuple[str, ...]]
    evidence: tuple[re.Pattern[str], ...]

    def carried_by(self, text: str) -> bool:
        return any(p.search(text) for p in self.evidence)


@dataclass(frozen=True)
class Cues:
    kinds: tuple[Kind, ...]
    concepts: dict[str, frozenset[str]]  # concept -> its words, tokenised

    def kinds_of(self, question: str) -> list[Kind]:
        q = question.lower()
        return [k for k in self.kinds if any(c in q for cs in k.cues.values() for c in cs)]


@cache
def load_cues(path: Path = CUES_FILE) -> tuple[tuple[Kind, ...], dict[str, tuple[str, ...]]]:
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    kinds = tuple(
        Kind(
            name=name,
            priority=int(spec.get("priority", 1)),
            cues={lang: tuple(c.lower() for c in words) for lang, words in spec["cues"].items()},
            evidence=tuple(re.compile(p, re.IGNORECASE) for p in spec["evidence"]),
        )
        for name, spec in data["kinds"].items()
    )
    return kinds, {name: tuple(words) for name, words in data["concepts"].items()}


def build_cues(tokenizer: Tokenizer) -> Cues:
    kinds, concepts = load_cues()
    tokenised = {
        name: frozenset(tok for word in words for tok in tokenizer.tokenize(word))
        for name, words in concepts.items()
    }
    return Cues(kinds=kinds, concepts=tokenised)


@dataclass(frozen=True)
class Weights:
    """Tuned on the development questions only (benchmarks/knowledge_questions_v2.json)."""

    similarity: float = 1.0  # cosine similarity of question and unit
    words: float = 0.35  # share of the question's other words found in the unit
    document: float = 0.6  # share of the question's words found in the title and headings
    kind: float = 0.15  # the unit carries the asked kind of fact (specific kinds count more)
    chunk: float = 0.3  # similarity of the unit's chunk, for context
    rank: float = 0.1  # the unit's topic was ranked first (second: half) by retrieval


@dataclass(frozen=True)
class UnitCandidate:
    chunk_id: str
    topic: str
    document_id: int
    title: str
    position: int  # the chunk's position in its document
    n: int  # the unit's position in its chunk
    text: str
    section: str
    as_of: str
    vector: np.ndarray
    chunk_similarity: float
    topic_rank: int  # 0 for the topic retrieval ranked first


@dataclass(frozen=True)
class Features:
    similarity: float
    words: float
    document: float
    kind: float
    chunk: float
    rank: float

    def score(self, w: Weights) -> float:
        return (
            w.similarity * self.similarity
            + w.words * self.words
            + w.document * self.document
            + w.kind * self.kind
            + w.chunk * self.chunk
            + w.rank * self.rank
        )


@dataclass(frozen=True)
class ScoredUnit:
    candidate: UnitCandidate
    score: float
    features: Features

    @property
    def similarity(self) -> float:
        return self.features.similarity

    @property
    def overlap(self) -> float:
        return self.features.words


class Extractor:
    def __init__(self, tokenizer: Tokenizer, cues: Cues, weights: Weights | None = None) -> None:
        self._tokenizer = tokenizer
        self._cues = cues
        self.weights = weights or Weights()
        self._terms = lru_cache(maxsize=TERMS_CACHE)(self._compute_terms)

    def terms(self, text: str) -> frozenset[str]:
        """Tokens plus the concepts they belong to (`@interest`), for overlap across
        languages. Cached: a unit's terms are computed once per process, not per question."""
        return self._terms(text)

    def _compute_terms(self, text: str) -> frozenset[str]:
        tokens = set(self._tokenizer.tokenize(text))
        for name, words in self._cues.concepts.items():
            if tokens & words:
                tokens.add(f"@{name}")
        return frozenset(tokens)

    def features(
        self, question: str, vector: np.ndarray, candidates: Sequence[UnitCandidate]
    ) -> list[Features]:
        """What the score is made of, for each candidate. Words that name the document
        (its title and headings) count for the document, the rest for the unit."""
        if not candidates:
            return []
        q_terms = self.terms(question)
        kinds = self._cues.kinds_of(question)
        top_priority = max((k.priority for k in kinds), default=1)
        sims = np.vstack([c.vector for c in candidates]) @ vector
        headings: dict[int, set[str]] = {}
        for c in candidates:
            named = headings.setdefault(c.document_id, set(self.terms(c.title)))
            named.update(self.terms(c.section))
        found = []
        for candidate, similarity in zip(candidates, sims, strict=True):
            named = headings[candidate.document_id]
            rest = q_terms - named
            u_terms = self.terms(candidate.text)
            kind = max((k.priority for k in kinds if k.carried_by(candidate.text)), default=0)
            found.append(
                Features(
                    similarity=float(similarity),
                    words=len(rest & u_terms) / len(rest) if rest else 0.0,
                    document=len(q_terms & named) / len(q_terms) if q_terms else 0.0,
                    kind=kind / top_priority,
                    chunk=candidate.chunk_similarity,
                    rank=1.0 / (1 + candidate.topic_rank) if candidate.topic_rank < 2 else 0.0,
                )
            )
        return found

    def score(
        self, question: str, vector: np.ndarray, candidates: Sequence[UnitCandidate]
    ) -> list[ScoredUnit]:
        """The candidates scored against the question, best first."""
        features = self.features(question, vector, candidates)
        scored = [
            ScoredUnit(c, f.score(self.weights), f)
            for c, f in zip(candidates, features, strict=True)
        ]
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored


def pick(scored: Sequence[ScoredUnit], *, margin: float, limit: int = 3) -> list[ScoredUnit]:
    """The best unit and up to `limit - 1` more from the same document scoring within
    `margin` of it, in document order. Between documents scoring almost alike, the one
    with the later year (section heading or as-of date) is preferred."""
    if not scored:
        return []
    best = scored[0]
    # Dated sections of one document (2017 terms, 2019 round): the later one, when it
    # scores almost as well; across documents only when they are all but tied.
    close = [
        s
        for s in scored
        if s.score
        >= best.score - (margin / 2 if s.candidate.topic == best.candidate.topic else 0.02)
    ]
    latest = max(close, key=lambda s: (_year(s), s.score))
    if _year(latest) > _year(best):
        best = latest
    same_document = [
        s
        for s in scored
        if s is not best
        and s.candidate.document_id == best.candidate.document_id
        and s.score >= best.score - margin
    ]
    chosen = [best, *same_document[: limit - 1]]
    return sorted(chosen, key=lambda s: (s.candidate.position, s.candidate.n))


def _year(unit: ScoredUnit) -> int:
    c = unit.candidate
    return year_of(c.section) or year_of(c.as_of)


def render_units(units: Iterable[ScoredUnit]) -> str:
    """The chosen units under their section heading (the title is shown with the source)."""
    lines: list[str] = []
    current: str | None = None
    for unit in units:
        section = unit.candidate.section
        if section != current:
            if lines:
                lines.append("")
            if section:
                lines.append(f"【{section}】")
            current = section
        lines.append(display_unit(unit.candidate.text))
    return "\n".join(lines)
