"""How strong a match is, as a word people trust rather than a raw percentage.

A raw percentage undersold good proposals ("Match 23%" for the best one) and means
nothing to a reader. The thresholds were chosen on the dev seeds of the held-out matching
benchmark (`benchmarks/match_strength.py`, hybrid scorer of 3 December 2026, seeds 1-6;
top-10 scores have a median of 0.42, the first proposal 0.69): at or above `very_good`,
at least 80% of the proposals were equally good partners; at or above `good`, at least
half were (the script's 0.673 / 0.553, rounded up).
"""

from __future__ import annotations

THRESHOLDS = {"very_good": 0.68, "good": 0.56}


def strength(score: float) -> str:
    """very_good / good / possible: the catalogue key suffix of `match.strength.*`."""
    if score >= THRESHOLDS["very_good"]:
        return "very_good"
    if score >= THRESHOLDS["good"]:
        return "good"
    return "possible"
