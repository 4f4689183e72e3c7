"""`kakehashi` command line: serve, staff accounts, platform webhooks, feature commands."""

from __future__ import annotations

import asyncio
import secrets
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from core.db import init_db, make_engine, session_scope
from core.settings import Settings

app = typer.Typer(
    help="Kakehashi: SME business matching assistant for LINE and Telegram.", no_args_is_help=True
)
staff_app = typer.Typer(help="Staff accounts and API tokens.", no_args_is_help=True)
telegram_app = typer.Typer(help="Telegram bot set-up.", no_args_is_help=True)
line_app = typer.Typer(help="LINE channel set-up.", no_args_is_help=True)
app.add_typer(staff_app, name="staff")
app.add_typer(telegram_app, name="telegram")
app.add_typer(line_app, name="line")
db_app = typer.Typer(
    help="Database schema (Alembic migrations in core/migrations).", no_args_is_help=True
)
app.add_typer(db_app, name="db")
console = Console(soft_wrap=True)


@app.command()
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workers: Annotated[
        int, typer.Option(min=1, help="Web processes acknowledging webhooks (PostgreSQL above 1).")
    ] = 1,
    worker_processes: Annotated[
        int | None,
        typer.Option(
            min=0,
            help="Worker processes running the dialogue (default: 1 with --workers above 1, "
            "else none: the one process does both). 0 with --workers above 1: start "
            "`kakehashi worker` yourself.",
        ),
    ] = None,
) -> None:
    """Run the webhook server, the chat simulator and the API."""
    import os

    import uvicorn

    from assembly.processes import SERVE_PID_ENV, WorkerPool
    from server import create_app

    settings = Settings()
    spawned = worker_processes if worker_processes is not None else (1 if workers > 1 else 0)
    _check_database(settings, several=workers > 1 or spawned > 0)
    _print_banner(settings, host, port)
    if workers == 1 and spawned == 0:
        uvicorn.run(create_app(settings), host=host, port=port, log_level="warning")
        return
    # The web processes only acknowledge; the dialogue runs in the worker processes.
    os.environ["KAKEHASHI_WORKER_ENABLED"] = "false"
    os.environ[SERVE_PID_ENV] = str(os.getpid())  # its processes end with it
    pool = WorkerPool(spawned).start() if spawned else None
    console.print(f"{workers} web process(es), {spawned} worker process(es) started by serve")
    try:
        if workers == 1:
            web = settings.model_copy(update={"worker_enabled": False})
            uvicorn.run(create_app(web), host=host, port=port, log_level="warning")
        else:
            uvicorn.run(
                "server:create_app",
                factory=True,
                workers=workers,
                host=host,
                port=port,
                log_level="warning",
                # A web process loads the embedder and the indexes at start-up; on a busy
                # machine that can keep it from answering uvicorn's 5-second health ping,
                # which would otherwise kill and restart it over and over.
                timeout_worker_healthcheck=120,
            )
    finally:
        if pool is not None:
            pool.stop()


@app.command()
def worker() -> None:
    """Run the inbox worker (dialogue turns and replies) without a web server; several may
    run against one PostgreSQL. Stops on SIGTERM or Ctrl-C, finishing what it holds."""
    import os

    from assembly.processes import die_with_serve
    from assembly.runtime import run_worker_process

    die_with_serve()
    settings = Settings()
    _check_database(settings, several=True)
    if settings.worker_idle and hasattr(os, "SCHED_IDLE"):
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))  # threads inherit it
    elif settings.worker_nice:
        os.nice(settings.worker_nice)
    asyncio.run(run_worker_process(settings))


def _check_database(settings: Settings, *, several: bool) -> None:
    """Exit with a clear message when the database does not answer, or when several
    processes would share an SQLite file; migrations run here, once, before any child."""
    from assembly.runtime import DatabaseUnavailable, open_database

    if several and not settings.resolved_database_url.startswith("postgresql"):
        console.print(
            "[red]Several processes (--workers above 1, or worker processes) need PostgreSQL: "
            "SQLite serves one process. Set DATABASE_URL=postgresql+psycopg://USER@HOST/DB, "
            "or run `kakehashi serve` with one process.[/red]"
        )
        raise typer.Exit(2)
    try:
        open_database(settings).dispose()
    except DatabaseUnavailable as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None


def _print_banner(settings: Settings, host: str, port: int) -> None:
    shown = "127.0.0.1" if host in ("0.0.0.0", "::") else host
    console.print(f"[bold]Kakehashi[/bold] starting; data in {settings.data_dir.resolve()}")
    console.print(
        f"Chat simulator: [link]http://{shown}:{port}/chat[/link]   API docs: http://{shown}:{port}/docs"
    )
    for channel, missing in (
        ("LINE", settings.line_missing()),
        ("Telegram", settings.telegram_missing()),
    ):
        if missing:
            console.print(f"{channel} webhook off until you set {', '.join(missing)} (see README).")


def _engine():
    engine = make_engine(Settings())
    init_db(engine)
    return engine


@staff_app.command("create")
def staff_create(
    email: str,
    role: Annotated[str, typer.Option(help="editor or admin")] = "editor",
) -> None:
    """Create a staff account and print a one-time link to set its console password."""
    from core.staff import StaffError, create_staff, issue_sign_in_link
    from language.parse import Invalid, parse_email

    try:
        email = parse_email(email)
    except Invalid:
        console.print(f"[red]{email!r} is not an e-mail address[/red]", highlight=False)
        raise typer.Exit(1) from None
    try:
        with session_scope(_engine()) as session:
            account = create_staff(session, email=email, role=role)
            link = issue_sign_in_link(session, email=account.email)
    except StaffError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(1) from None
    console.print(f"Created {role} account for {account.email}.")
    _print_sign_in_link(link)
    console.print(f"API token for scripts: kakehashi staff token {account.email}", soft_wrap=True)


@staff_app.command("link")
def staff_link(email: str) -> None:
    """Print a new one-time link to set a console password (e.g. a forgotten one)."""
    from core.staff import StaffError, issue_sign_in_link

    try:
        with session_scope(_engine()) as session:
            link = issue_sign_in_link(session, email=email)
    except StaffError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    _print_sign_in_link(link)


def _print_sign_in_link(token: str) -> None:
    base = Settings().public_url.rstrip("/")
    console.print("One-time sign-in link (valid 72 hours; set a password there):")
    typer.echo(f"{base}/admin/welcome/{token}")


@staff_app.command("token")
def staff_token(email: str) -> None:
    """Print a new API token for a staff account (shown once; only its hash is stored)."""
    from core.staff import StaffError, issue_token

    try:
        with session_scope(_engine()) as session:
            token = issue_token(session, email=email)
    except StaffError as exc:
        console.print(f"[red]{exc}[/red]", highlight=False)
        raise typer.Exit(1) from None
    typer.echo(token)


@telegram_app.command("set-webhook")
def telegram_set_webhook(
    url: Annotated[str, typer.Argument(help="Public HTTPS URL ending in /webhooks/telegram")],
    env_file: Annotated[Path, typer.Option(help="Where to save the new secret")] = Path(".env"),
) -> None:
    """Register the webhook with Telegram under a freshly generated secret, saved to .env."""
    from channels.telegram import TelegramAdapter

    if not url.startswith("https://"):
        console.print("[red]Telegram only delivers to https:// URLs.[/red]")
        raise typer.Exit(1)
    secret = secrets.token_urlsafe(32)
    settings = Settings(telegram_webhook_secret=secret)
    if not settings.telegram_bot_token:
        console.print("[red]Set TELEGRAM_BOT_TOKEN first (from @BotFather).[/red]")
        raise typer.Exit(1)
    adapter = TelegramAdapter(settings, put_alias=lambda _k, _d: None, get_alias=lambda _k: None)

    async def register() -> bool:
        try:
            return await adapter.set_webhook(url, secret)
        finally:
            await adapter.close()

    try:
        ok = asyncio.run(register())
    except Exception as exc:
        console.print(f"[red]Telegram refused the webhook: {type(exc).__name__}: {exc}[/red]")
        raise typer.Exit(1) from None
    if not ok:
        console.print("[red]Telegram did not accept the webhook.[/red]")
        raise typer.Exit(1)
    _save_env(env_file, "TELEGRAM_WEBHOOK_SECRET", secret)
    console.print(
        f"Webhook set to {url}. The secret is in {env_file}; restart the server to use it."
    )


@line_app.command("set-webhook")
def line_set_webhook(
    url: Annotated[str, typer.Argument(help="Public HTTPS URL ending in /webhooks/line")],
) -> None:
    """Set the LINE channel's webhook URL through the Messaging API."""
    from linebot.v3.messaging import (
        AsyncApiClient,
        AsyncMessagingApi,
        Configuration,
        SetWebhookEndpointRequest,
    )

    settings = Settings()
    if settings.line_missing():
        console.print(f"[red]Set {', '.join(settings.line_missing())} first.[/red]")
        raise typer.Exit(1)

    async def register() -> None:
        config = Configuration(
            host=settings.line_api_base_url, access_token=settings.line_channel_access_token
        )
        async with AsyncApiClient(config) as client:
            await AsyncMessagingApi(client).set_webhook_endpoint(
                SetWebhookEndpointRequest(endpoint=url)
            )

    try:
        asyncio.run(register())
    except Exception as exc:
        console.print(f"[red]LINE refused the webhook: {type(exc).__name__}[/red]")
        raise typer.Exit(1) from None
    console.print(
        f"LINE webhook set to {url}. Turn on 'Use webhook' in the LINE Developers console."
    )


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Bring the database to the newest schema (the server also does this at start-up)."""
    settings = Settings()
    engine = make_engine(settings)
    init_db(engine)
    console.print(f"Schema up to date ({engine.url.render_as_string(hide_password=True)}).")


@db_app.command("revision")
def db_revision(
    message: Annotated[str, typer.Argument(help="What changed, e.g. 'company website'")],
) -> None:
    """Write a migration for the models' changes since the newest one; read it before committing."""
    from alembic import command

    from assembly import schema  # every model, so that the comparison is complete
    from core.db import alembic_config

    engine = make_engine(Settings())
    init_db(engine)  # compare against an up-to-date schema
    schema.metadata()
    with engine.begin() as connection:
        command.revision(alembic_config(connection), message=message, autogenerate=True)


def _save_env(path: Path, name: str, value: str) -> None:
    lines = path.read_text().splitlines() if path.exists() else []
    lines = [line for line in lines if not line.startswith(f"{name}=")]
    lines.append(f"{name}={value}")
    path.write_text("\n".join(lines) + "\n")
    path.chmod(0o600)


def _register_features() -> None:
    from assembly.features import register_cli

    register_cli(app)


_register_features()


if __name__ == "__main__":
    app()
