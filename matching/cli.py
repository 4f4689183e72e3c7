"""`kakehashi companies ...`: the company directory from the command line.

`register(app)` adds the `companies` group with `export`, and lets other modules add
their own commands to the group (`matching.csv_import.register(companies_app)` adds
`import`).
"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Annotated

import typer

# Modules that add commands to `kakehashi companies` with `register(companies_app)`.
EXTENSIONS = ("matching.csv_import",)


def build_companies_app() -> typer.Typer:
    companies_app = typer.Typer(
        help="The company directory (CSV import and export).", no_args_is_help=True
    )
    companies_app.command("export")(export_command)
    for name in EXTENSIONS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
            continue
        module.register(companies_app)
    return companies_app


def register(app: typer.Typer) -> None:
    app.add_typer(build_companies_app(), name="companies")


def export_command(
    file: Annotated[
        Path, typer.Argument(dir_okay=False, writable=True, help="Where to write the CSV")
    ],
    extended: Annotated[
        bool,
        typer.Option(
            "--extended",
            help="Also write required_certifications, contact_person, name_en and thai_base",
        ),
    ] = False,
) -> None:
    """Write every company in the directory CSV format (UTF-8, header row, phone in E.164)."""
    from core.db import init_db, make_engine, session_scope
    from core.settings import Settings
    from matching.export import export_file

    engine = make_engine(Settings())
    init_db(engine)
    with session_scope(engine) as session:
        result = export_file(session, file, extended=extended)
    typer.echo(f"wrote {result.rows} companies to {file}")
    if result.phones_dropped:
        typer.echo(
            f"{result.phones_dropped} stored phone number(s) are not phone numbers and were left empty",
            err=True,
        )
