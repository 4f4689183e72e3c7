"""Knowledge-base evaluation: `python benchmarks/knowledge_eval.py [--latency-chunks N]`.

The same as `kakehashi eval`; see knowledge/evaluation.py for what is measured.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from knowledge.evaluation import run_evaluation


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--questions", type=Path, default=None)
    parser.add_argument("--latency-chunks", type=int, default=10_000)
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--no-answers", action="store_true")
    args = parser.parse_args()
    run_evaluation(
        questions_path=args.questions,
        latency_chunks=args.latency_chunks,
        with_baseline=not args.no_baseline,
        with_answers=not args.no_answers,
    )


if __name__ == "__main__":
    main()
