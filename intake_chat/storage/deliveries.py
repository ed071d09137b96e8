"""Area "notify": one delivery row per outbox row and channel, with its lease, retries and result.

The outbox row (area "chat") says *what happened*; a delivery says *who must hear of it* and how
far that got, so a working email is never re-sent because the webhook failed. No Flask imports.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import first, metadata, record
from .conversations import BigId, append_audit, outbox

AREA = "notify"
DEPENDS = ("chat",)

# What the outbox row becomes once its deliveries exist (the chat area writes "pending"), or when
# it cannot be read at all (kept, with the reason, for an admin to see).
DISPATCHED = "dispatched"
UNUSABLE = "unusable"

deliveries = sa.Table(
    "notify_deliveries",
    metadata,
    # Random, stable across attempts: the X-Intake-Delivery header receivers deduplicate by.
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("outbox_id", BigId, sa.ForeignKey("outbox.id"), nullable=False, index=True),
    sa.Column("event", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("target", sa.String(320), nullable=False),
    # The notice as frozen at fan-out (never personal details; those are added at send time).
    sa.Column("notice", sa.JSON, nullable=False),
    sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.DateTime, nullable=False),
    # Set while a worker holds the lease; its results only count while it still holds it.
    sa.Column("claim", sa.String(32), nullable=True),
    sa.Column("last_error", sa.Text, nullable=True),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
    sa.Column("delivered_at", sa.DateTime, nullable=True),
    sa.Index("ix_notify_deliveries_due", "status", "next_attempt_at"),
)

TABLES = (deliveries,)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


MIGRATIONS = [_create_initial]

STATUSES = ("pending", "delivered", "failed")


@dataclass(frozen=True)
class Delivery:
    """One message to one channel target; ``attempts`` counts claims, so a crash counts too."""

    id: str
    outbox_id: int
    event: str
    channel: str
    target: str
    notice: dict[str, Any]
    status: str
    attempts: int
    next_attempt_at: datetime
    claim: str | None
    last_error: str | None
    created_at: datetime
    updated_at: datetime
    delivered_at: datetime | None


def _delivery(row: Any) -> Delivery:
    return record(Delivery, row)


def pending_outbox(conn: Connection, kinds: Sequence[str], *, limit: int) -> list[dict[str, Any]]:
    """Outbox rows of these kinds that have no deliveries yet, oldest first."""
    query = (
        sa.select(outbox)
        .where(outbox.c.status == "pending", outbox.c.kind.in_(list(kinds)))
        .order_by(outbox.c.id)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        query = query.with_for_update(skip_locked=True)
    return [dict(row._mapping) for row in conn.execute(query)]


def count_pending_outbox(conn: Connection, kinds: Sequence[str]) -> int:
    query = sa.select(sa.func.count()).where(
        outbox.c.status == "pending", outbox.c.kind.in_(list(kinds))
    )
    return int(conn.execute(query).scalar_one())


def dispatch(
    conn: Connection,
    outbox_id: int,
    event: str,
    notice: Mapping[str, Any],
    targets: Sequence[tuple[str, str]],
    *,
    now: datetime,
) -> list[str]:
    """Turn one pending outbox row into one delivery per (channel, target); returns their ids.

    The status check makes this safe when two workers race: the loser changes nothing.
    """
    taken = conn.execute(
        outbox.update()
        .where(outbox.c.id == outbox_id, outbox.c.status == "pending")
        .values(status=DISPATCHED, last_error=None)
    )
    if not taken.rowcount:
        return []
    rows = [
        dict(
            id=uuid.uuid4().hex,
            outbox_id=outbox_id,
            event=event,
            channel=channel,
            target=target,
            notice=dict(notice),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
            updated_at=now,
        )
        for channel, target in targets
    ]
    if rows:
        conn.execute(deliveries.insert(), rows)
    return [str(row["id"]) for row in rows]


def mark_outbox_unusable(conn: Connection, outbox_id: int, error: str) -> None:
    """One unreadable row must not stop every notification behind it."""
    conn.execute(
        outbox.update()
        .where(outbox.c.id == outbox_id, outbox.c.status == "pending")
        .values(status=UNUSABLE, last_error=error[:2000])
    )


def count_unusable_outbox(conn: Connection, kinds: Sequence[str]) -> int:
    query = sa.select(sa.func.count()).where(
        outbox.c.status == UNUSABLE, outbox.c.kind.in_(list(kinds))
    )
    return int(conn.execute(query).scalar_one())


def any_due(conn: Connection, *, now: datetime) -> bool:
    """A read-only look first, so an idle worker never takes the write lock."""
    return conn.execute(_ANY_DUE, {"now": now}).first() is not None


# Built once: every referral wakes the worker, which asks this first.
_ANY_DUE = (
    sa.select(deliveries.c.id)
    .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= sa.bindparam("now"))
    .limit(1)
)


def claim_due(
    conn: Connection, *, now: datetime, lease_until: datetime, token: str, limit: int = 1
) -> list[Delivery]:
    """Lease up to ``limit`` due deliveries to the caller.

    Claiming moves ``next_attempt_at`` to the lease end while the row stays ``pending``: a worker
    that dies mid-send leaves a row that simply becomes due again when the lease runs out.
    PostgreSQL workers skip rows another worker has locked; SQLite has one writer at a time.
    """
    due = (
        sa.select(deliveries.c.id)
        .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
        .order_by(deliveries.c.next_attempt_at, deliveries.c.created_at)
        .limit(limit)
    )
    if conn.dialect.name == "postgresql":
        due = due.with_for_update(skip_locked=True)
    ids = [row.id for row in conn.execute(due)]
    if not ids:
        return []
    conn.execute(
        deliveries.update()
        .where(
            deliveries.c.id.in_(ids),
            deliveries.c.status == "pending",
            deliveries.c.next_attempt_at <= now,
        )
        .values(
            claim=token,
            next_attempt_at=lease_until,
            attempts=deliveries.c.attempts + 1,
            updated_at=now,
        )
    )
    rows = conn.execute(
        sa.select(deliveries).where(deliveries.c.id.in_(ids), deliveries.c.claim == token)
    )
    return [_delivery(row) for row in rows]


def mark_delivered(conn: Connection, delivery_id: str, *, now: datetime) -> bool:
    """Delivered is a fact whoever learned it; only a row already delivered is left alone."""
    result = conn.execute(
        deliveries.update()
        .where(deliveries.c.id == delivery_id, deliveries.c.status != "delivered")
        .values(status="delivered", delivered_at=now, claim=None, last_error=None, updated_at=now)
    )
    return bool(result.rowcount)


def mark_attempt_failed(
    conn: Connection,
    delivery_id: str,
    *,
    token: str,
    error: str,
    retry_at: datetime | None,
    now: datetime,
) -> bool:
    """Schedule the next attempt, or give up (``retry_at`` None) so an admin sees it as failed.

    Ignored when the lease was lost: the worker that holds it now decides.
    """
    values: dict[str, Any] = dict(claim=None, last_error=error[:2000], updated_at=now)
    if retry_at is None:
        values["status"] = "failed"
    else:
        values["next_attempt_at"] = retry_at
    result = conn.execute(
        deliveries.update()
        .where(
            deliveries.c.id == delivery_id,
            deliveries.c.claim == token,
            deliveries.c.status == "pending",
        )
        .values(**values)
    )
    return bool(result.rowcount)


def retry_failed(
    conn: Connection, *, actor: str, now: datetime, delivery_id: str | None = None
) -> int:
    """An admin's "retry": failed deliveries (one, or all) get a fresh round of attempts now."""
    query = deliveries.update().where(deliveries.c.status == "failed")
    if delivery_id is not None:
        query = query.where(deliveries.c.id == delivery_id)
    result = conn.execute(
        query.values(status="pending", attempts=0, next_attempt_at=now, claim=None, updated_at=now)
    )
    count = int(result.rowcount or 0)
    if count:
        append_audit(
            conn,
            actor=actor,
            action="notification.retry",
            subject=delivery_id or "all-failed",
            detail={"count": count},
            now=now,
        )
    return count


def get_delivery(conn: Connection, delivery_id: str) -> Delivery | None:
    return first(conn, sa.select(deliveries).where(deliveries.c.id == delivery_id), _delivery)


def list_deliveries(
    conn: Connection,
    *,
    status: str | None = None,
    outbox_id: int | None = None,
    limit: int = 200,
) -> list[Delivery]:
    """Newest first: what the admin page and ``intake-chat notify status`` show."""
    query = sa.select(deliveries).order_by(
        deliveries.c.created_at.desc(), deliveries.c.outbox_id.desc(), deliveries.c.channel
    )
    if status is not None:
        query = query.where(deliveries.c.status == status)
    if outbox_id is not None:
        query = query.where(deliveries.c.outbox_id == outbox_id)
    return [_delivery(row) for row in conn.execute(query.limit(limit))]


def count_by_status(conn: Connection) -> dict[str, int]:
    rows = conn.execute(
        sa.select(deliveries.c.status, sa.func.count()).group_by(deliveries.c.status)
    )
    counts = {status: 0 for status in STATUSES}
    counts.update({row[0]: int(row[1]) for row in rows})
    return counts
