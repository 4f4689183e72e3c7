"""Database engine, sessions and migrations. Tables are SQLModel models of each package."""

from __future__ import annotations

import threading
import weakref
from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager, nullcontext
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlmodel import Session, create_engine

from core.settings import Settings

_WRITE_LOCKS: weakref.WeakKeyDictionary[Engine, threading.Lock] = weakref.WeakKeyDictionary()


def make_engine(settings: Settings) -> Engine:
    url = settings.resolved_database_url
    if url.startswith("sqlite"):
        settings.data_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        _WRITE_LOCKS[engine] = threading.Lock()
    else:
        engine = create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)
    return engine


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def write_lock(engine: Engine) -> AbstractContextManager[object]:
    """Serialise short write transactions on SQLite (one writer at a time anyway).

    Waiting on a Python lock wakes the next writer at once, where SQLite's own busy
    handler sleeps in steps of up to 100 ms; that sleep showed as webhook tail latency.
    On PostgreSQL this is a no-op.
    """
    lock = _WRITE_LOCKS.get(engine)
    return lock if lock is not None else nullcontext()


MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    return config


def init_db(engine: Engine) -> None:
    """Bring the schema to the newest revision (Alembic, migrations in core/migrations).

    The migrations are scripts of their own: no model needs to be imported to run them.
    """
    with engine.begin() as connection:
        command.upgrade(alembic_config(connection), "head")


def is_unavailable(exc: BaseException) -> bool:
    """The database could not be reached or dropped the connection (as opposed to a bug
    or a constraint): the work should be retried once it is back, not marked failed."""
    if isinstance(exc, OperationalError | InterfaceError | PoolTimeout):
        return True
    return isinstance(exc, DBAPIError) and bool(exc.connection_invalidated)


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session that commits on success and rolls back on error."""
    with Session(engine, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
