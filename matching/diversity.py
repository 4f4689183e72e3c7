"""The order of the final results: best first, with near-copies kept apart.

`Weights.diversity` picks the rule: "defer" moves a near-copy of something already on a
page to the next page, "mmr" is maximal marginal relevance, "none" is score order.
"""

from __future__ import annotations

import numpy as np

from matching.scoring import Weights
from matching.snapshot import Snapshot


def rank(
    snap: Snapshot,
    w: Weights,
    scores: np.ndarray,
    rows: np.ndarray,
    want: int,
    *,
    diversify: bool,
) -> list[int]:
    """Positions in `scores` (aligned with `rows`), best first, diversified."""
    n = len(scores)
    pool = min(n, max(w.diversity_pool, want * 2))
    top = np.argpartition(-scores, pool - 1)[:pool] if pool < n else np.arange(n)
    top = top[np.argsort(-scores[top], kind="stable")]
    if not diversify or w.diversity == "none" or len(top) <= 1:
        return [int(i) for i in top[:want]]
    vecs = snap.offers[rows[top]]
    sim = vecs @ vecs.T
    if w.diversity == "mmr":
        return [int(top[i]) for i in mmr(scores[top], sim, want, lam=w.mmr_lambda, tau=w.near_copy)]
    return [int(top[i]) for i in defer_copies(sim, want, page=w.page_size, tau=w.near_copy)]


def defer_copies(sim: np.ndarray, want: int, *, page: int, tau: float) -> list[int]:
    """Score order, except that a near-copy of something already on the same page of
    `page` results waits for the next page (so no page shows two near-copies)."""
    result: list[int] = []
    waiting: list[int] = []
    pending = iter(range(len(sim)))

    def fits(i: int) -> bool:
        first = (len(result) // page) * page
        return all(sim[i, j] <= tau for j in result[first:])

    while len(result) < want:
        placed = next((i for i in waiting if fits(i)), None)
        if placed is not None:
            waiting.remove(placed)
            result.append(placed)
            continue
        i = next(pending, None)
        if i is None:
            if not waiting:
                break
            result.append(waiting.pop(0))  # only copies left: show them rather than nothing
        elif fits(i):
            result.append(i)
        else:
            waiting.append(i)
    return result


def mmr(scores: np.ndarray, sim: np.ndarray, want: int, *, lam: float, tau: float) -> list[int]:
    """Maximal marginal relevance, with redundancy counted only above `tau` similarity."""
    redundancy = np.clip((sim - tau) / (1.0 - tau), 0.0, 1.0)
    chosen: list[int] = []
    max_red = np.zeros(len(scores), dtype=np.float32)
    available = np.ones(len(scores), dtype=bool)
    for _ in range(min(want, len(scores))):
        value = np.where(available, lam * scores - (1.0 - lam) * max_red, -np.inf)
        pick = int(np.argmax(value))
        chosen.append(pick)
        available[pick] = False
        max_red = np.maximum(max_red, redundancy[pick])
    return chosen
