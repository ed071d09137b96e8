"""Web hardening of issue 16: out-of-range ids are 404s on every console route, bidi controls
typed by a visitor cannot reorder what staff read, security headers on static files, JSON errors
on every /api/ route, and the INTAKE_HSTS setting."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from staff_helpers import (
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    make_referral,
)
from werkzeug.routing import IntegerConverter

from intake_chat.core.referral_view import BIDI_CONTROLS, csv_cell

HUGE_IDS = ("99999999999999999999999999999", str(2**63), str(2**64 + 1))
EVIL = "Ana\u202eexe.gnp\u2066x\u2069\u200f"


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def _int_routes(console: Console) -> list[tuple[str, str, list[str]]]:
    found = []
    for rule in console.app.url_map.iter_rules():
        names = [n for n, conv in rule._converters.items() if isinstance(conv, IntegerConverter)]
        if names:
            methods = sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
            found.append((rule.endpoint, rule.rule, methods))
    return found


def test_every_route_with_an_integer_id_answers_404_for_ids_out_of_range(
    console: Console,
) -> None:
    routes = _int_routes(console)
    assert len(routes) >= 5  # staff, tokens, flows versions... (the walk is not empty)
    client, csrf = console.client("admin")
    seen: dict[str, int] = {}
    for _endpoint, rule, methods in routes:
        for huge in HUGE_IDS:
            path = re.sub(r"<int:[a-z_]+>", huge, rule)
            path = re.sub(r"<(?:string:)?[a-z_]+>", "x", path)
            for method in methods:
                response = client.open(path, method=method, data={"csrf_token": csrf})
                seen[f"{method} {path}"] = response.status_code
    assert {key: status for key, status in seen.items() if status != 404} == {}


def test_bidi_controls_are_neutralised_in_staff_pages_and_the_csv(console: Console) -> None:
    referral = make_referral(console.db, display={"first_name": EVIL, "email": "a@example.org"})
    client, _ = console.client("admin")
    for path in (
        "/staff/referrals",
        f"/staff/referrals/{referral}",
        "/staff/referrals/export.csv",
    ):
        text = client.get(path).get_data(as_text=True)
        assert "Ana" in text, path
        assert not set(text) & set(BIDI_CONTROLS), path


@pytest.mark.parametrize("char", list(BIDI_CONTROLS))
def test_every_bidi_control_is_neutralised_in_a_csv_cell(char: str) -> None:
    assert char not in csv_cell(f"a{char}b")


def test_static_files_carry_the_security_headers(console: Console) -> None:
    response = console.app.test_client().get("/static/widget.js")
    response.close()
    assert response.status_code == 200
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "no-referrer"
    assert "Strict-Transport-Security" not in response.headers  # off by default


@pytest.mark.parametrize(
    ("method", "path", "status"),
    [
        ("POST", "/api/v1/referrals", 405),
        ("DELETE", "/api/v1/referrals/abc", 405),
        ("GET", "/api/v1/nothing-here", 404),
        ("GET", "/api/nothing-here", 404),
        ("GET", "/api/chat/nothing-here", 404),
        ("DELETE", "/api/chat/sessions", 405),
        ("PUT", "/api/chat/health", 405),
    ],
)
def test_every_api_route_answers_errors_in_json(
    console: Console, method: str, path: str, status: int
) -> None:
    response = console.app.test_client().open(path, method=method)
    assert response.status_code == status
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert "error" in body or body["events"][0]["type"] == "error"
    assert response.headers["X-Content-Type-Options"] == "nosniff"


def test_hsts_is_sent_everywhere_when_configured(tmp_path: Path) -> None:
    console = build_console(tmp_path, hsts=31536000)
    client = console.app.test_client()
    for path in ("/static/widget.js", "/staff/login", "/api/chat/health", "/"):
        response = client.get(path)
        response.close()
        header = response.headers.get("Strict-Transport-Security")
        assert header == "max-age=31536000", path


def test_the_console_socket_pushes_names_without_bidi_controls(tmp_path: Path) -> None:
    """A referral's name reaches the inbox over /staff/ws; the page places it with textContent,
    which would still obey an override: the server neutralises it."""
    import json
    import secrets
    import time

    import websocket
    from server import backend_server

    from intake_chat.core import passwords
    from intake_chat.storage import Database, utcnow
    from intake_chat.storage import accounts as staff_db

    with backend_server("sqlite", tmp_path) as server:
        db = Database(f"sqlite:///{tmp_path / 'intake-chat.sqlite3'}")
        token = secrets.token_urlsafe(32)
        with db.transaction() as conn:
            staff_id = staff_db.create_staff(
                conn, email="c@example.org", role="coordinator", password_hash="x"
            )
            staff_db.create_web_session(
                conn,
                id_hash=passwords.token_digest(token),
                staff_id=staff_id,
                stage="full",
                csrf_token="c",
                address="127.0.0.1",
                user_agent="test",
                now=utcnow(),
            )
        ws = websocket.create_connection(
            f"ws://127.0.0.1:{server.port}/staff/ws",
            timeout=30,  # written by another process: found by the 3-second poll, not a wake-up
            cookie=f"intake_staff={token}",
            origin=server.url,
        )
        pushed = None
        try:
            # "hello" comes after the feed has noted what exists: a referral made before it would
            # count as old news and never be pushed (a race that loses under a loaded CI machine)
            assert json.loads(ws.recv())["type"] == "hello"
            make_referral(db, display={"first_name": EVIL})
            deadline = time.monotonic() + 40
            while pushed is None and time.monotonic() < deadline:
                event = json.loads(ws.recv())
                if event["type"] == "referral_new":
                    pushed = event
        finally:
            ws.close()
            db.dispose()
    assert pushed is not None
    name = pushed["referral"]["name"]
    assert name.startswith("Ana") and not set(name) & set(BIDI_CONTROLS)
