"""Question kinds and concepts: what kind of fact a question asks for, what a unit
carrying it looks like, and the words the three languages share. The data is
`knowledge/answer_cues.toml`; this module reads it."""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from knowledge.numbers import number_terms
from language.tokenize import Tokenizer

CUES_FILE = Path(__file__).parent / "answer_cues.toml"
_THAI = re.compile(r"[\u0e00-\u0e7f]")
_JA = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")
_AMOUNT = re.compile(
    r"\d[\d,.]*\s*(?:million|billion|baht|us\$|ล้าน|บาท|万|億|バーツ)|us\$\s*\d", re.IGNORECASE
)


@dataclass(frozen=True)
class Kind:
    name: str
    priority: int
    cues: dict[str, tuple[str, ...]]
    evidence: tuple[re.Pattern[str], ...]
    # the fact is a number: the unit must name one the question does not ("amount": an
    # amount, not a year: "approved on 17 January 2017 with 20,000 million baht" does not
    # answer "the 20,000 million fund: how much per borrower?")
    numeric: bool | str = False
    lead: bool = False  # the fact is stated first: only a chunk's first unit carries it
    stated: tuple[str, ...] = ()  # words giving the value ("no collateral"), lower case
    by_address: bool = False  # every unit of a document with an address (url) carries it

    def stated_in(self, question: str) -> bool:
        """The question gives this kind's value: an evidence pattern that needs a digit
        ("1%", "ร้อยละ 1") or one of the kind's `stated` words ("ไม่ต้องค้ำ") is in it."""
        lowered = question.lower()
        if any(words in lowered for words in self.stated):
            return True
        return any("\\d" in p.pattern and p.search(question) for p in self.evidence)

    def carried_by(
        self, text: str, *, given: frozenset[str] = frozenset(), first: bool = True
    ) -> bool:
        if self.lead and not first:
            return False
        if self.numeric == "amount":
            # an amount of money ("10 million baht"), not a day or a year
            if not any(number_terms(m.group()) - given for m in _AMOUNT.finditer(text)):
                return False
        elif self.numeric and not (number_terms(text) - given):
            return False
        return any(p.search(text) for p in self.evidence)


@dataclass(frozen=True)
class Cues:
    kinds: tuple[Kind, ...]
    concepts: dict[str, frozenset[str]]  # concept -> its words, tokenised
    # concept -> its Thai and Japanese words found as they are written (a Thai word the
    # tokeniser cuts in two, "ประชารัฐ", is still found; short Thai words only as tokens)
    spelled: dict[str, tuple[str, ...]] = field(default_factory=dict)
    # tokens of cue and concept words: question words, never "unknown" to the documents
    known: frozenset[str] = frozenset()
    # concept -> the tokens of all its words, in every language (keyword search across
    # languages: a Thai question's concepts find a Japanese document)
    expansion: dict[str, frozenset[str]] = field(default_factory=dict)
    # concepts that name a programme or a body (`[names]` of the cues file)
    names: frozenset[str] = frozenset()

    def kinds_of(self, question: str) -> list[Kind]:
        """The kinds of fact a question asks for. A kind whose value the question itself
        states ("the 1% loan: is collateral needed?") describes what is asked about and
        is not asked, unless it is the only kind."""
        q = question.lower()
        found = {
            k.name: [c for cs in k.cues.values() for c in cs if _cue_in(c, q)] for k in self.kinds
        }
        every = [c for cues in found.values() for c in cues]
        # a cue inside a longer cue of another kind found too is that kind's: "how much
        # can i borrow" asks an amount per borrower, not "can i …" (eligibility)
        asked = [
            k
            for k in self.kinds
            if any(not any(c != o and c in o for o in every) for c in found[k.name])
        ]
        open_ = [k for k in asked if not k.stated_in(q)]
        return open_ if open_ else asked

    def asks(self, question: str, kind: str) -> bool:
        return any(k.name == kind for k in self.kinds_of(question))


def _cue_in(cue: str, question: str) -> bool:
    """A Thai or Japanese cue anywhere; an English cue only at the start of a word
    ("ratio" is not asked by "cooperation", nor "term" by "determine"), which may follow
    Thai or Japanese letters ("J-GoodTechのURLを教えて")."""
    if not cue[:1].isascii() or not cue[:1].isalpha():
        return cue in question
    start = question.find(cue)
    while start >= 0:
        before = question[start - 1] if start else " "
        if not (before.isascii() and before.isalpha()):
            return True
        start = question.find(cue, start + 1)
    return False


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
            numeric=spec.get("numeric", False),
            lead=bool(spec.get("lead", False)),
            stated=tuple(w.lower() for w in spec.get("stated", ())),
            by_address=bool(spec.get("by_address", False)),
        )
        for name, spec in data["kinds"].items()
    )
    return kinds, {name: tuple(words) for name, words in data["concepts"].items()}


def build_cues(tokenizer: Tokenizer) -> Cues:
    """A concept word of one token matches as that token; a word of several tokens
    ("sme d bank", "จังหวัดของญี่ปุ่น") only as written, never through one of its tokens
    ("sme", "ญี่ปุ่น"). Thai and Japanese words are also found as written."""
    kinds, concepts = load_cues()
    # a Thai letter left of an abbreviation ("มี.ค." without its stop word "มี" is "ค")
    # names nothing: such a word is found only as written
    tokens_of = {
        w: [t for t in tokenizer.tokenize(w) if len(t) > 1 or not _THAI.search(t)]
        for words in concepts.values()
        for w in words
    }
    tokenised = {
        name: frozenset(tokens_of[w][0] for w in words if len(tokens_of[w]) == 1)
        for name, words in concepts.items()
    }
    spelled = {
        name: tuple(
            w.lower()
            for w in words
            if _JA.search(w) or (_THAI.search(w) and len(w) >= 4) or len(tokens_of[w]) > 1
        )
        for name, words in concepts.items()
    }
    expansion = {
        name: frozenset(tok for w in words for tok in tokens_of[w])
        for name, words in concepts.items()
    }
    known = {tok for words in expansion.values() for tok in words}
    for kind in kinds:
        for words in kind.cues.values():
            known.update(tok for word in words for tok in tokenizer.tokenize(word))
    return Cues(
        kinds=kinds,
        concepts=tokenised,
        spelled=spelled,
        known=frozenset(known),
        expansion=expansion,
        names=load_names(),
    )


@cache
def load_names(path: Path = CUES_FILE) -> frozenset[str]:
    """The concepts that name a programme or a body (`[names]` of the cues file)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    return frozenset(data.get("names", {}).get("concepts", ()))


@cache
def load_places(path: Path = CUES_FILE) -> dict[str, tuple[str, ...]]:
    """Country, bank or agency -> how each language writes it (`[places]` and `[bodies]`
    of the cues file)."""
    with path.open("rb") as fh:
        data = tomllib.load(fh)
    named = {**data["places"], **data.get("bodies", {}), **data.get("subjects", {})}
    return {name: tuple(w.lower() for w in words) for name, words in named.items()}


@cache
def _place_patterns() -> dict[str, re.Pattern[str]]:
    """A Latin name only as a whole word ("usa" is not in "usage", "india" not in
    "indian": adjectives are listed as names of their own); Thai and Japanese as written."""
    patterns = {}
    for name, words in load_places().items():
        alternatives = [
            rf"(?<![a-z]){re.escape(w)}(?![a-z])" if w[:1].isascii() else re.escape(w)
            for w in words
        ]
        patterns[name] = re.compile("|".join(alternatives))
    return patterns


def places_in(text: str) -> frozenset[str]:
    """The countries (other than Thailand and Japan), and the banks, agencies and
    subjects no document is about, that a text names, in any language."""
    lowered = text.lower()
    return frozenset(name for name, pattern in _place_patterns().items() if pattern.search(lowered))
