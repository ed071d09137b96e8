"""The database: one engine, write transactions that cannot fail half-way, per-area migrations.

Each area module here (``chat.py``, ``staff.py``, ``flows.py`` …) defines its tables on the shared
``metadata`` and a ``MIGRATIONS`` list; ``Database.migrate()`` applies what is pending at start-up.
Imports nothing from Flask at run time (``init_app`` only duck-types the app).
"""

from __future__ import annotations

import importlib
import logging
import os
import pkgutil
import queue
import sqlite3
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from dataclasses import fields as dataclass_fields
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import Any, TypeVar, cast

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlalchemy.engine import Connection, Engine

from ..core.errors import StorageError
from ..core.sealing import Keyring
from . import keys
from .schema import metadata, utcnow
from .sealed import DIALECT_ATTRIBUTE, Sealing

__all__ = [
    "Area",
    "Database",
    "Migration",
    "StorageError",
    "first",
    "insert_id",
    "metadata",
    "record",
    "utcnow",
]

T = TypeVar("T")
Migration = Callable[[Connection], None]


def record(cls: Callable[..., T], row: Any, **converted: Any) -> T:
    """A row as its dataclass: columns are named as the fields; the few that need converting
    (a JSON list, a space-separated string) are given."""
    names = _field_names(cls)
    return cls(
        **{name: converted[name] if name in converted else getattr(row, name) for name in names}
    )


@cache
def _field_names(cls: Callable[..., Any]) -> tuple[str, ...]:
    return tuple(f.name for f in dataclass_fields(cast(Any, cls)))


def first(
    conn: Connection,
    query: sa.Executable,
    convert: Callable[[Any], T],
    params: dict[str, Any] | None = None,
) -> T | None:
    """The query's first row through ``convert``, or None: the shape of every lookup by key."""
    row = (conn.execute(query) if params is None else conn.execute(query, params)).first()
    return None if row is None else convert(row)


schema_versions = sa.Table(
    "schema_versions",
    metadata,
    sa.Column("area", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

SQLITE_BUSY_TIMEOUT_MS = 5000
SQLITE_POOL_SIZE = 256  # intake-chat serve's default threads per worker

# One lock per SQLite file for the whole process: SQLite allows one writer at a time, and threads
# queued on a Python lock wait in order instead of busy-waiting inside SQLite
# (performance-facts.md).
_writer_locks: dict[str, threading.Lock] = {}
_writer_locks_guard = threading.Lock()


def insert_id(conn: Connection, table: sa.Table, **values: Any) -> int:
    """Insert one row and return the id the database gave it (areas key new rows by it)."""
    key = conn.execute(table.insert().values(**values)).inserted_primary_key
    assert key is not None
    return int(key[0])


def normalise_url(url: str) -> str:
    """``postgresql://`` alone would pick psycopg2, which is not a dependency; use psycopg 3."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def private_sqlite_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite gives its -wal and -shm
    files the database file's mode), in a 0700 folder when the folder is new, and tighten
    the files an older version left readable to everyone."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for name in (path.name, path.name + "-wal", path.name + "-shm"):
        sibling = path.with_name(name)
        if sibling.exists() and sibling.stat().st_mode & 0o077:
            sibling.chmod(0o600)


def off_the_loop(call: Callable[..., T], *args: Any) -> T:
    """Run a call that waits for the disk (SQLite's commit and its fsync, a checkpoint). Under
    the gevent worker every greenlet shares one thread, and C code such as sqlite3 does not
    yield: the call then runs on a native thread of gevent's pool, so the other visitors' turns
    go on meanwhile (as they do under threads, where sqlite3 releases the GIL)."""
    monkey = sys.modules.get("gevent.monkey")
    if monkey is not None and monkey.is_module_patched("thread"):
        from gevent import get_hub  # only under the gevent worker, which has imported it

        result: T = get_hub().threadpool.apply(call, args)
        return result
    return call(*args)


class _SQLiteConnection(sqlite3.Connection):
    """sqlite3's connection, committing through ``off_the_loop``."""

    def commit(self) -> None:
        off_the_loop(super().commit)


def _writer_lock(url: str) -> threading.Lock:
    with _writer_locks_guard:
        return _writer_locks.setdefault(url, threading.Lock())


@dataclass(frozen=True)
class Area:
    """A group of tables owned by one module, migrated on its own version counter.

    An area module declares ``AREA`` (its name), ``TABLES`` (its tables on ``metadata``, in
    their latest shape), ``MIGRATIONS`` (``MIGRATIONS[k]`` upgrades the area from version k to
    k+1; a fresh install creates ``TABLES`` directly and records ``len(MIGRATIONS)``), optionally
    ``ON_CREATE`` (run once after that fresh create, e.g. triggers) and ``DEPENDS`` (areas whose
    tables it references, migrated first).
    """

    name: str
    tables: tuple[sa.Table, ...]
    migrations: tuple[Migration, ...]
    depends: tuple[str, ...] = field(default=())
    on_create: tuple[Migration, ...] = field(default=())

    @classmethod
    def from_module(cls, module: ModuleType) -> Area:
        return cls(
            name=module.AREA,
            tables=tuple(module.TABLES),
            migrations=tuple(module.MIGRATIONS),
            depends=tuple(getattr(module, "DEPENDS", ())),
            on_create=tuple(getattr(module, "ON_CREATE", ())),
        )


def discover_areas() -> list[Area]:
    """Every module of this package that declares ``AREA``, ordered so dependencies come first."""
    found: dict[str, Area] = {}
    for info in pkgutil.iter_modules(__path__):
        module = importlib.import_module(f"{__name__}.{info.name}")
        if hasattr(module, "AREA"):
            area = Area.from_module(module)
            found[area.name] = area
    ordered: list[Area] = []

    def visit(name: str, trail: tuple[str, ...]) -> None:
        if name in trail:
            raise StorageError(f"migration areas depend on each other in a loop: {trail}")
        if any(a.name == name for a in ordered):
            return
        area = found.get(name)
        if area is None:
            raise StorageError(f"a migration area depends on {name!r}, which does not exist")
        for dep in area.depends:
            visit(dep, (*trail, name))
        ordered.append(area)

    for name in sorted(found):
        visit(name, ())
    return ordered


class Database:
    """Owns the engine and hands out transactions; the only place that knows the dialect."""

    def __init__(
        self,
        url: str,
        *,
        busy_timeout_ms: int = SQLITE_BUSY_TIMEOUT_MS,
        keyring: Keyring | None = None,
    ) -> None:
        self.url = normalise_url(url)
        self.is_sqlite = self.url.startswith("sqlite")
        self._lock = _writer_lock(self.url) if self.is_sqlite else None
        self.engine = self._create_engine(busy_timeout_ms)
        # Sealed columns find the keys through the dialect (one per engine): see sealed.py.
        self.sealing = Sealing(keyring)
        setattr(self.engine.dialect, DIALECT_ATTRIBUTE, self.sealing)
        self._sealing_lock = threading.Lock()
        self._writer = _GroupWriter(self) if self.is_sqlite else None
        self._checkpointer = _Checkpointer(self) if self.is_sqlite else None

    def _create_engine(self, busy_timeout_ms: int) -> Engine:
        if not self.is_sqlite:
            # No ping before each checkout: it is a round trip on every read and write (a
            # quarter of a worker's time under load, docs/performance.md). A connection the
            # server dropped fails its statement, which reaches the visitor as the clean
            # "storage_unavailable, retry" refusal, and the pool then replaces every
            # connection; recycling stops idle ones from being cut by idle timeouts.
            return sa.create_engine(
                self.url,
                pool_size=20,
                max_overflow=30,
                pool_recycle=1800,
                hide_parameters=True,
            )
        path = sa.engine.make_url(self.url).database
        if path and path != ":memory:":
            private_sqlite_file(Path(path))
        # As many pooled connections as a worker has threads, so that concurrent readers never
        # open (and PRAGMA) new ones: an overflow connection is closed again when it is
        # returned, which costs far more than the read it served. The pool only grows to what
        # is used at once, and each connection's page cache is kept small (see _configure).
        engine = sa.create_engine(
            self.url,
            hide_parameters=True,  # errors get logged: never with what a visitor typed in them
            pool_size=SQLITE_POOL_SIZE,
            max_overflow=64,
            connect_args={
                "check_same_thread": False,
                "timeout": busy_timeout_ms / 1000,
                "factory": _SQLiteConnection,
            },
        )

        @event.listens_for(engine, "connect")
        def _configure(dbapi_connection: Any, _record: Any) -> None:
            # Autocommit at the driver: the "begin" hook below decides how transactions start.
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA secure_delete=ON")  # redacted or purged words leave no copy
            cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
            # Checkpoints run on their own thread (_Checkpointer), not inside whichever commit
            # happens to cross the WAL size limit: that commit would wait for the copy and fsync.
            cursor.execute("PRAGMA wal_autocheckpoint=0")
            cursor.execute("PRAGMA cache_size=-1024")  # KiB: at most 1 MB of pages each
            cursor.close()

        @event.listens_for(engine, "begin")
        def _begin(conn: Connection) -> None:
            # IMMEDIATE takes the write lock up front: a write transaction then never fails half-way
            # with "database is locked" when it upgrades from reading to writing.
            write = conn.get_execution_options().get("intake_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

        return engine

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A write transaction: committed when the block ends, rolled back entirely on any error.

        Database failures (disk full, locked, connection gone) come out as ``StorageError``.
        """
        if not self.sealing.checked:
            self.check_encryption()
        with self._transaction() as conn:
            yield conn

    @contextmanager
    def _transaction(self) -> Iterator[Connection]:
        with self._guarded(), self._hold_writer(), self.engine.connect() as conn:
            conn.execution_options(intake_write=True)
            with conn.begin():
                yield conn
        # Marked once committed: a checkpoint that ran while this transaction was open could not
        # copy its pages, and nothing else would ask for them to be copied later.
        if self._checkpointer is not None:
            self._checkpointer.note_write()

    def write(self, work: Callable[[Connection], T]) -> T:
        """Run ``work(conn)`` in a write transaction and return its result once committed.

        On SQLite one writer thread runs the queued work of many callers one after another and
        commits them together: one fsync for the group instead of one per turn. Each caller
        still gets all-or-nothing: if ``work`` raises, nothing it wrote is kept (the exception is
        re-raised here); if the commit fails, every caller of the group gets ``StorageError`` and
        nothing of the group is stored. ``work`` may run twice (when another job of its group
        failed), so it must only touch the database, and start from its inputs each time. On
        PostgreSQL ``work`` runs in this thread in its own transaction.
        """
        if self._writer is None:
            with self.transaction() as conn:
                return work(conn)
        if not self.sealing.checked:
            self.check_encryption()
        return self._writer.submit(work)

    def check_encryption(self) -> None:
        """Check the configured encryption keys against the database once, before the first
        write (``migrate`` does it at start-up); EncryptionError when they do not match."""
        with self._sealing_lock:
            if self.sealing.checked:
                return
            with self._transaction() as conn:
                writing = keys.settle(conn, self.sealing.keyring)
            self.sealing.writing, self.sealing.checked = writing, True  # once committed

    @contextmanager
    def read(self) -> Iterator[Connection]:
        """A read-only snapshot; never waits for writers (WAL on SQLite, MVCC on PostgreSQL)."""
        with self._guarded(), self.engine.connect() as conn, conn.begin():
            yield conn

    @contextmanager
    def _hold_writer(self) -> Iterator[None]:
        if self._lock is None:
            yield
            return
        with self._lock:
            yield

    @contextmanager
    def _guarded(self) -> Iterator[None]:
        try:
            yield
        except (exc.OperationalError, exc.InterfaceError, exc.TimeoutError) as error:
            raise StorageError(f"the database is unavailable: {_reason(error)}") from error
        except exc.DBAPIError as error:
            if error.connection_invalidated:
                raise StorageError(f"the database connection was lost: {_reason(error)}") from error
            raise
        except exc.StatementError as error:
            # A column type refused a value (a sealed column before the key check): our error.
            if isinstance(error.orig, StorageError):
                raise error.orig from error
            raise

    def migrate(self, areas: list[Area] | None = None) -> dict[str, int]:
        """Bring every area to its latest version (area → version); safe to run concurrently."""
        areas = discover_areas() if areas is None else areas
        result: dict[str, int] = {}
        with self._transaction() as conn:
            self._lock_migrations(conn)
            schema_versions.create(conn, checkfirst=True)
        for area in areas:
            result[area.name] = self._migrate_area(area)
        self.check_encryption()
        return result

    def _lock_migrations(self, conn: Connection) -> None:
        if self.dialect == "postgresql":
            conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242001)"))

    def _migrate_area(self, area: Area) -> int:
        latest = len(area.migrations)
        with self._transaction() as conn:
            self._lock_migrations(conn)
            current = _area_version(conn, area.name)
            if current is None:
                # A fresh install gets the latest shape; migrations only upgrade old databases.
                metadata.create_all(conn, tables=list(area.tables), checkfirst=True)
                for hook in area.on_create:
                    hook(conn)
                _set_area_version(conn, area.name, latest, insert=True)
                return latest
        while current < latest:
            with self._transaction() as conn:
                self._lock_migrations(conn)
                current = _area_version(conn, area.name) or 0
                if current >= latest:
                    break
                area.migrations[current](conn)
                current += 1
                _set_area_version(conn, area.name, current, insert=False)
        return current

    def versions(self) -> dict[str, int]:
        with self.read() as conn:
            rows = conn.execute(sa.select(schema_versions.c.area, schema_versions.c.version))
            return {row.area: row.version for row in rows}

    def dispose(self) -> None:
        if self._writer is not None:
            self._writer.stop()
        if self._checkpointer is not None:
            self._checkpointer.stop()
        self.engine.dispose()


@dataclass
class _Job:
    work: Callable[[Connection], Any]
    done: threading.Event = field(default_factory=threading.Event)
    result: Any = None
    error: BaseException | None = None


class _Checkpointer:
    """Copies the SQLite write-ahead log back into the database file once a second after writes
    (PASSIVE: never blocks readers or the writer), so no visitor's commit pays for it."""

    INTERVAL = 1.0

    def __init__(self, db: Database) -> None:
        self.db = db
        self.dirty = threading.Event()
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.lock = threading.Lock()

    def note_write(self) -> None:
        self.dirty.set()
        if self.thread is None or self.pid != os.getpid():
            with self.lock:
                if self.thread is None or self.pid != os.getpid():
                    self.pid = os.getpid()
                    self.stopping.clear()
                    self.thread = threading.Thread(
                        target=self._run, name="intake-db-checkpoint", daemon=True
                    )
                    self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread is not None and self.pid == os.getpid() and self.thread.is_alive():
            self.thread.join(10)
            self.checkpoint()  # whatever the last second wrote
        self.thread = None

    def _run(self) -> None:
        while not self.stopping.wait(self.INTERVAL):
            if self.dirty.is_set():
                self.dirty.clear()
                self.checkpoint()

    def checkpoint(self) -> None:
        try:
            raw = self.db.engine.raw_connection()
            try:
                off_the_loop(raw.cursor().execute, "PRAGMA wal_checkpoint(PASSIVE)")
            finally:
                raw.close()
        except Exception:  # the next second tries again; a failed copy loses nothing
            logging.getLogger(__name__).warning("WAL checkpoint failed", exc_info=True)


class _GroupWriter:
    """The one SQLite writer thread behind ``Database.write`` (group commit)."""

    MAX_GROUP = 64

    def __init__(self, db: Database) -> None:
        self.db = db
        self.queue: queue.SimpleQueue[_Job | None] = queue.SimpleQueue()
        self.thread: threading.Thread | None = None
        self.pid = 0
        self.start_lock = threading.Lock()

    def submit(self, work: Callable[[Connection], T]) -> T:
        self._ensure_running()
        job = _Job(work)
        self.queue.put(job)
        job.done.wait()
        if job.error is not None:
            raise job.error
        result: T = job.result
        return result

    def _ensure_running(self) -> None:
        # Started on first use and again in a forked child (gunicorn workers fork after import).
        # The cheap checks first: this runs on every write, and is_alive takes a lock.
        if self.pid == os.getpid() and self.thread is not None and self.thread.is_alive():
            return
        with self.start_lock:
            if self.thread is None or self.pid != os.getpid() or not self.thread.is_alive():
                self.queue = queue.SimpleQueue()
                self.pid = os.getpid()
                self.thread = threading.Thread(
                    target=self._run, name="intake-db-writer", daemon=True
                )
                self.thread.start()

    def stop(self) -> None:
        if self.thread is not None and self.thread.is_alive() and self.pid == os.getpid():
            self.queue.put(None)
            self.thread.join(10)
        self.thread = None

    def _run(self) -> None:
        while True:
            first = self.queue.get()
            if first is None:
                return
            group = [first]
            while len(group) < self.MAX_GROUP:
                try:
                    job = self.queue.get_nowait()
                except queue.Empty:
                    break
                if job is None:
                    self.queue.put(None)
                    break
                group.append(job)
            self._commit(group)

    def _commit(self, group: list[_Job]) -> None:
        """Run the group in one transaction. If one job raises, the whole transaction is rolled
        back and every other job runs again in a transaction of its own: a failure is rare, and
        savepoints around every job would cost two more statements per turn."""
        failed: _Job | None = None
        try:
            with self.db.transaction() as conn:
                for job in group:
                    try:
                        job.result = job.work(conn)
                    except BaseException as error:
                        failed, job.error = job, _as_storage_error(error)
                        raise
        except BaseException as error:
            if failed is None:  # BEGIN or COMMIT failed: nothing of the group is stored
                for job in group:
                    job.result, job.error = None, _as_storage_error(error)
                    if not isinstance(job.error, StorageError):
                        job.error = StorageError(str(error))
            else:
                for job in group:
                    if job is not failed:
                        self._commit_alone(job)
        finally:
            for job in group:
                job.done.set()

    def _commit_alone(self, job: _Job) -> None:
        job.result, job.error = None, None
        try:
            with self.db.transaction() as conn:
                job.result = job.work(conn)
        except BaseException as error:
            job.result, job.error = None, _as_storage_error(error)


def _as_storage_error(error: BaseException) -> BaseException:
    if isinstance(error, exc.OperationalError | exc.InterfaceError | exc.TimeoutError):
        return StorageError(f"the database is unavailable: {_reason(error)}")
    return error


def _reason(error: exc.DBAPIError | exc.SQLAlchemyError) -> str:
    orig = getattr(error, "orig", None)
    return str(orig if orig is not None else error).splitlines()[0]


def _area_version(conn: Connection, area: str) -> int | None:
    row = conn.execute(
        sa.select(schema_versions.c.version).where(schema_versions.c.area == area)
    ).first()
    return None if row is None else int(row.version)


def _set_area_version(conn: Connection, area: str, version: int, *, insert: bool) -> None:
    if insert:
        conn.execute(
            schema_versions.insert().values(area=area, version=version, updated_at=utcnow())
        )
    else:
        conn.execute(
            schema_versions.update()
            .where(schema_versions.c.area == area)
            .values(version=version, updated_at=utcnow())
        )
