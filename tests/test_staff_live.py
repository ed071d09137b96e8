"""The console's live channel ``/staff/ws`` on a real server (gunicorn) and a real database: who may
open it, and that a WebSocket visitor's referral and crisis flag reach a signed-in coordinator."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import websocket
from argon2 import PasswordHasher
from server import LiveServer, ThreadServer, WsVisitor, backend_server, walk_intake
from staff_helpers import add_signed_in_staff, build_console, make_referral

from intake_chat.core import passwords
from intake_chat.storage import Database, utcnow
from intake_chat.storage import accounts as staff_db
from intake_chat.web import console as staff_console

CHEAP = PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)


@pytest.fixture(params=["sqlite", "postgresql"])
def live(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[tuple[LiveServer, Database]]:
    with backend_server(request.param, tmp_path) as server:
        url = (
            server.env.get("INTAKE_DATABASE_URL") or f"sqlite:///{tmp_path / 'intake-chat.sqlite3'}"
        )
        db = Database(url)
        yield server, db
        db.dispose()


def _session(db: Database, role: str) -> str:
    """A signed-in staff member of ``role``; returns the session cookie value."""
    token = secrets.token_urlsafe(32)
    email = f"{role}-{token[:6]}@example.org"
    add_signed_in_staff(db, email, role, token, "c", password_hash=CHEAP.hash("x" * 16))
    return token


def _console(server: LiveServer, cookie: str | None, origin: str | None = None) -> Any:
    options: dict[str, Any] = {"timeout": 10}
    if cookie:
        options["cookie"] = f"intake_staff={cookie}"
    options["origin"] = origin or server.url
    return websocket.create_connection(f"ws://127.0.0.1:{server.port}/staff/ws", **options)


def _next(ws: Any, kind: str, timeout: float = 10.0) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ws.settimeout(max(0.1, deadline - time.monotonic()))
        event: dict[str, Any] = json.loads(ws.recv())
        if event["type"] == kind:
            return event
    raise AssertionError(f"no {kind} event within {timeout} s")


def test_the_socket_refuses_strangers_editors_and_other_origins(
    live: tuple[LiveServer, Database],
) -> None:
    server, db = live
    cases = [
        (None, None, 401),
        (_session(db, "editor"), None, 403),
        (_session(db, "coordinator"), "http://evil.example", 403),
    ]
    for cookie, origin, status in cases:
        with pytest.raises(websocket.WebSocketBadStatusException) as refused:
            _console(server, cookie, origin)
        assert refused.value.status_code == status
    ws = _console(server, _session(db, "coordinator"))
    assert _next(ws, "hello")["idle_seconds"] == 15 * 60
    ws.close()


def test_a_referral_from_a_websocket_visitor_reaches_the_console_at_once(
    live: tuple[LiveServer, Database],
) -> None:
    server, db = live
    ws = _console(server, _session(db, "coordinator"))
    _next(ws, "hello")
    visitor = WsVisitor(server.ws_url, origin=server.url)
    events = walk_intake(visitor.send, visitor.send({"type": "start"}))
    submitted = time.monotonic()
    handoff = next(e for e in events if e["type"] == "handoff")
    pushed = _next(ws, "referral_new")
    latency = time.monotonic() - submitted
    assert pushed["referral"]["id"] == handoff["referral"]
    assert pushed["referral"]["name"] == "Ana"
    assert pushed["referral"]["url"] == f"/staff/referrals/{handoff['referral']}"
    assert latency < 2.0  # woken by the commit, not by the 3-second poll
    visitor.close()
    ws.close()


def test_a_crisis_message_raises_a_crisis_flag_on_the_console(
    live: tuple[LiveServer, Database],
) -> None:
    server, db = live
    ws = _console(server, _session(db, "admin"))
    _next(ws, "hello")
    visitor = WsVisitor(server.ws_url, origin=server.url)
    visitor.send({"type": "start"})
    reply = visitor.send({"type": "reply", "text": "I want to kill myself"})
    assert any(event["type"] == "crisis" for event in reply)
    flag = _next(ws, "crisis_flag")
    assert flag["level"] == "crisis" and flag["category"]
    assert flag["url"] == f"/staff/sessions/{flag['session_id']}"
    assert flag["referral_ids"] == []
    visitor.close()
    ws.close()


def test_the_socket_closes_when_the_session_ends_or_goes_idle(
    live: tuple[LiveServer, Database],
) -> None:
    server, db = live
    for reason in ("signed_out", "idle"):
        cookie = _session(db, "coordinator")
        ws = _console(server, cookie)
        _next(ws, "hello")
        id_hash = passwords.token_digest(cookie)
        with db.transaction() as conn:
            if reason == "signed_out":
                staff_db.delete_web_session(conn, id_hash)
            else:
                old = utcnow() - timedelta(minutes=16)
                staff_db.update_web_session(conn, id_hash, last_seen_at=old)
        assert _next(ws, "signed_out", timeout=8)["reason"] == reason
        ws.close()


def test_other_features_add_live_events_and_a_missed_wakeup_is_caught_by_polling(
    tmp_path: Path,
) -> None:
    """The live-chat work plugs its events in with ``add_live_source``; a referral written without
    a wake-up (as by another worker process) still arrives within the poll interval."""
    console = build_console(tmp_path)

    def handoffs(conn: Any, session: Any, now: Any, state: dict[str, Any]) -> list[dict[str, Any]]:
        if state.get("sent"):
            return []
        state["sent"] = True
        return [{"type": "handoff_request", "for": session.staff.email}]

    def broken(*_args: Any) -> list[dict[str, Any]]:
        raise RuntimeError("a feature with a bug")

    staff_console.add_live_source(console.app, broken)
    staff_console.add_live_source(console.app, handoffs)
    try:
        with ThreadServer(console.app) as server:
            cookie = _session(console.db, "coordinator")
            ws = websocket.create_connection(
                f"ws://127.0.0.1:{server.port}/staff/ws",
                cookie=f"intake_staff={cookie}",
                origin=server.url,
                timeout=10,
            )
            _next(ws, "hello")
            assert len(staff_console.online_staff(console.app)) == 1
            assert _next(ws, "handoff_request")["for"].startswith("coordinator-")
            referral_id = make_referral(console.db)
            started = time.monotonic()
            assert _next(ws, "referral_new")["referral"]["id"] == referral_id
            assert time.monotonic() - started < staff_console.LIVE_POLL_SECONDS + 2
            ws.close()
            deadline = time.monotonic() + 10
            while staff_console.online_staff(console.app) and time.monotonic() < deadline:
                time.sleep(0.1)
            assert staff_console.online_staff(console.app) == set()
    finally:
        console.db.dispose()
