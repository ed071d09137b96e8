"""Area "unanswered": questions visitors typed that no topic answered (the fallback), kept as
text only for the staff page "Questions we could not answer", until staff act on them or
retention deletes them.

No session id, no answers, no safety detail: a row is what was typed, in which flow, language and
step, and when. Crisis and concern messages are never written here (the service decides).
Imports nothing from Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import first, insert_id, metadata, utcnow
from . import record as from_row
from .conversations import BigId
from .sealed import SealedText

AREA = "unanswered"

TEXT_MAX = 2000  # the chat's own limit on a typed answer (Config.max_text_chars default)

unanswered_questions = sa.Table(
    "unanswered_questions",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("locale", sa.String(16), nullable=False),
    sa.Column("node", sa.String(64), nullable=False),
    sa.Column("text", SealedText("unanswered_questions.text"), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Index("ix_unanswered_created", "created_at"),
)

TABLES = (unanswered_questions,)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


MIGRATIONS = [_create_initial]


@dataclass(frozen=True)
class Question:
    id: int
    flow_id: str
    locale: str
    node: str
    text: str
    created_at: datetime


def _question(row: Any) -> Question:
    return from_row(Question, row)


def record(
    conn: Connection,
    *,
    flow_id: str,
    locale: str,
    node: str,
    text: str,
    now: datetime | None = None,
) -> int:
    """Keep one unanswered question; returns its id."""
    return insert_id(
        conn,
        unanswered_questions,
        flow_id=flow_id[:64],
        locale=locale[:16],
        node=node[:64],
        text=text[:TEXT_MAX],
        created_at=now or utcnow(),
    )


def list_questions(conn: Connection, *, limit: int = 200) -> list[Question]:
    """Newest first."""
    rows = conn.execute(
        sa.select(unanswered_questions)
        .order_by(unanswered_questions.c.created_at.desc(), unanswered_questions.c.id.desc())
        .limit(limit)
    )
    return [_question(row) for row in rows]


def count_questions(conn: Connection) -> int:
    query = sa.select(sa.func.count()).select_from(unanswered_questions)
    return int(conn.execute(query).scalar_one())


def get_question(conn: Connection, question_id: int) -> Question | None:
    query = sa.select(unanswered_questions).where(unanswered_questions.c.id == question_id)
    return first(conn, query, _question)


def delete_question(conn: Connection, question_id: int) -> bool:
    """False when it was already gone (another staff member acted first, or retention)."""
    gone = conn.execute(
        unanswered_questions.delete().where(unanswered_questions.c.id == question_id)
    )
    return bool(gone.rowcount)


def delete_older(conn: Connection, before: datetime) -> int:
    """Retention: every question typed before ``before``; returns how many went."""
    gone = conn.execute(
        unanswered_questions.delete().where(unanswered_questions.c.created_at < before)
    )
    return int(gone.rowcount or 0)


def count_older(conn: Connection, before: datetime) -> int:
    query = (
        sa.select(sa.func.count())
        .select_from(unanswered_questions)
        .where(unanswered_questions.c.created_at < before)
    )
    return int(conn.execute(query).scalar_one())
