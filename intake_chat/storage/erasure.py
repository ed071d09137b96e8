"""Erasure on request, across the chat, staff and live areas: what one conversation holds (its
events, referrals, their notes and history, live requests) and the deletes that remove all of it
in one transaction. Who may erase what is decided in ``app/erasure.py``. Imports nothing from
Flask.

Its analytics row goes too (docs/analytics.md). The audit log and the outbox keep their rows:
they hold ids, counts and rule names, never what a person typed (tests/test_erasure.py searches
every text column for a marker to hold that).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import Database, analytics
from .accounts import referral_assignments, referral_changes, referral_notes
from .conversations import events, referrals, sessions
from .live_queue import live_requests

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Holdings:
    """What erasing one conversation removes: counts and ids only, never content."""

    session_id: str
    referral_ids: tuple[str, ...]
    events: int
    notes: int
    flagged: bool

    def summary(self) -> dict[str, object]:
        """The audit detail of an erasure: ids and counts."""
        return {
            "session_id": self.session_id,
            "referral_ids": list(self.referral_ids),
            "events": self.events,
            "notes": self.notes,
        }


def session_of_referral(conn: Connection, referral_id: str) -> str | None:
    row = conn.execute(
        sa.select(referrals.c.session_id).where(referrals.c.id == referral_id)
    ).first()
    return None if row is None else str(row.session_id)


def holdings(conn: Connection, session_id: str) -> Holdings | None:
    """What the conversation ``session_id`` holds now (None: there is no such conversation)."""
    session = conn.execute(
        sa.select(
            sessions.c.id, sessions.c.urgent, sessions.c.crisis_level, sessions.c.concern_count
        ).where(sessions.c.id == session_id)
    ).first()
    if session is None:
        return None
    referral_ids = tuple(
        conn.execute(
            sa.select(referrals.c.id)
            .where(referrals.c.session_id == session_id)
            .order_by(referrals.c.created_at, referrals.c.id)
        ).scalars()
    )
    logged = conn.execute(
        sa.select(sa.func.count()).select_from(events).where(events.c.session_id == session_id)
    ).scalar_one()
    notes = 0
    if referral_ids:
        notes = conn.execute(
            sa.select(sa.func.count())
            .select_from(referral_notes)
            .where(referral_notes.c.referral_id.in_(referral_ids))
        ).scalar_one()
    flagged = bool(session.urgent) or session.crisis_level is not None or session.concern_count > 0
    return Holdings(session_id, referral_ids, int(logged), int(notes), flagged)


def erase_conversation(conn: Connection, session_id: str, referral_ids: Sequence[str]) -> None:
    """Delete the conversation and its referrals with everything hanging off them, children
    first (the foreign keys are checked on both backends)."""
    ids = list(referral_ids)
    conn.execute(live_requests.delete().where(live_requests.c.session_id == session_id))
    if ids:
        for table in (referral_notes, referral_changes, referral_assignments):
            conn.execute(table.delete().where(table.c.referral_id.in_(ids)))
        conn.execute(referrals.delete().where(referrals.c.id.in_(ids)))
    conn.execute(events.delete().where(events.c.session_id == session_id))
    conn.execute(sessions.delete().where(sessions.c.id == session_id))
    analytics.forget(conn, [session_id])  # no words, but a trace of the conversation erased


def scrub_files(db: Database) -> None:
    """SQLite: fold the write-ahead log back into the file and truncate it, so the pages that
    held erased rows (zeroed there by ``secure_delete``) leave no older copy in the log. Best
    effort: a reader holding an old snapshot makes it wait or give up; the next one catches up."""
    if not db.is_sqlite:
        return
    try:
        raw = db.engine.raw_connection()
        try:
            raw.cursor().execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            raw.close()
    except Exception:  # the erasure itself is committed; only the old log copy may linger
        log.warning("WAL truncate after an erasure failed", exc_info=True)
