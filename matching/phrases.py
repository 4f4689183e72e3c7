"""The product phrase of an offer or a need: its words minus the directory's boilerplate.

A profile says what it makes inside sentences that many profiles share ("มีประสบการณ์
มากกว่า 15 ปี", "現地調達のため、…に対応できるタイ企業を求めています", "small lots welcome").
Those words dilute a sentence embedding and pull the concept linker towards whatever
concept sits nearest to the boilerplate. `Boilerplate` learns them from the directory
itself: a token (of the shared tokenizer) that occurs in more than `share` of the texts
of its language (Latin words in any text count as English), and in at least `least` of
them, is boilerplate, unless the glossary uses it alone as a product's name (`keep`: in
a directory of a few sectors, "แม่พิมพ์" or "ハーネス" are in many texts and still the
product). A word that is only part of longer names (`names`: "สูง" of high-precision
parts, "factory" of factory automation, but also "印刷" of offset printing) can be made
boilerplate above `name_share` (off by default, 1.0; the linker uses 0.3: "タイ" of
"タイシルク" is in most Japanese texts, "สูง" in most "คุณภาพสูง พร้อมส่งออก"). At 0.3 the
held-out benchmark's dev MRR rose 0.011 / 0.013 and the issue-5 benchmark held (hit@10
0.950 either way); at 0.05-0.15 it took the application words out of the issue-5
benchmark's texts (hit@10 0.950 -> 0.933, seed 1 0.800 -> 0.700). Bare numbers ("15 years") are dropped too. No word list is
written for any template; a new directory brings its own.

The phrase is what is left, in the original order (Thai and Japanese tokens joined
without spaces, Latin ones with spaces). It never comes out empty: a text made only of
common words is its own phrase.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from itertools import pairwise

from matching.vectors import detect_lang

_LATIN = re.compile(r"[a-z0-9]")
_NUMBER = re.compile(r"^[\d.,]+$")


class Boilerplate:
    """Per-language token document frequencies of a directory's texts."""

    def __init__(
        self,
        texts: Iterable[str],
        tokens: Callable[[str], tuple[str, ...]],
        *,
        share: float = 0.03,
        least: int = 5,
        keep: frozenset[str] = frozenset(),
        names: frozenset[str] = frozenset(),
        name_share: float = 1.0,  # off (see the module docstring)
    ) -> None:
        self.tokens = tokens
        df: dict[str, Counter[str]] = {}
        sizes: Counter[str] = Counter()
        for text in texts:
            if not text.strip():
                continue
            own = detect_lang(text) or "en"
            by_lang: dict[str, set[str]] = {}
            for tok in tokens(text):
                by_lang.setdefault(_script(tok, own), set()).add(tok)
            for lang, toks in by_lang.items():
                sizes[lang] += 1
                df.setdefault(lang, Counter()).update(toks)
        self.common: dict[str, frozenset[str]] = {
            lang: frozenset(
                tok
                for tok, n in counts.items()
                if n >= least
                and n > (name_share if tok in names else share) * sizes[lang]
                and tok not in keep
            )
            for lang, counts in df.items()
        }

    def phrase(self, text: str) -> str:
        return _phrase(self, text)

    def __hash__(self) -> int:
        return id(self)


def _script(token: str, lang: str) -> str:
    """The language whose counts a token is in: Latin words inside a Thai or Japanese
    sentence ("รับผลิต gaskets (OEM) ...") are counted and judged with the English ones."""
    return "en" if _LATIN.match(token) else lang


@lru_cache(maxsize=1 << 16)
def _phrase(model: Boilerplate, text: str) -> str:
    own = detect_lang(text) or "en"
    # A bare number ("15 years") says nothing about the product.
    kept = [
        t
        for t in model.tokens(text)
        if not _NUMBER.match(t) and t not in model.common.get(_script(t, own), frozenset())
    ]
    if not kept:
        return text.strip()
    out = kept[0]
    for prev, tok in pairwise(kept):
        out += (" " if _LATIN.match(prev[-1]) or _LATIN.match(tok[0]) else "") + tok
    return out
