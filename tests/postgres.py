"""A throwaway PostgreSQL cluster for the contract tests (Debian's postgresql package).

It runs as the `postgres` system user in a temporary folder, listens on 127.0.0.1 on a
free port, and is stopped and removed when the test session ends.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine


def _bin(name: str) -> str | None:
    found = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    return found[-1] if found else shutil.which(name)


def _as_postgres(cmd: list[str]) -> list[str]:
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port


def _run(cmd: list[str]) -> None:
    """Run a PostgreSQL tool as the `postgres` user; raises CalledProcessError on failure."""
    subprocess.run(_as_postgres(cmd), check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)


def _start(initdb: str, pg_ctl: str, root: Path, port: int) -> None:
    """Create a cluster in `root`/data and start it; removes `root` when that fails."""
    data = root / "data"
    try:
        _run(
            [initdb, "-D", str(data), "-U", "kakehashi", "--auth=trust", "-E", "UTF8", "--no-sync"]
        )
        _pg_start(pg_ctl, root, port)
    except (subprocess.CalledProcessError, OSError) as exc:
        shutil.rmtree(root, ignore_errors=True)
        raise RuntimeError(f"could not start PostgreSQL: {exc}") from exc


def _pg_start(pg_ctl: str, root: Path, port: int) -> None:
    options = (
        f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    )
    _run([pg_ctl, "-D", str(root / "data"), "-o", options, "-l", str(root / "log"), "-w", "start"])


class Outage:
    """Stops and starts a cluster of its own (for tests of the database going away)."""

    def __init__(self, pg_ctl: str, root: Path, port: int) -> None:
        self._pg_ctl, self._root, self._port = pg_ctl, root, port

    def stop(self) -> None:
        _run([self._pg_ctl, "-D", str(self._root / "data"), "-m", "immediate", "stop"])

    def start(self) -> None:
        _pg_start(self._pg_ctl, self._root, self._port)


@contextmanager
def restartable_cluster() -> Iterator[tuple[str, Outage]]:
    """Like postgres_cluster, with an Outage to stop and start it."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="kakehashi-pg-"))
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    _start(initdb, pg_ctl, root, port)
    outage = Outage(pg_ctl, root, port)
    try:
        createdb = _bin("createdb") or "createdb"
        _run([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "kakehashi", "kakehashi"])
        yield f"postgresql+psycopg://kakehashi@127.0.0.1:{port}/kakehashi", outage
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(root / "data"), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        shutil.rmtree(root, ignore_errors=True)


@contextmanager
def postgres_cluster() -> Iterator[str]:
    """Yields a SQLAlchemy URL; raises RuntimeError when no cluster can be started."""
    initdb, pg_ctl = _bin("initdb"), _bin("pg_ctl")
    if not initdb or not pg_ctl:
        raise RuntimeError("PostgreSQL binaries not found (apt-get install postgresql)")
    root = Path(tempfile.mkdtemp(prefix="kakehashi-pg-"))
    port = _free_port()
    if os.geteuid() == 0:
        shutil.chown(root, user="postgres")
    _start(initdb, pg_ctl, root, port)
    try:
        createdb = _bin("createdb") or "createdb"
        _run([createdb, "-h", "127.0.0.1", "-p", str(port), "-U", "kakehashi", "kakehashi"])
        yield f"postgresql+psycopg://kakehashi@127.0.0.1:{port}/kakehashi"
    finally:
        subprocess.run(
            _as_postgres([pg_ctl, "-D", str(root / "data"), "-m", "immediate", "stop"]),
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        time.sleep(0.1)
        shutil.rmtree(root, ignore_errors=True)


def reset_database(engine: Engine) -> None:
    """Drop every table, the migration history included, so the next test starts empty."""
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))


def fresh_database(url: str, name: str) -> str:
    """A new empty database `name` on the cluster of `url`; returns its SQLAlchemy URL."""
    from sqlalchemy import create_engine

    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
    finally:
        admin.dispose()
    return url.rsplit("/", 1)[0] + f"/{name}"


# -- the whole app on PostgreSQL: KAKEHASHI_TEST_DATABASE=postgresql ---------------------
# `make test-postgres` (and .ci/run) run the database-touching suites a second time with
# every app a test builds on PostgreSQL: each data directory a test uses gets a database of
# its own on one cluster started for the session, as it would get an SQLite file.

_shared: dict[str, str] = {}


def _shared_cluster() -> str:
    if "url" not in _shared:
        import atexit

        cluster = postgres_cluster()
        _shared["url"] = cluster.__enter__()
        atexit.register(cluster.__exit__, None, None, None)
    return _shared["url"]


def database_for(data_dir: Path) -> str | None:
    """The PostgreSQL URL standing in for `data_dir`'s SQLite file, or None (SQLite run)."""
    if os.environ.get("KAKEHASHI_TEST_DATABASE", "sqlite") != "postgresql":
        return None
    import hashlib

    name = "d_" + hashlib.sha1(str(Path(data_dir).resolve()).encode()).hexdigest()[:20]
    if name not in _shared:
        _shared[name] = fresh_database(_shared_cluster(), name)
    return _shared[name]
