"""`kakehashi ingest PATH...` and `kakehashi eval`."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

if TYPE_CHECKING:
    from knowledge.service import KnowledgeService


def _service(*, load_starter: bool = True) -> KnowledgeService:
    from core.db import init_db, make_engine
    from core.settings import Settings
    from knowledge.wiring import build_knowledge

    settings = Settings()
    engine = make_engine(settings)
    init_db(engine)
    return build_knowledge(settings, engine, load_starter=load_starter)


def ingest(
    paths: Annotated[list[Path], typer.Argument(help="Files or directories (.md .txt .html .pdf)")],
    prune: Annotated[
        bool,
        typer.Option(
            help="Delete documents that came from these directories but whose file is gone"
        ),
    ] = False,
) -> None:
    """Add or update knowledge documents; unchanged files are skipped."""
    from knowledge.loaders import LoaderError

    console = Console()
    service = _service()
    try:
        files = service.files_to_ingest(paths)
    except LoaderError as exc:
        console.print(f"[red]{exc}[/red]", soft_wrap=True)
        raise typer.Exit(2) from exc
    counts: dict[str, int] = {}
    with Progress(
        TextColumn("[bold]ingesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}"),
        console=console,
    ) as progress:
        task = progress.add_task("", total=len(files))

        def advance(path: Path, result: object) -> None:
            progress.update(task, advance=1, description=path.name)

        try:
            results = service.ingest_paths(paths, prune=prune, on_file=advance)
        except LoaderError as exc:
            console.print(f"[red]{exc}[/red]", soft_wrap=True)
            raise typer.Exit(1) from exc
    for result in results:
        counts[result.status] = counts.get(result.status, 0) + 1
    summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items())) or "nothing to do"
    console.print(f"{len(files)} files: {summary}. Index: {service.index.size} chunks.")


def evaluate(
    questions: Annotated[
        Path | None, typer.Option(help="Question set (JSON); default: the bundled one")
    ] = None,
    latency_chunks: Annotated[
        int, typer.Option(help="Chunks to index for the latency run (0 skips it)")
    ] = 10_000,
    baseline: Annotated[bool, typer.Option(help="Include the English-only MiniLM baseline")] = True,
    answers: Annotated[
        bool,
        typer.Option(help="Fact-in-answer evaluation on knowledge_questions_v2.json (dev, test)"),
    ] = True,
    misses: Annotated[
        bool, typer.Option(help="Print every question whose reply lacks the fact (both splits)")
    ] = False,
) -> None:
    """Evaluate retrieval and answers: recall@1/5, MRR, the asked fact in the reply shown
    (extraction beside the whole-section baseline, dev and test splits), declines, latency."""
    from knowledge.evaluation import run_evaluation

    run_evaluation(
        questions_path=questions,
        latency_chunks=latency_chunks,
        with_baseline=baseline,
        with_answers=answers,
        show_misses=misses,
        console=Console(),
    )


def register(app: typer.Typer) -> None:
    app.command("ingest")(ingest)
    app.command("eval")(evaluate)
