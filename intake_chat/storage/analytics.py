"""Area "analytics": one row per conversation for the drop-off funnel (``funnel_conversations``),
written in the transaction of the turn that moved it, and the aggregate reads behind the staff
page and the CLI. Rows hold step ids, flags and a day, never anything a visitor typed; erasure
deletes a conversation's row, retention keeps it without its link (docs/analytics.md).
Imports nothing from Flask.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from ..core.flows import iter_nodes
from ..core.funnel import MILESTONES, Reached
from ..core.funnel_report import DayCounts, StepCount
from . import metadata
from .conversations import BigId, flow_versions

AREA = "analytics"
DEPENDS = ("chat",)

funnel_conversations = sa.Table(
    "funnel_conversations",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    # No foreign key: the row outlives its conversation once retention deleted that (detached:
    # session_id and started_at are emptied then), and erasure deletes it with the conversation.
    sa.Column("session_id", sa.String(32), nullable=True, unique=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("flow_version", sa.Integer, nullable=False),
    sa.Column("day", sa.Date, nullable=False),  # the practice's calendar day the chat started
    sa.Column("started_at", sa.DateTime, nullable=True),
    sa.Column("last_node", sa.String(64), nullable=True),  # the step it waits at (a flow node id)
    *(
        sa.Column(name, sa.Boolean, nullable=False, server_default=sa.false())
        for name in MILESTONES
    ),
    sa.Index("ix_funnel_day_flow", "day", "flow_id", "flow_version"),
)

TABLES = (funnel_conversations,)
MIGRATIONS: list[Any] = []  # a fresh area: created in its latest shape


@dataclass(frozen=True)
class Filter:
    """Which conversations a report counts: started between two days (inclusive), on one flow
    version or on all."""

    date_from: date | None = None
    date_to: date | None = None
    flow_id: str | None = None
    flow_version: int | None = None


def start_conversation(
    conn: Connection,
    *,
    session_id: str,
    flow_id: str,
    flow_version: int,
    day: date,
    now: datetime,
) -> None:
    conn.execute(
        _INSERT,
        {
            "session_id": session_id,
            "flow_id": flow_id,
            "flow_version": flow_version,
            "day": day,
            "started_at": now,
            **{name: False for name in MILESTONES},
        },
    )


_INSERT = funnel_conversations.insert()


# Built once: building an UPDATE per turn cost five times its execution (bench/analytics_turn.py).
# A milestone only goes from false to true; the step stays when the turn did not move.
_TABLE = funnel_conversations.c
_RECORD_TURN = (
    funnel_conversations.update()
    .where(_TABLE.session_id == sa.bindparam("key"))
    .values(
        last_node=sa.func.coalesce(sa.bindparam("node", type_=sa.String), _TABLE.last_node),
        **{name: sa.or_(_TABLE[name], sa.bindparam(name, type_=sa.Boolean)) for name in MILESTONES},
    )
)


def record_turn(conn: Connection, session_id: str, reached: Reached) -> None:
    """What a turn reached: its step (if it moved) and the milestones it passed."""
    params = {name: bool(getattr(reached, name)) for name in MILESTONES}
    conn.execute(_RECORD_TURN, {"key": session_id, "node": reached.last_node, **params})


def forget(conn: Connection, session_ids: Sequence[str]) -> int:
    """Erasure: the conversations' rows go with them."""
    result = conn.execute(
        funnel_conversations.delete().where(
            funnel_conversations.c.session_id.in_(list(session_ids))
        )
    )
    return int(result.rowcount or 0)


def detach(conn: Connection, session_ids: Sequence[str]) -> int:
    """Retention deleted these conversations: their rows keep counting, without the session id
    or the time of day that could tie them to one visitor."""
    result = conn.execute(
        funnel_conversations.update()
        .where(funnel_conversations.c.session_id.in_(list(session_ids)))
        .values(session_id=sa.null(), started_at=sa.null())
    )
    return int(result.rowcount or 0)


def _where(filters: Filter) -> list[sa.ColumnElement[bool]]:
    table = funnel_conversations.c
    conditions: list[sa.ColumnElement[bool]] = []
    if filters.date_from is not None:
        conditions.append(table.day >= filters.date_from)
    if filters.date_to is not None:
        conditions.append(table.day <= filters.date_to)
    if filters.flow_id is not None:
        conditions.append(table.flow_id == filters.flow_id)
    if filters.flow_version is not None:
        conditions.append(table.flow_version == filters.flow_version)
    return conditions


def _count_true(column: sa.ColumnElement[Any]) -> sa.ColumnElement[Any]:
    return sa.func.coalesce(sa.func.sum(sa.case((column == sa.true(), 1), else_=0)), 0)


def day_counts(conn: Connection, filters: Filter) -> list[DayCounts]:
    """Conversations started per day and flow version, and how many reached each milestone."""
    table = funnel_conversations.c
    keys = (table.day, table.flow_id, table.flow_version)
    query = (
        sa.select(
            *keys,
            sa.func.count().label("started"),
            *(_count_true(table[name]).label(name) for name in MILESTONES),
        )
        .where(*_where(filters))
        .group_by(*keys)
        .order_by(*keys)
    )
    return [
        DayCounts(
            day=row.day,
            flow_id=row.flow_id,
            flow_version=int(row.flow_version),
            started=int(row.started),
            **{name: int(getattr(row, name)) for name in MILESTONES},
        )
        for row in conn.execute(query)
    ]


def drop_off(conn: Connection, filters: Filter) -> list[StepCount]:
    """Conversations that neither sent a referral nor reached a person, by the step they were
    last at (per flow version: step ids belong to a version)."""
    table = funnel_conversations.c
    keys = (table.flow_id, table.flow_version, table.last_node)
    query = (
        sa.select(*keys, sa.func.count().label("stopped"))
        .where(*_where(filters), table.submitted == sa.false(), table.handoff == sa.false())
        .group_by(*keys)
    )
    return [
        StepCount(row.flow_id, int(row.flow_version), row.last_node, int(row.stopped))
        for row in conn.execute(query)
    ]


def versions(conn: Connection) -> list[tuple[str, int]]:
    """The flow versions that have conversations counted, newest first per flow."""
    table = funnel_conversations.c
    query = (
        sa.select(table.flow_id, table.flow_version)
        .distinct()
        .order_by(table.flow_id, table.flow_version.desc())
    )
    return [(row.flow_id, int(row.flow_version)) for row in conn.execute(query)]


def step_outline(conn: Connection, flow_id: str, version: int) -> dict[str, dict[str, Any]]:
    """Each step of a stored flow version by id: its type and the flow's own words for it (the
    flow document, never a visitor's), for labelling the drop-off table. Empty when unknown."""
    row = conn.execute(
        sa.select(flow_versions.c.json).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.version == version
        )
    ).first()
    if row is None:
        return {}
    document = json.loads(row.json)
    return {str(node["id"]): node for _section, _index, node in iter_nodes(document)}
