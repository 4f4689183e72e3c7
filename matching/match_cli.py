"""`kakehashi match REF --top N --json` and `kakehashi demo load`."""

from __future__ import annotations

import json
import time

import typer
from sqlmodel import Session, select

from core.types import LANGS

demo_app = typer.Typer(help="The fictional demo directory.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    app.command("match")(match_command)
    app.add_typer(demo_app, name="demo")


def match_command(
    ref: str = typer.Argument(..., help="The company's ref in the directory"),
    top: int = typer.Option(10, "--top", min=1, max=100, help="How many matches"),
    as_json: bool = typer.Option(False, "--json", help="Print a JSON list"),
    lang: str = typer.Option("en", "--lang", help="Language of the reasons: th, ja or en"),
) -> None:
    """Best partner matches for one company, best first."""
    from core.db import init_db, make_engine
    from core.settings import Settings
    from matching.introductions import not_interested_ids
    from matching.models import Company
    from matching.wiring import build_matcher

    if lang not in LANGS:
        raise typer.BadParameter("use th, ja or en", param_hint="--lang")
    settings = Settings()
    engine = make_engine(settings)
    init_db(engine)
    with Session(engine) as session:
        company = session.exec(select(Company).where(Company.ref == ref)).first()
        if company is None or company.id is None:
            typer.echo(f"No company with ref {ref!r}.", err=True)
            raise typer.Exit(code=1)
        matcher = build_matcher(settings, engine)
        matches = matcher.match(
            company.id,
            k=top,
            lang=lang,
            not_interested=not_interested_ids(session, company.id),
        )
    if as_json:
        typer.echo(json.dumps([m.to_json() for m in matches], ensure_ascii=False, indent=2))
        return
    for rank, m in enumerate(matches, 1):
        typer.echo(f"{rank:>2}. {m.score:.3f}  {m.ref}  {m.name} ({m.country})")
        for reason in m.reasons:
            typer.echo(f"      - {reason}")


@demo_app.command("load")
def demo_load(
    thai: int = typer.Option(1000, help="Thai SMEs"),
    japanese: int = typer.Option(4000, help="Japanese firms"),
    seed: int = typer.Option(2017, help="Random seed (same seed, same directory)"),
) -> None:
    """Add the fictional demo directory (companies already present by ref are kept)."""
    from core.db import init_db, make_engine, session_scope
    from core.settings import Settings
    from matching import demo

    engine = make_engine(Settings())
    init_db(engine)
    started = time.perf_counter()
    with session_scope(engine) as session:
        added = demo.load(session, demo.generate(thai=thai, japanese=japanese, seed=seed))
    typer.echo(f"added {added} demo companies in {time.perf_counter() - started:.1f} s")
