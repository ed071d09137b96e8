"""Security and privacy review: one test per finding (fixed, or marked xfail with its owner), plus
guards for what the review found sound and must stay so: escaping, origins, caching, referrers,
CSRF, sockets, limits, logs. Visitor data is treated as health information throughout."""

from __future__ import annotations

import json
import re
import time
import traceback
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal

import pytest
import sqlalchemy as sa
from argon2 import PasswordHasher
from flask.testing import FlaskClient
from staff_helpers import (
    PASSWORD,
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    csrf_from,
    login,
    totp_now,
)

from intake_chat import Config, create_app
from intake_chat.cli.serve_command import gunicorn_options
from intake_chat.core import passwords, protocol
from intake_chat.core.errors import ProtocolError
from intake_chat.core.ratelimit import Slots
from intake_chat.core.referral_view import csv_cell
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import utcnow
from intake_chat.web import auth
from intake_chat.web.context import runtime

ROOT = Path(__file__).resolve().parent.parent
ALLOWED = "https://practice.example"


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path, allowed_origins=(ALLOWED,))


@pytest.fixture
def web(console: Console) -> FlaskClient:
    return console.app.test_client()


def _csp(response: Any) -> dict[str, list[str]]:
    policy: dict[str, list[str]] = {}
    for part in response.headers["Content-Security-Policy"].split(";"):
        name, *values = part.split()
        policy[name] = values
    return policy


def _start_chat(client: FlaskClient) -> str:
    response = client.post("/api/chat/sessions", data=json.dumps({"type": "start"}))
    assert response.status_code == 201
    token: str = response.get_json()["token"]
    return token


# --- the chat frame page --------------------------------------------------------------------------


@pytest.mark.parametrize(
    "logo",
    [
        "/\\evil.example/x.png",  # browsers read /\host as //host
        "http://localhost/\\evil.example/x.png",
        "http://localhost//evil.example/x.png",  # our origin, but a protocol-relative path
        "/st\tatic//evil.example/x.png",  # tabs are dropped before parsing
        "//evil.example/x.png",
        "javascript:alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
    ],
)
def test_a_logo_that_a_browser_would_fetch_from_elsewhere_is_dropped(
    web: FlaskClient, logo: str
) -> None:
    html = web.get("/widget/frame", query_string={"logo": logo}).get_data(as_text=True)
    assert "<img" not in html


def test_a_logo_on_this_server_is_kept_by_path(web: FlaskClient) -> None:
    html = web.get(
        "/widget/frame", query_string={"logo": "http://localhost/static/demo/logo.svg"}
    ).get_data(as_text=True)
    assert '<img class="logo" src="/static/demo/logo.svg"' in html


def test_query_values_cannot_leave_their_attribute_or_text(web: FlaskClient) -> None:
    attack = "\"><script>alert(1)</script><x a='"
    html = web.get(
        "/widget/frame",
        query_string={
            "parent": ALLOWED,
            "title": attack,
            "greeting": attack,
            "color": attack,
            "flow": attack,
            "mode": attack,
            "locale": attack,
            "base": attack,
        },
    ).get_data(as_text=True)
    assert "<script>alert" not in html and "<x a=" not in html
    # <title>, the header's name, <h1> and the greeting: as text each time
    assert html.count("&lt;script&gt;alert(1)") == 4
    assert 'data-accent="#2f5d62"' in html and 'data-flow=""' in html and "data-base" not in html


def test_a_refused_parent_is_shown_as_text(web: FlaskClient) -> None:
    response = web.get("/widget/frame", query_string={"parent": "https://x.example/<b>"})
    assert response.status_code == 400
    assert "<b>" not in response.get_data(as_text=True)
    assert _csp(response)["frame-ancestors"] == ["'self'", ALLOWED]


def test_the_frame_and_console_policies_leave_no_gap(console: Console) -> None:
    frame = _csp(console.app.test_client().get(f"/widget/frame?parent={ALLOWED}"))
    client, _ = console.client("coordinator")
    staff = _csp(client.get("/staff/referrals"))
    for policy in (frame, staff):
        assert policy["default-src"] == ["'self'"]
        assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
        assert policy["object-src"] == ["'none'"] and policy["base-uri"] == ["'none'"]
        assert not any("unsafe" in v or v == "*" for values in policy.values() for v in values)
    assert frame["frame-ancestors"] == ["'self'", ALLOWED]
    assert staff["frame-ancestors"] == ["'none'"]
    assert frame["connect-src"] == ["'self'", "ws://localhost", "wss://localhost"]


def test_pages_and_answers_holding_visitor_data_are_never_cached_or_referred(
    console: Console,
) -> None:
    client, _ = console.client("coordinator")
    ref = console.referral_id
    for path in ("/staff/referrals", f"/staff/referrals/{ref}", "/staff/referrals/export.csv"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert response.headers["Cache-Control"] == "no-store", path
        assert response.headers["Referrer-Policy"] == "same-origin", path
    frame = console.app.test_client().get(f"/widget/frame?parent={ALLOWED}")
    assert frame.headers["Cache-Control"] == "no-store"
    assert frame.headers["Referrer-Policy"] == "no-referrer"
    visitor = console.app.test_client()
    token = _start_chat(visitor)
    polled = visitor.get(f"/api/chat/sessions/{token}/events?after=0&wait=0")
    assert polled.headers["Cache-Control"] == "no-store"
    assert polled.headers["X-Content-Type-Options"] == "nosniff"
    api = console.app.test_client().get("/api/v1/referrals")
    assert api.headers["Cache-Control"] == "no-store"


# --- the widget's scripts (static review, kept as tests so a regression fails) --------------------


def _own_scripts() -> list[Path]:
    return [p for p in (ROOT / "static").rglob("*.js") if "node_modules" not in p.parts]


def test_no_script_writes_markup_from_data() -> None:
    """innerHTML only ever gets a fixed string literal; never insertAdjacentHTML/document.write."""
    for path in _own_scripts():
        code = path.read_text("utf-8")
        assert not re.search(r"insertAdjacentHTML|document\.write|outerHTML\s*=", code), path
        for match in re.finditer(r"innerHTML\s*=\s*(.)", code):
            assert match.group(1) in "'\"", (path, code[match.start() : match.start() + 80])


def test_post_messages_name_an_exact_origin_and_handlers_check_it() -> None:
    for name in ("widget.js", "chat/chat.js"):
        code = (ROOT / "static" / name).read_text("utf-8")
        assert "postMessage(" in code
        assert not re.search(r"postMessage\([^;]*,\s*['\"]\*['\"]", code), name
        handler = code[code.index("addEventListener('message'") :][:200]
        assert re.search(r"e\.origin !== (ORIGIN|PARENT)", handler), name
        assert "e.source !==" in handler, name


def test_nothing_is_fetched_from_a_third_party() -> None:
    """The only outside address the product may send a visitor to is the quick-exit page, which
    comes from configuration; crisis links are tel:/sms:/https links from the safety rules."""
    found = []
    roots = [ROOT / "static", ROOT / "intake_chat" / "templates"]
    for path in (p for r in roots for p in r.rglob("*") if p.is_file()):
        if "node_modules" in path.parts or path.suffix not in {".js", ".css", ".html", ".svg"}:
            continue
        for url in re.findall(r"https?://[^\s\"'<>)]+", path.read_text("utf-8")):
            if not url.startswith("http://www.w3.org/"):  # SVG/XML namespaces, never fetched
                found.append((path.name, url))
    assert found == []


# --- the visitor's transports ---------------------------------------------------------------------


@pytest.mark.parametrize("after", ["²", "١٢", "9" * 30, "9" * 5000, "-1"])
def test_a_bad_long_poll_position_is_a_400_not_a_500(web: FlaskClient, after: str) -> None:
    token = _start_chat(web)
    response = web.get(f"/api/chat/sessions/{token}/events", query_string={"after": after})
    assert response.status_code == 400
    assert response.get_json()["events"][0]["code"] == "bad_field"


def test_a_resume_beyond_any_position_is_a_bad_field() -> None:
    frame = {"type": "resume", "token": "t" * 43, "after": 10**30}
    with pytest.raises(ProtocolError) as refused:
        protocol.parse_frame(json.dumps(frame))
    assert refused.value.code == "bad_field"
    frame["after"] = protocol.MAX_SEQ
    assert protocol.parse_frame(json.dumps(frame))["after"] == protocol.MAX_SEQ


@pytest.mark.parametrize("origin", ["null", "https://evil.example", ALLOWED + ".evil.example"])
def test_chat_api_from_a_foreign_origin_is_refused_without_cors(
    web: FlaskClient, origin: str
) -> None:
    response = web.post("/api/chat/sessions", data='{"type":"start"}', headers={"Origin": origin})
    assert response.status_code == 403
    assert "Access-Control-Allow-Origin" not in response.headers


def test_one_address_cannot_take_every_long_lived_slot() -> None:
    slots = Slots(capacity=10, per_address=3)
    assert [slots.acquire("a") for _ in range(4)] == ["ok", "ok", "ok", "address"]
    assert slots.acquire("b") == "ok"
    slots.release("a")
    assert slots.acquire("a") == "ok"
    assert slots.try_acquire() and slots.used == 5  # callers without an address: global only
    unlimited = Slots(capacity=2, per_address=0)
    assert [unlimited.acquire("a") for _ in range(3)] == ["ok", "ok", "busy"]


def test_ipv6_clients_are_limited_per_64_prefix(console: Console) -> None:
    from intake_chat.web.transport import client_key

    cases = [
        ("2001:db8:1:2:aaaa::1", "2001:db8:1:2::/64"),
        ("::ffff:192.0.2.7", "::ffff:192.0.2.7"),
        ("192.0.2.7", "192.0.2.7"),
    ]
    for raw, key in cases:
        with console.app.test_request_context(environ_base={"REMOTE_ADDR": raw}):
            assert client_key() == key


def test_sockets_and_long_polls_per_address_are_capped_on_a_real_server(
    make_live_server: Any,
) -> None:
    import websocket
    from server import HttpVisitor, WsVisitor

    live = make_live_server(env={"INTAKE_SOCKETS_PER_ADDRESS": "2"})
    held = [WsVisitor(live.ws_url), WsVisitor(live.ws_url)]
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        WsVisitor(live.ws_url)
    assert refused.value.status_code == 429
    http = HttpVisitor(live.url)
    http.start()
    assert http.poll(0, wait=0)[0]["code"] == "rate_limited" and http.status == 429
    held.pop().close()
    deadline = time.monotonic() + 5
    while True:  # the server notices the close on its next receive (within a second)
        try:
            held.append(WsVisitor(live.ws_url))
            break
        except websocket.WebSocketBadStatusException:
            assert time.monotonic() < deadline
            time.sleep(0.2)
    for visitor in held:
        visitor.close()


def test_the_production_server_keeps_no_access_log_of_token_urls() -> None:
    options = gunicorn_options("127.0.0.1", 8000, 1, 16, 30)
    assert options["accesslog"] is None


def test_database_errors_in_logs_do_not_carry_what_a_visitor_typed(console: Console) -> None:
    secret = "my therapist knows about the overdose"
    with pytest.raises(Exception) as failed, console.db.read() as conn:
        conn.execute(sa.text("SELECT * FROM no_such_table WHERE x = :v"), {"v": secret})
    logged = "".join(traceback.format_exception(failed.value))
    assert "no_such_table" in logged
    assert secret not in logged


def test_an_unexpected_error_page_shows_no_exception_text(tmp_path: Path) -> None:
    app = create_app(Config.from_env({}, data_dir=tmp_path, secret_key="k"))

    @app.get("/boom")
    def boom() -> str:
        raise RuntimeError("visitor wrote: I want to die")

    response = app.test_client().get("/boom")
    assert response.status_code == 500
    assert "visitor wrote" not in response.get_data(as_text=True)


@pytest.mark.parametrize("path", ["/api/chat/sessions", "/staff/login"])
def test_an_oversize_body_is_refused_not_read(web: FlaskClient, path: str) -> None:
    response = web.post(path, data=b"x" * (256 * 1024), content_type="application/json")
    assert response.status_code == 413


# --- the staff console ----------------------------------------------------------------------------


def _to_totp_step(console: Console) -> FlaskClient:
    client = console.app.test_client()
    assert login(client, "admin@example.org").headers["Location"].startswith("/staff/login/totp")
    return client


def _post_code(client: FlaskClient, code: str) -> Any:
    page = client.get("/staff/login/totp")
    return client.post("/staff/login/totp", data={"code": code, "csrf_token": csrf_from(page.text)})


def test_a_totp_code_cannot_win_twice_when_two_sign_ins_race(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two sign-ins read the account before either stored the used step: only one gets in."""
    first, second = _to_totp_step(console), _to_totp_step(console)
    code = totp_now()
    stale = staff_db.get_web_session  # the second request read its session before the first won

    def before_the_first_committed(conn: Any, id_hash: str) -> Any:
        session = stale(conn, id_hash)
        if session is None:
            return None
        return replace(session, staff=replace(session.staff, totp_last_step=None))

    assert _post_code(first, code).status_code == 302
    monkeypatch.setattr(staff_db, "get_web_session", before_the_first_committed)
    assert _post_code(second, code).status_code == 401


@pytest.mark.parametrize("code", ["²²²²²²", "١٢٣٤٥٦", "１２３４５６"])
def test_totp_codes_in_other_digits_are_refused_not_500(console: Console, code: str) -> None:
    assert passwords.totp_match(passwords.totp_new_secret(), code, time.time()) is None
    assert _post_code(_to_totp_step(console), code).status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/staff/referrals?page=²",
        "/staff/referrals?page=" + "9" * 5000,
        "/staff/referrals?assignee=" + "9" * 30,
        "/staff/referrals?from=0001-01-01&to=9999-12-31",
        "/staff/referrals/export.csv?to=9999-12-31",
        "/staff/audit?before=" + "9" * 30,
        "/staff/audit?from=9999-12-31",
        "/staff/notifications/?retried=²",
        "/api/v1/referrals?limit=²",
    ],
)
def test_out_of_range_numbers_and_dates_are_answered_not_500(console: Console, path: str) -> None:
    client, _ = console.client("admin")
    assert client.get(path).status_code in (200, 400, 401)


@pytest.mark.parametrize("path", ["/staff/users/{n}", "/staff/tokens/{n}/revoke"])
def test_a_row_id_too_large_for_the_database_is_a_404(console: Console, path: str) -> None:
    client, csrf = console.client("admin")
    response = client.post(path.format(n="9" * 30), data={"csrf_token": csrf, "action": "name"})
    assert response.status_code == 404


@pytest.mark.parametrize("since", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"])
def test_an_api_since_off_the_calendar_is_a_json_400(console: Console, since: str) -> None:
    token = passwords.new_api_token()
    with console.db.transaction() as conn:
        staff_db.create_api_token(
            conn,
            name="x",
            token_hash=passwords.token_digest(token),
            prefix=token[:10],
            scopes=["referrals:read"],
            created_by=None,
            now=utcnow(),
        )
    response = console.app.test_client().get(
        "/api/v1/referrals",
        query_string={"since": since},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 400 and response.get_json()["error"]["code"] == "bad_request"


@pytest.mark.parametrize(
    "value", [" =1+1", "\n=cmd|' /C calc'!A0", '\uff1dHYPERLINK("x")', "  @SUM(A1)", "\t-2"]
)
def test_csv_cells_are_defused_behind_whitespace_and_in_full_width(value: str) -> None:
    assert csv_cell(value) == "'" + value


def test_plain_csv_cells_are_left_alone() -> None:
    assert csv_cell("Ana María") == "Ana María" and csv_cell(3) == "3"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example",
        "/\\evil.example",
        "/staff\\@evil.example",
        "https://evil.example/staff",
        "http:/staff",
        "javascript:alert(1)",
        "/elsewhere",
        "staff/x",
    ],
)
def test_next_never_leaves_the_console(target: str) -> None:
    assert auth.safe_next(target) is None


def test_unknown_accounts_cost_a_password_check_like_known_ones(
    console: Console, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No timing oracle for which emails have accounts: each sign-in verifies one argon2 hash."""
    calls: list[str] = []

    class Counting(PasswordHasher):
        def verify(self, hash: str | bytes, password: str | bytes) -> Literal[True]:  # noqa: A002
            calls.append("verify")
            return super().verify(hash, password)

    passwords.use_hasher(Counting(time_cost=1, memory_cost=8, parallelism=1))
    passwords.burn_verify_time("warm the dummy hash")
    for email in ("coordinator@example.org", "nobody@example.org"):
        calls.clear()
        assert login(console.app.test_client(), email, "wrong " + PASSWORD).status_code == 401
        assert calls == ["verify"], email


def test_the_staff_socket_refuses_a_cross_site_handshake(console: Console) -> None:
    client, _ = console.client("coordinator")
    headers = {
        "Upgrade": "websocket",
        "Connection": "Upgrade",
        "Sec-WebSocket-Version": "13",
        "Sec-WebSocket-Key": "dGhlIHNhbXBsZSBub25jZQ==",
        "Origin": "https://evil.example",
    }
    assert client.get("/staff/ws", headers=headers).status_code == 403
    headers["Origin"] = "http://localhost.evil.example"
    assert client.get("/staff/ws", headers=headers).status_code == 403


def test_a_proxy_is_believed_only_when_configured(tmp_path: Path) -> None:
    """INTAKE_TRUST_PROXY: behind a proxy the visitor's address feeds lockouts (not the proxy's,
    which everyone shares) and https gives Secure cookies; without it the headers are ignored."""
    forwarded = {"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"}
    for trust, address, secure in ((1, "203.0.113.9", True), (0, "127.0.0.1", False)):
        console = build_console(tmp_path / str(trust), trust_proxy=trust)
        client = console.app.test_client()
        page = client.get("/staff/login", headers=forwarded)
        response = client.post(
            "/staff/login",
            headers=forwarded,
            data={
                "email": "coordinator@example.org",
                "password": PASSWORD,
                "csrf_token": csrf_from(page.text),
            },
        )
        cookie = next(
            c for c in response.headers.getlist("Set-Cookie") if c.startswith("intake_staff=")
        )
        assert ("; Secure" in cookie) is secure
        with runtime(console.app).db.read() as conn:
            entries = chat_db.audit_entries(conn)
        assert entries[-1]["action"] == "login.success"
        assert entries[-1]["detail"]["address"] == address


def test_every_state_changing_console_route_refuses_a_request_without_the_csrf_token(
    console: Console,
) -> None:
    """Walks the URL map, so routes other blueprints add later (editor, live chats) are covered."""
    client, _ = console.client("admin")
    partial_only = {"/staff/login/totp"}  # a fully signed-in session is sent home, nothing done
    checked = 0
    for rule in console.app.url_map.iter_rules():
        methods = (rule.methods or set()) & {"POST", "PUT", "PATCH", "DELETE"}
        if not rule.rule.startswith("/staff") or not methods:
            continue
        if rule.rule.startswith("/staff/flows/preview/<ticket>/"):
            continue  # the preview sandbox: the secret ticket in the path is the credential
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", "1", rule.rule)
        for method in sorted(methods):
            response = client.open(path, method=method, data={"action": "disable"})
            allowed = {302} if rule.rule in partial_only else {400, 403}
            assert response.status_code in allowed, (method, rule.rule, response.status_code)
            checked += 1
    assert checked >= 10
