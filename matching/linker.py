"""Concepts of texts that do not name them the glossary's way.

`ConceptLinker` finds a text's concepts in three steps:

1. the glossary's names (`Glossary.named`: longest match on shared tokens);
2. else a name written with one slip (a character dropped, added or two swapped:
   "fiebrglass", "ปลนิล"), compared letter by letter (rapidfuzz's OSA distance; the
   first and last letters as written, so "motor" of "motorcycle" is not "motors");
3. else the concepts whose surface forms are nearest to the text's **product phrase** in
   the sentence-embedding space: the text without framing ("looking for ...") and without
   the directory's boilerplate words (`matching.phrases`), so a synonym the glossary lacks
   ("tapioca root", "缶コーヒー") still reaches its concept.

The company's own division is preferred among near concepts ("製材" of a wood company
is sawmilling, not casting). When names cover only part of the product phrase, a
narrower concept of the name that the phrase is near stands for it ("flexographic
printing" is packaging printing); else the phrase's nearest concepts are added beside
the names ("car parts" names "car"; `partial`). A product phrase one slip away from
another phrase of the directory that the embedding knows better is respelt as it
(`respellings`: "farbic" -> "fabric"). Links are computed for a whole directory in one
batch (`prime`), so loading stays one matrix product.

Duck-types the parts of `Glossary` the snapshot and the reasons use.
"""

from __future__ import annotations

import itertools
import unicodedata
from collections.abc import Callable, Iterable, Sequence
from functools import lru_cache

import numpy as np
from rapidfuzz.distance import OSA

from language.normalize import normalize_text
from matching.concepts import Concept, Glossary, concept_tokens, dense, slots_of
from matching.phrases import Boilerplate

SPELLING_LEAST = 6  # ... counted on forms and phrases of at least this many letters
# A word that is only part of longer product names ("タイ" of Thai silk, "สูง" of
# high-precision parts) is boilerplate when more than this share of the directory's texts
# in its language use it (`phrases.Boilerplate`; tuned on the held-out dev seeds).
NAME_SHARE = 0.3
# A phrase is respelt as another of the directory one slip away only when the embedding
# puts that spelling this much (cosine) nearer to a concept (`respellings`; dev seeds).
RESPELL_MARGIN = 0.1
RESPELL_LONGEST = 40  # letters; longer phrases are not compared (bounds the index)
# Nearest concepts kept per phrase, so a company's own divisions can be preferred later.
CANDIDATES = 16
Link = tuple[tuple[int, float], ...]


class ConceptLinker:
    def __init__(
        self,
        glossary: Glossary,
        embed: Callable[[Sequence[str]], np.ndarray],
        *,
        prepare: Callable[[str], str] = str.strip,
        threshold: float = 0.6,
        margin: float = 0.04,
        weight: float = 0.8,
        prefer: float = 0.0,
        narrower: float = 0.0,
        narrower_least: float = 0.4,
        partial: float = 1.0,
    ) -> None:
        self.glossary = glossary
        self.concepts: list[Concept] = glossary.concepts
        self.threshold, self.margin, self.weight = threshold, margin, weight
        self.partial = partial  # weight of links beside names covering part of a phrase
        # Cosine added to the concepts of the company's own divisions when linking.
        self.prefer = prefer
        # A name covering part of a phrase gives way to its narrower concept the phrase
        # is near (cosine >= narrower_least), at weight `narrower` (0: off).
        self.narrower, self.narrower_least = narrower, narrower_least
        self._below = _narrower_concepts(glossary)
        self._division = np.array([c.isic for c in glossary.concepts])
        self._embed = embed
        self._prepare = prepare
        forms: list[str] = []
        starts: list[int] = []
        for c in glossary.concepts:
            starts.append(len(forms))
            forms += [f for fs in c.names.values() for f in fs] or [c.id]
        self._starts = np.array(starts)
        self._owner = np.repeat(np.arange(len(starts)), np.diff([*starts, len(forms)]))
        # Services are named with everyday words ("supplies", "consulting", "staffing")
        # that framing sentences share: they are found by name only, never linked.
        self._linkable = np.array([c.kind != "service" for c in glossary.concepts], np.float32)
        self._forms = embed(forms) if threshold > 0 else np.zeros((0, 0), np.float32)
        # Spelt as the phrases are: tokens of the shared tokenizer ("trays" -> "tray").
        self._spelled = [_spelling_key(" ".join(concept_tokens(f))) for f in forms]
        self._grams: dict[str, list[int]] = {}  # letter trigram -> forms holding it
        for i, key in enumerate(self._spelled):
            if len(key) >= SPELLING_LEAST and self._linkable[self._owner[i]]:
                for g in _trigrams(key):
                    self._grams.setdefault(g, []).append(i)
        self.boilerplate: Boilerplate | None = None
        self._respelt: dict[str, str] = {}  # a phrase with a slip -> the directory's spelling
        self._links: dict[str, Link] = {}  # a misspelt name's concept
        self._near: dict[str, tuple[np.ndarray, np.ndarray]] = {}  # nearest concepts, cosines
        self._slots: dict[tuple[str, frozenset[str]], tuple[np.ndarray, np.ndarray]] = {}
        self._vocabulary, self._name_words = _name_words(glossary)

    def __len__(self) -> int:
        return len(self.concepts)

    def learn(self, texts: Iterable[str]) -> None:
        """Learn the directory's boilerplate words and link its texts in one batch."""
        texts = list(texts)
        self.boilerplate = Boilerplate(
            texts,
            concept_tokens,
            keep=self._vocabulary,
            names=self._name_words,
            name_share=NAME_SHARE,
        )
        self._links = {}
        self._near = {}
        self._slots = {}
        self._respelt = {}  # phrases as written, then the respellings among them
        phrases = {t: self.phrase(t) for t in texts if t.strip()}
        # Names found by the glossary are spelt right; the rest may have a slip.
        slips = [p for t, p in phrases.items() if not self.glossary.named(t)]
        self._respelt = respellings(list(phrases.values()), self._known, slips=slips)
        self.prime(texts)

    def _known(self, phrases: list[str]) -> list[float]:
        """How near each phrase's embedding comes to a concept's form."""
        if self.threshold <= 0:
            return [0.0] * len(phrases)
        out: list[float] = []
        for lo in range(0, len(phrases), 1024):
            sims = self._embed(phrases[lo : lo + 1024]) @ self._forms.T
            out += [float(x) for x in (sims * self._linkable[self._owner]).max(axis=1)]
        return out

    def phrase(self, text: str) -> str:
        core = self._prepare(text)
        phrase = self.boilerplate.phrase(core) if self.boilerplate is not None else core
        return self._respelt.get(phrase, phrase)

    def prime(self, texts: Iterable[str]) -> None:
        """Compute the links of many texts at once (one embedding batch, one product)."""
        if self.threshold <= 0:
            return
        todo: dict[str, str] = {}
        for text in texts:
            if text.strip() and text not in self._links and text not in self._near:
                phrase = self.phrase(text)
                # A text naming a concept is spelt right where it names it.
                misspelt = None if self.glossary.named(text) else self._misspelt(phrase)
                if misspelt is not None:
                    self._links[text] = ((misspelt, self.weight),)
                else:
                    todo[text] = phrase
        if not todo:
            return
        phrases = list(todo.values())
        for lo in range(0, len(phrases), 1024):
            sims = self._embed(phrases[lo : lo + 1024]) @ self._forms.T
            best = np.maximum.reduceat(sims, self._starts, axis=1) * self._linkable
            top = np.argsort(-best, axis=1)[:, :CANDIDATES]
            for text, ids, row in zip(list(todo)[lo : lo + 1024], top, best, strict=True):
                self._near[text] = (ids.astype(np.int16), row[ids].astype(np.float32))

    def _nearest(self, ids: np.ndarray, sims: np.ndarray, divisions: frozenset[str]) -> Link:
        """The (at most two) nearest concepts: cosine >= threshold, within the margin of
        the nearest; a concept of one of `divisions` (the company's own sectors) counts
        `prefer` nearer ("製材" of a wood company is sawmilling, not casting)."""
        score = sims
        if divisions and self.prefer:
            mine = np.isin(self._division[ids], list(divisions))
            score = sims + self.prefer * mine
        order = np.argsort(-score, kind="stable")[:2]
        top = score[order[0]]
        keep = [i for i in order if sims[i] >= self.threshold and score[i] >= top - self.margin]
        return tuple((int(ids[i]), self.weight) for i in keep)

    def linked(self, text: str, divisions: frozenset[str] = frozenset()) -> Link:
        if self.threshold <= 0 or not text.strip():
            return ()
        near = self._near_of(text)
        if near is None:  # a misspelt name
            return self._links.get(text, ())
        return self._nearest(*near, divisions)

    def _near_of(self, text: str) -> tuple[np.ndarray, np.ndarray] | None:
        """The concepts nearest to the text's phrase and their cosines (None for a
        misspelt name), computed on first use."""
        if text not in self._links and text not in self._near:
            self.prime([text])
        return self._near.get(text)

    def _misspelt(self, phrase: str) -> int | None:
        """The concept of a form written in the phrase with one slip, when exactly one
        concept has a form that close (candidates share a letter trigram with it)."""
        words = [k for k in (_spelling_key(w) for w in phrase.split()) if k]
        key = "".join(words)
        if len(key) < SPELLING_LEAST:
            return None
        ends = set(itertools.accumulate(len(w) for w in words))
        starts = {0} | ends
        counts: dict[int, int] = {}
        for g in _trigrams(key):
            for i in self._grams.get(g, ()):
                counts[i] = counts.get(i, 0) + 1
        hits = set()
        for i, shared in counts.items():
            form = self._spelled[i]
            if shared < 2 or len(form) > len(key) + 2:
                continue
            if _slip_inside(form, key, starts, ends):
                hits.add(int(self._owner[i]))
        return hits.pop() if len(hits) == 1 else None

    def weights(self, text: str, divisions: frozenset[str] = frozenset()) -> dict[int, float]:
        named = dict.fromkeys(self.glossary.named(text), 1.0)
        if not named:  # links stand in for a name the glossary lacks
            named = dict(self.linked(text, divisions))
        elif self.partial and self.glossary.scan(self.phrase(text))[1]:
            # Names cover only part of the product phrase: a narrower concept of a name
            # the phrase is near stands for it ("flexographic printing" is packaging
            # printing, not printing at large); else the phrase's nearest concepts join
            # them ("car parts" names "car").
            narrower = self._narrower(text, named)
            if narrower:
                for broad, (index, w) in narrower.items():
                    del named[broad]
                    named[index] = max(named.get(index, 0.0), w)
            else:
                for index, w in self.linked(text, divisions):
                    named[index] = max(named.get(index, 0.0), w * self.partial)
        return self.glossary.expand(named)

    def _narrower(self, text: str, named: dict[int, float]) -> dict[int, tuple[int, float]]:
        """For names covering part of the phrase: the narrower concept of each that the
        phrase's embedding is nearest to (cosine >= `narrower_least`), with its weight."""
        if not self.narrower or self.threshold <= 0:
            return {}
        near = self._near_of(text)
        if near is None:
            return {}
        out: dict[int, tuple[int, float]] = {}
        for broad in named:
            below = self._below[broad]
            for index, sim in zip(*near, strict=True):
                if int(index) in below and sim >= self.narrower_least:
                    out[broad] = (int(index), self.narrower)
                    break
        return out

    def slots(
        self, text: str, divisions: frozenset[str] = frozenset()
    ) -> tuple[np.ndarray, np.ndarray]:
        """The text's concept slots; the same text of the same division is linked once
        (a directory repeats its texts: 100,000 demo companies have ~11,000)."""
        key = (text, divisions)
        got = self._slots.get(key)
        if got is None:
            got = self._slots[key] = slots_of(self.weights(text, divisions))
        return got

    def query_vector(self, text: str) -> np.ndarray:
        return dense(self.weights(text), len(self.concepts))


def _name_words(glossary: Glossary) -> tuple[frozenset[str], frozenset[str]]:
    """Words the glossary names products, materials and processes with on their own
    ("แม่พิมพ์", "ハーネス"; never boilerplate), and every word of such names ("印刷" of
    offset printing, but also "สูง" of high-precision parts or "factory" of factory
    automation; boilerplate only when in many texts). Services are named with everyday
    words ("export", "customers") and left out."""
    names = [
        concept_tokens(f)
        for c in glossary.concepts
        if c.kind != "service"
        for fs in c.names.values()
        for f in fs
    ]
    return frozenset(t[0] for t in names if len(t) == 1), frozenset(w for t in names for w in t)


def _narrower_concepts(glossary: Glossary) -> list[set[int]]:
    """For each concept, the indices of every concept below it."""
    below: list[set[int]] = [set() for _ in glossary.concepts]
    for c in glossary.concepts:
        for up in glossary.ancestors(c.index):
            below[up].add(c.index)
    return below


@lru_cache(maxsize=1 << 16)
def _spelling_key(text: str) -> str:
    """Letters, marks and digits only, lower case: what a misspelling is compared on."""
    return "".join(
        ch for ch in normalize_text(text).lower() if unicodedata.category(ch)[0] in "LMN"
    )


def respellings(
    phrases: Sequence[str],
    known: Callable[[list[str]], Sequence[float]],
    *,
    slips: Iterable[str] | None = None,
) -> dict[str, str]:
    """Phrases written with one slip (a character dropped, added or two swapped) of
    another phrase of the directory, each mapped to that phrase when it is the better
    known spelling (`known`: how close the sentence embedding puts it to a concept; a
    slip makes a word the model does not know): "farbic" -> "fabric", "กระเป๋หนัง" ->
    "กระเป๋าหนัง". A slip of a word the glossary lacks is found when someone else in the
    directory wrote it right. `slips`: the phrases that may be respelt (default all)."""
    index: dict[str, list[tuple[str, str]]] = {}  # a key, or it less one letter -> slips
    for p in sorted(set(phrases if slips is None else slips)):
        key = _spelling_key(p)
        if SPELLING_LEAST - 1 <= len(key) <= RESPELL_LONGEST:
            for variant in _variants(key):
                index.setdefault(variant, []).append((key, p))
    pairs: dict[str, set[str]] = {}
    for q in sorted(set(phrases)):
        key = _spelling_key(q)
        for variant in _variants(key) if len(key) <= RESPELL_LONGEST + 1 else ():
            for other, p in index.get(variant, ()):
                if other != key and _one_slip(key, other):
                    pairs.setdefault(p, set()).add(q)
    involved = sorted({*pairs, *(q for qs in pairs.values() for q in qs)})
    support = dict(zip(involved, known(involved), strict=True)) if involved else {}
    out: dict[str, str] = {}
    for p, qs in pairs.items():
        best = max(qs, key=support.__getitem__)
        if support[best] > support[p] + RESPELL_MARGIN:
            out[p] = best
    return out


def _variants(key: str) -> set[str]:
    """The key and the key less any one of its letters."""
    return {key, *(key[:i] + key[i + 1 :] for i in range(len(key)))}


def _one_slip(a: str, b: str) -> bool:
    """One character dropped or added, or two neighbours swapped (not replaced)."""
    if len(a) != len(b):
        return OSA.distance(a, b) == 1
    return sorted(a) == sorted(b) and OSA.distance(a, b) == 1


def _slip_inside(
    form: str, key: str, starts: set[int] | None = None, ends: set[int] | None = None
) -> bool:
    """Whether the key holds the form written with one slip (a letter dropped, added or
    two neighbours swapped) or none, from the start of a word to the end of one (`starts`,
    `ends`: letter offsets; default anywhere) and with its first and last letters as
    written ("motor" of "motorcycle" is not "motors", nor "ecomponent" "ev component")."""
    n = len(form)
    for size in (n - 1, n, n + 1):
        for start in range(0, len(key) - size + 1):
            if starts is not None and start not in starts:
                continue
            if ends is not None and start + size not in ends:
                continue
            part = key[start : start + size]
            if part[0] != form[0] or part[-1] != form[-1]:
                continue
            if part == form or _one_slip(part, form):
                return True
    return False


def _trigrams(key: str) -> set[str]:
    return {key[i : i + 3] for i in range(len(key) - 2)}
