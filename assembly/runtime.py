"""One process's long-lived objects, started and stopped together by the app's lifespan
(a web process) or by `kakehashi worker` (a worker process)."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Engine

from assembly import features
from channels.base import ChannelAdapter
from channels.line import LineAdapter
from channels.telegram import TelegramAdapter
from core.db import init_db, is_postgres, is_unavailable, make_engine, session_scope
from core.logging import configure_logging
from core.metrics import Metrics
from core.settings import Settings
from inbox import repo
from inbox.ingest import Ingestor
from inbox.worker import Worker

logger = logging.getLogger(__name__)

# Held (pg_advisory_lock) while a process migrates the schema and builds its features, so
# that processes starting together on one PostgreSQL load the starter knowledge and the
# demo directory once, and do not synchronise the shared vector store at the same time.
STARTUP_LOCK = 0x6B616B65  # "kake"


class DatabaseUnavailable(RuntimeError):
    """The configured database does not answer; the message says what to check."""


def open_database(settings: Settings) -> Engine:
    """The engine, with the schema brought up to date; DatabaseUnavailable when unreachable."""
    engine = make_engine(settings)
    try:
        with startup_lock(engine):  # processes starting together migrate one at a time
            init_db(engine)
    except Exception as exc:
        if not is_unavailable(exc):
            raise
        where = engine.url.render_as_string(hide_password=True)
        engine.dispose()
        reason = getattr(exc, "orig", None) or exc
        raise DatabaseUnavailable(
            f"Cannot reach the database at {where} ({str(reason).strip()}); check DATABASE_URL "
            "or unset it to use the embedded SQLite file."
        ) from None
    return engine


@contextlib.contextmanager
def startup_lock(engine: Engine) -> Iterator[None]:
    """One process at a time through start-up on PostgreSQL; nothing to do on SQLite."""
    if not is_postgres(engine):
        yield
        return
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": STARTUP_LOCK})
        try:
            yield
        finally:
            connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": STARTUP_LOCK})
            connection.commit()


def make_adapters(settings: Settings, engine: Engine) -> dict[str, ChannelAdapter]:
    def put_alias(key: str, data: str) -> None:
        with session_scope(engine) as session:
            repo.put_alias(session, key=key, data=data)

    def get_alias(key: str) -> str | None:
        with session_scope(engine) as session:
            return repo.get_alias(session, key=key)

    return {
        "line": LineAdapter(settings),
        "telegram": TelegramAdapter(settings, put_alias=put_alias, get_alias=get_alias),
    }


@dataclass
class Runtime:
    settings: Settings
    engine: Engine
    metrics: Metrics
    adapters: dict[str, ChannelAdapter]
    built: features.Built
    worker: Worker | None
    ingestor: Ingestor
    chores: asyncio.Task[None]

    @classmethod
    async def start(cls, settings: Settings) -> Runtime:
        configure_logging(settings.log_level)
        engine = await asyncio.to_thread(open_database, settings)
        adapters = make_adapters(settings, engine)
        built = await asyncio.to_thread(_build_features, settings, engine)
        if settings.gc_freeze:
            freeze_startup_heap()
        metrics = Metrics()
        worker = None
        if settings.worker_enabled:
            worker = Worker(
                engine=engine,
                dialogue=built.dialogue,
                adapters=adapters,
                settings=settings,
                metrics=metrics,
            )
            await worker.start()
        ingestor = Ingestor(engine, on_stored=worker.wake if worker is not None else None)
        await ingestor.start()
        # Chores run where the worker runs: a web-only process leaves them to its workers.
        chores = asyncio.create_task(
            _housekeeping(engine, settings.housekeeping_interval_s, enabled=worker is not None)
        )
        logger.info(
            "Kakehashi ready (database: %s, worker: %s)",
            engine.dialect.name,
            "in this process" if worker is not None else "in worker processes",
        )
        return cls(settings, engine, metrics, adapters, built, worker, ingestor, chores)

    def publish(self, state: Any) -> None:
        """Put what routes depend on onto `app.state`."""
        state.settings = self.settings
        state.engine = self.engine
        state.metrics = self.metrics
        state.adapters = self.adapters
        state.dialogue = self.built.dialogue
        for name, service in self.built.services.items():
            setattr(state, name, service)
        state.notify_factory = features.notify_factory
        state.worker = self.worker
        state.ingestor = self.ingestor

    async def stop(self) -> None:
        self.chores.cancel()
        await asyncio.gather(self.chores, return_exceptions=True)
        await self.ingestor.stop()
        if self.worker is not None:
            await self.worker.stop()  # closes the adapters' clients on its own loop
        self.built.close()
        self.engine.dispose()


def freeze_startup_heap() -> None:
    """Keep the garbage collector off what start-up built (models, tables, indexes: they
    live as long as the process). Scanning them in a full collection took 0.4-0.65 s in a
    web process under load, and every request that process held waited (measured with
    gc.callbacks during benchmarks/load.py)."""
    gc.collect()
    gc.freeze()


def _build_features(settings: Settings, engine: Engine) -> features.Built:
    if not settings.load_demo_content:
        return features.build(settings, engine)
    with startup_lock(engine):  # the starter knowledge and the demo directory load once
        return features.build(settings, engine)


async def _housekeeping(engine: Engine, interval_s: float, *, enabled: bool) -> None:
    while enabled:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(_housekeeping_once, engine)
        except Exception:
            logger.exception("housekeeping failed; trying again in %.0f s", interval_s)


def _housekeeping_once(engine: Engine) -> None:
    """On PostgreSQL only one process does the chores at a time (a transaction-level
    advisory lock taken without waiting); the others skip this round."""
    if is_postgres(engine):
        with engine.begin() as connection:
            got = connection.execute(
                text("SELECT pg_try_advisory_xact_lock(:key)"), {"key": STARTUP_LOCK + 1}
            ).scalar()
            if got:
                features.housekeeping(engine)
        return
    features.housekeeping(engine)


async def run_worker_process(settings: Settings) -> None:
    """`kakehashi worker`: the inbox worker without a web server, until SIGTERM or SIGINT."""
    runtime = await Runtime.start(settings.model_copy(update={"worker_enabled": True}))
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    logger.info("worker process ready")
    try:
        await stop.wait()
    finally:
        logger.info("worker process stopping")
        await runtime.stop()
