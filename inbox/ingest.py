"""Group commit for webhook events: concurrent requests share one transaction.

Each webhook request hands its messages over and waits; one writer takes whatever has
queued up meanwhile, stores it in a single transaction, and answers every waiting request
once the commit is durable. Under load this turns many small commits into a few larger
ones; a lone request is stored at once.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy.engine import Engine

from core.db import is_unavailable, session_scope, write_lock
from core.types import IncomingMessage
from inbox import repo

logger = logging.getLogger(__name__)

Pending = tuple[Sequence[IncomingMessage], "asyncio.Future[repo.StoreResult]"]


class Ingestor:
    def __init__(
        self,
        engine: Engine,
        *,
        max_batch: int = 256,
        on_stored: Callable[[], None] | None = None,
    ) -> None:
        self._engine = engine
        # Called on the writer's thread right after a commit that stored something new:
        # the worker starts on the events while the requests are still being answered.
        self._on_stored = on_stored
        self._max_batch = max_batch
        self._queue: asyncio.Queue[Pending] | None = None
        self._task: asyncio.Task[None] | None = None
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-ingest")

    async def start(self) -> None:
        self._queue = asyncio.Queue()
        self._task = asyncio.create_task(self._run(), name="inbox-ingest")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
        self._executor.shutdown(wait=True)

    async def store(self, messages: Sequence[IncomingMessage]) -> repo.StoreResult:
        """Returns once the messages are committed (or were already there)."""
        if not messages:
            return repo.StoreResult(stored=0, duplicates=0)
        assert self._queue is not None, "Ingestor.start() was not called"
        future: asyncio.Future[repo.StoreResult] = asyncio.get_running_loop().create_future()
        await self._queue.put((messages, future))
        return await future

    async def _run(self) -> None:
        assert self._queue is not None
        loop = asyncio.get_running_loop()
        while True:
            batch = [await self._queue.get()]
            while len(batch) < self._max_batch and not self._queue.empty():
                batch.append(self._queue.get_nowait())
            try:
                results = await loop.run_in_executor(
                    self._executor, self._write, [m for m, _ in batch]
                )
            except Exception as exc:
                if is_unavailable(exc):  # the requests answer 503; the platform delivers again
                    logger.warning(
                        "storing %d webhook requests failed: database unavailable (%s)",
                        len(batch),
                        type(exc).__name__,
                    )
                else:
                    logger.exception("storing %d webhook requests failed", len(batch))
                for _, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    def _write(self, requests: list[Sequence[IncomingMessage]]) -> list[repo.StoreResult]:
        with write_lock(self._engine), session_scope(self._engine) as session:
            results = repo.store_batch(session, requests)
        if self._on_stored is not None and any(result.stored for result in results):
            self._on_stored()
        return results
