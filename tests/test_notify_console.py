"""notify_console: the admin page of notification deliveries and its retry button, per persona.

Real app, real SQLite file, real loopback webhook receiver; sessions are created the way sign-in
creates them (the sign-in pages themselves are tested with the console).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from staff_helpers import add_signed_in_staff
from test_notify import FLOWS, Clock, Receiver, deliveries, make_outbox, submit_referral

from intake_chat import Config, create_app
from intake_chat.storage import Database
from intake_chat.storage import conversations as chat
from intake_chat.storage import deliveries as store
from intake_chat.web import auth
from intake_chat.web.context import runtime


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def console(tmp_path: Path) -> Iterator[tuple[Flask, Database]]:
    config = Config.from_env(
        {},
        data_dir=tmp_path,
        secret_key="k",
        testing=True,
        flows_dir=FLOWS,
        public_url="https://intake.example.org",
    )
    app = create_app(config)
    yield app, runtime(app).db


def sign_in(app: Flask, db: Database, role: str) -> tuple[FlaskClient, str]:
    """A fully signed-in browser for a staff member of ``role``; returns it and its CSRF token."""
    token, csrf = uuid.uuid4().hex, uuid.uuid4().hex
    add_signed_in_staff(db, f"{role}-{token[:6]}@practice.test", role, token, csrf)
    client = app.test_client()
    client.set_cookie(auth.SESSION_COOKIE, token)
    return client, csrf


def failed_delivery(db: Database, clock: Clock, error_status: int = 500) -> str:
    """A referral whose webhook gave up after one try (max_attempts=1)."""
    submit_referral(db, clock)
    with Receiver([error_status]) as receiver:
        make_outbox(db, clock, webhook_url=receiver.url, max_attempts=1).run_once()
    [row] = [d for d in deliveries(db) if d.status == "failed"]
    return row.id


@pytest.mark.parametrize(
    ("role", "status"), [("admin", 200), ("coordinator", 403), ("editor", 403)]
)
def test_only_admins_see_the_notifications_page(
    console: tuple[Flask, Database], role: str, status: int
) -> None:
    app, db = console
    client, _ = sign_in(app, db, role)
    assert client.get("/staff/notifications/").status_code == status


def test_signed_out_visitors_are_sent_to_sign_in(console: tuple[Flask, Database]) -> None:
    app, _ = console
    for method, path in (("get", "/staff/notifications/"), ("post", "/staff/notifications/retry")):
        response = getattr(app.test_client(), method)(path)
        assert response.status_code in (302, 303)
        assert "/staff/login" in response.headers["Location"]


def test_the_page_shows_each_delivery_its_state_and_what_went_wrong(
    console: tuple[Flask, Database], clock: Clock
) -> None:
    app, db = console
    delivery_id = failed_delivery(db, clock)
    client, _ = sign_in(app, db, "admin")
    response = client.get("/staff/notifications/")
    html = response.get_data(as_text=True)
    assert response.headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert f'data-delivery="{delivery_id}" data-status="failed"' in html
    assert "HTTP 500 Internal Server Error" in html
    assert 'id="count-failed">1<' in html
    assert "INTAKE_WEBHOOK_URL" not in html  # the page's own settings are fine ...
    assert "No notification channel is set up" in html  # ... except that none is configured
    assert "token=abc" not in html
    assert '<a href="/staff/notifications/" aria-current="page">Notifications</a>' in html


def test_an_admin_retry_needs_the_csrf_token_and_is_audited(
    console: tuple[Flask, Database], clock: Clock
) -> None:
    app, db = console
    delivery_id = failed_delivery(db, clock)
    client, csrf = sign_in(app, db, "admin")
    forged = client.post("/staff/notifications/retry", data={"delivery_id": delivery_id})
    assert forged.status_code == 400
    assert deliveries(db)[0].status == "failed"
    response = client.post(
        "/staff/notifications/retry", data={"delivery_id": delivery_id, "csrf_token": csrf}
    )
    assert response.status_code == 303
    assert client.get(response.headers["Location"]).status_code == 200
    assert "1 delivery queued again" in client.get(response.headers["Location"]).get_data(
        as_text=True
    )
    [row] = deliveries(db)
    assert (row.status, row.attempts) == ("pending", 0)
    with db.read() as conn:
        [entry] = chat.audit_entries(conn, subject=delivery_id)
    assert entry["action"] == "notification.retry"
    assert entry["actor"].startswith("staff:")


def test_a_receivers_words_are_escaped_on_the_page(
    console: tuple[Flask, Database], clock: Clock
) -> None:
    app, db = console
    failed_delivery(db, clock)
    with db.transaction() as conn:
        conn.execute(store.deliveries.update().values(last_error="<script>alert(1)</script>"))
    client, _ = sign_in(app, db, "admin")
    html = client.get("/staff/notifications/").get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_an_empty_list_says_why_when_notifications_wait_for_a_channel(
    console: tuple[Flask, Database], clock: Clock
) -> None:
    """With no channel set up the counts say 1 waiting: the list must not just say 'none yet'."""
    app, db = console
    submit_referral(db, clock)
    client, _ = sign_in(app, db, "admin")
    html = client.get("/staff/notifications/").get_data(as_text=True)
    assert 'id="count-waiting">1<' in html
    assert "1 is waiting for a notification channel" in html
    delivered = client.get("/staff/notifications/?status=delivered").get_data(as_text=True)
    assert "waiting for a notification channel" not in delivered
