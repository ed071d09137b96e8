"""Area "flows": the working draft of each flow, its publications (number, author, note, time) and
review requests. The exact text of every version lives in the chat area's ``flow_versions``.

Named queries only; the rules (who may approve, what blocks a publish) are in ``publishing.py``.
Imports nothing from Flask.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.engine import Connection

from . import first, insert_id, metadata, record, utcnow
from .conversations import BigId, flow_versions

AREA = "flows"
DEPENDS = ("chat",)

REVIEW_STATUSES = ("pending", "approved", "changes_requested", "superseded", "published")
PUBLICATION_KINDS = ("file", "publish", "rollback")

flow_drafts = sa.Table(
    "flow_drafts",
    metadata,
    sa.Column("flow_id", sa.String(64), primary_key=True),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    # Bumped by every save: a save naming an older revision was made on a stale copy and is refused.
    sa.Column("revision", sa.Integer, nullable=False),
    # The publication this draft was started from (None for a flow never published).
    sa.Column("base_number", sa.Integer, nullable=True),
    # Actors who changed the content since the last publish: none of them may approve it.
    sa.Column("editors", sa.JSON, nullable=False),
    sa.Column("updated_by", sa.String(64), nullable=False),
    sa.Column("updated_by_name", sa.String(254), nullable=False, server_default=""),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("updated_at", sa.DateTime, nullable=False),
)

flow_publications = sa.Table(
    "flow_publications",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    # The version number staff see; a rollback gets a new number pointing at an old text.
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("version_id", BigId, sa.ForeignKey("flow_versions.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("author", sa.String(64), nullable=False),
    sa.Column("author_name", sa.String(254), nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("rollback_of", sa.Integer, nullable=True),
    sa.Column("review_id", BigId, nullable=True),
    sa.Column("acknowledged", sa.JSON, nullable=False),
    sa.Column("published_at", sa.DateTime, nullable=False),
    sa.UniqueConstraint("flow_id", "number", name="uq_flow_publications_number"),
)

flow_reviews = sa.Table(
    "flow_reviews",
    metadata,
    sa.Column("id", BigId, primary_key=True, autoincrement=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("revision", sa.Integer, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("base_number", sa.Integer, nullable=True),
    sa.Column("editors", sa.JSON, nullable=False),
    sa.Column("submitted_by", sa.String(64), nullable=False),
    sa.Column("submitted_by_name", sa.String(254), nullable=False, server_default=""),
    sa.Column("note", sa.Text, nullable=False, server_default=""),
    sa.Column("submitted_at", sa.DateTime, nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("reviewer", sa.String(64), nullable=True),
    sa.Column("reviewer_name", sa.String(254), nullable=True),
    sa.Column("comment", sa.Text, nullable=True),
    sa.Column("decided_at", sa.DateTime, nullable=True),
    sa.Index("ix_flow_reviews_flow", "flow_id", "status"),
)

flow_previews = sa.Table(
    "flow_previews",
    metadata,
    # SHA-256 of the preview ticket: the ticket in a preview URL is a short-lived capability.
    sa.Column("ticket_hash", sa.String(64), primary_key=True),
    sa.Column("flow_id", sa.String(64), nullable=False),
    sa.Column("json", sa.Text, nullable=False),
    sa.Column("digest", sa.String(64), nullable=False),
    sa.Column("created_by", sa.String(64), nullable=False),
    sa.Column("created_at", sa.DateTime, nullable=False),
    sa.Column("expires_at", sa.DateTime, nullable=False),
    # The sandbox conversation the preview frame started (a sandbox token, never a visitor's).
    sa.Column("session_token", sa.String(128), nullable=True),
)

TABLES = (flow_drafts, flow_publications, flow_reviews, flow_previews)


def _create_initial(conn: Connection) -> None:
    metadata.create_all(conn, tables=list(TABLES), checkfirst=True)


def _add_preview_session(conn: Connection) -> None:
    conn.execute(sa.text("ALTER TABLE flow_previews ADD COLUMN session_token VARCHAR(128)"))


# Migration k upgrades version k to k+1; a fresh install creates the tables above directly.
MIGRATIONS = [_create_initial, _add_preview_session]


# --- drafts ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Draft:
    flow_id: str
    json: str
    digest: str
    revision: int
    base_number: int | None
    editors: tuple[str, ...]
    updated_by: str
    updated_by_name: str
    created_at: datetime
    updated_at: datetime


def _draft(row: Any) -> Draft:
    return record(Draft, row, editors=tuple(row.editors or ()))


def get_draft(conn: Connection, flow_id: str, *, lock: bool = False) -> Draft | None:
    query = sa.select(flow_drafts).where(flow_drafts.c.flow_id == flow_id)
    if lock:
        query = query.with_for_update()
    return first(conn, query, _draft)


def list_drafts(conn: Connection) -> list[Draft]:
    rows = conn.execute(sa.select(flow_drafts).order_by(flow_drafts.c.flow_id))
    return [_draft(row) for row in rows]


def create_draft(
    conn: Connection,
    flow_id: str,
    document: str,
    digest: str,
    *,
    base_number: int | None,
    actor: str,
    actor_name: str,
    now: datetime | None = None,
) -> Draft:
    now = now or utcnow()
    values: dict[str, Any] = dict(
        flow_id=flow_id,
        json=document,
        digest=digest,
        revision=1,
        base_number=base_number,
        editors=[],
        updated_by=actor,
        updated_by_name=actor_name,
        created_at=now,
        updated_at=now,
    )
    conn.execute(flow_drafts.insert().values(**values))
    return _draft(_Values(values))


class _Values:
    """Attribute access over a dict, so inserted values build the same dataclass as a row."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.__dict__.update(values)


def update_draft(conn: Connection, flow_id: str, *, expected_revision: int, **values: Any) -> bool:
    """Write only if nobody saved since ``expected_revision``; False when someone did."""
    result = conn.execute(
        flow_drafts.update()
        .where(flow_drafts.c.flow_id == flow_id, flow_drafts.c.revision == expected_revision)
        .values(revision=expected_revision + 1, **values)
    )
    return int(result.rowcount or 0) == 1


def set_draft(conn: Connection, flow_id: str, **values: Any) -> None:
    """Change bookkeeping (editors, base) without a new revision: the text stays the same."""
    conn.execute(flow_drafts.update().where(flow_drafts.c.flow_id == flow_id).values(**values))


# --- publications ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Publication:
    """One published version as staff see it, with the exact text it points at."""

    flow_id: str
    number: int
    kind: str
    author: str
    author_name: str
    note: str
    rollback_of: int | None
    review_id: int | None
    acknowledged: list[dict[str, Any]]
    published_at: datetime
    version_id: int
    content_version: int  # flow_versions.version: what sessions and referrals record
    digest: str
    json: str


def _publication_select() -> sa.Select[Any]:
    return sa.select(
        flow_publications,
        flow_versions.c.version.label("content_version"),
        flow_versions.c.digest,
        flow_versions.c.json,
    ).join(flow_versions, flow_versions.c.id == flow_publications.c.version_id)


def _publication(row: Any) -> Publication:
    return record(Publication, row, acknowledged=list(row.acknowledged or []))


def current_publication(conn: Connection, flow_id: str) -> Publication | None:
    return first(
        conn,
        _publication_select()
        .where(flow_publications.c.flow_id == flow_id)
        .order_by(flow_publications.c.number.desc())
        .limit(1),
        _publication,
    )


_CURRENT_DIGEST = (
    sa.select(flow_versions.c.digest)
    .join(flow_publications, flow_versions.c.id == flow_publications.c.version_id)
    .where(flow_publications.c.flow_id == sa.bindparam("flow_id"))
    .order_by(flow_publications.c.number.desc())
    .limit(1)
)


def current_publication_digest(conn: Connection, flow_id: str) -> str | None:
    """Only the digest of the latest publication: each new visitor asks, and the flow's text
    (tens of KB) is needed only when this process has not parsed that version yet."""
    return first(conn, _CURRENT_DIGEST, lambda row: str(row.digest), {"flow_id": flow_id})


def get_publication(conn: Connection, flow_id: str, number: int) -> Publication | None:
    return first(
        conn,
        _publication_select().where(
            flow_publications.c.flow_id == flow_id, flow_publications.c.number == number
        ),
        _publication,
    )


def list_publications(conn: Connection, flow_id: str) -> list[Publication]:
    """Newest first."""
    rows = conn.execute(
        _publication_select()
        .where(flow_publications.c.flow_id == flow_id)
        .order_by(flow_publications.c.number.desc())
    )
    return [_publication(row) for row in rows]


def published_flow_ids(conn: Connection) -> list[str]:
    rows = conn.execute(sa.select(flow_publications.c.flow_id).distinct())
    return sorted(row.flow_id for row in rows)


def version_id(conn: Connection, flow_id: str, digest: str) -> int | None:
    row = conn.execute(
        sa.select(flow_versions.c.id).where(
            flow_versions.c.flow_id == flow_id, flow_versions.c.digest == digest
        )
    ).first()
    return None if row is None else int(row.id)


def lock_publications(conn: Connection) -> None:
    """Serialise publishing across processes on PostgreSQL (SQLite has one writer already); held
    until the transaction ends, and taken again harmlessly by the same transaction."""
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SELECT pg_advisory_xact_lock(4242002)"))


def insert_publication(
    conn: Connection,
    *,
    flow_id: str,
    version_id: int,
    kind: str,
    author: str,
    author_name: str = "",
    note: str = "",
    rollback_of: int | None = None,
    review_id: int | None = None,
    acknowledged: list[dict[str, Any]] | None = None,
    now: datetime | None = None,
) -> int:
    """The next number for this flow."""
    lock_publications(conn)
    last = conn.execute(
        sa.select(sa.func.max(flow_publications.c.number)).where(
            flow_publications.c.flow_id == flow_id
        )
    ).scalar()
    number = int(last or 0) + 1
    conn.execute(
        flow_publications.insert().values(
            flow_id=flow_id,
            number=number,
            version_id=version_id,
            kind=kind,
            author=author,
            author_name=author_name,
            note=note,
            rollback_of=rollback_of,
            review_id=review_id,
            acknowledged=list(acknowledged or []),
            published_at=now or utcnow(),
        )
    )
    return number


# --- reviews --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Review:
    id: int
    flow_id: str
    revision: int
    digest: str
    json: str
    base_number: int | None
    editors: tuple[str, ...]
    submitted_by: str
    submitted_by_name: str
    note: str
    submitted_at: datetime
    status: str
    reviewer: str | None
    reviewer_name: str | None
    comment: str | None
    decided_at: datetime | None


def _review(row: Any) -> Review:
    return record(Review, row, editors=tuple(row.editors or ()))


def insert_review(
    conn: Connection,
    *,
    flow_id: str,
    revision: int,
    digest: str,
    document: str,
    base_number: int | None,
    editors: list[str],
    submitted_by: str,
    submitted_by_name: str,
    note: str,
    now: datetime | None = None,
) -> int:
    return insert_id(
        conn,
        flow_reviews,
        flow_id=flow_id,
        revision=revision,
        digest=digest,
        json=document,
        base_number=base_number,
        editors=list(editors),
        submitted_by=submitted_by,
        submitted_by_name=submitted_by_name,
        note=note,
        submitted_at=now or utcnow(),
        status="pending",
    )


def get_review(conn: Connection, review_id: int) -> Review | None:
    return first(conn, sa.select(flow_reviews).where(flow_reviews.c.id == review_id), _review)


def latest_review(conn: Connection, flow_id: str) -> Review | None:
    return first(
        conn,
        sa.select(flow_reviews)
        .where(flow_reviews.c.flow_id == flow_id)
        .order_by(flow_reviews.c.id.desc())
        .limit(1),
        _review,
    )


def list_reviews(conn: Connection, flow_id: str, *, limit: int = 50) -> list[Review]:
    rows = conn.execute(
        sa.select(flow_reviews)
        .where(flow_reviews.c.flow_id == flow_id)
        .order_by(flow_reviews.c.id.desc())
        .limit(limit)
    )
    return [_review(row) for row in rows]


def pending_reviews(conn: Connection) -> list[Review]:
    rows = conn.execute(
        sa.select(flow_reviews)
        .where(flow_reviews.c.status == "pending")
        .order_by(flow_reviews.c.id)
    )
    return [_review(row) for row in rows]


def decide_review(
    conn: Connection,
    review_id: int,
    *,
    status: str,
    reviewer: str,
    reviewer_name: str,
    comment: str,
    now: datetime | None = None,
) -> bool:
    """Only a pending review can be decided (two reviewers at once: the second finds it done)."""
    result = conn.execute(
        flow_reviews.update()
        .where(flow_reviews.c.id == review_id, flow_reviews.c.status == "pending")
        .values(
            status=status,
            reviewer=reviewer,
            reviewer_name=reviewer_name,
            comment=comment,
            decided_at=now or utcnow(),
        )
    )
    return int(result.rowcount or 0) == 1


def set_review_status(conn: Connection, review_id: int, status: str) -> None:
    conn.execute(flow_reviews.update().where(flow_reviews.c.id == review_id).values(status=status))


def supersede_open_reviews(conn: Connection, flow_id: str) -> list[int]:
    """Reviews of a text that has since changed no longer apply; returns their ids."""
    rows = conn.execute(
        sa.select(flow_reviews.c.id).where(
            flow_reviews.c.flow_id == flow_id,
            flow_reviews.c.status.in_(("pending", "approved")),
        )
    ).all()
    ids = [int(row.id) for row in rows]
    if ids:
        conn.execute(
            flow_reviews.update().where(flow_reviews.c.id.in_(ids)).values(status="superseded")
        )
    return ids


# --- preview tickets ------------------------------------------------------------------------


@dataclass(frozen=True)
class PreviewTicket:
    ticket_hash: str
    flow_id: str
    json: str
    digest: str
    created_by: str
    created_at: datetime
    expires_at: datetime
    session_token: str | None = None


def insert_preview(
    conn: Connection,
    *,
    ticket_hash: str,
    flow_id: str,
    document: str,
    digest: str,
    created_by: str,
    now: datetime,
    expires_at: datetime,
) -> None:
    conn.execute(flow_previews.delete().where(flow_previews.c.expires_at < now))
    conn.execute(
        flow_previews.insert().values(
            ticket_hash=ticket_hash,
            flow_id=flow_id,
            json=document,
            digest=digest,
            created_by=created_by,
            created_at=now,
            expires_at=expires_at,
        )
    )


def get_preview(conn: Connection, ticket_hash: str) -> PreviewTicket | None:
    row = conn.execute(
        sa.select(flow_previews).where(flow_previews.c.ticket_hash == ticket_hash)
    ).first()
    if row is None:
        return None
    return PreviewTicket(
        row.ticket_hash,
        row.flow_id,
        row.json,
        row.digest,
        row.created_by,
        row.created_at,
        row.expires_at,
        row.session_token,
    )


def set_preview_token(conn: Connection, ticket_hash: str, token: str) -> None:
    conn.execute(
        flow_previews.update()
        .where(flow_previews.c.ticket_hash == ticket_hash)
        .values(session_token=token)
    )
