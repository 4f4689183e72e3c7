"""The worker: claims stored events, runs each turn, delivers the replies.

Events of one user are handled one after another in the order received (the claim only
hands out a user's oldest open event); different users run in parallel. A turn's new
state, its effects and its outgoing replies are committed together; the replies are then
sent part by part, each part recorded, so a restart resumes where it stopped.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import itertools
import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy.engine import Engine

from bot.dialogue import Dialogue
from channels.base import ChannelAdapter, Delivery, SendError
from core.db import is_postgres, is_unavailable, session_scope, write_lock
from core.metrics import Metrics
from core.settings import Settings
from core.time import as_utc
from core.types import IncomingMessage, Reply
from inbox import repo
from inbox.listen import InboxListener
from inbox.models import EventStatus, InboxEvent, OutboxMessage
from inbox.turns import RateLimit, commit_turn

logger = logging.getLogger(__name__)

HELD = "held: channel not configured"
SENT = "sent"
T = TypeVar("T")


class LostClaim(Exception):
    """This worker can no longer be sure the event is its own (its lease could not be
    renewed): it stops before sending anything more, and whoever holds it goes on."""


class Worker:
    def __init__(
        self,
        *,
        engine: Engine,
        dialogue: Dialogue,
        adapters: Mapping[str, ChannelAdapter],
        settings: Settings,
        metrics: Metrics,
    ) -> None:
        self._engine = engine
        self._dialogue = dialogue
        self._adapters = adapters
        self._settings = settings
        self._metrics = metrics
        self._tasks: set[asyncio.Task[None]] = set()
        self._stopping = False
        # The worker runs on a thread with its own event loop, so that sending replies
        # never delays webhook acknowledgements queued on the server's loop; its
        # database calls get threads of their own too.
        self._thread: threading.Thread | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._stopped: asyncio.Event | None = None
        self._ready = threading.Event()
        self._executor = ThreadPoolExecutor(max_workers=4, thread_name_prefix="inbox-db")
        # Lease renewals never queue behind turns on the executor above.
        self._lease_executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="inbox-lease")
        # Who holds a claim: a turn commits, and an event finishes, only by its holder.
        # Each claim gets a token of its own (this worker's name and a counter), so that an
        # event claimed again after its lease ran out, even by this same worker, is never
        # handled by the earlier claim as well.
        self.owner = f"{socket.gethostname()[:24]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"
        self._claims = itertools.count(1)
        self._tokens: dict[int, str] = {}  # event id -> the token of its current claim
        self._inflight: dict[int, asyncio.Task[None]] = {}
        self._granted: dict[int, float] = {}  # event id -> when its lease was last extended
        self._rate_limit = RateLimit(per_window=settings.rate_limit_per_minute)
        self._listener: InboxListener | None = None
        self._lapsed = False  # the database failed since the leases in hand were renewed

    async def _db(self, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.get_running_loop().run_in_executor(self._executor, fn, *args)

    # -- lifecycle (called from the server's loop) ------------------------------------

    async def start(self) -> None:
        self._thread = threading.Thread(target=self._thread_main, name="inbox-worker", daemon=True)
        self._thread.start()
        await asyncio.to_thread(self._ready.wait, 30)

    def wake(self) -> None:
        """Safe to call from any thread: there is something new in the inbox."""
        loop, wake = self._loop, self._wake
        if loop is not None and wake is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):  # the loop closed in between
                loop.call_soon_threadsafe(wake.set)

    async def stop(self, *, timeout: float = 10.0) -> None:
        self._stopping = True
        loop, stopped = self._loop, self._stopped
        if loop is not None and stopped is not None and not loop.is_closed():
            with contextlib.suppress(RuntimeError):
                loop.call_soon_threadsafe(stopped.set)
        if self._thread is not None:
            await asyncio.to_thread(self._thread.join, timeout + 5)
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._lease_executor.shutdown(wait=False, cancel_futures=True)

    # -- the worker's own thread and loop -----------------------------------------------

    def _thread_main(self) -> None:
        try:
            asyncio.run(self._main())
        except Exception:
            logger.exception("the inbox worker stopped unexpectedly")
        finally:
            self._ready.set()

    async def _main(self, *, timeout: float = 10.0) -> None:
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        if not is_postgres(self._engine):
            # SQLite serves one process: whatever was in flight before a restart is ours.
            released = await self._db(self._release_leases)
            if released:
                logger.info("resuming %d events left in flight by the previous run", released)
        for adapter in self._adapters.values():
            if not adapter.missing_settings():
                await adapter.start()
        if is_postgres(self._engine):
            self._listener = InboxListener(self._engine, self.wake)
            self._listener.start()
        self._ready.set()
        runner = asyncio.create_task(self._run(), name="inbox-claims")
        heartbeat = asyncio.create_task(self._heartbeat(), name="inbox-leases")
        await self._stopped.wait()
        runner.cancel()
        await asyncio.gather(runner, return_exceptions=True)
        if self._listener is not None:
            await asyncio.to_thread(self._listener.stop)
        if self._tasks:
            _done, pending = await asyncio.wait(self._tasks, timeout=timeout)
            for task in pending:
                task.cancel()  # its event keeps its lease and is redone after a restart
            await asyncio.gather(*pending, return_exceptions=True)
        heartbeat.cancel()
        await asyncio.gather(heartbeat, return_exceptions=True)
        for adapter in self._adapters.values():
            await adapter.close()  # the clients live on this loop

    def _release_leases(self) -> int:
        with write_lock(self._engine), session_scope(self._engine) as session:
            return repo.release_all_leases(session)

    # -- loop -----------------------------------------------------------------------

    async def _run(self) -> None:
        assert self._wake is not None
        while not self._stopping:
            claimed: list[tuple[InboxEvent, Future[list[OutboxMessage]]]] = []
            free = self._settings.worker_concurrency - len(self._tasks)
            if free > 0:
                self._wake.clear()
                started = time.monotonic()
                try:
                    if self._lapsed:
                        # Back from a database outage: renew what is in hand first, so that
                        # this worker does not claim (and send) again an event it still holds
                        # whose lease ran out meanwhile.
                        await self._renew_in_hand()
                        self._lapsed = False
                    claimed = await self._db(self._claim_and_prepare, free)
                except Exception as exc:
                    self._lapsed = True
                    _log_db_failure("claiming inbox events failed; retrying shortly", exc)
            for event, prepared in claimed:
                assert event.id is not None
                task = asyncio.create_task(self._process(event, asyncio.wrap_future(prepared)))
                self._tasks.add(task)
                self._inflight[event.id] = task
                self._granted[event.id] = started
                task.add_done_callback(functools.partial(self._task_done, event.id))
            if claimed and len(claimed) == free:
                continue  # every slot taken: there may be more users waiting behind these
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self._settings.worker_poll_s)

    def _task_done(self, event_id: int, task: asyncio.Task[None]) -> None:
        self._tasks.discard(task)
        if self._inflight.get(event_id) is task:
            del self._inflight[event_id]
            self._granted.pop(event_id, None)
            self._tokens.pop(event_id, None)
        if self._wake is not None:
            self._wake.set()

    async def _heartbeat(self) -> None:
        """Extend the leases of the events in hand every third of a lease, so that only a
        worker that died (or lost the database for longer than a lease) loses its events."""
        while True:
            await asyncio.sleep(max(0.1, self._settings.worker_lease_s / 3))
            try:
                await self._renew_in_hand()
            except Exception as exc:
                self._lapsed = True
                _log_db_failure("renewing leases failed", exc)

    async def _renew_in_hand(self) -> None:
        """Renew every claim in hand (a claim's token still on its row renews it even after
        its lease ran out); cancel the tasks whose event another claim has taken."""
        ids = list(self._inflight)
        if not ids:
            return
        started = time.monotonic()
        claims = {i: self._tokens[i] for i in ids if i in self._tokens}
        held = await asyncio.get_running_loop().run_in_executor(
            self._lease_executor, self._renew_all, claims
        )
        for event_id, token in claims.items():
            if event_id in held:
                self._granted[event_id] = started
            elif self._tokens.get(event_id) == token and (task := self._inflight.get(event_id)):
                logger.warning("event %s was taken over by another claim", event_id)
                task.cancel()

    def _renew_all(self, claims: dict[int, str]) -> set[int]:
        """The ids whose claims are still ours (renewed, or already finished by us)."""
        by_token: dict[str, list[int]] = {}
        for event_id, token in claims.items():
            by_token.setdefault(token, []).append(event_id)
        held: set[int] = set()
        with write_lock(self._engine), session_scope(self._engine) as session:
            for token, ids in by_token.items():
                held |= repo.renew_leases(
                    session, event_ids=ids, owner=token, lease_s=self._settings.worker_lease_s
                )
        return held

    def _token(self, event_id: int) -> str:
        return self._tokens.get(event_id, "")

    def _check_claim(self, event_id: int) -> None:
        """Raise LostClaim unless the event's lease was extended within half a lease."""
        granted = self._granted.get(event_id)
        if granted is None or time.monotonic() - granted > self._settings.worker_lease_s / 2:
            raise LostClaim(f"event {event_id}: lease not renewed in time")

    def _claim_and_prepare(
        self, limit: int
    ) -> list[tuple[InboxEvent, Future[list[OutboxMessage]]]]:
        """Claim events and hand each straight to a database thread for its turn, without
        a round trip through the worker's loop in between."""
        token = f"{self.owner}:{next(self._claims)}"
        with write_lock(self._engine), session_scope(self._engine) as session:
            events = repo.claim_events(
                session, limit=limit, lease_s=self._settings.worker_lease_s, owner=token
            )
        for event in events:
            assert event.id is not None
            self._tokens[event.id] = token
        return [(event, self._executor.submit(self._prepare, event)) for event in events]

    # -- one event ------------------------------------------------------------------

    async def _process(self, event: InboxEvent, prepared: Awaitable[list[OutboxMessage]]) -> None:
        """Send what the turn queued, then record the event's end."""
        assert event.id is not None
        channel = event.channel
        try:
            # On a database thread: the turn (unless an earlier run handled it) and the
            # replies waiting to be sent.
            rows = await prepared
            error, sent = await self._deliver(event.id, rows)
        except LostClaim as exc:
            logger.warning("%s; leaving it to the worker that holds it", exc)
            return
        except Exception as exc:
            if is_unavailable(exc):
                logger.warning("database unavailable during event %s; it will be retried", event.id)
                await self._give_back(event.id)
                return
            logger.exception("event %s on %s failed", event.id, channel)
            error, sent = f"{type(exc).__name__}: {exc}", []
        status = EventStatus.FAILED if error else EventStatus.DONE
        if not await self._finish_when_possible(event.id, status, error, sent):
            return
        if error:
            self._metrics.events_failed.labels(channel).inc()
        else:
            self._metrics.events_processed.labels(channel).inc()
        received = as_utc(event.received_at) or datetime.now(UTC)
        self._metrics.processing_seconds.labels(channel).observe(
            (datetime.now(UTC) - received).total_seconds()
        )

    async def _finish_when_possible(
        self, event_id: int, status: EventStatus, error: str | None, sent: list[int]
    ) -> bool:
        """Record the end, retrying while the database is away (the replies went out: the
        record must follow). False when another worker took the event over meanwhile."""
        delay = 0.2
        while True:
            try:
                finished = await self._db(self._finish, event_id, status, error, sent)
            except Exception as exc:
                if not is_unavailable(exc) or self._stopping:
                    raise
                _log_db_failure(f"recording event {event_id} failed; retrying", exc)
                await asyncio.sleep(delay)
                delay = min(delay * 2, 2.0)
                continue
            if not finished:
                logger.warning("event %s was taken over before it was recorded", event_id)
            return finished

    async def _give_back(self, event_id: int) -> None:
        """Make the event claimable again soon; while the database is still away, keep
        trying until the lease would have run out anyway."""
        deadline = time.monotonic() + self._settings.worker_lease_s
        while time.monotonic() < deadline and not self._stopping:
            try:
                await self._db(self._release, event_id)
                return
            except Exception as exc:
                if not is_unavailable(exc):
                    raise
                await asyncio.sleep(0.5)

    def _release(self, event_id: int) -> None:
        with write_lock(self._engine), session_scope(self._engine) as session:
            repo.release_claim(
                session, event_id=event_id, owner=self._token(event_id), retry_in_s=0.5
            )

    def _finish(
        self, event_id: int, status: EventStatus, error: str | None, sent: list[int]
    ) -> bool:
        """Record the delivered rows and the event's end in one transaction."""
        with write_lock(self._engine), session_scope(self._engine) as session:
            if not repo.finish_event(
                session, event_id=event_id, status=status, error=error, owner=self._token(event_id)
            ):
                session.rollback()
                return False
            for outbox_id in sent:
                repo.mark_outbox_sent(session, outbox_id=outbox_id)
            repo.purge_erased(session, event_id=event_id)
            return True

    def _prepare(self, event: InboxEvent) -> list[OutboxMessage]:
        assert event.id is not None
        if event.status != EventStatus.HANDLED.value:
            msg = IncomingMessage.from_json(event.payload)
            result = commit_turn(
                self._engine,
                self._dialogue,
                event_id=event.id,
                msg=msg,
                owner=event.claimed_by,
                rate_limit=self._rate_limit,
            )
            if result is not None:
                logger.info(
                    "handled %s %s event %s: %d replies, %d notifications",
                    msg.channel,
                    msg.kind.value,
                    event.id,
                    len(result.outcome.replies),
                    len(result.notifications),
                )
        with session_scope(self._engine) as session:
            current = session.get(InboxEvent, event.id)
            if current is not None and current.claimed_by != event.claimed_by:
                raise LostClaim(f"event {event.id} was taken over before its replies were sent")
            return [
                row for row in repo.pending_outbox(session, inbox_id=event.id) if row.error != HELD
            ]

    async def _deliver(
        self, event_id: int, rows: list[OutboxMessage]
    ) -> tuple[str | None, list[int]]:
        """Send every queued reply of the event: (first error, if any; rows delivered)."""
        first_error: str | None = None
        delivered: list[int] = []
        for row in rows:
            outcome = await self._deliver_row(event_id, row)
            if outcome == SENT and row.id is not None:
                delivered.append(row.id)
            elif outcome not in (SENT, HELD):
                first_error = first_error or outcome
        return first_error, delivered

    async def _deliver_row(self, event_id: int, row: OutboxMessage) -> str:
        """SENT, HELD, or the error that ended the attempts."""
        assert row.id is not None
        outbox_id = row.id
        adapter = self._adapters.get(row.channel)
        if adapter is None or adapter.missing_settings():
            # No credentials (e.g. the local simulator): the chat page collects these.
            await self._db(self._mark_failed_row, outbox_id, row.attempts, HELD)
            return HELD
        delivery = Delivery(
            key=f"outbox-{outbox_id}",
            user_id=row.user_id,
            chat_id=row.chat_id,
            replies=tuple(Reply.from_json(r) for r in row.replies),
            reply_token=row.reply_token,
            callback_query_id=row.callback_query_id,
            event_time=as_utc(row.event_time),
            parts_sent=row.parts_sent,
        )
        sent = row.parts_sent
        self._check_claim(event_id)

        async def part_sent(count: int, total: int) -> None:
            nonlocal sent
            sent = count
            if count < total:  # the last part is recorded with the event's completion
                await self._db(self._mark_part, outbox_id, count)

        max_attempts = max(1, self._settings.send_max_attempts)
        for attempt in range(1, max_attempts + 1):
            try:
                await adapter.send(replace(delivery, parts_sent=sent), part_sent)
            except SendError as exc:
                if not exc.retryable or attempt == max_attempts:
                    error = f"{exc.detail} (after {attempt} attempt{'s' if attempt > 1 else ''})"
                    await self._db(self._mark_failed_row, outbox_id, attempt, error)
                    return error
                delay = exc.retry_after if exc.retry_after is not None else self._backoff(attempt)
                logger.warning(
                    "send to %s failed (%s); retry %d in %.1fs",
                    row.channel,
                    exc.detail,
                    attempt,
                    delay,
                )
                self._metrics.send_retries.labels(row.channel).inc()
                await self._db(self._renew_lease, event_id, delay)
                await asyncio.sleep(delay)
            else:
                return SENT
        return "unreachable"

    def _backoff(self, attempt: int) -> float:
        base = self._settings.send_backoff_s * (2 ** (attempt - 1))
        return min(base, self._settings.send_max_backoff_s) * random.uniform(0.8, 1.2)

    def _renew_lease(self, event_id: int, delay: float) -> None:
        with write_lock(self._engine), session_scope(self._engine) as session:
            repo.renew_lease(
                session,
                event_id=event_id,
                lease_s=self._settings.worker_lease_s + delay,
                owner=self._token(event_id),
            )

    def _mark_part(self, outbox_id: int, count: int) -> None:
        with write_lock(self._engine), session_scope(self._engine) as session:
            repo.mark_part_sent(session, outbox_id=outbox_id, parts_sent=count)

    def _mark_failed_row(self, outbox_id: int, attempts: int, error: str) -> None:
        with write_lock(self._engine), session_scope(self._engine) as session:
            repo.mark_outbox_failed(session, outbox_id=outbox_id, attempts=attempts, error=error)


def _log_db_failure(what: str, exc: BaseException) -> None:
    """A database that went away is a warning with its kind; anything else a traceback."""
    if is_unavailable(exc):
        logger.warning("%s: database unavailable (%s)", what, type(exc).__name__)
    else:
        logger.error("%s", what, exc_info=exc)
