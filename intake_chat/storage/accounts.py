"""Area "staff": accounts, web sessions, login attempts, referral workflow (assignment, status
history, notes), integration API tokens, and the named queries behind the inbox, live push and API.

The referrals, events and audit_log tables belong to the chat area; this module only reads them and
sets ``referrals.status``. Imports nothing from Flask.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import first, insert_id, metadata, record, utcnow
from .conversations import BigId, audit_log, events, flow_versions, referrals, sessions
from .sealed import SealedText, is_sealing

AREA = "staff"
DEPENDS = ("chat",)

ROLES = ("admin", "coordinator", "editor")
STATUSES = ("new", "contacted", "scheduled", "closed")

# Answer variables that hold a person's name or contact details: what the inbox search looks in.
NAME_FIELDS = ("first_name", "preferred_name", "last_name", "name", "guardian_name")
CONTACT_FIELDS = ("email", "phone", "guardian_email", "guardian_phone")

staff_accounts = sa.Table(
    "staff_accounts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("email", sa.String(254), nullable=False, unique=True),  # stored lower-cased
    sa.Column("name", sa.String(120), nullable=False, server_default=""),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("password_hash", sa.String(255), nullable=False),
    # Sealed (AES-GCM, key derived from the secret key; core/passwords.py), never in clear.
    sa.Column("totp_secret", sa.String(255), nullable=True),
    # The last accepted TOTP time step: a code is never accepted twice.
    sa.Column("totp_last_step", sa.BigInteger, nullable=True),
    sa.Column("disabled_at", sa.DateTime, nullable=True),
    sa.Column("last_login_at", sa.DateTime, nullable=True),
    sa.Column("password_changed_at", sa.DateTime, nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

staff_sessions = sa.Table(
    "staff_sessions",
    metadata,
    # SHA-256 of the cookie value: a copy of the database holds no usable session.
    sa.Column("id_hash", sa.String(64), primary_key=True),
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), nullable=False, index=True),
    # "totp": password accepted, code pending; "setup": must enrol TOTP first; "full": signed in.
    sa.Column("stage", sa.String(8), nullable=False),
    sa.Column("csrf_token", sa.String(64), nullable=False),
    sa.Column("pending_totp_secret", sa.String(255), nullable=True),  # sealed too
    sa.Column("address", sa.String(64), nullable=False, server_default=""),
    sa.Column("user_agent", sa.String(200), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_seen_at", sa.DateTime, nullable=False),
)

login_attempts = sa.Table(
    "staff_login_attempts",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    # What was typed, lower-cased, known account or not: unknown emails lock out the same way.
    sa.Column("email", sa.String(254), nullable=False),
    sa.Column("address", sa.String(64), nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    sa.Column("at", sa.DateTime, nullable=False),
    sa.Index("ix_staff_login_attempts_email_at", "email", "at"),
    sa.Index("ix_staff_login_attempts_address_at", "address", "at"),
)

referral_assignments = sa.Table(
    "referral_assignments",
    metadata,
    sa.Column("referral_id", sa.String(16), sa.ForeignKey("referrals.id"), primary_key=True),
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), nullable=False, index=True),
    sa.Column("assigned_by", BigId, sa.ForeignKey("staff_accounts.id"), nullable=True),
    sa.Column("assigned_at", sa.DateTime, nullable=False),
)

# Status changes and (un)assignments, in order: the referral's timeline.
referral_changes = sa.Table(
    "referral_changes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "referral_id", sa.String(16), sa.ForeignKey("referrals.id"), nullable=False, index=True
    ),
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), nullable=True),
    sa.Column("kind", sa.String(16), nullable=False),  # "status" | "assign"
    sa.Column("old_value", sa.String(254), nullable=True),
    sa.Column("new_value", sa.String(254), nullable=True),
    sa.Column("at", sa.DateTime, nullable=False),
)

referral_notes = sa.Table(
    "referral_notes",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column(
        "referral_id", sa.String(16), sa.ForeignKey("referrals.id"), nullable=False, index=True
    ),
    sa.Column("staff_id", BigId, sa.ForeignKey("staff_accounts.id"), nullable=False),
    sa.Column("body", SealedText("referral_notes.body"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
)

api_tokens = sa.Table(
    "api_tokens",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("name", sa.String(120), nullable=False),
    sa.Column("token_hash", sa.String(64), nullable=False, unique=True),
    sa.Column(
        "prefix", sa.String(16), nullable=False
    ),  # shown in lists so people can tell them apart
    sa.Column("scopes", sa.String(255), nullable=False),  # space-separated, e.g. "referrals:read"
    sa.Column("created_by", BigId, sa.ForeignKey("staff_accounts.id"), nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("last_used_at", sa.DateTime, nullable=True),
    sa.Column("revoked_at", sa.DateTime, nullable=True),
)

TABLES = (
    staff_accounts,
    staff_sessions,
    login_attempts,
    referral_assignments,
    referral_changes,
    referral_notes,
    api_tokens,
)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


def _widen_totp_columns(conn: Connection) -> None:
    """Sealed secrets are longer than clear ones (SQLite does not enforce VARCHAR lengths)."""
    if conn.dialect.name == "postgresql":
        for table, column in (
            ("staff_accounts", "totp_secret"),
            ("staff_sessions", "pending_totp_secret"),
        ):
            conn.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(255)"))


# Migration k upgrades version k to k+1; a fresh install creates the tables above directly.
MIGRATIONS = [_create_initial, _widen_totp_columns]


# --- accounts -------------------------------------------------------------------------------


@dataclass(frozen=True)
class StaffRow:
    id: int
    email: str
    name: str
    role: str
    password_hash: str
    totp_secret: str | None
    totp_last_step: int | None
    disabled_at: datetime | None
    last_login_at: datetime | None
    password_changed_at: datetime
    created_at: datetime
    updated_at: datetime

    @property
    def active(self) -> bool:
        return self.disabled_at is None

    @property
    def label(self) -> str:
        return self.name or self.email


def _staff(row: Any) -> StaffRow:
    return record(StaffRow, row)


def normalise_email(email: str) -> str:
    return email.strip().lower()


def create_staff(
    conn: Connection,
    *,
    email: str,
    role: str,
    password_hash: str,
    name: str = "",
    now: datetime | None = None,
) -> int:
    now = now or utcnow()
    return insert_id(
        conn,
        staff_accounts,
        email=normalise_email(email),
        name=name.strip(),
        role=role,
        password_hash=password_hash,
        password_changed_at=now,
        created_at=now,
        updated_at=now,
    )


def get_staff(conn: Connection, staff_id: int) -> StaffRow | None:
    return first(conn, sa.select(staff_accounts).where(staff_accounts.c.id == staff_id), _staff)


def find_staff(conn: Connection, email: str) -> StaffRow | None:
    return first(
        conn,
        sa.select(staff_accounts).where(staff_accounts.c.email == normalise_email(email)),
        _staff,
    )


def list_staff(conn: Connection, *, active_only: bool = False) -> list[StaffRow]:
    query = sa.select(staff_accounts).order_by(staff_accounts.c.email)
    if active_only:
        query = query.where(staff_accounts.c.disabled_at.is_(None))
    return [_staff(row) for row in conn.execute(query)]


def update_staff(conn: Connection, staff_id: int, **values: Any) -> None:
    values.setdefault("updated_at", utcnow())
    conn.execute(staff_accounts.update().where(staff_accounts.c.id == staff_id).values(**values))


def claim_totp_step(conn: Connection, staff_id: int, step: int) -> bool:
    """Mark a TOTP time step used unless it, or a later one, already is. Check and write are one
    statement, so two sign-ins racing with the same code cannot both get through."""
    last = staff_accounts.c.totp_last_step
    result = conn.execute(
        staff_accounts.update()
        .where(staff_accounts.c.id == staff_id, sa.or_(last.is_(None), last < step))
        .values(totp_last_step=step, updated_at=utcnow())
    )
    return int(result.rowcount or 0) == 1


def seal_clear_totp_secrets(
    conn: Connection, *, is_sealed: Callable[[str], bool], seal: Callable[[str], str]
) -> int:
    """Seal the TOTP secrets an older version stored in clear (run at start-up, where the key
    is known); pending enrolments in clear are dropped (the page makes a new one)."""
    rows = conn.execute(
        sa.select(staff_accounts.c.id, staff_accounts.c.totp_secret).where(
            staff_accounts.c.totp_secret.is_not(None)
        )
    ).all()
    sealed = 0
    for row in rows:
        if not is_sealed(row.totp_secret):
            update_staff(conn, row.id, totp_secret=seal(row.totp_secret))
            sealed += 1
    pending = conn.execute(
        sa.select(staff_sessions.c.id_hash, staff_sessions.c.pending_totp_secret).where(
            staff_sessions.c.pending_totp_secret.is_not(None)
        )
    ).all()
    for row in pending:
        if not is_sealed(row.pending_totp_secret):
            update_web_session(conn, row.id_hash, pending_totp_secret=None)
    return sealed


def count_active_admins(conn: Connection) -> int:
    return int(
        conn.execute(
            sa.select(sa.func.count())
            .select_from(staff_accounts)
            .where(staff_accounts.c.role == "admin", staff_accounts.c.disabled_at.is_(None))
        ).scalar_one()
    )


# --- web sessions ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WebSession:
    id_hash: str
    staff_id: int
    stage: str
    csrf_token: str
    pending_totp_secret: str | None
    created_at: datetime
    last_seen_at: datetime
    staff: StaffRow


def create_web_session(
    conn: Connection,
    *,
    id_hash: str,
    staff_id: int,
    stage: str,
    csrf_token: str,
    address: str,
    user_agent: str,
    now: datetime,
) -> None:
    conn.execute(
        staff_sessions.insert().values(
            id_hash=id_hash,
            staff_id=staff_id,
            stage=stage,
            csrf_token=csrf_token,
            address=address[:64],
            user_agent=user_agent[:200],
            created_at=now,
            last_seen_at=now,
        )
    )


def get_web_session(conn: Connection, id_hash: str) -> WebSession | None:
    s = staff_sessions
    row = conn.execute(
        sa.select(
            s.c.id_hash,
            s.c.staff_id,
            s.c.stage,
            s.c.csrf_token,
            s.c.pending_totp_secret,
            s.c.created_at,
            s.c.last_seen_at,
            staff_accounts,
        )
        .join(staff_accounts, staff_accounts.c.id == s.c.staff_id)
        .where(s.c.id_hash == id_hash)
    ).first()
    if row is None:
        return None
    return WebSession(
        id_hash=row.id_hash,
        staff_id=row.staff_id,
        stage=row.stage,
        csrf_token=row.csrf_token,
        pending_totp_secret=row.pending_totp_secret,
        created_at=row.created_at,
        last_seen_at=row.last_seen_at,
        staff=_staff(row),
    )


def update_web_session(conn: Connection, id_hash: str, **values: Any) -> None:
    conn.execute(
        staff_sessions.update().where(staff_sessions.c.id_hash == id_hash).values(**values)
    )


def delete_web_session(conn: Connection, id_hash: str) -> None:
    conn.execute(staff_sessions.delete().where(staff_sessions.c.id_hash == id_hash))


def delete_staff_sessions(conn: Connection, staff_id: int, *, keep: str | None = None) -> int:
    query = staff_sessions.delete().where(staff_sessions.c.staff_id == staff_id)
    if keep is not None:
        query = query.where(staff_sessions.c.id_hash != keep)
    return int(conn.execute(query).rowcount or 0)


def delete_stale_sessions(conn: Connection, *, seen_before: datetime) -> int:
    result = conn.execute(
        staff_sessions.delete().where(staff_sessions.c.last_seen_at < seen_before)
    )
    return int(result.rowcount or 0)


# --- login attempts -------------------------------------------------------------------------


def record_login_attempt(
    conn: Connection, *, email: str, address: str, ok: bool, now: datetime
) -> None:
    conn.execute(
        login_attempts.insert().values(
            email=normalise_email(email)[:254], address=address[:64], ok=ok, at=now
        )
    )


@dataclass(frozen=True)
class Failures:
    count: int
    last_at: datetime | None


def failures_since(
    conn: Connection, *, since: datetime, email: str | None = None, address: str | None = None
) -> Failures:
    """Failed attempts after ``since`` for an email (counted after its own last success: the
    account's owner got both steps right) or for an address (every failure: someone else
    signing in from the same address resets nothing)."""
    a = login_attempts
    conditions: list[Any] = [a.c.at >= since]
    if email is not None:
        conditions.append(a.c.email == normalise_email(email))
        last_ok = conn.execute(
            sa.select(sa.func.max(a.c.at)).where(*conditions, a.c.ok.is_(True))
        ).scalar()
        if last_ok is not None:
            conditions.append(a.c.at > last_ok)
    if address is not None:
        conditions.append(a.c.address == address)
    row = conn.execute(
        sa.select(sa.func.count(), sa.func.max(a.c.at)).where(*conditions, a.c.ok.is_(False))
    ).one()
    return Failures(int(row[0]), row[1])


@dataclass(frozen=True)
class Limits:
    """The lockout: at most ``per_email`` failures per typed email and ``per_address`` per
    client address within the window that starts at ``since``."""

    since: datetime
    per_email: int
    per_address: int


def _lock_keys(conn: Connection, keys: Iterable[str]) -> None:
    """Serialise attempts on the same email or address until the transaction ends.

    SQLite write transactions already run one at a time (BEGIN IMMEDIATE); PostgreSQL takes a
    transaction-scoped advisory lock per key, in a fixed order so two attempts cannot deadlock.
    """
    if conn.dialect.name != "postgresql":
        return
    numbers = sorted(
        int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big", signed=True)
        for key in set(keys)
    )
    for number in numbers:
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(:key)"), {"key": number})


def begin_attempt(
    conn: Connection, *, email: str, address: str, now: datetime, limits: Limits
) -> int | None:
    """Check the lockout and record the attempt as a failure in one step (None: locked out).

    Call it in a write transaction of its own before checking the credential, then
    ``settle_attempt`` once it is known to be right: until then the attempt counts, so parallel
    attempts see each other and no more than the limit are ever checked.
    """
    email = normalise_email(email)[:254]
    address = address[:64]
    _lock_keys(conn, (f"email:{email}", f"address:{address}"))
    by_email = failures_since(conn, since=limits.since, email=email)
    by_address = failures_since(conn, since=limits.since, address=address)
    if by_email.count >= limits.per_email or by_address.count >= limits.per_address:
        return None
    return insert_id(conn, login_attempts, email=email, address=address, ok=False, at=now)


def settle_attempt(conn: Connection, attempt_id: int, *, success: bool) -> None:
    """A right answer: a success (``success``; resets its email's count) when it completes a
    sign-in, else not counted at all (a password with a code still to come, a re-entered
    password). A wrong answer is left as the failure ``begin_attempt`` recorded."""
    if success:
        conn.execute(
            login_attempts.update().where(login_attempts.c.id == attempt_id).values(ok=True)
        )
    else:
        conn.execute(login_attempts.delete().where(login_attempts.c.id == attempt_id))


def delete_old_attempts(conn: Connection, *, before: datetime) -> int:
    return int(
        conn.execute(login_attempts.delete().where(login_attempts.c.at < before)).rowcount or 0
    )


# --- the inbox ------------------------------------------------------------------------------


@dataclass(frozen=True)
class InboxFilter:
    """What the inbox, its CSV export and the API can filter on; every field optional."""

    status: str | None = None
    urgent: bool | None = None
    date_from: date | None = None
    date_to: date | None = None  # inclusive
    assignee: int | None = None  # a staff id; 0 means "nobody"
    query: str = ""


def _answer_text(key: str) -> sa.ColumnElement[str]:
    text: sa.ColumnElement[str] = referrals.c.answers[key].as_string()
    return text


def _search_condition(conn: Connection, filters: InboxFilter) -> sa.ColumnElement[bool]:
    """SQL looks inside the answers when they are stored in clear; sealed, they are opened and
    matched here, among the newest SEARCH_SCAN_LIMIT referrals the other filters allow."""
    if is_sealing(conn):
        return referrals.c.id.in_(_matching_ids(conn, filters))
    needle = filters.query.strip().lower()
    like = f"%{_escape_like(needle)}%"
    options: list[sa.ColumnElement[bool]] = [
        sa.func.lower(_answer_text(key)).like(like, escape="\\")
        for key in (*NAME_FIELDS, *CONTACT_FIELDS)
    ]
    options.append(sa.func.lower(referrals.c.id) == needle)
    digits = _phone_digits(needle)
    if digits:
        # A phone number typed with dashes or spaces still finds "+17742185440".
        stripped = _answer_text("phone")
        for char in ("-", " ", "(", ")", ".", "+"):
            stripped = sa.func.replace(stripped, char, "")
        options.append(stripped.like(f"%{digits}%"))
    return sa.or_(*options)


def _phone_digits(needle: str) -> str:
    """The digits of a search that looks like (part of) a phone number, else ""."""
    digits = "".join(ch for ch in needle if ch.isdigit())
    if len(digits) >= 4 and len(digits) >= len(needle.replace(" ", "")) - 4:
        return digits
    return ""


SEARCH_SCAN_LIMIT = 10_000  # sealed answers opened per search (docs/encryption.md)


def _matching_ids(conn: Connection, filters: InboxFilter) -> list[str]:
    others = _inbox_select(conn, replace(filters, query="")).with_only_columns(
        referrals.c.id, referrals.c.answers
    )
    newest = others.order_by(referrals.c.created_at.desc()).limit(SEARCH_SCAN_LIMIT)
    needle = filters.query.strip().lower()
    return [row.id for row in conn.execute(newest) if _matches(row.id, row.answers, needle)]


def _matches(referral_id: str, answers: Any, needle: str) -> bool:
    """What the SQL search finds, on opened answers: a name or contact field containing the
    text, the referral id itself, or a phone number whatever its punctuation."""
    if referral_id.lower() == needle:
        return True
    if not isinstance(answers, dict):
        return False
    for key in (*NAME_FIELDS, *CONTACT_FIELDS):
        value = answers.get(key)
        if value is not None and needle in _as_text(value).lower():
            return True
    digits = _phone_digits(needle)
    phone = answers.get("phone")
    if digits and phone is not None:
        return digits in "".join(ch for ch in _as_text(phone) if ch not in "- ().+")
    return False


def _as_text(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value)


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _urgent_expr() -> sa.ColumnElement[bool]:
    # coalesce: NULL crisis_level must not make "not urgent" unknown (and so filter rows out).
    return sa.or_(
        referrals.c.urgent.is_(True), sa.func.coalesce(referrals.c.crisis_level, "") == "crisis"
    )


def _inbox_conditions(conn: Connection, filters: InboxFilter) -> list[sa.ColumnElement[bool]]:
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.status:
        conditions.append(referrals.c.status == filters.status)
    if filters.urgent is True:
        conditions.append(_urgent_expr())
    elif filters.urgent is False:
        conditions.append(sa.not_(_urgent_expr()))
    if filters.date_from:
        conditions.append(
            referrals.c.created_at >= datetime.combine(filters.date_from, datetime.min.time())
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to, datetime.min.time()) + timedelta(days=1)
        conditions.append(referrals.c.created_at < end)
    if filters.assignee == 0:
        conditions.append(referral_assignments.c.staff_id.is_(None))
    elif filters.assignee is not None:
        conditions.append(referral_assignments.c.staff_id == filters.assignee)
    if filters.query.strip():
        conditions.append(_search_condition(conn, filters))
    return conditions


def _inbox_select(conn: Connection, filters: InboxFilter) -> sa.Select[Any]:
    assignee = staff_accounts.alias("assignee")
    return (
        sa.select(
            referrals,
            referral_assignments.c.staff_id.label("assignee_id"),
            assignee.c.email.label("assignee_email"),
            assignee.c.name.label("assignee_name"),
            _urgent_expr().label("pinned"),
        )
        .select_from(
            referrals.outerjoin(
                referral_assignments, referral_assignments.c.referral_id == referrals.c.id
            ).outerjoin(assignee, assignee.c.id == referral_assignments.c.staff_id)
        )
        .where(*_inbox_conditions(conn, filters))
    )


def list_referrals(
    conn: Connection, filters: InboxFilter, *, limit: int | None = 50, offset: int = 0
) -> list[dict[str, Any]]:
    """The inbox: urgent (crisis-flagged) referrals pinned on top, then newest first."""
    query = _inbox_select(conn, filters).order_by(
        sa.case((_urgent_expr(), 0), else_=1), referrals.c.created_at.desc(), referrals.c.id
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_inbox_row(row) for row in conn.execute(query)]


def count_referrals(conn: Connection, filters: InboxFilter) -> int:
    subquery = _inbox_select(conn, filters).subquery()
    return int(conn.execute(sa.select(sa.func.count()).select_from(subquery)).scalar_one())


def _inbox_row(row: Any) -> dict[str, Any]:
    data = dict(row._mapping)
    data["pinned"] = bool(data["pinned"])
    data["urgent"] = bool(data["urgent"])
    return data


def get_referral_with_assignee(conn: Connection, referral_id: str) -> dict[str, Any] | None:
    return first(
        conn,
        _inbox_select(conn, InboxFilter()).where(referrals.c.id == referral_id),
        _inbox_row,
    )


def referral_name(referral: dict[str, Any]) -> str:
    """The person's name as typed (preferred name first), for lists and alerts."""
    answers = referral.get("display") or referral.get("answers") or {}
    for key in ("preferred_name", "first_name", "name", "guardian_name"):
        value = answers.get(key)
        if isinstance(value, str) and value.strip():
            return value.strip()
    return ""


# --- referral workflow ----------------------------------------------------------------------


def set_referral_status(
    conn: Connection, referral_id: str, status: str, *, staff_id: int, now: datetime
) -> str | None:
    """Change the status and record it; returns the old status (None when the referral is gone)."""
    old = conn.execute(
        sa.select(referrals.c.status).where(referrals.c.id == referral_id).with_for_update()
    ).scalar()
    if old is None:
        return None
    if old != status:
        conn.execute(
            referrals.update()
            .where(referrals.c.id == referral_id)
            .values(status=status, updated_at=now)
        )
        conn.execute(
            referral_changes.insert().values(
                referral_id=referral_id,
                staff_id=staff_id,
                kind="status",
                old_value=old,
                new_value=status,
                at=now,
            )
        )
    return str(old)


def assign_referral(
    conn: Connection, referral_id: str, assignee_id: int | None, *, staff_id: int, now: datetime
) -> None:
    """Set (or clear, with None) who follows up a referral, and record the change."""
    current = conn.execute(
        sa.select(referral_assignments.c.staff_id).where(
            referral_assignments.c.referral_id == referral_id
        )
    ).scalar()
    if current == assignee_id:
        return
    conn.execute(
        referral_assignments.delete().where(referral_assignments.c.referral_id == referral_id)
    )
    if assignee_id is not None:
        conn.execute(
            referral_assignments.insert().values(
                referral_id=referral_id, staff_id=assignee_id, assigned_by=staff_id, assigned_at=now
            )
        )
    conn.execute(
        referral_changes.insert().values(
            referral_id=referral_id,
            staff_id=staff_id,
            kind="assign",
            old_value=None if current is None else str(current),
            new_value=None if assignee_id is None else str(assignee_id),
            at=now,
        )
    )
    conn.execute(referrals.update().where(referrals.c.id == referral_id).values(updated_at=now))


def add_note(conn: Connection, referral_id: str, body: str, *, staff_id: int, now: datetime) -> int:
    return insert_id(
        conn, referral_notes, referral_id=referral_id, staff_id=staff_id, body=body, created_at=now
    )


def notes_for(conn: Connection, referral_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(referral_notes, staff_accounts.c.email, staff_accounts.c.name)
        .join(staff_accounts, staff_accounts.c.id == referral_notes.c.staff_id)
        .where(referral_notes.c.referral_id == referral_id)
        .order_by(referral_notes.c.created_at, referral_notes.c.id)
    )
    return [dict(row._mapping) for row in rows]


def changes_for(conn: Connection, referral_id: str) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(referral_changes, staff_accounts.c.email, staff_accounts.c.name)
        .outerjoin(staff_accounts, staff_accounts.c.id == referral_changes.c.staff_id)
        .where(referral_changes.c.referral_id == referral_id)
        .order_by(referral_changes.c.at, referral_changes.c.id)
    )
    return [dict(row._mapping) for row in rows]


def session_events(conn: Connection, session_id: str) -> list[dict[str, Any]]:
    """The session's event log with times, the transcript staff read (the chat area writes it)."""
    rows = conn.execute(
        sa.select(events.c.id, events.c.seq, events.c.type, events.c.payload, events.c.created_at)
        .where(events.c.session_id == session_id)
        .order_by(events.c.seq)
    )
    return [dict(row._mapping) for row in rows]


def get_chat_session(conn: Connection, session_id: str) -> dict[str, Any] | None:
    row = conn.execute(sa.select(sessions).where(sessions.c.id == session_id)).first()
    return None if row is None else dict(row._mapping)


def flagged_without_referral(
    conn: Connection, *, since: datetime, limit: int = 50
) -> list[dict[str, Any]]:
    """Conversations the safety layer flagged that never became a referral, newest first: staff
    must see them beside the inbox, not only as a notification or an audit row (issue 17.6)."""
    has_referral = sa.exists().where(referrals.c.session_id == sessions.c.id)
    query = (
        sa.select(
            sessions.c.id,
            sessions.c.urgent,
            sessions.c.crisis_level,
            sessions.c.crisis_category,
            sessions.c.locale,
            sessions.c.updated_at,
        )
        .where(
            sa.or_(sessions.c.crisis_level.is_not(None), sessions.c.urgent.is_(True)),
            ~has_referral,
            sessions.c.updated_at >= since,
        )
        .order_by(sessions.c.updated_at.desc(), sessions.c.id)
        .limit(limit)
    )
    return [dict(row._mapping) for row in conn.execute(query)]


def referral_ids_for_session(conn: Connection, session_id: str) -> list[str]:
    rows = conn.execute(
        sa.select(referrals.c.id)
        .where(referrals.c.session_id == session_id)
        .order_by(referrals.c.created_at)
    )
    return [str(row.id) for row in rows]


def flow_document(conn: Connection, flow_id: str, version: int) -> str | None:
    """The flow text a referral was collected with (labels for its answers)."""
    return conn.execute(
        sa.select(flow_versions.c.json).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.version == version
        )
    ).scalar()


# --- live push ------------------------------------------------------------------------------


def referrals_since(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    """Referrals created at or after ``since``; callers dedupe by id (commits come out of order)."""
    rows = conn.execute(
        sa.select(referrals).where(referrals.c.created_at >= since).order_by(referrals.c.created_at)
    )
    return [dict(row._mapping) for row in rows]


def crisis_events_since(conn: Connection, since: datetime) -> list[dict[str, Any]]:
    rows = conn.execute(
        sa.select(events.c.id, events.c.session_id, events.c.payload, events.c.created_at)
        .where(events.c.type == "crisis", events.c.created_at >= since)
        .order_by(events.c.created_at, events.c.id)
    )
    return [dict(row._mapping) for row in rows]


# --- the integration API --------------------------------------------------------------------


def referrals_page(
    conn: Connection,
    *,
    after: tuple[datetime, str] | None,
    limit: int,
    status: str | None = None,
    since: datetime | None = None,
) -> list[dict[str, Any]]:
    """Oldest first by (created_at, id), strictly after the cursor: stable under new arrivals."""
    query = sa.select(referrals).order_by(referrals.c.created_at, referrals.c.id).limit(limit)
    if after is not None:
        at, last_id = after
        query = query.where(
            sa.or_(
                referrals.c.created_at > at,
                sa.and_(referrals.c.created_at == at, referrals.c.id > last_id),
            )
        )
    if status:
        query = query.where(referrals.c.status == status)
    if since is not None:
        query = query.where(referrals.c.created_at >= since)
    return [dict(row._mapping) for row in conn.execute(query)]


def assignees_for(conn: Connection, referral_ids: Sequence[str]) -> dict[str, str]:
    if not referral_ids:
        return {}
    rows = conn.execute(
        sa.select(referral_assignments.c.referral_id, staff_accounts.c.email)
        .join(staff_accounts, staff_accounts.c.id == referral_assignments.c.staff_id)
        .where(referral_assignments.c.referral_id.in_(list(referral_ids)))
    )
    return {str(row.referral_id): str(row.email) for row in rows}


@dataclass(frozen=True)
class ApiToken:
    id: int
    name: str
    prefix: str
    scopes: tuple[str, ...]
    created_by: int | None
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def _token(row: Any) -> ApiToken:
    return record(ApiToken, row, scopes=tuple(row.scopes.split()))


def create_api_token(
    conn: Connection,
    *,
    name: str,
    token_hash: str,
    prefix: str,
    scopes: Iterable[str],
    created_by: int | None,
    now: datetime,
) -> int:
    return insert_id(
        conn,
        api_tokens,
        name=name,
        token_hash=token_hash,
        prefix=prefix,
        scopes=" ".join(sorted(set(scopes))),
        created_by=created_by,
        created_at=now,
    )


def find_api_token(conn: Connection, token_hash: str) -> ApiToken | None:
    return first(conn, sa.select(api_tokens).where(api_tokens.c.token_hash == token_hash), _token)


def list_api_tokens(conn: Connection) -> list[ApiToken]:
    rows = conn.execute(sa.select(api_tokens).order_by(api_tokens.c.created_at, api_tokens.c.id))
    return [_token(row) for row in rows]


def revoke_api_token(conn: Connection, token_id: int, *, now: datetime) -> bool:
    result = conn.execute(
        api_tokens.update()
        .where(api_tokens.c.id == token_id, api_tokens.c.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    return bool(result.rowcount)


def touch_api_token(conn: Connection, token_id: int, *, now: datetime) -> None:
    conn.execute(api_tokens.update().where(api_tokens.c.id == token_id).values(last_used_at=now))


# --- the audit log (the chat area owns the table; it is append-only there) ------------------


@dataclass(frozen=True)
class AuditFilter:
    actor: str = ""
    action: str = ""  # exact, or a prefix ending in "." such as "referral."
    subject: str = ""
    date_from: date | None = None
    date_to: date | None = None
    before_id: int | None = None  # paging: newest first
    actions: tuple[str, ...] = field(default=())


def audit_page(conn: Connection, filters: AuditFilter, *, limit: int = 100) -> list[dict[str, Any]]:
    query = sa.select(audit_log).order_by(audit_log.c.id.desc()).limit(limit)
    if filters.actor:
        query = query.where(audit_log.c.actor == filters.actor)
    if filters.action.endswith("."):
        query = query.where(
            audit_log.c.action.like(_escape_like(filters.action) + "%", escape="\\")
        )
    elif filters.action:
        query = query.where(audit_log.c.action == filters.action)
    if filters.subject:
        query = query.where(audit_log.c.subject == filters.subject)
    if filters.date_from:
        query = query.where(
            audit_log.c.at >= datetime.combine(filters.date_from, datetime.min.time())
        )
    if filters.date_to:
        end = datetime.combine(filters.date_to, datetime.min.time()) + timedelta(days=1)
        query = query.where(audit_log.c.at < end)
    if filters.before_id is not None:
        query = query.where(audit_log.c.id < filters.before_id)
    return [dict(row._mapping) for row in conn.execute(query)]


def audit_actions(conn: Connection) -> list[str]:
    rows = conn.execute(sa.select(audit_log.c.action).distinct().order_by(audit_log.c.action))
    return [str(row.action) for row in rows]
