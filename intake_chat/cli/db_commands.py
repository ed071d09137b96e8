"""``intake-chat db …``: bring the database up to date, delete what retention says may go,
erase one referral or conversation on request, and encryption at rest (a new key, encrypting
what was stored in clear, rotating to a new key).

``purge`` suits cron or a systemd timer too; the web server already runs it every hour.
"""

from __future__ import annotations

import os
from pathlib import Path

import click

from ..app import erasure, retention
from ..core import sealing
from ..core.config import Config
from ..core.errors import IntakeError
from ..storage import Database, resealing


def open_database() -> tuple[Database, Config]:
    """The database the INTAKE_* settings name, migrated, for every command group: a bad setting
    or an unreachable database stops the command with its message, not a traceback."""
    try:
        config = Config.from_env()
        db = Database(config.sqlalchemy_url, keyring=config.keyring())
    except IntakeError as error:
        raise click.ClickException(str(error)) from error
    try:
        db.migrate()
    except IntakeError as error:
        db.dispose()
        raise click.ClickException(str(error)) from error
    return db, config


@click.group("db")
def group() -> None:
    """The database: migrations, retention, erasure and encryption at rest."""


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


# --- encryption at rest (docs/encryption.md) ------------------------------------------------


@group.command("new-key")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the key to this new file (mode 0600) instead of printing it.",
)
def new_key(output: Path | None) -> None:
    """Make a random encryption key for INTAKE_ENCRYPTION_KEY or INTAKE_ENCRYPTION_KEY_FILE.
    Keep it apart from the database and its backups: without it nothing encrypted can be read."""
    key = sealing.new_key()
    if output is None:
        click.echo(key)
        return
    try:
        fd = os.open(output, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        raise click.ClickException(f"{output} exists; a key file is never overwritten") from None
    except OSError as error:
        raise click.ClickException(f"cannot create {output}: {error.strerror}") from None
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(key + "\n")
    click.echo(f"wrote a key (id {sealing.Key.parse(key, 'the new key').id}) to {output}", err=True)


_BATCH = click.option(
    "--batch-size",
    default=500,
    show_default=True,
    type=click.IntRange(1, 100_000),
    help="Rows per transaction.",
)
_PAUSE = click.option(
    "--pause",
    default=0.0,
    show_default=True,
    type=click.FloatRange(0, 60),
    help="Seconds to wait between batches, to leave the serving app room.",
)
_DRY_RUN = click.option("--dry-run", is_flag=True, help="Count what is left; change nothing.")


def _reseal(db: Database, *, clear: bool, batch_size: int, pause: float, dry_run: bool) -> int:
    """Run one re-sealing job (or count it), printing a line per batch; returns what is left."""
    if db.sealing.keyring is None:
        raise click.ClickException(
            "encryption is off: set INTAKE_ENCRYPTION_KEY or INTAKE_ENCRYPTION_KEY_FILE "
            "(`intake-chat db new-key` makes one)"
        )
    try:
        if dry_run:
            left = resealing.count_left(db, clear=clear)
            for place, n in sorted(left.items()):
                click.echo(f"{place}: {n}")
            click.echo(f"{sum(left.values())} values to do")
            return sum(left.values())
        progress = resealing.reseal(
            db,
            clear=clear,
            batch_size=batch_size,
            pause=pause,
            on_batch=lambda place, n: click.echo(f"{place}: {n} done"),
        )
    except IntakeError as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"{progress.total} values sealed with key {db.sealing.keyring.current.id}")
    return progress.left


@group.command("encrypt")
@_BATCH
@_PAUSE
@_DRY_RUN
def encrypt(batch_size: int, pause: float, dry_run: bool) -> None:
    """Encrypt the answers and transcripts stored in clear before encryption was turned on.
    Batches commit one by one: stopped or killed, run it again and it carries on."""
    db, _config = open_database()
    try:
        left = _reseal(db, clear=True, batch_size=batch_size, pause=pause, dry_run=dry_run)
    finally:
        db.dispose()
    if dry_run:
        return
    if left:
        raise click.ClickException(f"{left} values are still in clear; run it again")
    click.echo("nothing is stored in clear")


@group.command("rotate-key")
@_BATCH
@_PAUSE
@_DRY_RUN
def rotate_key(batch_size: int, pause: float, dry_run: bool) -> None:
    """Re-encrypt every value sealed with an older key (INTAKE_ENCRYPTION_OLD_KEYS) with
    INTAKE_ENCRYPTION_KEY, then retire the older keys. Batches commit one by one: stopped or
    killed, run it again and it carries on."""
    db, _config = open_database()
    try:
        left = _reseal(db, clear=False, batch_size=batch_size, pause=pause, dry_run=dry_run)
        if dry_run:
            return
        if left:
            raise click.ClickException(
                f"{left} values are still sealed with an older key (an instance still running "
                "with the old key?); run it again"
            )
        retired = resealing.retire_older_keys(db)
    finally:
        db.dispose()
    if retired:
        click.echo(
            f"retired key(s) {', '.join(retired)}: remove them from INTAKE_ENCRYPTION_OLD_KEYS "
            "(keep them with the backups made before today)"
        )
    else:
        click.echo("no older key holds values")
