"""``intake-chat analytics``: the drop-off funnel in the terminal, or its tables as CSV (the same
figures as the console's Analytics page; docs/analytics.md)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import click

from ..app import analytics
from ..core import referral_view
from ..core.funnel_report import Report, percent
from .db_commands import open_database


def _version(raw: str | None) -> tuple[str | None, int | None]:
    if not raw:
        return None, None
    flow_id, _, number = raw.rpartition(":")
    if not flow_id or not number.isdigit():
        raise click.BadParameter(
            "write it as FLOW:VERSION, for example intake:3", param_hint="--version"
        )
    return flow_id, int(number)


def _lines(report: Report, filters: analytics.Filter) -> list[str]:
    span = f"{filters.date_from or 'the first day'} to {filters.date_to or 'today'}"
    which = (
        f"{filters.flow_id} version {filters.flow_version}" if filters.flow_id else "every version"
    )
    width = max(len(bar.label) for bar in report.bars)
    lines = [f"Conversations started {span}, {which}:"]
    lines += [f"  {b.label:<{width}}  {b.count:>6}  {percent(b.share):>4}" for b in report.bars]
    lines.append("Drop-off per step (no referral, no person):")
    if not report.drop_off:
        lines.append("  none")
    for row in report.drop_off:
        kind = f"{row.kind}, " if row.kind else ""
        where = f"{row.node} ({kind}{row.flow_id} v{row.flow_version})"
        lines.append(f"  {where:<{width + 20}}  {row.count:>6}  {percent(row.share):>4}")
    return lines


@click.command("analytics")
@click.option(
    "--from", "date_from", type=click.DateTime(["%Y-%m-%d"]), help="First day (YYYY-MM-DD)."
)
@click.option("--to", "date_to", type=click.DateTime(["%Y-%m-%d"]), help="Last day (YYYY-MM-DD).")
@click.option("--all-days", is_flag=True, help="Every day counted (default: the last 30 days).")
@click.option("--version", "version", metavar="FLOW:VERSION", help="One flow version only.")
@click.option(
    "--csv",
    "csv_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write a CSV file instead of printing ('-': standard output).",
)
@click.option(
    "--table",
    type=click.Choice(["funnel", "drop-off"]),
    default="funnel",
    show_default=True,
    help="With --csv: counts per day and flow version, or drop-off per step.",
)
def analytics_command(
    date_from: datetime | None,
    date_to: datetime | None,
    all_days: bool,
    version: str | None,
    csv_path: Path | None,
    table: str,
) -> None:
    """Print the drop-off funnel: conversations started, consent given, referral started and
    submitted, hand-offs, crisis and concern flags, and where the rest stopped. Counted from
    step ids and flags only, never from what visitors typed."""
    flow_id, flow_version = _version(version)
    db, config = open_database()
    try:
        today = datetime.now(ZoneInfo(config.timezone)).date()
        default = analytics.Filter() if all_days else analytics.default_filter(today)
        if date_from or date_to:  # a range given: only what it names
            first = date_from.date() if date_from else None
            last = date_to.date() if date_to else None
        else:
            first, last = default.date_from, default.date_to
        if first and last and first > last:
            raise click.BadParameter("--from must not be after --to", param_hint="--from")
        filters = analytics.Filter(first, last, flow_id, flow_version)
        report = analytics.report(db, filters)
    finally:
        db.dispose()
    if csv_path is None:
        click.echo("\n".join(_lines(report, filters)))
        return
    header, rows = report.day_table() if table == "funnel" else report.drop_off_table()
    text = referral_view.csv_text(header, rows)
    if str(csv_path) == "-":
        click.echo(text, nl=False)
        return
    csv_path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {csv_path} ({len(rows)} rows)", err=True)
