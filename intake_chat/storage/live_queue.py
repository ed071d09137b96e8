"""Area "live": staff presence (online, accepting chats) and live handoff requests (who asked,
who accepted, when, how it ended), with the named queries behind the live console.

A request moves ``waiting`` → ``live`` → ``done`` (or ``waiting`` → ``done`` when queued); every
move is one conditional UPDATE, so two staff members or two processes can never both win.
Imports nothing from Flask.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import first, insert_id, metadata, record
from .accounts import staff_accounts
from .conversations import BigId, events, referrals, sessions
from .sealed import SealedJSON

AREA = "live"
DEPENDS = ("chat", "staff")

WAITING, LIVE, DONE = "waiting", "live", "done"
OPEN = (WAITING, LIVE)
# How a request ended: queued (and why), or after a live chat.
QUEUED_OUTCOMES = ("closed", "no_staff", "timeout")
OUTCOMES = (*QUEUED_OUTCOMES, "ended", "to_bot", "left")
LIVE_ROLES = ("admin", "coordinator")

live_presence = sa.Table(
    "live_presence",
    metadata,
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), primary_key=True),
    # The staff member's own switch; it outlives page loads and sign-outs.
    sa.Column("accepting", sa.Boolean, nullable=False, server_default=sa.false()),
    # Last heartbeat from an open console: online while recent.
    sa.Column("seen_at", sa.DateTime, nullable=True),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

live_requests = sa.Table(
    "live_requests",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("referral_id", sa.String(16), sa.ForeignKey("referrals.id"), nullable=True),
    sa.Column("node", sa.String(64), nullable=False),
    sa.Column("status", sa.String(8), nullable=False),
    sa.Column("outcome", sa.String(16), nullable=True),
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), nullable=True),
    sa.Column("requested_at", sa.DateTime, nullable=False),
    sa.Column("accepted_at", sa.DateTime, nullable=True),
    sa.Column("ended_at", sa.DateTime, nullable=True),
    # The conversation as it was before the visitor asked for a person: "hand back" resumes it.
    sa.Column("resume_state", SealedJSON("live_requests.resume_state"), nullable=True),
    sa.Index("ix_live_requests_status", "status", "requested_at"),
    sa.Index("ix_live_requests_session", "session_id"),
)

# At most one open request per conversation, enforced by the database itself.
sa.Index(
    "uq_live_requests_open_session",
    live_requests.c.session_id,
    unique=True,
    sqlite_where=live_requests.c.status.in_(OPEN),
    postgresql_where=live_requests.c.status.in_(OPEN),
)

TABLES = (live_presence, live_requests)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


MIGRATIONS = [_create_initial]


# --- presence -------------------------------------------------------------------------------


def _presence_row(conn: Connection, staff_id: int) -> Any:
    return conn.execute(
        sa.select(live_presence).where(live_presence.c.staff_id == staff_id)
    ).first()


def _upsert_presence(
    conn: Connection, staff_id: int, new_row: dict[str, Any], changes: dict[str, Any]
) -> None:
    """Presence rows are made on first use: insert ``new_row`` once, then apply ``changes``."""
    if _presence_row(conn, staff_id) is None:
        conn.execute(live_presence.insert().values(staff_id=staff_id, **new_row))
    else:
        conn.execute(
            live_presence.update().where(live_presence.c.staff_id == staff_id).values(**changes)
        )


def set_accepting(conn: Connection, staff_id: int, accepting: bool, *, now: datetime) -> None:
    _upsert_presence(
        conn,
        staff_id,
        {"accepting": accepting, "seen_at": None, "updated_at": now},
        {"accepting": accepting, "updated_at": now},
    )


def touch_presence(conn: Connection, staff_id: int, *, now: datetime) -> None:
    """A heartbeat from an open console."""
    _upsert_presence(
        conn, staff_id, {"accepting": False, "seen_at": now, "updated_at": now}, {"seen_at": now}
    )


def is_accepting(conn: Connection, staff_id: int) -> bool:
    row = _presence_row(conn, staff_id)
    return bool(row is not None and row.accepting)


def available_staff(conn: Connection, *, online_since: datetime) -> list[dict[str, Any]]:
    """Active admins and coordinators who accept chats and had a console open recently."""
    rows = conn.execute(
        sa.select(
            staff_accounts.c.id,
            staff_accounts.c.name,
            staff_accounts.c.email,
            live_presence.c.seen_at,
        )
        .join(live_presence, live_presence.c.staff_id == staff_accounts.c.id)
        .where(
            live_presence.c.accepting.is_(True),
            live_presence.c.seen_at >= online_since,
            staff_accounts.c.disabled_at.is_(None),
            staff_accounts.c.role.in_(LIVE_ROLES),
        )
        .order_by(staff_accounts.c.id)
    )
    return [dict(row._mapping) for row in rows]


def count_available(conn: Connection, *, online_since: datetime) -> int:
    return len(available_staff(conn, online_since=online_since))


# --- requests -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Request:
    id: int
    session_id: str
    referral_id: str | None
    node: str
    status: str
    outcome: str | None
    staff_id: int | None
    requested_at: datetime
    accepted_at: datetime | None
    ended_at: datetime | None
    resume_state: dict[str, Any] | None


def _request(row: Any) -> Request:
    return record(Request, row)


def insert_request(
    conn: Connection,
    *,
    session_id: str,
    referral_id: str | None,
    node: str,
    resume_state: dict[str, Any] | None,
    now: datetime,
    outcome: str | None = None,
) -> int:
    """A new request; with ``outcome`` it is queued at once (closed, nobody available)."""
    return insert_id(
        conn,
        live_requests,
        session_id=session_id,
        referral_id=referral_id,
        node=node,
        status=DONE if outcome else WAITING,
        outcome=outcome,
        staff_id=None,
        requested_at=now,
        accepted_at=None,
        ended_at=now if outcome else None,
        resume_state=resume_state,
    )


def get_request(conn: Connection, request_id: int) -> Request | None:
    return first(conn, sa.select(live_requests).where(live_requests.c.id == request_id), _request)


def open_request_for_session(conn: Connection, session_id: str) -> Request | None:
    return first(
        conn,
        sa.select(live_requests).where(
            live_requests.c.session_id == session_id, live_requests.c.status.in_(OPEN)
        ),
        _request,
    )


def accept(conn: Connection, request_id: int, staff_id: int, *, now: datetime) -> bool:
    """First accept wins: only a request still waiting is taken."""
    result = conn.execute(
        live_requests.update()
        .where(live_requests.c.id == request_id, live_requests.c.status == WAITING)
        .values(status=LIVE, staff_id=staff_id, accepted_at=now)
    )
    return int(result.rowcount or 0) == 1


def finish(
    conn: Connection,
    request_id: int,
    outcome: str,
    *,
    now: datetime,
    expect: Sequence[str] = OPEN,
    staff_id: int | None = None,
) -> bool:
    """Close a request that is still in one of ``expect``; with ``staff_id`` only that staff
    member's live chat. False when someone or something else got there first."""
    if outcome not in OUTCOMES:
        raise ValueError(f"unknown outcome {outcome!r}")
    conditions = [live_requests.c.id == request_id, live_requests.c.status.in_(list(expect))]
    if staff_id is not None:
        conditions.append(live_requests.c.staff_id == staff_id)
    result = conn.execute(
        live_requests.update().where(*conditions).values(status=DONE, outcome=outcome, ended_at=now)
    )
    return int(result.rowcount or 0) == 1


def set_referral_mode(conn: Connection, referral_id: str, mode: str, *, now: datetime) -> None:
    """A live request's referral becomes an ordinary queued one when no one takes the chat."""
    conn.execute(
        referrals.update().where(referrals.c.id == referral_id).values(mode=mode, updated_at=now)
    )


_RISK_COLUMNS = (
    sessions.c.urgent,
    sessions.c.crisis_level,
    sessions.c.crisis_category,
    sessions.c.concern_count,
    sessions.c.locale,
    sessions.c.status.label("session_status"),
    sessions.c.state.label("session_state"),
    sessions.c.expires_at,
)


def _listing() -> sa.Select[Any]:
    return (
        sa.select(
            live_requests,
            *_RISK_COLUMNS,
            referrals.c.display,
            referrals.c.answers,
            referrals.c.status.label("referral_status"),
            staff_accounts.c.name.label("staff_name"),
            staff_accounts.c.email.label("staff_email"),
        )
        .join(sessions, sessions.c.id == live_requests.c.session_id)
        .outerjoin(referrals, referrals.c.id == live_requests.c.referral_id)
        .outerjoin(staff_accounts, staff_accounts.c.id == live_requests.c.staff_id)
    )


def requests_with_status(conn: Connection, statuses: Sequence[str]) -> list[dict[str, Any]]:
    """Requests with their conversation's risk flags, referral answers and staff name."""
    rows = conn.execute(
        _listing()
        .where(live_requests.c.status.in_(list(statuses)))
        .order_by(live_requests.c.requested_at)
    )
    return [dict(row._mapping) for row in rows]


def request_details(conn: Connection, request_id: int) -> dict[str, Any] | None:
    row = conn.execute(_listing().where(live_requests.c.id == request_id)).first()
    return None if row is None else dict(row._mapping)


def queued_since(conn: Connection, since: datetime, *, limit: int = 100) -> list[dict[str, Any]]:
    """Requests that were queued (no one took them) since ``since`` and whose referral is still
    new: the people to call back."""
    rows = conn.execute(
        _listing()
        .where(
            live_requests.c.status == DONE,
            live_requests.c.outcome.in_(QUEUED_OUTCOMES),
            live_requests.c.requested_at >= since,
            referrals.c.status == "new",
        )
        .order_by(live_requests.c.requested_at)
        .limit(limit)
    )
    return [dict(row._mapping) for row in rows]


def live_chats_of(conn: Connection, staff_id: int) -> list[dict[str, Any]]:
    rows = conn.execute(
        _listing()
        .where(live_requests.c.status == LIVE, live_requests.c.staff_id == staff_id)
        .order_by(live_requests.c.accepted_at)
    )
    return [dict(row._mapping) for row in rows]


def requests_for_session(conn: Connection, session_id: str) -> list[Request]:
    rows = conn.execute(
        sa.select(live_requests)
        .where(live_requests.c.session_id == session_id)
        .order_by(live_requests.c.id)
    )
    return [_request(row) for row in rows]


def events_since(conn: Connection, session_id: str, after: int) -> list[dict[str, Any]]:
    """Log rows after ``after`` with their times, shaped for ``referral_view.transcript_lines``."""
    rows = conn.execute(
        sa.select(events.c.seq, events.c.type, events.c.payload, events.c.created_at)
        .where(events.c.session_id == session_id, events.c.seq > after)
        .order_by(events.c.seq)
    )
    return [dict(row._mapping) for row in rows]


def last_seq(conn: Connection, session_id: str) -> int:
    found = conn.execute(sa.select(sessions.c.last_seq).where(sessions.c.id == session_id)).scalar()
    return int(found or 0)
