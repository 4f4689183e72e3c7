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

import math
import re
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from knowledge.cues import CUES_FILE, Cues, Kind, build_cues, load_cues
from knowledge.numbers import number_terms
from language.tokenize import Tokenizer, thai_function_words

__all__ = ["CUES_FILE", "Cues", "Kind", "build_cues", "load_cues"]

_BULLET = re.compile(r"^\s*(?:[-*•]|\d{1,2}[.)])\s+")
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])|(?<=[。！？])")
_THAI = re.compile(r"[\u0e00-\u0e7f]")
# Thai particles closing a question, cut before counting its words ("กี่ล้านคะ" would
# otherwise be cut into "ล้า" and "นคะ")
_PARTICLES = re.compile(r"(?:ครับ|คับ|ค่ะ|คะ|จ้ะ|จ้า|นะ|น่ะ|ไหม|มั้ย|หน่อย)+(?=[\s?？]*$)")
# chat politeness that says nothing about the topic ("boi website link pls")
_POLITE = re.compile(
    r"(?<![a-z])(?:pls|plz|please|thx|thanks|thank you|ty)(?![a-z])"
    r"|教えて(?:ください|下さい|いただけますか)?|お願い(?:します|いたします)?|ください|下さい",
    re.IGNORECASE,
)
_ABBREVIATED = re.compile(r"[\u0e00-\u0e7f]+ฯ")
_YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d|25[5-6]\d)(?!\d)")
TERMS_CACHE = 100_000  # units whose terms are kept (a 10,000-chunk index has about 40,000)
INNER_RARE = 6  # a title word used by fewer than a sixth of the document's units
_THAI_LONG = 320  # a Thai line longer than this is cut at spaces into pieces of about this size


_STEM = 6  # an English word is known when a document word starts with its first 6 letters


_STEM_CACHE: dict[int, tuple[Mapping[str, int], int, frozenset[str]]] = {}


def _stems(document_frequency: Mapping[str, int]) -> frozenset[str]:
    """The first letters of the documents' English words ("promotion" makes "promote"
    known), recomputed only when the index's word counts change."""
    key = id(document_frequency)
    cached = _STEM_CACHE.get(key)
    if (
        cached is None
        or cached[0] is not document_frequency
        or cached[1] != len(document_frequency)
    ):
        stems = frozenset(w[:_STEM] for w in document_frequency if len(w) >= _STEM and w.isascii())
        _STEM_CACHE.clear()
        _STEM_CACHE[key] = (document_frequency, len(document_frequency), stems)
        return stems
    return cached[2]


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
class Weights:
    """Tuned on the development questions only (benchmarks/knowledge_questions_v2.json)."""

    similarity: float = 1.0  # cosine similarity of question and unit
    words: float = 0.35  # share of the question's other words found in the unit
    document: float = 0.6  # share of the question's words in the title and the unit's heading
    body: float = 1.0  # share of the question's words found anywhere in the document
    kind: float = 0.15  # the unit carries the asked kind of fact (specific kinds count more)
    chunk: float = 0.3  # similarity of the unit's chunk, for context
    rank: float = 0.0  # the unit's topic was ranked first (second: half) by retrieval
    novelty: float = 1.5  # share of the question's words no document uses (subtracted)


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
    url: str = ""  # the document's address


@dataclass(frozen=True)
class Features:
    similarity: float
    words: float
    document: float
    kind: float
    chunk: float
    rank: float
    body: float = 0.0
    novelty: float = 0.0

    def score(self, w: Weights) -> float:
        return (
            w.similarity * self.similarity
            + w.words * self.words
            + w.document * self.document
            + w.body * self.body
            + w.kind * self.kind
            + w.chunk * self.chunk
            + w.rank * self.rank
            - w.novelty * self.novelty
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


class Rarity:
    """How much a shared word says: words found in few documents count more (inverse
    document frequency over the indexed documents). Amounts and years count as rare; a
    concept as rare as its most common word. Without counts every word counts 1."""

    def __init__(
        self,
        document_frequency: Mapping[str, int] | None = None,
        documents: int = 0,
        concepts: Mapping[str, frozenset[str]] | None = None,
    ) -> None:
        self._df = document_frequency
        self._n = documents
        self._concepts = concepts or {}

    def weight(self, term: str) -> float:
        if self._df is None:
            return 1.0
        if term.startswith("#"):
            df = 1
        elif term.startswith("@"):
            df = max((self._df.get(w, 0) for w in self._concepts.get(term[1:], ())), default=0)
        else:
            df = self._df.get(term, 0)
        return math.log(1.0 + (self._n + 1) / (df + 1))

    def share(self, found: Iterable[str], of: Iterable[str]) -> float:
        total = sum(self.weight(t) for t in of)
        return sum(self.weight(t) for t in found) / total if total else 0.0


class Extractor:
    def __init__(self, tokenizer: Tokenizer, cues: Cues, weights: Weights | None = None) -> None:
        self._tokenizer = tokenizer
        self._cues = cues
        self.weights = weights or Weights()
        self._terms = lru_cache(maxsize=TERMS_CACHE)(self._compute_terms)
        self._unit_terms = lru_cache(maxsize=TERMS_CACHE)(self._compute_unit_terms)

    @property
    def cues(self) -> Cues:
        return self._cues

    def rarity(self, document_frequency: Mapping[str, int], documents: int) -> Rarity:
        return Rarity(document_frequency, documents, self._cues.concepts)

    def novelty(
        self, question: str, rarity: Rarity, document_frequency: Mapping[str, int]
    ) -> float:
        """Share of the question's words (weighted by rarity) that no indexed document
        uses: "will it rain in Chiang Mai this weekend?" shares only a place name with
        the documents. Question words and concept words are never counted."""
        text = _POLITE.sub(" ", _PARTICLES.sub("", question))
        tokens = set(self._tokenizer.tokenize(text))
        # pieces of a name found as written ("เจโทร" cut into "เจ" and "โทร") are known,
        # and the name is cut out before the rest is read: "ของกสอ.ได้" is not "งก", "สอ"
        lowered = text.lower()
        names = [w for words in self._cues.spelled.values() for w in words if w in lowered]
        named = {tok for w in names for tok in self._tokenizer.tokenize(w)}
        for w in sorted(names, key=len, reverse=True):
            lowered = lowered.replace(w, " ")
        rest = set(self._tokenizer.tokenize(lowered))
        stems = _stems(document_frequency)
        function_words = thai_function_words()
        unknown = {
            t
            for t in rest
            if document_frequency.get(t, 0) == 0
            and t not in self._cues.known
            and t not in named
            and t not in function_words  # "ยัง", "อยู่", "ถ้า": no topic of their own
            and not any(ch.isdigit() for ch in t)
            and not _ABBREVIATED.search(t)  # an abbreviated word ("อุตฯ"), not a new one
            and not (len(t) >= _STEM and t.isascii() and t[:_STEM] in stems)
        }
        return rarity.share(unknown, tokens | rest)

    def expansion(self, question: str, *, names_only: bool = False) -> list[str]:
        """The question's tokens and the words, in every language, of the concepts it
        names: a keyword search for them finds a document written in another language.
        With `names_only`, only the names of programmes and bodies are expanded ("เจโทร"
        also searches "jetro"), and nothing is returned when the question names none."""
        text = _POLITE.sub(" ", _PARTICLES.sub("", question))
        tokens = list(self._tokenizer.tokenize(text))
        concepts = [t[1:] for t in sorted(self.terms(text)) if t.startswith("@")]
        if names_only:
            concepts = [c for c in concepts if c in self._cues.names]
            if not concepts:
                return []
        for concept in concepts:
            tokens.extend(sorted(self._cues.expansion.get(concept, ())))
        return tokens

    def question_terms(self, question: str) -> frozenset[str]:
        """The question's terms, a name of a programme or body counting as one term (its
        concept): "เจโทร", cut into "เจ" and "โทร", is `@jetro` and nothing else."""
        text = _POLITE.sub(" ", _PARTICLES.sub("", question))
        found = self.terms(text)
        lowered = text.lower()
        names = [
            w
            for name in self._cues.names & {t[1:] for t in found if t.startswith("@")}
            for w in self._cues.spelled.get(name, ())
            if w in lowered
        ]
        if not names:
            return found
        for w in sorted(names, key=len, reverse=True):
            lowered = lowered.replace(w, " ")
        return self.terms(lowered) | {t for t in found if t.startswith("@")}

    def terms(self, text: str) -> frozenset[str]:
        """Tokens, the concepts they belong to (`@interest`) and the amounts and years
        named (`#n10000000`, `#y2024`), for overlap across languages and wordings.
        Cached: a unit's terms are computed once per process, not per question."""
        return self._terms(text)

    def unit_terms(self, text: str) -> frozenset[str]:
        """A document text's terms, with every word of each concept it names: a question
        word matches a document that says the same in other words ("mou" a unit saying
        "บันทึกความร่วมมือ"), as the concept matches."""
        return self._unit_terms(text)

    def _compute_unit_terms(self, text: str) -> frozenset[str]:
        found = self.terms(text)
        words = (self._cues.concepts.get(t[1:], frozenset()) for t in found if t[0] == "@")
        return found.union(*words)

    def _compute_terms(self, text: str) -> frozenset[str]:
        tokens = set(self._tokenizer.tokenize(text))
        lowered = text.lower()
        for name, words in self._cues.concepts.items():
            if tokens & words or any(w in lowered for w in self._cues.spelled.get(name, ())):
                tokens.add(f"@{name}")
        tokens.update(number_terms(text))
        return frozenset(tokens)

    def features(
        self,
        question: str,
        vector: np.ndarray,
        candidates: Sequence[UnitCandidate],
        rarity: Rarity | None = None,
        novelty: float = 0.0,
    ) -> list[Features]:
        """What the score is made of, for each candidate. Words that name the document
        (its title and headings) count for the document, the rest for the unit."""
        if not candidates:
            return []
        rarity = rarity or Rarity()
        q_terms = self.question_terms(question)
        given = frozenset(t for t in q_terms if t.startswith("#"))
        kinds = self._cues.kinds_of(question)
        top_priority = sum(k.priority for k in kinds) or 1
        # asked for a number, the numbers the question names identify the document (they
        # count in `body`), not the unit: "the 20,000 million fund: how much per borrower?";
        # asked for another kind, so do its amounts ("the 2 หมื่นล้าน fund: collateral?")
        amounts = frozenset(t for t in given if t.startswith("#n")) if kinds else frozenset()
        named_numbers = given if any(k.numeric for k in kinds) else amounts
        sims = np.vstack([c.vector for c in candidates]) @ vector
        body, inner, units = self._documents(q_terms, candidates)
        found = []
        for candidate, similarity in zip(candidates, sims, strict=True):
            # words naming the document (its title) or the unit's own section count for
            # them, the rest for the unit; another section's heading names nothing here
            own = self.unit_terms(candidate.title) | self.unit_terms(candidate.section)
            # (not in the document's opening sentence, which restates its title)
            opening = candidate.position == 0 and candidate.n == 0
            rare = {
                t
                for t in q_terms & own
                if not opening
                and inner[candidate.document_id][t] * INNER_RARE < units[candidate.document_id]
            }
            rest = (q_terms - own | rare) - named_numbers
            u_terms = self.unit_terms(candidate.text)
            # the asked kinds the unit carries, specific ones counting more: "据置期間は？"
            # asks for a repayment term and a grace period; the unit giving both wins
            kind = sum(
                k.priority
                for k in kinds
                if k.carried_by(candidate.text, given=given, first=candidate.n == 0)
                or (k.by_address and candidate.url)
            )
            found.append(
                Features(
                    similarity=float(similarity),
                    words=rarity.share(rest & u_terms, rest),
                    document=rarity.share(q_terms & own, q_terms),
                    body=rarity.share(q_terms & body[candidate.document_id], q_terms),
                    kind=kind / top_priority,
                    chunk=candidate.chunk_similarity,
                    rank=1.0 / (1 + candidate.topic_rank) if candidate.topic_rank < 2 else 0.0,
                    novelty=novelty,
                )
            )
        return found

    def _documents(
        self, q_terms: frozenset[str], candidates: Sequence[UnitCandidate]
    ) -> tuple[dict[int, set[str]], dict[int, Counter[str]], Counter[int]]:
        """Per document: its words, how many of its units use each question word (a word
        of the title that few of its units use, "零細" in a table of five sizes, still
        tells them apart) and its number of units."""
        body: dict[int, set[str]] = {}
        inner: dict[int, Counter[str]] = {}
        units: Counter[int] = Counter()
        for c in candidates:
            units[c.document_id] += 1
            inner.setdefault(c.document_id, Counter()).update(q_terms & self.unit_terms(c.text))
            body.setdefault(c.document_id, set(self.unit_terms(c.title))).update(
                self.unit_terms(c.text) | self.unit_terms(c.section)
            )
        return body, inner, units

    def score(
        self,
        question: str,
        vector: np.ndarray,
        candidates: Sequence[UnitCandidate],
        rarity: Rarity | None = None,
        novelty: float = 0.0,
    ) -> list[ScoredUnit]:
        """The candidates scored against the question, best first."""
        features = self.features(question, vector, candidates, rarity, novelty)
        scored = [
            ScoredUnit(c, f.score(self.weights), f)
            for c, f in zip(candidates, features, strict=True)
        ]
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored
