"""Which language a user writes in: Thai or Japanese script, else English."""

from __future__ import annotations

from core.types import Lang


def _is_thai(ch: str) -> bool:
    return "\u0e00" <= ch <= "\u0e7f"


def _is_japanese(ch: str) -> bool:
    return (
        "\u3040" <= ch <= "\u30ff"  # hiragana, katakana
        or "\u4e00" <= ch <= "\u9fff"  # CJK ideographs
        or "\uff66" <= ch <= "\uff9f"  # half-width katakana
        or "\u3000" <= ch <= "\u303f"  # CJK punctuation
    )


def detect(text: str | None) -> Lang | None:
    """The script-based language of `text`, or None when it has no letters to go on."""
    if not text:
        return None
    thai = japanese = latin = 0
    for ch in text:
        if _is_thai(ch):
            thai += 1
        elif _is_japanese(ch):
            japanese += 1
        elif ch.isascii() and ch.isalpha():
            latin += 1
    if thai == japanese == latin == 0:
        return None
    if thai >= japanese and thai > 0:
        return "th"
    if japanese > 0:
        return "ja"
    return "en"
