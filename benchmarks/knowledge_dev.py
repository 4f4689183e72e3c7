"""Development loop for answer extraction: the DEV split of
`benchmarks/knowledge_questions_v2.json` only (never the test split).

    HF_HUB_OFFLINE=1 python benchmarks/knowledge_dev.py [--scores] [--round 6]

Prints fact-in-answer per language on dev, every dev miss with the reply, and the gap the
decline threshold sits in (lowest in-scope best-unit score, highest out-of-scope one).
"""

from __future__ import annotations

import argparse
import re
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.answer_eval import GROUPS, FactQuestion, build_systems, load_fact_questions
from knowledge.compose import extract
from knowledge.service import KnowledgeService
from knowledge.skill import render_answer


def best_score(service: KnowledgeService, question: FactQuestion) -> float:
    index = service._index
    vector = index.embed_query(question.q)
    result = index.search(question.q, k=8, query_vector=vector)
    found = extract(
        service._extractor,
        index,
        question.q,
        vector,
        result,
        question.lang,
        service.settings,
    )
    return found.best.score if found.best else float("-inf")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--scores", action="store_true", help="print every question's score")
    parser.add_argument("--round", type=int, default=None, help="only the dev questions of a round")
    args = parser.parse_args()
    questions = [
        q
        for q in load_fact_questions()
        if q.split == "dev" and (args.round is None or q.round == args.round)
    ]
    with tempfile.TemporaryDirectory() as tmp:
        services = build_systems(Path(tmp))["extraction (default)"]
        counts = {g: [0, 0] for g in GROUPS}
        in_scope: list[tuple[float, str]] = []
        oos: list[tuple[float, str]] = []
        misses: list[str] = []
        for question in questions:
            service = services[question.lang if question.cross else None]
            answer = service.answer(question.q, lang=question.lang)
            score = best_score(service, question)
            reply = render_answer(answer, question.lang) if answer.confident else answer.text  # type: ignore[arg-type]
            if not question.topics:
                oos.append((score, question.q))
                if answer.confident:
                    misses.append(f"OOS answered ({score:.2f}) [{question.lang}] {question.q}")
                continue
            in_scope.append((score, question.q))
            shown = answer.confident and bool(question.fact and re.search(question.fact, reply))
            groups = [question.lang, "all"] + (["cross"] if question.cross else [])
            for g in groups:
                counts[g][0] += 1
                counts[g][1] += shown
            if args.scores:
                print(f"{score:.2f} {'ok  ' if shown else 'MISS'} [{question.lang}] {question.q}")
            if not shown:
                cross = " cross" if question.cross else ""
                misses.append(
                    f"MISS ({score:.2f}) [{question.lang}{cross}] {question.q}\n    -> "
                    + reply[:300].replace("\n", " | ")
                )
        for m in misses:
            print(m)
        print(
            "dev fact-in-answer: "
            + ", ".join(f"{g} {f / n:.3f} ({f}/{n})" for g, (n, f) in counts.items() if n)
        )
        print(
            f"out of scope declined: {sum(1 for s, _ in oos if s < service.settings.kb_min_unit_score)}/{len(oos)}"
        )
        low = min(in_scope)
        high = max(oos)
        print(
            f"lowest in-scope {low[0]:.3f} ({low[1]}); highest out-of-scope {high[0]:.3f} ({high[1]})"
        )


if __name__ == "__main__":
    main()
