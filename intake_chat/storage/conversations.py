"""Area "chat": flow versions, sessions, the event log, referrals, the audit log and the outbox.

Every query the conversation service needs is a named function here taking a ``Connection``;
SQL lives nowhere else. Imports nothing from Flask.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, cast

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core.protocol import BotEvent
from . import first, insert_id, metadata, record, utcnow
from .sealed import SealedJSON

AREA = "chat"

# Portable auto-increment 64-bit keys (SQLite only auto-increments INTEGER PRIMARY KEY).
BigId = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

flow_versions = sa.Table(
    "flow_versions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("source", sa.String(16), nullable=False, server_default="file"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("flow_id", "version", name="uq_flow_versions_version"),
    sa.UniqueConstraint("flow_id", "digest", name="uq_flow_versions_digest"),
)

sessions = sa.Table(
    "sessions",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    # SHA-256 of the visitor's token: a leaked database does not let anyone resume a conversation.
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("flow_version", sa.Integer, nullable=False),
    sa.Column("flow_digest", sa.String(64), nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("state", SealedJSON("sessions.state"), nullable=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("crisis_level", sa.String(16), nullable=True),
    sa.Column("crisis_category", sa.String(64), nullable=True),
    sa.Column("crisis_rule", sa.String(128), nullable=True),
    sa.Column("concern_count", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_seq", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    # Kept on the row so that a turn reads one row: the ask now waiting for an answer (for
    # resume and option labels) and the last client frame ids applied with their seq range.
    sa.Column("pending_ask", SealedJSON("sessions.pending_ask"), nullable=True),
    sa.Column("recent_frames", sa.JSON, nullable=True),
)

events = sa.Table(
    "events",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("type", sa.String(16), nullable=False),
    sa.Column("frame_id", sa.String(64), nullable=True),
    sa.Column("payload", SealedJSON("events.payload"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("session_id", "seq", name="uq_events_session_seq"),
    sa.Index("ix_events_session_frame", "session_id", "frame_id"),
)

referrals = sa.Table(
    "referrals",
    metadata,
    sa.Column("id", sa.String(16), primary_key=True),
    sa.Column(
        "session_id", sa.String(32), sa.ForeignKey("sessions.id"), nullable=False, index=True
    ),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("flow_version", sa.Integer, nullable=False),
    sa.Column("mode", sa.String(8), nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    # Stored values by variable, and the same as plain text in the flow's first locale for staff.
    sa.Column("answers", SealedJSON("referrals.answers"), nullable=False),
    sa.Column("display", SealedJSON("referrals.display"), nullable=False),
    sa.Column("urgent", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("crisis_level", sa.String(16), nullable=True),
    sa.Column("crisis_category", sa.String(64), nullable=True),
    sa.Column("crisis_rule", sa.String(128), nullable=True),
    sa.Column("status", sa.String(16), nullable=False, server_default="new"),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

audit_log = sa.Table(
    "audit_log",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("subject", sa.String(128), nullable=False),
    sa.Column("detail", sa.JSON, nullable=False),
)

outbox = sa.Table(
    "outbox",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("payload", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_outbox_due", "status", "next_attempt_at"),
)

TABLES = (flow_versions, sessions, events, referrals, audit_log, outbox)

REFERRAL_STATUSES = ("new", "contacted", "scheduled", "closed")
_REFERRAL_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I: read aloud on the phone


def _append_only_audit(conn: Connection) -> None:
    """The database itself refuses to change or delete audit rows."""
    if conn.dialect.name == "sqlite":
        for verb in ("UPDATE", "DELETE"):
            conn.exec_driver_sql(
                f"CREATE TRIGGER IF NOT EXISTS audit_log_no_{verb.lower()} "
                f"BEFORE {verb} ON audit_log "
                "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only'); END"
            )
    elif conn.dialect.name == "postgresql":
        conn.exec_driver_sql(
            "CREATE OR REPLACE FUNCTION audit_log_append_only() RETURNS trigger AS $$ "
            "BEGIN RAISE EXCEPTION 'audit_log is append-only'; END $$ LANGUAGE plpgsql"
        )
        conn.exec_driver_sql("DROP TRIGGER IF EXISTS audit_log_append_only ON audit_log")
        conn.exec_driver_sql(
            "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
            "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()"
        )


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)
    _append_only_audit(conn)


def _add_turn_memory(conn: Connection) -> None:
    conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN pending_ask JSON")
    conn.exec_driver_sql("ALTER TABLE sessions ADD COLUMN recent_frames JSON")


# Migration k upgrades a database from version k to k+1; the Table objects above always show the
# latest shape, which a fresh install creates directly (then runs ON_CREATE).
MIGRATIONS = [_create_initial, _add_turn_memory]
ON_CREATE = [_append_only_audit]


# --- flow versions --------------------------------------------------------------------------


@dataclass(frozen=True)
class FlowVersion:
    flow_id: str
    version: int
    digest: str
    json: str
    source: str
    created_at: datetime


def _flow_version(row: Any) -> FlowVersion:
    return FlowVersion(row.flow_id, row.version, row.digest, row.json, row.source, row.created_at)


def get_flow_version(conn: Connection, flow_id: str, digest: str) -> FlowVersion | None:
    return first(
        conn,
        sa.select(flow_versions).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.digest == digest
        ),
        _flow_version,
    )


def latest_flow_version(conn: Connection, flow_id: str) -> FlowVersion | None:
    return first(
        conn,
        sa.select(flow_versions)
        .where(flow_versions.c.flow_id == flow_id)
        .order_by(flow_versions.c.version.desc())
        .limit(1),
        _flow_version,
    )


def save_flow_version(
    conn: Connection, flow_id: str, digest: str, document: str, *, source: str = "file"
) -> FlowVersion:
    """Keep this exact flow text; the same digest saved twice is the same version."""
    existing = get_flow_version(conn, flow_id, digest)
    if existing is not None:
        return existing
    latest = latest_flow_version(conn, flow_id)
    version = 1 if latest is None else latest.version + 1
    now = utcnow()
    conn.execute(
        flow_versions.insert().values(
            flow_id=flow_id,
            version=version,
            digest=digest,
            json=document,
            source=source,
            created_at=now,
        )
    )
    return FlowVersion(flow_id, version, digest, document, source, now)


# --- sessions -------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionRow:
    id: str
    token_hash: str
    flow_id: str
    flow_version: int
    flow_digest: str
    locale: str
    state: dict[str, Any] | None
    status: str
    urgent: bool
    crisis_level: str | None
    crisis_category: str | None
    crisis_rule: str | None
    concern_count: int
    last_seq: int
    created_at: datetime
    updated_at: datetime
    expires_at: datetime
    pending_ask: BotEvent | None = None
    recent_frames: list[list[Any]] | None = None

    def frame_range(self, frame_id: str) -> tuple[int, int] | None:
        """The seq range a recently applied client frame id produced, if it is remembered."""
        for known, start, last in self.recent_frames or ():
            if known == frame_id:
                return int(start), int(last)
        return None


def _session(row: Any) -> SessionRow:
    return record(SessionRow, row)


def create_session(
    conn: Connection,
    *,
    token_hash: str,
    flow_id: str,
    flow_version: int,
    flow_digest: str,
    locale: str,
    now: datetime,
    expires_at: datetime,
) -> SessionRow:
    values: dict[str, Any] = dict(
        id=uuid.uuid4().hex,
        token_hash=token_hash,
        flow_id=flow_id,
        flow_version=flow_version,
        flow_digest=flow_digest,
        locale=locale,
        state=None,
        status="new",
        urgent=False,
        crisis_level=None,
        crisis_category=None,
        crisis_rule=None,
        concern_count=0,
        last_seq=0,
        created_at=now,
        updated_at=now,
        expires_at=expires_at,
        pending_ask=None,
        recent_frames=[],
    )
    conn.execute(_INSERT_SESSION, values)
    return SessionRow(**values)


_INSERT_SESSION = sessions.insert()


# Statements on the per-turn path are built once: SQLAlchemy then skips re-building and
# re-keying them on every call (about 5x less time per statement than building them inline).
_BY_TOKEN = sa.select(sessions).where(sessions.c.token_hash == sa.bindparam("token_hash"))
_LOCK_BY_TOKEN = _BY_TOKEN.with_for_update()
_LOCK_BY_ID = (
    sa.select(sessions).where(sessions.c.id == sa.bindparam("session_id")).with_for_update()
)


def lock_session(conn: Connection, token_hash: str) -> SessionRow | None:
    """Read a session for a turn, holding its row lock (PostgreSQL) until the transaction ends."""
    return first(conn, _LOCK_BY_TOKEN, _session, {"token_hash": token_hash})


def lock_session_by_id(conn: Connection, session_id: str) -> SessionRow | None:
    return first(conn, _LOCK_BY_ID, _session, {"session_id": session_id})


def find_session(conn: Connection, token_hash: str) -> SessionRow | None:
    return first(conn, _BY_TOKEN, _session, {"token_hash": token_hash})


def get_session(conn: Connection, session_id: str) -> SessionRow | None:
    return first(conn, sa.select(sessions).where(sessions.c.id == session_id), _session)


def update_session(conn: Connection, session_id: str, **values: Any) -> None:
    conn.execute(sessions.update().where(sessions.c.id == session_id).values(**values))


TURN_COLUMNS = (
    "state",
    "status",
    "urgent",
    "crisis_level",
    "crisis_category",
    "crisis_rule",
    "concern_count",
    "last_seq",
    "updated_at",
    "expires_at",
    "pending_ask",
    "recent_frames",
)
_SAVE_TURN = (
    sessions.update()
    .where(
        sessions.c.id == sa.bindparam("session_id"),
        sessions.c.last_seq == sa.bindparam("expected_seq"),
    )
    .values({name: sa.bindparam(f"new_{name}") for name in TURN_COLUMNS})
)


def save_turn(conn: Connection, session: SessionRow, *, expected_seq: int) -> bool:
    """Write back everything a turn changes about a session, if its log still ends at
    ``expected_seq`` (what the turn was planned on). False: another turn came first, and
    nothing was written."""
    params = {f"new_{name}": getattr(session, name) for name in TURN_COLUMNS}
    result = conn.execute(
        _SAVE_TURN, {"session_id": session.id, "expected_seq": expected_seq, **params}
    )
    return bool(result.rowcount == 1)


# --- events ---------------------------------------------------------------------------------


def append_events(
    conn: Connection,
    session_id: str,
    first_seq: int,
    new_events: Sequence[Mapping[str, Any]],
    *,
    frame_id: str | None,
    now: datetime,
) -> list[BotEvent]:
    """Store events with consecutive ``seq`` from ``first_seq``; returns them with ``seq`` set."""
    stored: list[BotEvent] = []
    rows: list[dict[str, Any]] = []
    for offset, item in enumerate(new_events):
        seq = first_seq + offset
        payload = {k: v for k, v in item.items() if k not in ("type", "seq")}
        rows.append(
            dict(
                session_id=session_id,
                seq=seq,
                type=item["type"],
                frame_id=frame_id,
                payload=payload,
                created_at=now,
            )
        )
        stored.append(cast(BotEvent, {"type": item["type"], "seq": seq, **payload}))
    if rows:
        conn.execute(_INSERT_EVENT, rows)
    return stored


_INSERT_EVENT = events.insert()
_EVENT_COLUMNS = (events.c.type, events.c.seq, events.c.payload)
_EVENTS_AFTER = (
    sa.select(*_EVENT_COLUMNS)
    .where(events.c.session_id == sa.bindparam("session_id"), events.c.seq > sa.bindparam("after"))
    .order_by(events.c.seq)
)
_EVENTS_FOR_FRAME = (
    sa.select(*_EVENT_COLUMNS)
    .where(
        events.c.session_id == sa.bindparam("session_id"),
        events.c.frame_id == sa.bindparam("frame_id"),
    )
    .order_by(events.c.seq)
)
_LAST_EVENT = (
    sa.select(*_EVENT_COLUMNS)
    .where(
        events.c.session_id == sa.bindparam("session_id"),
        events.c.type == sa.bindparam("event_type"),
    )
    .order_by(events.c.seq.desc())
    .limit(1)
)


def _event(row: Any) -> BotEvent:
    """A logged event as the service wrote it (the payload is the event without type and seq)."""
    return cast(BotEvent, {"type": row.type, "seq": row.seq, **row.payload})


def events_after(
    conn: Connection, session_id: str, after: int, *, limit: int | None = None
) -> list[BotEvent]:
    query = _EVENTS_AFTER if limit is None else _EVENTS_AFTER.limit(limit)
    rows = conn.execute(query, {"session_id": session_id, "after": after})
    return [_event(row) for row in rows]


_EVENTS_BETWEEN = (
    sa.select(*_EVENT_COLUMNS)
    .where(
        events.c.session_id == sa.bindparam("session_id"),
        events.c.seq.between(sa.bindparam("first"), sa.bindparam("last")),
    )
    .order_by(events.c.seq)
)


def events_between(conn: Connection, session_id: str, first: int, last: int) -> list[BotEvent]:
    rows = conn.execute(_EVENTS_BETWEEN, {"session_id": session_id, "first": first, "last": last})
    return [_event(row) for row in rows]


def events_for_frame(conn: Connection, session_id: str, frame_id: str) -> list[BotEvent]:
    rows = conn.execute(_EVENTS_FOR_FRAME, {"session_id": session_id, "frame_id": frame_id})
    return [_event(row) for row in rows]


def last_event(conn: Connection, session_id: str, event_type: str) -> BotEvent | None:
    return first(conn, _LAST_EVENT, _event, {"session_id": session_id, "event_type": event_type})


def transcript(conn: Connection, session_id: str) -> list[dict[str, Any]]:
    """Every event of a session in order, with its time: what staff read behind a referral."""
    rows = conn.execute(
        sa.select(events.c.type, events.c.seq, events.c.payload, events.c.created_at)
        .where(events.c.session_id == session_id)
        .order_by(events.c.seq)
    )
    return [{**_event(row), "at": row.created_at} for row in rows]


# --- referrals ------------------------------------------------------------------------------


def new_referral_id() -> str:
    return "".join(secrets.choice(_REFERRAL_ALPHABET) for _ in range(10))


def insert_referral(
    conn: Connection,
    *,
    session: SessionRow,
    mode: str,
    answers: Mapping[str, Any],
    display: Mapping[str, Any] | None = None,
    locale: str | None = None,
    now: datetime,
) -> str:
    """A referral carries the session's safety flags as they are now (later flags update it)."""
    referral_id = new_referral_id()
    conn.execute(
        referrals.insert().values(
            id=referral_id,
            session_id=session.id,
            flow_id=session.flow_id,
            flow_version=session.flow_version,
            mode=mode,
            locale=locale or session.locale,
            answers=dict(answers),
            display=dict(display or {}),
            urgent=session.urgent,
            crisis_level=session.crisis_level,
            crisis_category=session.crisis_category,
            crisis_rule=session.crisis_rule,
            status="new",
            created_at=now,
            updated_at=now,
        )
    )
    return referral_id


def flag_session_referrals(
    conn: Connection, session_id: str, *, now: datetime, **flags: Any
) -> int:
    result = conn.execute(
        referrals.update()
        .where(referrals.c.session_id == session_id)
        .values(updated_at=now, **flags)
    )
    return int(result.rowcount or 0)


def get_referral(conn: Connection, referral_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(referrals).where(referrals.c.id == referral_id)).first()
    return None if row is None else dict(row._mapping)


def referrals_for_session(conn: Connection, session_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(referrals)
        .where(referrals.c.session_id == session_id)
        .order_by(referrals.c.created_at)
    )
    return [dict(row._mapping) for row in rows]


# --- audit log and outbox -------------------------------------------------------------------


def append_audit(
    conn: Connection,
    *,
    actor: str,
    action: str,
    subject: str,
    detail: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> None:
    row = {"at": now or utcnow(), "actor": actor, "action": action, "subject": subject}
    conn.execute(_INSERT_AUDIT, {**row, "detail": dict(detail or {})})


_INSERT_AUDIT = audit_log.insert()  # built once: it is on the turn path (see _BY_TOKEN)


def audit_entries(conn: Connection, *, subject: str | None = None) -> list[dict[str, Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.id)
    if subject is not None:
        query = query.where(audit_log.c.subject == subject)
    return [dict(row._mapping) for row in conn.execute(query)]


def enqueue_outbox(
    conn: Connection, *, kind: str, payload: Mapping[str, Any], now: datetime | None = None
) -> int:
    """A notification to deliver later; written in the same transaction as the fact it reports."""
    now = now or utcnow()
    return insert_id(
        conn,
        outbox,
        kind=kind,
        payload=dict(payload),
        status="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )


def outbox_rows(conn: Connection, *, kinds: Iterable[str] | None = None) -> list[dict[str, Any]]:
    query = sa.select(outbox).order_by(outbox.c.id)
    if kinds is not None:
        query = query.where(outbox.c.kind.in_(list(kinds)))
    return [dict(row._mapping) for row in conn.execute(query)]


# --- privacy: forgetting typed text, retention --------------------------------------------------

TYPED_INPUTS = frozenset({"text", "email", "phone", "date", "number"})  # kinds a visitor types


def redact_event(event: BotEvent) -> BotEvent:
    """The event without what the visitor typed: a visitor event's text becomes "" with
    ``"redacted": true`` (button values and labels are the flow's own and stay); an ask drops the
    typed answer it echoed back for editing, a summary the values it listed."""
    redacted = event.copy()
    if event.get("type") == "visitor" and "text" in event:
        redacted["text"], redacted["redacted"] = "", True
    elif event.get("type") == "ask" and isinstance(event.get("input"), Mapping):
        shown = event["input"].copy()
        if shown.get("kind") in TYPED_INPUTS:
            shown.pop("value", None)
        if isinstance(shown.get("fields"), list):
            shown["fields"] = [{**item, "value": ""} for item in shown["fields"]]
        redacted["input"] = shown
    return redacted


def redact_session_events(conn: Connection, session_id: str) -> int:
    """Blank what the visitor typed in every stored event of a session; the number changed.
    Runs again harmlessly (already blank events are left alone)."""
    rows = conn.execute(
        sa.select(events.c.id, events.c.type, events.c.seq, events.c.payload).where(
            events.c.session_id == session_id, events.c.type.in_(("visitor", "ask"))
        )
    ).all()
    changed = 0
    for row in rows:
        before = _event(row)
        after = redact_event(before)
        if after != before:
            payload = {k: v for k, v in after.items() if k not in ("type", "seq")}
            conn.execute(events.update().where(events.c.id == row.id).values(payload=payload))
            changed += 1
    return changed
