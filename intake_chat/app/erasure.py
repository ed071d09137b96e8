"""Erasure on request: who may erase which conversation or referral, and the audit entry that
says who erased what and when, with ids and counts but none of the erased words.

A visitor erases their own conversation while staff hold nothing of it (no referral submitted,
no safety flag that alerted staff); everything else only staff with the admin role erase, from
the console or the CLI. The deletes are in ``storage/erasure.py``. Imports nothing from Flask.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.engine import Connection

from ..storage import Database, utcnow
from ..storage import conversations as chat_store
from ..storage import erasure as store


class NotFound(LookupError):
    """No conversation or referral with this id (perhaps erased already)."""


class HeldByStaff(PermissionError):
    """The visitor may not erase this: staff hold a referral or a safety alert from it."""


# What one erasure removes (ids and counts, never content): the storage's own summary.
Erased = store.Holdings


def erase_as_visitor(conn: Connection, session_id: str, now: datetime) -> Erased:
    """The widget's "delete this conversation", in the caller's transaction."""
    held = store.holdings(conn, session_id)
    if held is None:
        raise NotFound(session_id)
    if held.referral_ids or held.flagged:
        raise HeldByStaff(session_id)
    return _erase(conn, held, actor="visitor", subject=f"session:{session_id}", now=now)


def erase_conversation(db: Database, session_id: str, *, actor: str) -> Erased:
    """Staff (admin) erase one conversation and every referral it sent."""

    def work(conn: Connection) -> Erased:
        held = store.holdings(conn, session_id)
        if held is None:
            raise NotFound(session_id)
        return _erase(conn, held, actor=actor, subject=f"session:{session_id}", now=utcnow())

    return _committed(db, work)


def erase_referral(db: Database, referral_id: str, *, actor: str) -> Erased:
    """Staff (admin) erase one referral, with the conversation it came from: its transcript holds
    the same answers, so keeping it would keep what was asked to go."""

    def work(conn: Connection) -> Erased:
        session_id = store.session_of_referral(conn, referral_id)
        held = None if session_id is None else store.holdings(conn, session_id)
        if held is None:
            raise NotFound(referral_id)
        return _erase(conn, held, actor=actor, subject=f"referral:{referral_id}", now=utcnow())

    return _committed(db, work)


def preview_referral(db: Database, referral_id: str) -> Erased | None:
    """What erasing this referral would remove, for the confirmation page."""
    with db.read() as conn:
        session_id = store.session_of_referral(conn, referral_id)
        return None if session_id is None else store.holdings(conn, session_id)


def preview_conversation(db: Database, session_id: str) -> Erased | None:
    """What erasing this conversation would remove, for the confirmation page."""
    with db.read() as conn:
        return store.holdings(conn, session_id)


def _committed(db: Database, work: Callable[[Connection], Erased]) -> Erased:
    erased = db.write(work)
    scrub(db)
    return erased


def scrub(db: Database) -> None:
    """After the commit: leave no older copy of the erased pages in SQLite's log file."""
    store.scrub_files(db)


def _erase(
    conn: Connection, held: store.Holdings, *, actor: str, subject: str, now: datetime
) -> Erased:
    """Delete, then record: ``subject`` names what was asked for (``referral:…``/``session:…``)."""
    store.erase_conversation(conn, held.session_id, held.referral_ids)
    action = "referral.erase" if subject.startswith("referral:") else "session.erase"
    chat_store.append_audit(
        conn, actor=actor, action=action, subject=subject, detail=held.summary(), now=now
    )
    return held
