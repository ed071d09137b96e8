"""Retention: deleting conversations nobody needs any more, in small batches, hourly or by hand.

Owns the purge pass (``purge``), and its hourly background thread. The SQL is in
``storage/purges.py`` and, for the questions no topic answered, ``storage/unanswered.py`` (they
go after ``INTAKE_RETENTION_DAYS`` like the conversations they came from).
Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timedelta
from functools import partial

from sqlalchemy.engine import Connection

from ..core.config import Config
from ..storage import Database, purges, unanswered, utcnow
from ..storage import conversations as store

log = logging.getLogger(__name__)

__all__ = ["BATCH", "INTERVAL_SECONDS", "PurgeReport", "Worker", "purge"]

BATCH = 50  # conversations per write transaction: the SQLite writer is never held for long
INTERVAL_SECONDS = 3600.0
FIRST_PASS_SECONDS = 60.0  # after start-up, once the server is warm


@dataclass
class PurgeReport:
    """Counts only: the audit entry must not hold anything a visitor said."""

    sessions: int = 0
    events: int = 0
    live_requests: int = 0
    transcripts: int = 0
    transcript_events: int = 0
    unanswered: int = 0
    dry_run: bool = False

    def add(self, counts: dict[str, int]) -> None:
        for name, value in counts.items():
            setattr(self, name, getattr(self, name) + value)

    @property
    def deleted_anything(self) -> bool:
        counts = (self.sessions, self.events, self.live_requests, self.transcript_events)
        return any(counts) or bool(self.unanswered)


def cutoffs(config: Config, now: datetime) -> tuple[datetime | None, datetime | None]:
    """(idle_before, closed_before); None where the setting is 0 (keep forever)."""
    idle = now - timedelta(days=config.retention_days) if config.retention_days else None
    days = config.referral_retention_days
    closed = now - timedelta(days=days) if days else None
    return idle, closed


def purge(
    db: Database,
    config: Config,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    batch: int = BATCH,
    pause: float = 0.0,
    actor: str = "system",
) -> PurgeReport:
    """Delete what the retention settings say may go (see docs/staff.md, "Privacy and retention").

    Candidates are read outside any write transaction; each batch is one short write that checks
    them again. ``pause`` seconds between batches let visitors' turns through. Safe to run in
    several processes at once. One audit entry ``retention.purge`` with the counts when anything
    was deleted, written even when a later batch fails.
    """
    now = now or utcnow()
    idle_before, closed_before = cutoffs(config, now)
    report = PurgeReport(dry_run=dry_run)
    if dry_run:
        with db.read() as conn:
            report.add(
                purges.count_purgeable(
                    conn, idle_before=idle_before, closed_before=closed_before, now=now
                )
            )
            if idle_before is not None:
                report.unanswered = unanswered.count_older(conn, idle_before)
        return report
    try:
        if idle_before is not None:
            find = partial(purges.purgeable_sessions, idle_before=idle_before, now=now)
            delete = partial(purges.delete_sessions, idle_before=idle_before, now=now)
            _in_batches(db, find, delete, report, batch, pause)
            report.unanswered += db.write(partial(unanswered.delete_older, before=idle_before))
        if closed_before is not None:
            find = partial(purges.stale_transcripts, closed_before=closed_before, now=now)
            delete = partial(purges.delete_transcripts, closed_before=closed_before, now=now)
            _in_batches(db, find, delete, report, batch, pause)
    finally:
        if report.deleted_anything:
            _audit(db, report, config, actor)
    return report


def _in_batches(
    db: Database,
    find: Callable[..., list[str]],
    delete: Callable[..., dict[str, int]],
    report: PurgeReport,
    batch: int,
    pause: float,
) -> None:
    after = ""  # ids ascend, so every pass ends even if a candidate stops being eligible
    while True:
        with db.read() as conn:
            ids = find(conn, after_id=after, limit=batch)
        if not ids:
            return
        report.add(db.write(partial(delete, session_ids=ids)))
        if len(ids) < batch:
            return
        after = ids[-1]
        if pause:
            time.sleep(pause)


def _audit(db: Database, report: PurgeReport, config: Config, actor: str) -> None:
    detail = {
        **asdict(report),
        "retention_days": config.retention_days,
        "referral_retention_days": config.referral_retention_days,
    }
    del detail["dry_run"]

    def work(conn: Connection) -> None:
        store.append_audit(
            conn, actor=actor, action="retention.purge", subject="retention", detail=detail
        )

    db.write(work)


class Worker:
    """Runs ``purge`` on a daemon thread: shortly after start, then every hour."""

    def __init__(
        self,
        db: Database,
        config: Config,
        *,
        interval: float = INTERVAL_SECONDS,
        first: float = FIRST_PASS_SECONDS,
        pause: float = 0.05,
    ) -> None:
        self.db, self.config = db, config
        self.interval, self.first, self.pause = interval, first, pause
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="intake-retention", daemon=True)
        self.passes = 0

    def start(self) -> Worker:
        self._thread.start()
        return self

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    @property
    def alive(self) -> bool:
        return self._thread.is_alive()

    def _run(self) -> None:
        wait = self.first
        while not self._stop.wait(wait):
            try:
                purge(self.db, self.config, pause=self.pause)
            except Exception:  # the database may be briefly gone; the next hour tries again
                log.exception("retention pass failed")
            self.passes += 1
            wait = self.interval
