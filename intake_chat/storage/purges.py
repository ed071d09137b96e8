"""What retention may delete, across the chat and live areas: which conversations are over and
unneeded, which transcripts of closed referrals have outlived their setting, and the deletes,
each re-checking eligibility in its own transaction. The rules of when are in ``app/retention.py``.
Imports nothing from Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import analytics
from .conversations import events, referrals, sessions
from .live_queue import live_requests


def _unflagged_without_referral(idle_before: datetime, now: datetime) -> sa.ColumnElement[bool]:
    """Conversations that are over (idle since ``idle_before``, no longer resumable), never sent
    a referral and never raised a safety flag: what retention deletes."""
    return sa.and_(
        sessions.c.updated_at < idle_before,
        sessions.c.expires_at <= now,
        sessions.c.crisis_level.is_(None),
        sessions.c.concern_count == 0,
        sessions.c.urgent == sa.false(),
        ~sa.exists().where(referrals.c.session_id == sessions.c.id),
    )


def _closed_referrals_only(closed_before: datetime, now: datetime) -> sa.ColumnElement[bool]:
    """Sessions still holding a transcript whose every referral was closed before
    ``closed_before``: their events go, the referral (with its answers) stays."""
    old_closed = sa.and_(referrals.c.status == "closed", referrals.c.updated_at < closed_before)
    return sa.and_(
        sessions.c.expires_at <= now,
        sa.exists().where(referrals.c.session_id == sessions.c.id),
        ~sa.exists().where(referrals.c.session_id == sessions.c.id, ~old_closed),
        sa.exists().where(events.c.session_id == sessions.c.id),
    )


def _session_ids(
    conn: Connection, condition: sa.ColumnElement[bool], after_id: str, limit: int
) -> list[str]:
    rows = conn.execute(
        sa.select(sessions.c.id)
        .where(condition, sessions.c.id > after_id)
        .order_by(sessions.c.id)
        .limit(limit)
    )
    return [str(row.id) for row in rows]


def purgeable_sessions(
    conn: Connection, *, idle_before: datetime, now: datetime, after_id: str = "", limit: int
) -> list[str]:
    """Ids (in order, after ``after_id``) of conversations retention may delete."""
    return _session_ids(conn, _unflagged_without_referral(idle_before, now), after_id, limit)


def stale_transcripts(
    conn: Connection, *, closed_before: datetime, now: datetime, after_id: str = "", limit: int
) -> list[str]:
    """Ids (in order, after ``after_id``) of sessions whose transcript retention may delete."""
    return _session_ids(conn, _closed_referrals_only(closed_before, now), after_id, limit)


def _still_eligible(
    conn: Connection, session_ids: Sequence[str], still: sa.ColumnElement[bool]
) -> list[str]:
    """The ids (read outside this transaction) that still meet the condition now."""
    query = sa.select(sessions.c.id).where(sessions.c.id.in_(list(session_ids)), still)
    return list(conn.execute(query).scalars().all())


def delete_sessions(
    conn: Connection, session_ids: Sequence[str], *, idle_before: datetime, now: datetime
) -> dict[str, int]:
    """Delete these conversations (live requests, events, then the session row), each only if it
    is still eligible now: the ids were read outside this transaction."""
    still = _unflagged_without_referral(idle_before, now)
    ids = _still_eligible(conn, session_ids, still)
    if not ids:
        return {"sessions": 0, "events": 0, "live_requests": 0}
    requests = conn.execute(live_requests.delete().where(live_requests.c.session_id.in_(ids)))
    logged = conn.execute(events.delete().where(events.c.session_id.in_(ids)))
    gone = conn.execute(sessions.delete().where(sessions.c.id.in_(ids)))
    analytics.detach(conn, ids)  # the funnel keeps counting them, unlinked (docs/analytics.md)
    return {
        "sessions": int(gone.rowcount or 0),
        "events": int(logged.rowcount or 0),
        "live_requests": int(requests.rowcount or 0),
    }


def delete_transcripts(
    conn: Connection, session_ids: Sequence[str], *, closed_before: datetime, now: datetime
) -> dict[str, int]:
    """Delete the events of these sessions and the copies of the conversation on the session row
    and its live requests, each only if still eligible; the referrals stay as they are."""
    still = _closed_referrals_only(closed_before, now)
    ids = _still_eligible(conn, session_ids, still)
    if not ids:
        return {"transcripts": 0, "transcript_events": 0}
    logged = conn.execute(events.delete().where(events.c.session_id.in_(ids)))
    conn.execute(
        sessions.update()
        .where(sessions.c.id.in_(ids))
        .values(state=sa.null(), pending_ask=sa.null())
    )
    conn.execute(
        live_requests.update()
        .where(live_requests.c.session_id.in_(ids))
        .values(resume_state=sa.null())
    )
    return {"transcripts": len(ids), "transcript_events": int(logged.rowcount or 0)}


def count_purgeable(
    conn: Connection,
    *,
    idle_before: datetime | None,
    closed_before: datetime | None,
    now: datetime,
) -> dict[str, int]:
    """What a purge would delete now (``None``: that rule is off), for ``--dry-run``."""
    counts = {
        "sessions": 0,
        "events": 0,
        "live_requests": 0,
        "transcripts": 0,
        "transcript_events": 0,
    }
    if idle_before is not None:
        doomed = sa.select(sessions.c.id).where(_unflagged_without_referral(idle_before, now))
        counts["sessions"] = _count(conn, sessions, sessions.c.id.in_(doomed))
        counts["events"] = _count(conn, events, events.c.session_id.in_(doomed))
        counts["live_requests"] = _count(
            conn, live_requests, live_requests.c.session_id.in_(doomed)
        )
    if closed_before is not None:
        stale = sa.select(sessions.c.id).where(_closed_referrals_only(closed_before, now))
        counts["transcripts"] = _count(conn, sessions, sessions.c.id.in_(stale))
        counts["transcript_events"] = _count(conn, events, events.c.session_id.in_(stale))
    return counts


def _count(conn: Connection, table: sa.Table, condition: sa.ColumnElement[bool]) -> int:
    return int(
        conn.execute(sa.select(sa.func.count()).select_from(table).where(condition)).scalar_one()
    )
