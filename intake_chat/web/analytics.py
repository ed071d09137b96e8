"""Blueprint ``analytics`` (/staff/analytics): the drop-off funnel for the ``admin`` and ``editor``
roles: a chart drawn server-side as inline SVG (core/funnel_chart.py) with the same figures as a
table, counts per day, drop-off per step, filters for dates and flow version, and CSV downloads.
What is counted, and what never is, is in docs/analytics.md.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from flask import Blueprint, Response, render_template, request
from markupsafe import Markup

from ..app import analytics
from ..core import funnel_chart, referral_view
from ..core.funnel_report import build, percent
from ..storage import utcnow
from . import auth
from .auth import require_role
from .console import parse_date
from .context import get_db

bp = Blueprint("analytics", __name__, url_prefix="/staff/analytics")

ROLES: tuple[auth.Role, ...] = ("admin", "editor")
TABLES = ("funnel", "drop-off")


def _today() -> date:
    return datetime.now(ZoneInfo(auth.config().timezone)).date()


def _version(raw: str, problems: list[str]) -> tuple[str | None, int | None]:
    """``flow:version`` from the filter (empty: every version)."""
    if not raw:
        return None, None
    flow_id, _, number = raw.rpartition(":")
    if flow_id and number.isascii() and number.isdigit() and len(number) <= 9:
        return flow_id[:64], int(number)
    problems.append("Choose a flow version from the list.")
    return None, None


def _filters(args: Any) -> tuple[analytics.Filter, list[str]]:
    """The filters from query parameters (the last 30 days when none); bad values are reported,
    never a 500."""
    problems: list[str] = []
    default = analytics.default_filter(_today())
    chosen = "from" in args or "to" in args
    first = parse_date(args.get("from", ""), "From", problems)
    last = parse_date(args.get("to", ""), "To", problems)
    if first and last and first > last:
        problems.append("From must not be after To.")
    flow_id, version = _version(args.get("version", ""), problems)
    filters = analytics.Filter(
        date_from=first if chosen else default.date_from,
        date_to=last if chosen else default.date_to,
        flow_id=flow_id,
        flow_version=version,
    )
    return filters, problems


@bp.get("/")
@require_role(*ROLES)
def page() -> Response:
    filters, problems = _filters(request.args)
    status = 400 if problems else 200
    # With a bad filter the figures shown could not match the form: show none rather than others.
    report = build([], [], {}) if problems else analytics.report(get_db(), filters)
    html = render_template(
        "staff/analytics.html",
        report=report,
        chart=Markup(funnel_chart.svg(report)),  # noqa: S704 -- built with escape() throughout
        filters=filters,
        problems=problems,
        versions=analytics.versions(get_db()),
        percent=percent,
        args={k: v for k, v in request.args.items() if k in ("from", "to", "version")},
    )
    return Response(html, status=status)


@bp.get('/<any(funnel, "drop-off"):table>.csv')
@require_role(*ROLES)
def download(table: str) -> Response:
    filters, problems = _filters(request.args)
    if problems:
        return auth.refuse(400, "bad_filter", " ".join(problems))
    report = analytics.report(get_db(), filters)
    header, rows = report.day_table() if table == "funnel" else report.drop_off_table()
    with get_db().transaction() as conn:
        auth.audit(conn, "analytics.export", "analytics", {"table": table, "rows": len(rows)})
    stamp = utcnow().replace(tzinfo=UTC).astimezone(ZoneInfo(auth.config().timezone))
    response = Response(referral_view.csv_text(header, rows), mimetype="text/csv")
    name = f"analytics-{table}-{stamp:%Y%m%d-%H%M}.csv"
    response.headers["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
