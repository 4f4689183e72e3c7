"""One process's long-lived objects, started and stopped together by the app's lifespan."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

from assembly import features
from channels.base import ChannelAdapter
from channels.line import LineAdapter
from channels.telegram import TelegramAdapter
from core.db import init_db, make_engine, session_scope
from core.logging import configure_logging
from core.metrics import Metrics
from core.settings import Settings
from inbox import repo
from inbox.ingest import Ingestor
from inbox.worker import Worker

logger = logging.getLogger(__name__)


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
        engine = make_engine(settings)
        try:
            await asyncio.to_thread(init_db, engine)
        except OperationalError as exc:
            where = engine.url.render_as_string(hide_password=True)
            raise RuntimeError(
                f"Cannot reach the database at {where} ({exc.orig}); check DATABASE_URL "
                "or unset it to use the embedded SQLite file."
            ) from None
        adapters = make_adapters(settings, engine)
        built = await asyncio.to_thread(features.build, settings, engine)
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
        chores = asyncio.create_task(_housekeeping(engine, settings.housekeeping_interval_s))
        logger.info("Kakehashi ready (database: %s)", engine.dialect.name)
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


async def _housekeeping(engine: Engine, interval_s: float) -> None:
    while True:
        await asyncio.sleep(interval_s)
        try:
            await asyncio.to_thread(features.housekeeping, engine)
        except Exception:
            logger.exception("housekeeping failed; trying again in %.0f s", interval_s)
