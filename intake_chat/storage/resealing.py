"""Re-sealing stored values in batches: ``intake-chat db encrypt`` seals what was stored in clear,
``intake-chat db rotate-key`` moves what older keys sealed to the current key. Each batch is its
own transaction, so the app keeps serving, and a run that is stopped or killed keeps what its
committed batches did: running it again finishes. Imports nothing from Flask.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import sealing
from ..core.errors import EncryptionError
from ..core.sealing import Key
from . import Database, keys, metadata
from .sealed import SealedJSON, sealed_columns


@dataclass
class Progress:
    """What a pass changed, by ``table.column``; ``left`` counts what it could not reach (rows
    another transaction held, or values written meanwhile under an older key)."""

    changed: dict[str, int]
    left: int = 0

    @property
    def total(self) -> int:
        return sum(self.changed.values())


def _raw(column: sa.Column[Any]) -> sa.ColumnElement[str]:
    return sa.cast(column, sa.Text)


def _prefix(column: sa.Column[Any]) -> str:
    """How a sealed value's stored text starts: JSON keeps it as a JSON string."""
    quote = '"' if isinstance(column.type, SealedJSON) else ""
    return quote + sealing.PREFIX


def _wanted(column: sa.Column[Any], current: str, *, clear: bool) -> sa.ColumnElement[bool]:
    """Rows whose value is not yet sealed with the current key: clear ones (``db encrypt``) or
    sealed with another key (``db rotate-key``)."""
    raw, prefix = _raw(column), _prefix(column)
    if clear:
        return sa.and_(raw.is_not(None), raw != "null", sa.not_(raw.like(prefix + "%")))
    return sa.and_(raw.like(prefix + "%"), sa.not_(raw.like(f"{prefix}{current}:%")))


def count_left(db: Database, *, clear: bool) -> dict[str, int]:
    """``table.column`` → values still clear (or still under an older key)."""
    current = _writing_key(db).id
    with db.read() as conn:
        return _left(conn, current, clear=clear)


def _left(conn: Connection, current: str, *, clear: bool) -> dict[str, int]:
    found: dict[str, int] = {}
    for column in sealed_columns(metadata):
        table = column.table
        query = sa.select(sa.func.count()).select_from(table)
        n = int(conn.execute(query.where(_wanted(column, current, clear=clear))).scalar_one())
        if n:
            found[f"{table.name}.{column.name}"] = n
    return found


def _writing_key(db: Database) -> Key:
    db.check_encryption()
    if db.sealing.keyring is None or not db.sealing.writing:
        raise EncryptionError(f"encryption is off: set {keys.KEY_SETTINGS} first")
    return db.sealing.keyring.current


def reseal(
    db: Database,
    *,
    clear: bool,
    batch_size: int = 500,
    pause: float = 0.0,
    on_batch: Callable[[str, int], None] | None = None,
) -> Progress:
    """Seal every clear value (``clear``) or re-seal every value under an older key with the
    current key, ``batch_size`` rows per transaction, so the app keeps serving and a run that
    is stopped (even killed) keeps what its committed batches did: running it again finishes.

    Rows locked by a turn in progress are skipped (PostgreSQL) and taken by a further pass."""
    current = _writing_key(db).id
    progress = Progress(changed={})
    for _attempt in range(3):
        before = progress.total
        for column in sealed_columns(metadata):
            _reseal_column(db, column, current, clear, batch_size, pause, on_batch, progress)
        left = count_left(db, clear=clear)
        progress.left = sum(left.values())
        if not progress.left or progress.total == before:
            break
    return progress


def _reseal_column(
    db: Database,
    column: sa.Column[Any],
    current: str,
    clear: bool,
    batch_size: int,
    pause: float,
    on_batch: Callable[[str, int], None] | None,
    progress: Progress,
) -> None:
    table = column.table
    (key,) = table.primary_key.columns
    place = f"{table.name}.{column.name}"
    update = (
        table.update()
        .where(key == sa.bindparam("row_key"))
        .values({column.name: sa.bindparam("row_value")})
    )
    after: Any = None
    while True:
        with db.transaction() as conn:
            query = (
                sa.select(key, column)
                .where(_wanted(column, current, clear=clear))
                .order_by(key)
                .limit(batch_size)
                .with_for_update(skip_locked=True)
            )
            if after is not None:
                query = query.where(key > after)
            rows = conn.execute(query).all()
            if not rows:
                return
            # The values come out opened (the column type does it) and go back sealed with the
            # current key; the lock (PostgreSQL) or the write transaction (SQLite) keeps a
            # concurrent turn from changing them in between.
            conn.execute(update, [{"row_key": row[0], "row_value": row[1]} for row in rows])
            after = rows[-1][0]
        progress.changed[place] = progress.changed.get(place, 0) + len(rows)
        if on_batch is not None:
            on_batch(place, len(rows))
        if len(rows) < batch_size:
            return
        if pause:
            time.sleep(pause)


def retire_older_keys(db: Database) -> list[str]:
    """After a rotation left no value under an older key: mark those keys retired (the
    database no longer needs them). Returns their ids; none while values remain."""
    current = _writing_key(db).id
    with db.transaction() as conn:  # counted in the same transaction the keys are retired in
        if _left(conn, current, clear=False):
            return []
        return keys.retire_older(conn)


def key_rows(db: Database) -> list[dict[str, Any]]:
    with db.read() as conn:
        return keys.key_rows(conn)
