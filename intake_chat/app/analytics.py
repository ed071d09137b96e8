"""The analytics report, read once for the staff page and the CLI: the counts and drop-off from
storage/analytics.py, each flow version's steps for their labels, shaped by core/funnel_report.py.
Imports nothing from Flask.
"""

from __future__ import annotations

from datetime import date, timedelta

from ..core.funnel_report import Report, build
from ..storage import Database
from ..storage import analytics as store
from ..storage.analytics import Filter

__all__ = ["DEFAULT_DAYS", "Filter", "Report", "default_filter", "report", "versions"]

DEFAULT_DAYS = 30  # what the page shows before a range is chosen: the last 30 days


def default_filter(today: date) -> Filter:
    return Filter(date_from=today - timedelta(days=DEFAULT_DAYS - 1), date_to=today)


def report(db: Database, filters: Filter) -> Report:
    """The funnel, per-day counts and drop-off for the conversations ``filters`` selects."""
    with db.read() as conn:
        rows = store.day_counts(conn, filters)
        steps = store.drop_off(conn, filters)
        wanted = {(step.flow_id, step.flow_version) for step in steps}
        outlines = {key: store.step_outline(conn, *key) for key in sorted(wanted)}
    return build(rows, steps, outlines)


def versions(db: Database) -> list[tuple[str, int]]:
    """The flow versions with counted conversations (for the version filter)."""
    with db.read() as conn:
        return store.versions(conn)
