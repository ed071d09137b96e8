"""Privacy: declining consent forgets what was typed (unless a safety flag needs the words), and
retention deletes finished conversations. Real engine, real safety rules, real database (SQLite
file; PostgreSQL too when INTAKE_TEST_DATABASE_URL is set), the real CLI; clocks, never sleeps."""

from __future__ import annotations

import json
import time
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from click.testing import CliRunner
from flow_helpers import PRIVACY_FLOW, fresh_flow

from intake_chat import create_app
from intake_chat.app import retention
from intake_chat.app.service import Service, hash_token, safety_from_rules
from intake_chat.cli import main as cli
from intake_chat.core.config import Config
from intake_chat.core.engine import step
from intake_chat.core.flows import load_flow
from intake_chat.storage import Database, utcnow
from intake_chat.storage import conversations as store
from intake_chat.storage import live_queue as live_store
from intake_chat.web.context import runtime

ROOT = Path(__file__).resolve().parent.parent
TOPIC = "Tuesday appointments QX-TOPIC"  # typed before consent
AFTER = "one more thing QX-AFTER"  # typed after declining
NAME = "Ana QX-NAME"
CRISIS = "I want to kill myself"


FLOW_DATA = PRIVACY_FLOW


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(utcnow() - timedelta(days=40))


def settings(tmp_path: Path, **values: Any) -> Config:
    base = {
        "rate_limit_per_session": 0,
        "rate_limit_per_address": 0,
        "default_flow": "privacy_test",
        "testing": True,
    }
    return Config.from_env({}, data_dir=tmp_path, secret_key="x", **{**base, **values})


@pytest.fixture
def service(db: Database, tmp_path: Path, rules: Any, clock: Clock) -> Service:
    flow = fresh_flow(FLOW_DATA)
    return Service(
        db, {flow.id: flow}, settings(tmp_path), safety=safety_from_rules(rules), now=clock
    )


class Visitor:
    def __init__(self, service: Service) -> None:
        self.service = service
        self.token: str | None = None

    def start(self) -> Visitor:
        outcome = self.service.handle(None, json.dumps({"type": "start"}), client="10.0.0.1")
        self.token = outcome.token
        return self

    def send(self, **frame: Any) -> list[dict[str, Any]]:
        return self.service.handle(self.token, json.dumps(frame), client="10.0.0.1").events

    def reply(self, **fields: Any) -> list[dict[str, Any]]:
        return self.send(type="reply", **fields)

    @property
    def session(self) -> store.SessionRow:
        assert self.token is not None
        with self.service.db.read() as conn:
            found = store.find_session(conn, hash_token(self.token))
        assert found is not None
        return found


def rows(db: Database, session_id: str) -> list[dict[str, Any]]:
    """The events table itself, not the service's view of it."""
    with db.read() as conn:
        result = conn.execute(
            sa.select(store.events.c.type, store.events.c.payload)
            .where(store.events.c.session_id == session_id)
            .order_by(store.events.c.seq)
        )
        return [{"type": row.type, **row.payload} for row in result]


def stored_anywhere(db: Database, needle: str) -> list[str]:
    """Tables whose rows mention ``needle`` (events, sessions, referrals, audit, outbox)."""
    found = []
    with db.read() as conn:
        for table in (store.events, store.sessions, store.referrals, store.audit_log, store.outbox):
            for row in conn.execute(sa.select(table)):
                if needle in json.dumps([str(value) for value in row]):
                    found.append(table.name)
    return found


def audit(db: Database, action: str) -> list[dict[str, Any]]:
    with db.read() as conn:
        return [entry for entry in store.audit_entries(conn) if entry["action"] == action]


def visitor_texts(events: list[dict[str, Any]]) -> list[str]:
    return [e["text"] for e in events if e["type"] == "visitor" and "text" in e]


# --- the engine ----------------------------------------------------------------------------------


def test_the_engine_signals_a_declined_consent_and_only_a_declined_one() -> None:
    flow = fresh_flow(FLOW_DATA)
    today = {"today": "2025-01-01"}
    begun = step(flow, None, {"type": "start", **today})
    at_consent = step(flow, begun.state, {"type": "reply", "text": TOPIC, **today})
    declined = step(flow, at_consent.state, {"type": "reply", "choice": "decline", **today})
    assert declined.effects == [{"type": "consent_declined", "node": "consent"}]
    typed_no = step(flow, at_consent.state, {"type": "reply", "text": "I decline", **today})
    assert typed_no.effects == [{"type": "consent_declined", "node": "consent"}]
    accepted = step(flow, at_consent.state, {"type": "reply", "choice": "accept", **today})
    assert accepted.effects == [] and accepted.state["answers"]["consent"] is True


# --- declining consent ---------------------------------------------------------------------------


def test_declining_consent_blanks_text_typed_before_it_in_the_events_table(
    service: Service, db: Database
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    visitor.send(type="back")  # the ask for the topic now echoes the typed answer as its value
    visitor.reply(text=TOPIC)
    assert TOPIC in visitor_texts(rows(db, visitor.session.id))  # kept while undecided
    visitor.reply(choice="decline")
    logged = rows(db, visitor.session.id)
    typed = [e for e in logged if e["type"] == "visitor" and "text" in e]
    assert len(typed) == 2 and all(e["text"] == "" and e["redacted"] is True for e in typed)
    choice = [e for e in logged if e.get("choice") == "decline"]
    assert choice and choice[0]["label"] and "redacted" not in choice[0]  # the flow's own value
    asks = [e for e in logged if e["type"] == "ask" and e["node"] == "topic"]
    assert asks and all("value" not in e["input"] for e in asks)
    assert stored_anywhere(db, "QX-TOPIC") == []
    state = visitor.session.state
    assert state is not None and state["answers"] == {"consent": False}
    [entry] = audit(db, "session.redacted")
    assert entry["subject"] == f"session:{visitor.session.id}"
    assert entry["detail"] == {"node": "consent", "events": 3}


def test_the_shipped_flow_forgets_what_was_typed_at_its_consent_question(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    flow = load_flow(ROOT / "flows" / "intake.json")
    config = settings(tmp_path, default_flow="intake")
    shipped = Service(db, {flow.id: flow}, config, safety=safety_from_rules(rules))
    visitor = Visitor(shipped).start()
    asked = visitor.reply(text="what happens to QX-CONSENT")  # answered in place, not an answer
    assert asked[-1]["node"] == "consent" and visitor.session.state["answers"] == {}
    visitor.reply(choice="decline")
    visitor.reply(choice="learn")  # reading what therapy is stays open, with nothing kept
    read = visitor.reply(text="is QX-LEARN my therapist going to be my friend")
    assert any(e["type"] == "message" for e in read)
    visitor.reply(choice="menu")
    assert visitor.session.status == "asking"
    assert set(visitor_texts(rows(db, visitor.session.id))) == {""}
    assert stored_anywhere(db, "QX-CONSENT") == [] and stored_anywhere(db, "QX-LEARN") == []


def test_text_typed_after_declining_is_never_stored(service: Service, db: Database) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    visitor.reply(text="I decline")  # typed, not pressed: blanked as well
    answer = visitor.reply(text=AFTER)
    assert [e["type"] for e in answer] == ["visitor", "end"]
    assert answer[0]["text"] == "" and answer[0]["redacted"] is True
    assert visitor_texts(rows(db, visitor.session.id)) == ["", "", ""]
    assert stored_anywhere(db, "QX-AFTER") == [] and stored_anywhere(db, "QX-TOPIC") == []
    assert visitor.session.status == "ended"


def test_starting_over_after_declining_keeps_what_is_typed_once_consent_is_given(
    service: Service, db: Database
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    visitor.reply(choice="decline")
    visitor.send(type="restart")
    visitor.reply(text="second try QX-SECOND")
    visitor.reply(choice="accept")
    visitor.reply(text=NAME)
    kept = visitor_texts(rows(db, visitor.session.id))
    assert kept == ["", "second try QX-SECOND", NAME]


def test_a_crisis_flagged_session_keeps_its_words_when_consent_is_declined(
    service: Service, db: Database
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    flagged = visitor.reply(text=CRISIS)
    assert flagged[1]["type"] == "crisis"
    visitor.reply(choice="decline")
    visitor.reply(text=AFTER)
    assert visitor.session.crisis_level == "crisis"
    assert visitor_texts(rows(db, visitor.session.id)) == [TOPIC, CRISIS, AFTER]
    assert audit(db, "session.redacted") == []
    [withheld] = audit(db, "session.redaction_withheld")
    assert withheld["detail"] == {"node": "consent", "reason": "safety_flag"}


def test_a_crisis_typed_after_declining_is_kept_for_the_staff_it_alerts(
    service: Service, db: Database
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    visitor.reply(choice="decline")
    events = visitor.reply(text=CRISIS)
    assert [e["type"] for e in events][:2] == ["visitor", "crisis"]
    assert visitor_texts(rows(db, visitor.session.id)) == ["", CRISIS]


def test_accepting_consent_keeps_everything_typed(service: Service, db: Database) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=TOPIC)
    visitor.reply(choice="accept")
    visitor.reply(text=NAME)
    assert visitor_texts(rows(db, visitor.session.id)) == [TOPIC, NAME]
    assert audit(db, "session.redacted") == []


# --- retention -----------------------------------------------------------------------------------


def finish(visitor: Visitor, *, referral: bool = False, crisis: bool = False) -> str:
    """Drive a conversation to a declined end, a referral, or a crisis; the session id."""
    visitor.reply(text=TOPIC)
    if crisis:
        visitor.reply(text=CRISIS)
    if referral:
        visitor.reply(choice="accept")
        visitor.reply(text=NAME)
        visitor.reply(choice="blue")
    else:
        visitor.reply(choice="decline")
        visitor.reply(skip=True)
    return visitor.session.id


def session_ids(db: Database) -> set[str]:
    with db.read() as conn:
        return set(conn.execute(sa.select(store.sessions.c.id)).scalars())


def count(db: Database, table: sa.Table, session_id: str) -> int:
    with db.read() as conn:
        query = (
            sa.select(sa.func.count()).select_from(table).where(table.c.session_id == session_id)
        )
        return int(conn.execute(query).scalar_one())


def add_live_request(db: Database, session_id: str, at: datetime) -> None:
    with db.transaction() as conn:
        live_store.insert_request(
            conn,
            session_id=session_id,
            referral_id=None,
            node="done",
            resume_state={"answers": {}},
            now=at,
            outcome="closed",
        )


@pytest.fixture
def history(service: Service, clock: Clock, db: Database) -> dict[str, str]:
    """Conversations from 40 days ago (and one from 20), each a different retention case."""
    start = clock.now
    cases = {
        "declined": finish(Visitor(service).start()),
        "referral": finish(Visitor(service).start(), referral=True),
        "crisis": finish(Visitor(service).start(), crisis=True),
    }
    abandoned = Visitor(service).start()
    abandoned.reply(text=TOPIC)
    cases["abandoned"] = abandoned.session.id
    cases["with_request"] = finish(Visitor(service).start())
    add_live_request(db, cases["with_request"], start)
    clock.now = start + timedelta(days=20)
    cases["recent"] = finish(Visitor(service).start())
    clock.now = start
    return cases


def test_purge_deletes_exactly_the_finished_unflagged_conversations_without_referral(
    service: Service, db: Database, clock: Clock, history: dict[str, str], tmp_path: Path
) -> None:
    config = settings(tmp_path, retention_days=30)
    report = retention.purge(db, config, now=clock.now + timedelta(days=31), batch=2)
    gone = {history[name] for name in ("declined", "abandoned", "with_request")}
    assert session_ids(db) == set(history.values()) - gone
    assert (report.sessions, report.live_requests) == (3, 1)
    assert report.events > 0 and report.transcripts == 0
    for session_id in gone:
        assert count(db, store.events, session_id) == 0
        assert count(db, live_store.live_requests, session_id) == 0
    assert count(db, store.events, history["referral"]) > 0
    with db.read() as conn:
        assert len(store.referrals_for_session(conn, history["referral"])) == 1
    [entry] = audit(db, "retention.purge")
    assert entry["detail"] == {
        "sessions": 3,
        "events": report.events,
        "live_requests": 1,
        "transcripts": 0,
        "transcript_events": 0,
        "unanswered": 0,
        "retention_days": 30,
        "referral_retention_days": 0,
    }
    again = retention.purge(db, config, now=clock.now + timedelta(days=31))
    assert again.sessions == 0 and len(audit(db, "retention.purge")) == 1  # nothing, no entry


def test_purge_keeps_a_conversation_idle_for_less_than_the_setting(
    service: Service, db: Database, clock: Clock, history: dict[str, str], tmp_path: Path
) -> None:
    config = settings(tmp_path, retention_days=30)
    report = retention.purge(db, config, now=clock.now + timedelta(days=29, hours=23))
    assert report.sessions == 0 and session_ids(db) == set(history.values())


def test_retention_zero_keeps_everything(
    service: Service, db: Database, clock: Clock, history: dict[str, str], tmp_path: Path
) -> None:
    config = settings(tmp_path, retention_days=0)
    report = retention.purge(db, config, now=clock.now + timedelta(days=4000))
    assert report.sessions == 0 and session_ids(db) == set(history.values())


def test_purge_never_deletes_a_conversation_that_can_still_be_resumed(
    db: Database, tmp_path: Path, rules: Any, clock: Clock
) -> None:
    flow = fresh_flow(FLOW_DATA)
    week = settings(tmp_path, session_idle_minutes=60 * 24 * 7)
    patient = Service(db, {flow.id: flow}, week, safety=safety_from_rules(rules), now=clock)
    session_id = finish(Visitor(patient).start())
    config = settings(tmp_path, retention_days=1)
    report = retention.purge(db, config, now=clock.now + timedelta(days=3))
    assert report.sessions == 0 and session_id in session_ids(db)


def close_referral(db: Database, session_id: str, at: datetime) -> None:
    with db.transaction() as conn:
        conn.execute(
            store.referrals.update()
            .where(store.referrals.c.session_id == session_id)
            .values(status="closed", updated_at=at)
        )


def test_closed_referrals_lose_their_transcript_only_when_the_practice_sets_a_period(
    service: Service, db: Database, clock: Clock, tmp_path: Path
) -> None:
    closed = finish(Visitor(service).start(), referral=True)
    still_open = finish(Visitor(service).start(), referral=True)
    close_referral(db, closed, clock.now + timedelta(days=1))
    later = clock.now + timedelta(days=100)
    by_default = retention.purge(db, settings(tmp_path), now=later)
    assert by_default.transcripts == 0 and count(db, store.events, closed) > 0
    report = retention.purge(db, settings(tmp_path, referral_retention_days=90), now=later)
    assert (report.transcripts, report.sessions) == (1, 0)
    assert count(db, store.events, closed) == 0 and count(db, store.events, still_open) > 0
    with db.read() as conn:
        [referral] = store.referrals_for_session(conn, closed)
        session = store.get_session(conn, closed)
    assert referral["answers"]["first_name"] == NAME and referral["status"] == "closed"
    assert session is not None and session.state is None
    recent = retention.purge(db, settings(tmp_path, referral_retention_days=120), now=later)
    assert recent.transcripts == 0


# --- the command and the thread -------------------------------------------------------------


def run_cli(database_url: str, tmp_path: Path, *args: str, **env: str) -> Any:
    environment = {"INTAKE_DATABASE_URL": database_url, "INTAKE_DATA_DIR": str(tmp_path), **env}
    return CliRunner().invoke(cli, list(args), env=environment, catch_exceptions=False)


def test_db_purge_dry_run_counts_and_deletes_nothing(
    service: Service, db: Database, history: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    dry = run_cli(database_url, tmp_path, "db", "purge", "--dry-run")
    assert dry.exit_code == 0 and dry.output.startswith("would delete 3 conversations (")
    assert "1 live requests" in dry.output
    assert session_ids(db) == set(history.values()) and audit(db, "retention.purge") == []
    real = run_cli(database_url, tmp_path, "db", "purge")
    assert real.exit_code == 0 and real.output.startswith("deleted 3 conversations (")
    assert len(session_ids(db)) == len(history) - 3
    assert audit(db, "retention.purge")[0]["actor"] == "cli"


def test_db_purge_reads_the_retention_setting(
    service: Service, db: Database, history: dict[str, str], database_url: str, tmp_path: Path
) -> None:
    kept = run_cli(database_url, tmp_path, "db", "purge", INTAKE_RETENTION_DAYS="0")
    assert kept.exit_code == 0 and kept.output.startswith("deleted 0 conversations")
    assert "kept forever" in kept.output  # stderr is mixed into output by the runner
    assert session_ids(db) == set(history.values())


def test_db_migrate_prints_every_area_version(database_url: str, tmp_path: Path) -> None:
    result = run_cli(database_url, tmp_path, "db", "migrate")
    assert result.exit_code == 0
    versions = dict(line.split() for line in result.output.splitlines())
    assert versions["chat"] == str(len(store.MIGRATIONS)) and "live" in versions


def test_the_retention_thread_purges_on_its_own(
    service: Service, db: Database, history: dict[str, str], tmp_path: Path
) -> None:
    worker = retention.Worker(db, settings(tmp_path), first=0.0).start()
    try:
        deadline = time.monotonic() + 10
        while worker.passes == 0 and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        worker.stop()
    assert worker.passes == 1 and not worker.alive
    assert history["declined"] not in session_ids(db) and history["referral"] in session_ids(db)


def test_the_app_starts_no_retention_thread_under_testing(tmp_path: Path) -> None:
    app = create_app(settings(tmp_path))
    running = runtime(app)
    assert running.workers == []
    worker = running.start_retention()
    assert worker is not None and worker.alive
    running.stop_workers()
    assert not worker.alive


def test_the_retention_settings_come_from_the_environment() -> None:
    config = Config.from_env(
        {"INTAKE_RETENTION_DAYS": "7", "INTAKE_REFERRAL_RETENTION_DAYS": "365"}
    )
    assert (config.retention_days, config.referral_retention_days) == (7, 365)
    defaults = Config.from_env({})
    assert (defaults.retention_days, defaults.referral_retention_days) == (30, 0)


def test_staff_read_a_redacted_line_as_removed_not_as_an_empty_message() -> None:
    from intake_chat.core.referral_view import transcript_lines

    rows = [
        {
            "seq": 3,
            "type": "visitor",
            "created_at": None,
            "payload": {"type": "visitor", "action": "reply", "text": "", "redacted": True},
        }
    ]
    [line] = transcript_lines(rows)
    assert line["who"] == "visitor"
    assert line["text"] == "(removed: the visitor declined consent)"


def test_sqlite_overwrites_deleted_content(tmp_path: Path) -> None:
    db = Database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with db.read() as conn:
            assert conn.exec_driver_sql("PRAGMA secure_delete").scalar() == 1
    finally:
        db.dispose()
