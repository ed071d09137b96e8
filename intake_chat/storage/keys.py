"""Area "encryption": which keys this database's sealed values were sealed with, and the
start-up check of the configured keys against them (``Database.check_encryption`` runs it).

A row per key ever used, with a check value sealed by that key: start-up opens it, so a wrong or
missing key stops the app before anything is read or written. Status ``current`` seals new values;
``older`` may still hold values (a rotation has not finished); ``retired`` holds none.
Imports nothing from Flask, nor the package (``Database`` imports this module).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core import sealing
from ..core.errors import EncryptionError
from ..core.sealing import Keyring
from .schema import metadata, utcnow

AREA = "encryption"

encryption_keys = sa.Table(
    "encryption_keys",
    metadata,
    sa.Column("key_id", sa.String(16), primary_key=True),
    sa.Column("check_value", sa.String(200), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),  # current | older | retired
    sa.Column("added_at", sa.DateTime, nullable=False),
    sa.Column("retired_at", sa.DateTime, nullable=True),
)

TABLES = (encryption_keys,)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


MIGRATIONS = [_create_initial]

KEY_SETTINGS = "INTAKE_ENCRYPTION_KEY or INTAKE_ENCRYPTION_KEY_FILE"


# --- the start-up check ---------------------------------------------------------------------


def settle(conn: Connection, keyring: Keyring | None) -> bool:
    """Check the configured keys against the database and decide how new values are written:
    True, sealed with the current key; False (no key, and a database that never was encrypted),
    in clear.

    A key on a database without keys turns encryption on; a new key beside the old ones in
    INTAKE_ENCRYPTION_OLD_KEYS starts a rotation. Anything else that does not match raises
    EncryptionError naming the setting, and nothing may be written.
    """
    if not sa.inspect(conn).has_table(encryption_keys.name):
        if keyring is not None:
            raise EncryptionError(
                "the database has no encryption area yet: run `intake-chat db migrate` first"
            )
        return False
    if conn.dialect.name == "postgresql":  # two instances starting with a new key register it once
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242002)"))
    rows = {row.key_id: row for row in conn.execute(sa.select(encryption_keys))}
    live = {kid: row for kid, row in rows.items() if row.status != "retired"}
    if keyring is None:
        if live:
            raise EncryptionError(
                f"the database is encrypted (key {_current_id(live)}) and no key is configured: "
                f"set {KEY_SETTINGS}"
            )
        return False
    now = utcnow()
    current = keyring.current
    if not live:
        conn.execute(
            encryption_keys.insert().values(
                key_id=current.id,
                check_value=sealing.check_value(current),
                status="current",
                added_at=now,
            )
        )
    elif current.id in rows and rows[current.id].status != "current":
        raise EncryptionError(
            f"INTAKE_ENCRYPTION_KEY is key {current.id}, which this database has replaced with "
            f"key {_current_id(live)}: configure that key (and {current.id} in "
            "INTAKE_ENCRYPTION_OLD_KEYS while values sealed with it remain)"
        )
    elif current.id in live:
        if not sealing.opens_check(current, live[current.id].check_value):
            raise EncryptionError(f"the key in {KEY_SETTINGS} is not this database's key")
    else:
        _start_rotation(conn, keyring, live, now)
    for kid, row in live.items():
        if kid == current.id:
            continue
        key = keyring.find(kid)
        if key is None or not sealing.opens_check(key, row.check_value):
            raise EncryptionError(
                f"values sealed with key {kid} remain (a rotation has not finished): give that "
                "key in INTAKE_ENCRYPTION_OLD_KEYS, then run `intake-chat db rotate-key`"
            )
    return True


def _current_id(live: dict[str, Any]) -> str:
    return next((kid for kid, row in live.items() if row.status == "current"), "?")


def _start_rotation(
    conn: Connection, keyring: Keyring, live: dict[str, Any], now: datetime
) -> None:
    """A key the database has not seen: a rotation, allowed only when every key that may still
    hold values is given as an older key (so a mistyped key is refused, not adopted)."""
    missing = [kid for kid in live if keyring.find(kid) is None]
    if missing:
        raise EncryptionError(
            f"INTAKE_ENCRYPTION_KEY (key {keyring.current.id}) is not this database's key "
            f"({', '.join(sorted(missing))}). To rotate to a new key, give the current one in "
            "INTAKE_ENCRYPTION_OLD_KEYS"
        )
    conn.execute(
        encryption_keys.update().where(encryption_keys.c.status == "current").values(status="older")
    )
    conn.execute(
        encryption_keys.insert().values(
            key_id=keyring.current.id,
            check_value=sealing.check_value(keyring.current),
            status="current",
            added_at=now,
        )
    )


def key_rows(conn: Connection) -> list[dict[str, Any]]:
    rows = conn.execute(sa.select(encryption_keys).order_by(encryption_keys.c.added_at))
    return [dict(row._mapping) for row in rows]


def retire_older(conn: Connection) -> list[str]:
    """Mark the keys of a finished rotation retired (no value needs them); returns their ids."""
    ids = list(
        conn.execute(
            sa.select(encryption_keys.c.key_id).where(encryption_keys.c.status == "older")
        ).scalars()
    )
    if ids:
        conn.execute(
            encryption_keys.update()
            .where(encryption_keys.c.key_id.in_(ids))
            .values(status="retired", retired_at=utcnow())
        )
    return ids
