"""The one text normaliser: width, digits and spaces, so that th/ja/en input compares alike.

`normalize_text` is what every parser and tokenizer starts from: NFKC (full-width letters
and digits to ASCII, half-width kana to full-width), Thai digits to ASCII, whitespace
collapsed. `fold` goes further for matching a typed word against known terms: lower
case, no spaces, no trailing punctuation.
"""

from __future__ import annotations

import unicodedata

_THAI_DIGITS = str.maketrans("๐๑๒๓๔๕๖๗๘๙", "0123456789")


def normalize_text(text: str) -> str:
    """NFKC (full-width to ASCII), Thai digits to ASCII, trimmed, inner spaces collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).translate(_THAI_DIGITS).split())


def fold(text: str) -> str:
    """Case-, width- and space-insensitive form for matching."""
    return "".join(normalize_text(text).lower().split()).strip(".,;:!?。、")
