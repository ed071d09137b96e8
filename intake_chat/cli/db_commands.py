"""``intake-chat db …``: bring the database up to date, delete what retention says may go, and
erase one referral or conversation on request.

``purge`` suits cron or a systemd timer too; the web server already runs it every hour.
"""

from __future__ import annotations

import click

from ..app import erasure, retention
from ..core.config import Config
from ..core.errors import IntakeError
from ..storage import Database


def open_database() -> tuple[Database, Config]:
    """The database the INTAKE_* settings name, migrated, for every command group: a bad setting
    or an unreachable database stops the command with its message, not a traceback."""
    try:
        config = Config.from_env()
        db = Database(config.sqlalchemy_url)
        db.migrate()
    except IntakeError as error:
        raise click.ClickException(str(error)) from error
    return db, config


@click.group("db")
def group() -> None:
    """The database: migrations, retention and erasure."""


@group.command("migrate")
def migrate() -> None:
    """Apply pending migrations and print each area's version."""
    db, _config = open_database()
    try:
        for area, version in sorted(db.versions().items()):
            click.echo(f"{area} {version}")
    finally:
        db.dispose()


@group.command("purge")
@click.option("--dry-run", is_flag=True, help="Count what would be deleted; delete nothing.")
def purge(dry_run: bool) -> None:
    """Delete conversations past INTAKE_RETENTION_DAYS and transcripts of referrals closed for
    longer than INTAKE_REFERRAL_RETENTION_DAYS (0: keep). Prints counts, never content."""
    db, config = open_database()
    try:
        report = retention.purge(db, config, dry_run=dry_run, actor="cli")
    except IntakeError as error:
        raise click.ClickException(str(error)) from error
    finally:
        db.dispose()
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {report.sessions} conversations ({report.events} events, "
        f"{report.live_requests} live requests); transcripts of {report.transcripts} closed "
        f"referrals ({report.transcript_events} events); {report.unanswered} unanswered "
        "questions"
    )
    if not config.retention_days:
        click.echo("INTAKE_RETENTION_DAYS is 0: conversations are kept forever", err=True)


@group.command("erase")
@click.option("--referral", "referral_id", help="Erase this referral and its conversation.")
@click.option("--conversation", "session_id", help="Erase this conversation and its referrals.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def erase(referral_id: str | None, session_id: str | None, yes: bool) -> None:
    """Erase one referral or one conversation on a person's request: the referral, its notes and
    history, the transcript and any live chat. The audit log records that it happened (ids and
    counts), never what was erased."""
    if (referral_id is None) == (session_id is None):
        raise click.UsageError("Give exactly one of --referral ID or --conversation ID.")
    what = f"referral {referral_id}" if referral_id else f"conversation {session_id}"
    if not yes:
        click.confirm(f"Erase {what} for good? This cannot be undone", abort=True)
    db, _config = open_database()
    try:
        if referral_id is not None:
            done = erasure.erase_referral(db, referral_id, actor="cli")
        else:
            done = erasure.erase_conversation(db, str(session_id), actor="cli")
    except erasure.NotFound:
        raise click.ClickException(f"There is no {what} (perhaps it was erased already).") from None
    finally:
        db.dispose()
    referrals = ", ".join(done.referral_ids) or "none"
    click.echo(
        f"erased conversation {done.session_id} ({done.events} events) and referrals: "
        f"{referrals} ({done.notes} notes)"
    )
