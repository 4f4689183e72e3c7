"""Cross-process wake-ups on PostgreSQL: LISTEN for the inbox's NOTIFY.

A web process stores events and a worker process handles them; the store's transaction
sends `NOTIFY kakehashi_inbox` (inbox.repo.signal_new_work) and every worker process's
listener thread wakes its worker at once. Polling (`KAKEHASHI_WORKER_POLL_S`) remains the
fallback when a notification is missed, e.g. while the listener reconnects.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

from sqlalchemy.engine import Engine

from inbox.repo import INBOX_CHANNEL

logger = logging.getLogger(__name__)


class InboxListener:
    def __init__(self, engine: Engine, on_notify: Callable[[], None]) -> None:
        url = engine.url.set(drivername="postgresql")
        self._dsn = url.render_as_string(hide_password=False)
        self._on_notify = on_notify
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="inbox-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=6)

    def _run(self) -> None:
        import psycopg

        delay = 0.5
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._dsn, autocommit=True, connect_timeout=5) as conn:
                    conn.execute(f"LISTEN {INBOX_CHANNEL}")
                    delay = 0.5
                    self._on_notify()  # anything stored while we were not listening
                    while not self._stop.is_set():
                        for _ in conn.notifies(timeout=1.0, stop_after=1):
                            self._on_notify()
            except Exception as exc:
                logger.warning(
                    "inbox listener: %s; reconnecting in %.1f s", type(exc).__name__, delay
                )
                self._stop.wait(delay)
                delay = min(delay * 2, 10.0)
