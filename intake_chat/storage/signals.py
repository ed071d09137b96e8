"""Wake-ups between instances on one PostgreSQL: ``signal`` sends a short payload with NOTIFY and
``listen`` delivers the payloads other connections send, on a connection of its own.

Only the word "look again" travels here; what changed is always read from the tables. SQLite has
one serving process, so nothing here runs there. Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from . import Database

log = logging.getLogger(__name__)

CHANNEL = "intake_chat_hub"
MAX_PAYLOAD = 7999  # PostgreSQL refuses NOTIFY payloads of 8000 bytes and more
_NOTIFY = sa.text("SELECT pg_notify(:channel, :payload)")
_NOTIFY_MANY = sa.text(
    "SELECT count(pg_notify(:channel, payload)) FROM unnest(CAST(:payloads AS text[])) AS payload"
)


def signal(db: Database, payload: str) -> None:
    """Send ``payload`` to every listening instance (this one included: listeners filter)."""
    signal_many(db, [payload])


def signal_many(db: Database, payloads: list[str]) -> None:
    """Send each payload as its own notification, in one statement and one round trip."""
    with db.engine.connect() as conn:
        if len(payloads) == 1:
            conn.execute(_NOTIFY, {"channel": CHANNEL, "payload": payloads[0][:MAX_PAYLOAD]})
        else:
            cut = [payload[:MAX_PAYLOAD] for payload in payloads]
            conn.execute(_NOTIFY_MANY, {"channel": CHANNEL, "payloads": cut})
        conn.commit()


def listen(
    db: Database,
    on_payload: Callable[[str], None],
    stop: threading.Event,
    *,
    ready: threading.Event | None = None,
    poll_seconds: float = 1.0,
) -> None:
    """Call ``on_payload`` for each notification until ``stop`` is set. A dropped connection is
    opened again after a pause; while it is down other instances' wake-ups are missed, which the
    sockets' own periodic catch-up covers."""
    while not stop.is_set():
        pooled = None
        try:
            # A connection of its own, out of the pool: it stays in autocommit, LISTENing.
            pooled = db.engine.raw_connection()
            raw: Any = pooled.driver_connection
            pooled.detach()
            raw.autocommit = True
            raw.execute(f"LISTEN {CHANNEL}")
            if ready is not None:
                ready.set()
            while not stop.is_set():
                for note in raw.notifies(timeout=poll_seconds):
                    on_payload(note.payload)
                    if stop.is_set():
                        break
        except Exception:
            log.warning("instance wake-ups: the listening connection failed", exc_info=True)
            stop.wait(poll_seconds)
        finally:
            if pooled is not None:
                pooled.close()
