"""Helpers for tests that need a person on the team taking live chats (tests/test_live.py, the
widget's and the console's browser tests)."""

from __future__ import annotations

from intake_chat.storage import Database, utcnow
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import live_queue as live_db


def accepting_staff(
    db: Database, *, name: str = "Maria", email: str = "", role: str = "coordinator"
) -> int:
    """A staff member who accepts chats and whose console is open now (a fresh heartbeat)."""
    now = utcnow()
    with db.transaction() as conn:
        staff_id = staff_db.create_staff(
            conn,
            email=email or f"{name.lower()}@example.org",
            role=role,
            name=name,
            password_hash="unused",
        )
        live_db.set_accepting(conn, staff_id, True, now=now)
        live_db.touch_presence(conn, staff_id, now=now)
    return staff_id
