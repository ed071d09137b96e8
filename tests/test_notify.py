"""notify: outbox rows become signed webhooks and emails, retried with backoff, never lost, never
in the visitor's way. Real SQLite file (and PostgreSQL when INTAKE_TEST_DATABASE_URL is set), a real
HTTP receiver and a real SMTP server on loopback ports; time is a clock the test moves.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import threading
import time
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from server import PG_ENV, PG_SKIP_REASON, LiveServer, fresh_pg_schema
from smtp_server import SMTPTestServer

from intake_chat import Config, create_app
from intake_chat.app import notifier as notify
from intake_chat.app.service import STAFF_CHANNEL, Service
from intake_chat.cli import main as cli_main
from intake_chat.core.flows import load_flow
from intake_chat.storage import Database, utcnow
from intake_chat.storage import conversations as chat
from intake_chat.storage import deliveries as store
from intake_chat.web.context import runtime

FLOWS = Path(__file__).resolve().parent / "flows"
SECRET = "s3cret-shared-with-the-receiver"
ANSWERS = {"first_name": "Ana", "last_name": "Quintero-Example", "email": "ana@example.org"}
DISPLAY = {"First name": "Ana", "Last name": "Quintero-Example", "Email": "ana@example.org"}


# --- real parts at the edges ---------------------------------------------------------------------


class Clock:
    """The worker's ``now``: starts at the real time, moves only when the test says so."""

    def __init__(self) -> None:
        self.moment = utcnow()

    def __call__(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


class Receiver(ThreadingHTTPServer):
    """A webhook receiver on 127.0.0.1 that answers from a script (a status code or "hang")."""

    daemon_threads = True

    def __init__(self, script: list[int | str] | None = None) -> None:
        super().__init__(("127.0.0.1", 0), _ReceiverHandler)
        self.script = list(script or [])
        self.requests: list[dict[str, Any]] = []
        self.release = threading.Event()
        self.lock = threading.Lock()
        self.thread = threading.Thread(
            target=self.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/hooks/intake?token=abc"

    def next_answer(self) -> int | str:
        with self.lock:
            return self.script.pop(0) if self.script else 200

    def accepted(self) -> list[dict[str, Any]]:
        return [r for r in self.requests if r["answer"] == 200]

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.release.set()
        self.shutdown()
        self.server_close()


class _ReceiverHandler(BaseHTTPRequestHandler):
    server: Receiver

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        answer = self.server.next_answer()
        with self.server.lock:
            self.server.requests.append(
                {"headers": dict(self.headers), "body": body, "path": self.path, "answer": answer}
            )
        if answer == "hang":
            self.server.release.wait(30)
            answer = 200
        if answer == "redirect":
            self.send_response(307)
            self.send_header("Location", "/elsewhere")
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(int(answer))
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"ok")

    def log_message(self, *_args: Any) -> None:
        pass


def _sqlite_url(tmp_path: Path) -> str:
    return f"sqlite:///{tmp_path / 'notify.sqlite3'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Database]:
    """A migrated database, once per backend (PostgreSQL skipped with the reason when unset)."""
    if request.param == "sqlite":
        database = Database(_sqlite_url(tmp_path))
        database.migrate()
        yield database
        database.dispose()
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    with fresh_pg_schema(base) as url:
        database = Database(url)
        database.migrate()
        yield database
        database.dispose()


@pytest.fixture
def sqlite_db(tmp_path: Path) -> Iterator[Database]:
    database = Database(_sqlite_url(tmp_path))
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture
def clock() -> Clock:
    return Clock()


def new_session(conn: Any, now: datetime) -> chat.SessionRow:
    return chat.create_session(
        conn,
        token_hash=uuid.uuid4().hex * 2,
        flow_id="intake",
        flow_version=1,
        flow_digest="d" * 64,
        locale="en",
        now=now,
        expires_at=now + timedelta(days=1),
    )


def submit_referral(db: Database, clock: Clock) -> str:
    """What the conversation service does in one turn: referral and outbox row, one commit."""
    now = clock()
    with db.transaction() as conn:
        session = new_session(conn, now)
        referral_id = chat.insert_referral(
            conn, session=session, mode="queued", answers=ANSWERS, display=DISPLAY, now=now
        )
        chat.enqueue_outbox(
            conn,
            kind="referral_new",
            now=now,
            payload={
                "referral_id": referral_id,
                "session_id": session.id,
                "urgent": False,
                "mode": "queued",
            },
        )
    return referral_id


def raise_crisis(
    db: Database, clock: Clock, *, referral: bool, level: str = "crisis", category: str = "suicide"
) -> str | None:
    """A flagged message, as the service records it: flags raised, alert queued, one commit."""
    now = clock()
    with db.transaction() as conn:
        session = new_session(conn, now)
        referral_ids = []
        if referral:
            referral_ids.append(
                chat.insert_referral(
                    conn, session=session, mode="queued", answers=ANSWERS, display=DISPLAY, now=now
                )
            )
        detail = {"level": level, "category": category, "rule": f"{category}.1"}
        chat.flag_session_referrals(
            conn, session.id, now=now, urgent=True, crisis_level=level, crisis_category=category
        )
        chat.enqueue_outbox(
            conn,
            kind="crisis_alert",
            now=now,
            payload={
                "session_id": session.id,
                "referral_ids": referral_ids,
                **detail,
            },
        )
    return referral_ids[0] if referral_ids else None


def make_outbox(db: Database, clock: Clock, **settings: Any) -> notify.Outbox:
    values: dict[str, Any] = {
        "public_url": "https://intake.example.org",
        "webhook_secret": SECRET,
        "backoff_base": 10.0,
        "backoff_cap": 600.0,
        "lease_seconds": 60.0,
        **settings,
    }
    return notify.Outbox(db, notify.Settings(**values), now=clock, rand=lambda: 1.0)


def run_until_quiet(outbox: notify.Outbox, clock: Clock, *, rounds: int = 10) -> None:
    """Run passes, jumping the clock past every backoff in between, until nothing is pending."""
    for _ in range(rounds):
        outbox.run_once()
        with outbox.db.read() as conn:
            if store.count_by_status(conn)["pending"] == 0:
                return
        clock.advance(outbox.settings.backoff_cap + 1)


def valid_signature(request: dict[str, Any]) -> bool:
    expected = "sha256=" + hmac.new(SECRET.encode(), request["body"], hashlib.sha256).hexdigest()
    return hmac.compare_digest(request["headers"]["X-Intake-Signature"], expected)


def deliveries(db: Database) -> list[store.Delivery]:
    with db.read() as conn:
        return store.list_deliveries(conn)


# --- webhook -------------------------------------------------------------------------------------


def test_a_webhook_that_fails_twice_gets_exactly_one_accepted_signed_delivery(
    db: Database, clock: Clock
) -> None:
    referral_id = submit_referral(db, clock)
    with Receiver([500, 503, 200]) as receiver:
        outbox = make_outbox(db, clock, webhook_url=receiver.url)
        first = outbox.run_once()
        assert (first.dispatched, first.retrying) == (1, 1)
        assert outbox.run_once().retrying == 0  # not due yet: the backoff holds it back
        clock.advance(10)  # base 10 s, jitter 100 %
        assert outbox.run_once().retrying == 1
        clock.advance(19)
        assert outbox.run_once().delivered == 0  # second backoff is 20 s
        clock.advance(1)
        assert outbox.run_once().delivered == 1
        delivered_at = clock()
        clock.advance(3600)
        assert outbox.run_once() == notify.Report()
    assert [r["answer"] for r in receiver.requests] == [500, 503, 200]
    assert len(receiver.accepted()) == 1
    ids = {r["headers"]["X-Intake-Delivery"] for r in receiver.requests}
    assert len(ids) == 1
    assert all(valid_signature(r) for r in receiver.requests)
    assert {r["headers"]["X-Intake-Event"] for r in receiver.requests} == {"referral.new"}
    assert receiver.requests[0]["path"] == "/hooks/intake?token=abc"
    body = json.loads(receiver.requests[-1]["body"])
    assert body == {
        "delivery_id": ids.pop(),
        "event": "referral.new",
        "referral_id": referral_id,
        "urgent": False,
        "category": None,
        "level": None,
        "created_at": body["created_at"],
        "link": f"https://intake.example.org/staff/referrals/{referral_id}",
    }
    [row] = deliveries(db)
    assert (row.status, row.attempts, row.last_error) == ("delivered", 3, None)
    assert row.delivered_at == delivered_at


def test_the_webhook_body_holds_no_personal_details_unless_enabled(
    sqlite_db: Database, clock: Clock
) -> None:
    submit_referral(sqlite_db, clock)
    submit_referral(sqlite_db, clock)
    with Receiver() as receiver:
        outbox = make_outbox(sqlite_db, clock, webhook_url=receiver.url)
        outbox.run_once(max_deliveries=1)
        detailed = make_outbox(sqlite_db, clock, webhook_url=receiver.url, include_details=True)
        detailed.run_once()
    plain, rich = (r["body"].decode() for r in receiver.requests)
    for value in ANSWERS.values():
        assert value not in plain
    assert "details" not in json.loads(plain)
    assert json.loads(rich)["details"] == DISPLAY
    assert all(valid_signature(r) for r in receiver.requests)


def test_a_crisis_alert_is_an_urgent_event_with_its_level_and_category(
    sqlite_db: Database, clock: Clock
) -> None:
    referral_id = raise_crisis(sqlite_db, clock, referral=True)
    raise_crisis(sqlite_db, clock, referral=False, level="concern", category="self_harm")
    with Receiver() as receiver:
        make_outbox(sqlite_db, clock, webhook_url=receiver.url).run_once()
    first, second = (json.loads(r["body"]) for r in receiver.requests)
    assert {r["headers"]["X-Intake-Event"] for r in receiver.requests} == {"referral.crisis"}
    assert {k: first[k] for k in ("event", "urgent", "category", "level", "referral_id")} == {
        "event": "referral.crisis",
        "urgent": True,
        "category": "suicide",
        "level": "crisis",
        "referral_id": referral_id,
    }
    # Flagged before any referral exists: the link goes to the conversation.
    with sqlite_db.read() as conn:
        session_id = chat.outbox_rows(conn)[1]["payload"]["session_id"]
    assert (second["referral_id"], second["level"], second["link"]) == (
        None,
        "concern",
        f"https://intake.example.org/staff/sessions/{session_id}",
    )


def test_crisis_emails_say_so_in_the_subject(sqlite_db: Database, clock: Clock) -> None:
    referral_id = raise_crisis(sqlite_db, clock, referral=True)
    raise_crisis(sqlite_db, clock, referral=False, level="concern", category="self_harm")
    with SMTPTestServer() as smtp:
        outbox = make_outbox(
            sqlite_db,
            clock,
            smtp_host="127.0.0.1",
            smtp_port=smtp.port,
            notify_email=("coordinator@practice.test",),
        )
        assert outbox.run_once().delivered == 2
        received = smtp.wait_for(2)
    subjects = sorted(m.message["Subject"] for m in received)
    assert subjects == [
        f"Urgent: crisis flag on referral {referral_id}",
        "Urgent: safety concern in a conversation",
    ]
    texts = [m.message.get_content() for m in received]
    assert any("Urgent: yes (category: self_harm)" in t for t in texts)


def test_a_redirect_is_retried_not_followed(sqlite_db: Database, clock: Clock) -> None:
    submit_referral(sqlite_db, clock)
    with Receiver(["redirect"]) as receiver:
        report = make_outbox(sqlite_db, clock, webhook_url=receiver.url).run_once()
    assert report.retrying == 1
    assert len(receiver.requests) == 1  # nothing went to /elsewhere
    assert deliveries(sqlite_db)[0].last_error == "HTTP 307 Temporary Redirect"


def test_a_hanging_receiver_times_out_and_is_retried(sqlite_db: Database, clock: Clock) -> None:
    submit_referral(sqlite_db, clock)
    with Receiver(["hang"]) as receiver:
        outbox = make_outbox(sqlite_db, clock, webhook_url=receiver.url, webhook_timeout=0.3)
        started = time.monotonic()
        report = outbox.run_once()
        elapsed = time.monotonic() - started
        receiver.release.set()
    assert report.retrying == 1
    assert elapsed < 2.0
    assert deliveries(sqlite_db)[0].last_error == "timed out"


# --- email ---------------------------------------------------------------------------------------


def email_outbox(db: Database, clock: Clock, smtp: SMTPTestServer, **extra: Any) -> notify.Outbox:
    return make_outbox(
        db,
        clock,
        smtp_host="127.0.0.1",
        smtp_port=smtp.port,
        smtp_from="intake@practice.test",
        notify_email=("coordinator@practice.test", "admin@practice.test"),
        **extra,
    )


def test_email_reaches_each_recipient_without_personal_details_by_default(
    sqlite_db: Database, clock: Clock
) -> None:
    referral_id = submit_referral(sqlite_db, clock)
    with SMTPTestServer() as smtp:
        report = email_outbox(sqlite_db, clock, smtp).run_once()
        received = smtp.wait_for(2)
    assert report.delivered == 2
    assert sorted(m.rcpt_to[0] for m in received) == [
        "admin@practice.test",
        "coordinator@practice.test",
    ]
    message = received[0].message
    text = message.get_content()
    assert message["Subject"] == f"New referral {referral_id}"
    assert message["From"] == "intake@practice.test"
    assert f"https://intake.example.org/staff/referrals/{referral_id}" in text
    assert "no personal details" in text
    for value in ANSWERS.values():
        assert value not in message.as_string()
    ids = {m.message["X-Intake-Delivery"] for m in received}
    assert {m.message["Message-ID"] for m in received} == {f"<{i}@practice.test>" for i in ids}


def test_email_carries_the_answers_when_details_are_enabled(
    sqlite_db: Database, clock: Clock
) -> None:
    submit_referral(sqlite_db, clock)
    with SMTPTestServer(user="mailer", password="pw") as smtp:
        outbox = email_outbox(
            sqlite_db, clock, smtp, include_details=True, smtp_user="mailer", smtp_password="pw"
        )
        assert outbox.run_once().delivered == 2
        received = smtp.wait_for(2)
    text = received[0].message.get_content()
    assert received[0].auth == "mailer"
    assert "Last name: Quintero-Example" in text
    assert "Email: ana@example.org" in text
    assert "no personal details" not in text


def test_a_failing_webhook_never_resends_the_delivered_email(
    sqlite_db: Database, clock: Clock
) -> None:
    submit_referral(sqlite_db, clock)
    with SMTPTestServer() as smtp, Receiver([500, 500, 500, 200]) as receiver:
        outbox = email_outbox(sqlite_db, clock, smtp, webhook_url=receiver.url)
        run_until_quiet(outbox, clock)
        assert len(smtp.messages) == 2
    assert len(receiver.requests) == 4
    by_channel = {(d.channel, d.target): (d.status, d.attempts) for d in deliveries(sqlite_db)}
    assert by_channel == {
        ("email", "coordinator@practice.test"): ("delivered", 1),
        ("email", "admin@practice.test"): ("delivered", 1),
        ("webhook", receiver.url): ("delivered", 4),
    }


def test_a_temporary_smtp_failure_is_retried(sqlite_db: Database, clock: Clock) -> None:
    submit_referral(sqlite_db, clock)
    with SMTPTestServer() as smtp:
        smtp.fail_next(1)
        outbox = email_outbox(sqlite_db, clock, smtp)
        assert outbox.run_once().retrying == 1
        failed = [d for d in deliveries(sqlite_db) if d.last_error]
        assert failed[0].last_error == "SMTP 451 4.3.0 try again later"
        run_until_quiet(outbox, clock)
        assert len(smtp.messages) == 2


# --- never lost ----------------------------------------------------------------------------------


def test_a_delivery_abandoned_mid_send_is_picked_up_after_the_lease(
    db: Database, clock: Clock
) -> None:
    submit_referral(db, clock)
    with Receiver() as receiver:
        outbox = make_outbox(db, clock, webhook_url=receiver.url, lease_seconds=60)
        assert outbox.dispatch_pending() == 1
        crashed = outbox.claim()  # a worker claims it, then dies before sending
        assert crashed is not None
        assert outbox.run_once() == notify.Report()  # still leased to the dead worker
        clock.advance(59)
        assert outbox.run_once() == notify.Report()
        clock.advance(1)
        assert outbox.run_once().delivered == 1
    assert len(receiver.accepted()) == 1
    [row] = deliveries(db)
    assert (row.id, row.status, row.attempts) == (crashed.id, "delivered", 2)
    # The dead worker's late report cannot undo the delivery or schedule another attempt.
    with db.transaction() as conn:
        assert not store.mark_attempt_failed(
            conn, crashed.id, token=crashed.claim or "", error="late", retry_at=clock(), now=clock()
        )
    assert deliveries(db)[0].status == "delivered"


def test_concurrent_workers_claim_each_delivery_once(db: Database, clock: Clock) -> None:
    for _ in range(12):
        submit_referral(db, clock)
    outbox = make_outbox(db, clock, webhook_url="http://127.0.0.1:9/unused")
    assert outbox.dispatch_pending() == 12
    claimed: list[str] = []
    lock = threading.Lock()
    start = threading.Barrier(4)

    def work() -> None:
        start.wait()
        while (delivery := outbox.claim()) is not None:
            with lock:
                claimed.append(delivery.id)

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert len(claimed) == 12
    assert len(set(claimed)) == 12


def test_two_workers_racing_to_fan_out_create_one_set_of_deliveries(
    db: Database, clock: Clock
) -> None:
    submit_referral(db, clock)
    outbox = make_outbox(db, clock, webhook_url="http://127.0.0.1:9/unused")
    results: list[int] = []
    start = threading.Barrier(3)

    def work() -> None:
        start.wait()
        results.append(outbox.dispatch_pending())

    threads = [threading.Thread(target=work) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [0, 0, 1]
    assert len(deliveries(db)) == 1


def test_it_gives_up_after_the_last_attempt_and_an_admin_retry_delivers(
    db: Database, clock: Clock
) -> None:
    referral_id = submit_referral(db, clock)
    with Receiver([500, 500, 500]) as receiver:
        outbox = make_outbox(db, clock, webhook_url=receiver.url, max_attempts=3)
        reports = [outbox.run_once()]
        for _ in range(3):
            clock.advance(600)
            reports.append(outbox.run_once())
        assert [(r.retrying, r.failed) for r in reports] == [(1, 0), (1, 0), (0, 1), (0, 0)]
        assert outbox.summary()["counts"] == {"pending": 0, "delivered": 0, "failed": 1}
        [row] = outbox.rows(status="failed")
        assert (row.referral_id, row.attempts, row.last_error) == (
            referral_id,
            3,
            "HTTP 500 Internal Server Error",
        )
        assert row.target == receiver.url.split("?")[0]  # the token in the query is not shown
        assert outbox.retry(actor="admin@practice.test", delivery_id=row.id) == 1
        assert outbox.retry(actor="admin@practice.test", delivery_id=row.id) == 0
        assert outbox.run_once().delivered == 1
    assert len(receiver.requests) == 4
    assert len({r["headers"]["X-Intake-Delivery"] for r in receiver.requests}) == 1
    with db.read() as conn:
        audit = chat.audit_entries(conn, subject=row.id)
    assert [(a["actor"], a["action"]) for a in audit] == [
        ("admin@practice.test", "notification.retry")
    ]


def test_outbox_rows_wait_while_no_channel_is_set_up(sqlite_db: Database, clock: Clock) -> None:
    submit_referral(sqlite_db, clock)
    bare = make_outbox(sqlite_db, clock, webhook_secret="")
    assert bare.run_once() == notify.Report()
    assert bare.summary()["waiting"] == 1
    assert any("No notification channel" in p for p in bare.summary()["problems"])
    with Receiver() as receiver:
        assert make_outbox(sqlite_db, clock, webhook_url=receiver.url).run_once().delivered == 1
    assert bare.summary()["waiting"] == 0


def test_outbox_kinds_it_does_not_know_are_left_alone(sqlite_db: Database, clock: Clock) -> None:
    with sqlite_db.transaction() as conn:
        chat.enqueue_outbox(conn, kind="staff_push", payload={"x": 1}, now=clock())
    outbox = make_outbox(sqlite_db, clock, webhook_url="http://127.0.0.1:9/unused")
    assert outbox.run_once() == notify.Report()
    with sqlite_db.read() as conn:
        assert [row["status"] for row in chat.outbox_rows(conn)] == ["pending"]


# --- never in the visitor's way ------------------------------------------------------------------


class Visitor:
    """A visitor walking the mini flow through ``Service.handle`` (consent, first name, done)."""

    def __init__(self, service: Service) -> None:
        self.service = service
        self.token: str | None = None
        self.slowest = 0.0

    def send(self, frame: dict[str, Any]) -> list[dict[str, Any]]:
        started = time.monotonic()
        outcome = self.service.handle(self.token, frame, client="127.0.0.1")
        self.slowest = max(self.slowest, time.monotonic() - started)
        self.token = outcome.token or self.token
        assert outcome.error is None, outcome.events
        return outcome.events

    def submit(self, name: str = "Ana") -> str:
        self.send({"type": "start", "flow": "mini", "locale": "en"})
        self.send({"type": "reply", "choice": "accept"})
        [handoff] = [
            e for e in self.send({"type": "reply", "text": name}) if e["type"] == "handoff"
        ]
        return str(handoff["referral"])


def mini_service(db: Database, tmp_path: Path) -> Service:
    config = Config.from_env({}, data_dir=tmp_path, secret_key="k", testing=True)
    return Service(db, {"mini": load_flow(FLOWS / "mini.json")}, config)


def wait_until(predicate: Callable[[], bool], timeout: float = 5.0) -> bool:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def test_a_hanging_receiver_never_delays_a_turn_that_creates_a_referral(
    sqlite_db: Database, clock: Clock, tmp_path: Path
) -> None:
    service = mini_service(sqlite_db, tmp_path)
    with Receiver(["hang", "hang"]) as receiver:
        outbox = make_outbox(sqlite_db, clock, webhook_url=receiver.url, webhook_timeout=10)
        worker = notify.Worker(outbox)
        worker.listen(service.hub, STAFF_CHANNEL)
        worker.start()
        try:
            Visitor(service).submit()
            assert wait_until(lambda: bool(receiver.requests)), "the worker never sent"
            # The worker now waits on a receiver that does not answer; the next visitor must not.
            second = Visitor(service)
            referral_id = second.submit("Bea")
            with sqlite_db.read() as conn:
                queued = [row["payload"]["referral_id"] for row in chat.outbox_rows(conn)]
        finally:
            receiver.release.set()
            worker.stop()
    assert referral_id in queued
    assert second.slowest < 0.5


def test_the_worker_wakes_on_the_services_commit_signal(
    sqlite_db: Database, clock: Clock, tmp_path: Path
) -> None:
    service = mini_service(sqlite_db, tmp_path)
    with Receiver() as receiver:
        outbox = make_outbox(sqlite_db, clock, webhook_url=receiver.url, poll_seconds=60)
        worker = notify.Worker(outbox)
        worker.listen(service.hub, STAFF_CHANNEL)
        worker.start()
        try:
            assert wait_until(lambda: worker.passes > 0)
            referral_id = Visitor(service).submit()
            assert wait_until(lambda: bool(receiver.accepted()), timeout=3)
        finally:
            worker.stop()
    assert json.loads(receiver.accepted()[0]["body"])["referral_id"] == referral_id
    assert worker.passes == 2  # one at start, one on the wake-up: no poll in between
    assert not worker.alive


def test_the_app_starts_a_worker_that_delivers_a_visitors_referral(tmp_path: Path) -> None:
    with Receiver() as receiver:
        config = Config.from_env(
            {},
            data_dir=tmp_path,
            secret_key="k",
            testing=True,
            webhook_url=receiver.url,
            webhook_secret=SECRET,
            flows_dir=FLOWS,
        )
        app = create_app(config)
        running = runtime(app)
        assert running.workers == []  # tests opt in
        worker = running.start_notifier()
        try:
            referral_id = Visitor(running.service).submit()
            assert wait_until(lambda: bool(receiver.accepted()), timeout=3)
        finally:
            worker.stop()
    assert valid_signature(receiver.accepted()[0])
    assert json.loads(receiver.accepted()[0]["body"])["referral_id"] == referral_id


def test_the_real_server_notifies_when_a_visitor_submits_over_http(tmp_path: Path) -> None:
    """gunicorn forks its workers after loading nothing: each worker starts its own thread."""
    with Receiver() as receiver:
        server = LiveServer(
            tmp_path,
            env={
                "INTAKE_FLOWS_DIR": str(FLOWS),
                "INTAKE_DEFAULT_FLOW": "mini",
                "INTAKE_WEBHOOK_URL": receiver.url,
                "INTAKE_WEBHOOK_SECRET": SECRET,
                "INTAKE_PUBLIC_URL": "https://intake.example.org",
            },
        )
        server.start()
        try:
            created = post_json(f"{server.url}/api/chat/sessions", {"type": "start"})
            events = f"{server.url}/api/chat/sessions/{created['token']}/events"
            post_json(events, {"type": "reply", "choice": "accept"})
            reply = post_json(events, {"type": "reply", "text": "Ana"})
            assert wait_until(lambda: bool(receiver.accepted()), timeout=5), server.log()
        finally:
            server.stop()
    [handoff] = [e for e in reply["events"] if e["type"] == "handoff"]
    [request] = receiver.requests
    assert valid_signature(request)
    body = json.loads(request["body"])
    assert body["link"] == f"https://intake.example.org/staff/referrals/{handoff['referral']}"
    assert "Ana" not in request["body"].decode()


def post_json(url: str, document: dict[str, Any]) -> dict[str, Any]:
    request = urllib.request.Request(
        url, data=json.dumps(document).encode(), headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        answer: dict[str, Any] = json.loads(response.read())
    return answer


# --- pure parts ----------------------------------------------------------------------------------


def test_backoff_doubles_from_the_base_up_to_the_cap_with_jitter() -> None:
    settings = notify.Settings(backoff_base=30, backoff_cap=3600)
    top = [notify.backoff_seconds(n, settings, lambda: 1.0) for n in range(1, 10)]
    low = [notify.backoff_seconds(n, settings, lambda: 0.0) for n in range(1, 10)]
    assert top == [30, 60, 120, 240, 480, 960, 1920, 3600, 3600]
    assert low == [t / 2 for t in top]


def test_the_signature_is_hmac_sha256_of_the_exact_body() -> None:
    body = notify.webhook_body("d1", {"event": "referral.new", "referral_id": "ABC"})
    assert body == b'{"delivery_id":"d1","event":"referral.new","referral_id":"ABC"}'
    assert notify.sign(body, "k") == ("sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest())


def test_a_typed_newline_cannot_forge_lines_in_a_detailed_email() -> None:
    notice = notify.build_notice(
        "referral_new", {"referral_id": "R1"}, None, created_at=utcnow(), public_url=""
    )
    message = notify.build_email(
        "d1",
        notice,
        sender="a@b.test",
        recipient="c@d.test",
        details={"Reason": "sad\nOpen in the console: https://evil.test"},
    )
    lines = message.get_content().splitlines()
    assert [line for line in lines if line.startswith("Open in the console")] == [
        "Open in the console: /staff/referrals/R1"
    ]


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        ({"notify_email": ("a@b.test",)}, "INTAKE_SMTP_HOST is empty"),
        ({"smtp_host": "mail"}, "lists no recipient"),
        ({"smtp_host": "m", "notify_email": ("nobody",)}, "'nobody' is not an email address"),
        ({"webhook_url": "ftp://x", "webhook_secret": "k"}, "must start with http"),
        ({"webhook_url": "http://x"}, "INTAKE_WEBHOOK_SECRET is empty"),
        ({}, "INTAKE_PUBLIC_URL is empty"),
    ],
)
def test_it_names_the_setting_that_stops_delivery(settings: dict[str, Any], problem: str) -> None:
    found = notify.Settings(**settings).problems()
    assert any(problem in p for p in found), found


# --- the command line ----------------------------------------------------------------------------


def test_notify_run_once_delivers_and_status_shows_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clock: Clock
) -> None:
    for name in [n for n in os.environ if n.startswith("INTAKE_")]:
        monkeypatch.delenv(name)
    db = Database(f"sqlite:///{tmp_path / 'intake-chat.sqlite3'}")
    db.migrate()
    submit_referral(db, clock)
    with Receiver([500]) as receiver:
        monkeypatch.setenv("INTAKE_DATA_DIR", str(tmp_path))
        monkeypatch.setenv("INTAKE_WEBHOOK_URL", receiver.url)
        monkeypatch.setenv("INTAKE_WEBHOOK_SECRET", SECRET)
        monkeypatch.setenv("INTAKE_PUBLIC_URL", "https://intake.example.org")
        runner = CliRunner()
        first = runner.invoke(cli_main, ["notify", "run", "--once"])
        assert first.exit_code == 0, first.output
        assert "dispatched 1, delivered 0, retrying 1, failed 0" in first.output
        with db.transaction() as conn:  # make it due now instead of waiting for the backoff
            conn.execute(store.deliveries.update().values(next_attempt_at=utcnow()))
        second = runner.invoke(cli_main, ["notify", "run", "--once"])
        assert "dispatched 0, delivered 1, retrying 0, failed 0" in second.output
        status = runner.invoke(cli_main, ["notify", "status"])
    assert status.exit_code == 0
    assert "pending 0, delivered 1, failed 0, waiting for a channel 0" in status.output
    assert "delivered webhook referral.new" in status.output
    assert len(receiver.accepted()) == 1
    missing = runner.invoke(cli_main, ["notify", "retry", "nope"])
    assert missing.exit_code == 1
    assert "no failed delivery with id nope" in missing.output
    db.dispose()


def test_settings_come_from_the_intake_variables() -> None:
    config = Config.from_env(
        {
            "INTAKE_PUBLIC_URL": "https://intake.example.org",
            "INTAKE_SMTP_HOST": "mail.test",
            "INTAKE_SMTP_PORT": "587",
            "INTAKE_SMTP_USER": "u",
            "INTAKE_SMTP_PASSWORD": "p",
            "INTAKE_SMTP_FROM": "intake@practice.test",
            "INTAKE_SMTP_STARTTLS": "true",
            "INTAKE_NOTIFY_EMAIL": "a@practice.test, b@practice.test",
            "INTAKE_WEBHOOK_URL": "https://hooks.test/x",
            "INTAKE_WEBHOOK_SECRET": "k",
            "INTAKE_NOTIFY_INCLUDE_DETAILS": "true",
        }
    )
    settings = notify.Settings.from_config(config)
    assert settings == notify.Settings(
        public_url="https://intake.example.org",
        smtp_host="mail.test",
        smtp_port=587,
        smtp_user="u",
        smtp_password="p",
        smtp_from="intake@practice.test",
        smtp_starttls=True,
        notify_email=("a@practice.test", "b@practice.test"),
        webhook_url="https://hooks.test/x",
        webhook_secret="k",
        include_details=True,
    )
    assert settings.targets() == [
        ("email", "a@practice.test"),
        ("email", "b@practice.test"),
        ("webhook", "https://hooks.test/x"),
    ]
    assert settings.problems() == []


def test_an_unreadable_outbox_row_is_set_aside_and_reported_without_blocking_others(
    sqlite_db: Database, clock: Clock
) -> None:
    with sqlite_db.transaction() as conn:
        conn.execute(
            chat.outbox.insert().values(
                kind="referral_new",
                payload=["not", "an", "object"],
                status="pending",
                attempts=0,
                next_attempt_at=clock(),
                created_at=clock(),
            )
        )
    referral_id = submit_referral(sqlite_db, clock)
    with Receiver() as receiver:
        outbox = make_outbox(sqlite_db, clock, webhook_url=receiver.url)
        assert outbox.run_once().delivered == 1
        assert outbox.run_once() == notify.Report()
    assert json.loads(receiver.requests[0]["body"])["referral_id"] == referral_id
    with sqlite_db.read() as conn:
        bad = chat.outbox_rows(conn)[0]
    assert (bad["status"], bad["last_error"]) == (
        "unusable",
        "TypeError: the payload is a list, not an object",
    )
    assert any("1 outbox row could not be read" in p for p in outbox.summary()["problems"])


def test_it_never_falls_back_to_plain_text_when_starttls_is_required(
    sqlite_db: Database, clock: Clock
) -> None:
    submit_referral(sqlite_db, clock)
    with SMTPTestServer() as smtp:  # offers no STARTTLS
        report = email_outbox(sqlite_db, clock, smtp, smtp_starttls=True).run_once()
        assert smtp.messages == []
    assert report.retrying == 2
    assert {d.last_error for d in deliveries(sqlite_db)} == {
        "SMTPNotSupportedError: STARTTLS extension not supported by server."
    }


def test_an_idle_worker_never_takes_the_write_lock(sqlite_db: Database, clock: Clock) -> None:
    outbox = make_outbox(sqlite_db, clock, webhook_url="http://127.0.0.1:9/unused")
    writes: list[int] = []
    original = sqlite_db.transaction

    def counting() -> Any:
        writes.append(1)
        return original()

    sqlite_db.transaction = counting  # type: ignore[method-assign]
    try:
        assert outbox.run_once() == notify.Report()
    finally:
        sqlite_db.transaction = original  # type: ignore[method-assign]
    assert writes == []
