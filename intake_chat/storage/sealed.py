"""Sealed columns: JSON and text that are encrypted on the way into the database and opened on the
way out, so the queries and their callers stay as they are.

Which key (if any) a database uses is a ``Sealing`` kept on its engine's dialect, set once the
database's encryption state was checked (storage/keys.py). A sealed JSON value is stored as
a JSON string, so the column keeps its type and a database can hold clear and sealed rows while
``intake-chat db encrypt`` works through it. Imports nothing from Flask.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection, Dialect

from ..core import sealing
from ..core.errors import EncryptionError, StorageError
from ..core.sealing import Keyring

DIALECT_ATTRIBUTE = "intake_sealing"


@dataclass
class Sealing:
    """One database's encryption: ``keyring`` opens values; ``writing`` (set once the state was
    checked) says new values are sealed with its current key. ``checked`` False: nothing may be
    written to a sealed column yet, so that no value lands in clear before the check."""

    keyring: Keyring | None
    checked: bool = False
    writing: bool = False


def sealing_of(dialect: Dialect) -> Sealing:
    found = getattr(dialect, DIALECT_ATTRIBUTE, None)
    if found is None:  # an engine made elsewhere: nothing configured, nothing checked
        found = Sealing(None)
        setattr(dialect, DIALECT_ATTRIBUTE, found)
    return found


def is_sealing(conn: Connection) -> bool:
    """True when stored values may be sealed, so SQL cannot look inside them (search)."""
    found = sealing_of(conn.dialect)
    return found.keyring is not None


def _writer(place: str, dialect: Dialect) -> Keyring | None:
    """The keyring to seal a new value with, None to write it in clear; refuses while the
    database's encryption state is unknown."""
    state = sealing_of(dialect)
    if not state.checked:
        raise StorageError(
            f"refusing to write {place} before the database's encryption state was checked"
        )
    return state.keyring if state.writing else None


def _open_text(stored: str, place: str, dialect: Dialect) -> str:
    keyring = sealing_of(dialect).keyring
    if keyring is None:
        raise StorageError(
            f"{place} holds encrypted values and no key is configured: set "
            "INTAKE_ENCRYPTION_KEY or INTAKE_ENCRYPTION_KEY_FILE"
        )
    try:
        return keyring.open(stored, place).decode("utf-8")
    except EncryptionError as error:
        raise StorageError(str(error)) from error


class _Sealed(sa.types.TypeDecorator[Any]):
    """A column sealed when a key is in use, in clear otherwise; ``place`` (``table.column``)
    is the associated data each value is bound to. Subclasses say how a value becomes text."""

    impl: Any = sa.Text
    cache_ok = True

    def __init__(self, place: str) -> None:
        super().__init__()
        self.place = place

    def to_text(self, value: Any) -> str:
        return str(value)

    def from_text(self, text: str) -> Any:
        return text

    def process_bind_param(self, value: Any, dialect: Dialect) -> Any:
        keyring = None if value is None else _writer(self.place, dialect)
        if keyring is None:
            return value
        return keyring.seal(self.to_text(value).encode("utf-8"), self.place)

    def process_result_value(self, value: Any, dialect: Dialect) -> Any:
        if sealing.is_sealed(value):
            return self.from_text(_open_text(value, self.place, dialect))
        return value


class SealedJSON(_Sealed):
    """A JSON column; any value but null is sealed (as a JSON string, so the column's type and
    a clear row beside it stay valid)."""

    impl = sa.JSON
    cache_ok = True

    def to_text(self, value: Any) -> str:
        return json.dumps(value, ensure_ascii=False)

    def from_text(self, text: str) -> Any:
        return json.loads(text)


class SealedText(_Sealed):
    """A text column."""

    cache_ok = True


def sealed_columns(metadata: sa.MetaData) -> list[sa.Column[Any]]:
    """Every sealed column of every table, in a stable order (for encrypt and rotate-key)."""
    return [
        column
        for table in metadata.sorted_tables
        for column in table.columns
        if isinstance(column.type, _Sealed)
    ]
