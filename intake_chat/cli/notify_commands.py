"""``intake-chat notify …``: deliver staff notifications from the outbox, show and retry them.

``run --once`` suits cron or a systemd timer; ``run`` alone keeps delivering in the foreground.
"""

from __future__ import annotations

import time
from datetime import datetime

import click

from ..app import notifier as notify
from .db_commands import open_database


def _outbox() -> notify.Outbox:
    return notify.outbox_for(*open_database())


def _when(moment: datetime | None) -> str:
    return "-" if moment is None else moment.strftime("%Y-%m-%d %H:%M:%S")


def _echo_report(report: notify.Report) -> None:
    click.echo(
        f"dispatched {report.dispatched}, delivered {report.delivered}, "
        f"retrying {report.retrying}, failed {report.failed}"
    )


@click.group("notify")
def group() -> None:
    """Deliver staff notifications (email, webhook) from the outbox."""


@group.command("run")
@click.option("--once", is_flag=True, help="One pass over what is due, then exit (for cron).")
def run(once: bool) -> None:
    """Deliver due notifications; several copies may run at once without double work.

    The web server already delivers from a background thread; use this when that thread is off
    or to drain the outbox by hand. Exits 1 after --once if a delivery gave up (status failed).
    """
    outbox = _outbox()
    for problem in outbox.settings.problems():
        click.echo(f"warning: {problem}", err=True)
    if once:
        report = outbox.run_once()
        _echo_report(report)
        if report.failed:
            raise SystemExit(1)
        return
    click.echo("delivering notifications; press Ctrl-C to stop", err=True)
    try:
        while True:
            report = outbox.run_once()
            if report.dispatched or report.delivered or report.retrying or report.failed:
                _echo_report(report)
            time.sleep(outbox.settings.poll_seconds)
    except KeyboardInterrupt:
        click.echo("stopped", err=True)


@group.command("status")
@click.option(
    "--status",
    "status",
    type=click.Choice(["pending", "delivered", "failed"]),
    help="Only deliveries in this state.",
)
@click.option("--limit", default=20, show_default=True, help="How many recent deliveries.")
def status(status: str | None, limit: int) -> None:
    """Counts by state, settings problems, and the most recent deliveries."""
    outbox = _outbox()
    summary = outbox.summary()
    counts = summary["counts"]
    click.echo(
        f"pending {counts['pending']}, delivered {counts['delivered']}, "
        f"failed {counts['failed']}, waiting for a channel {summary['waiting']}"
    )
    for problem in summary["problems"]:
        click.echo(f"warning: {problem}")
    for row in outbox.rows(status=status, limit=limit):
        click.echo(
            f"{row.id}  {row.status:<9} {row.channel:<7} {row.event:<15} "
            f"referral {row.referral_id or '-'}  attempts {row.attempts}  "
            f"created {_when(row.created_at)}  next {_when(row.next_attempt_at)}  "
            f"{row.last_error or ''}".rstrip()
        )


@group.command("retry")
@click.argument("delivery_id", required=False)
@click.option("--all-failed", is_flag=True, help="Retry every delivery that gave up.")
def retry(delivery_id: str | None, all_failed: bool) -> None:
    """Give a failed delivery (or, with --all-failed, every one) a fresh round of attempts."""
    if bool(delivery_id) == all_failed:
        raise click.UsageError("give one DELIVERY_ID or --all-failed")
    count = _outbox().retry(actor="cli", delivery_id=delivery_id)
    if delivery_id and not count:
        raise click.ClickException(f"no failed delivery with id {delivery_id}")
    click.echo(f"{count} deliver{'y' if count == 1 else 'ies'} queued again")
