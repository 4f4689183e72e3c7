"""The product phrase of an offer or a need: its words minus the directory's boilerplate.

A profile says what it makes inside sentences that many profiles share ("มีประสบการณ์
มากกว่า 15 ปี", "現地調達のため、…に対応できるタイ企業を求めています", "small lots welcome").
Those words dilute a sentence embedding and pull the concept linker towards whatever
concept sits nearest to the boilerplate. `Boilerplate` learns them from the directory
itself: a token (of the shared tokenizer) that occurs in more than `share` of the texts
of its language, and in at least `least` of them, is boilerplate, unless the glossary
uses it to name a product (`keep`: in a directory of a few sectors, "แม่พิมพ์" or
"ハーネス" are in many texts and still the product). No word list is
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
    ) -> None:
        self.tokens = tokens
        df: dict[str, Counter[str]] = {}
        sizes: Counter[str] = Counter()
        for text in texts:
            if not text.strip():
                continue
            lang = detect_lang(text) or "en"
            sizes[lang] += 1
            df.setdefault(lang, Counter()).update(set(tokens(text)))
        self.common: dict[str, frozenset[str]] = {
            lang: frozenset(
                tok
                for tok, n in counts.items()
                if n >= least and n > share * sizes[lang] and tok not in keep
            )
            for lang, counts in df.items()
        }

    def phrase(self, text: str) -> str:
        return _phrase(self, text)

    def __hash__(self) -> int:
        return id(self)


@lru_cache(maxsize=1 << 16)
def _phrase(model: Boilerplate, text: str) -> str:
    common = model.common.get(detect_lang(text) or "en", frozenset())
    # Latin words inside a Thai or Japanese sentence are judged by the English counts.
    latin = model.common.get("en", frozenset())
    kept = [t for t in model.tokens(text) if t not in (latin if _LATIN.match(t) else common)]
    if not kept:
        return text.strip()
    out = kept[0]
    for prev, tok in pairwise(kept):
        out += (" " if _LATIN.match(prev[-1]) or _LATIN.match(tok[0]) else "") + tok
    return out
