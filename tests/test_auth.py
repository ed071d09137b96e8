"""Staff credentials: argon2id hashes, the password policy, TOTP against RFC 6238's own vectors."""

from __future__ import annotations

import base64
import re
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import parse_qs, quote, urlparse

import pytest
import sqlalchemy as sa
from staff_helpers import (
    PASSWORD,
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    csrf_from,
    login,
    session_cookie,
    totp_now,
)

from intake_chat.core import passwords
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db

RFC_SECRET = base64.b32encode(b"12345678901234567890").decode()


def test_it_hashes_with_argon2id_and_verifies() -> None:
    stored = passwords.hash_password("a long enough passphrase")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.verify_password(stored, "a long enough passphrasE")


def test_it_treats_a_broken_hash_as_a_wrong_password() -> None:
    assert not passwords.verify_password("not-a-hash", "anything at all")
    assert passwords.needs_rehash("not-a-hash")


@pytest.mark.parametrize(
    "candidate",
    [
        "short",
        "Password2025!",
        "qwertyuiop123",
        "123456789012",
        "iloveyou123456",
        "aaaaaaaaaaaaaaa",
        "abababababababab",
        "LetMeIn!!!!!!!!",
    ],
)
def test_it_refuses_short_or_common_passwords(candidate: str) -> None:
    assert passwords.password_problems(candidate) != []


@pytest.mark.parametrize("candidate", ["blue kettle on a quiet porch", "x7-harbour-lantern-9"])
def test_it_accepts_long_uncommon_passwords_without_composition_rules(candidate: str) -> None:
    assert passwords.password_problems(candidate) == []


def test_it_refuses_a_password_containing_the_email_name() -> None:
    assert passwords.password_problems("maria.lopez-garden-7", "maria.lopez@example.org") != []


def test_the_common_password_list_ships_with_over_a_thousand_entries() -> None:
    common = passwords.common_passwords()
    assert len(common) > 1000
    assert {"password", "qwerty123", "1qaz2wsx3edc"} <= common


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        (59, "94287082"),
        (1111111109, "07081804"),
        (1111111111, "14050471"),
        (1234567890, "89005924"),
        (2000000000, "69279037"),
        (20000000000, "65353130"),
    ],
)
def test_totp_matches_rfc_6238_sha1_vectors(at: int, expected: str) -> None:
    assert passwords.totp_code(RFC_SECRET, at, digits=8) == expected


def test_totp_accepts_one_step_of_clock_drift_and_no_more() -> None:
    secret = passwords.totp_new_secret()
    now = 1_700_000_000
    assert passwords.totp_match(secret, passwords.totp_code(secret, now - 30), now) is not None
    assert passwords.totp_match(secret, passwords.totp_code(secret, now + 30), now) is not None
    assert passwords.totp_match(secret, passwords.totp_code(secret, now - 90), now) is None


def test_totp_refuses_a_replayed_code() -> None:
    secret = passwords.totp_new_secret()
    now = 1_700_000_000
    code = passwords.totp_code(secret, now)
    step = passwords.totp_match(secret, code, now)
    assert step == now // 30
    assert passwords.totp_match(secret, code, now + 5, last_step=step) is None


@pytest.mark.parametrize("code", ["", "12345", "1234567", "abcdef", "12 34 5x"])
def test_totp_refuses_malformed_codes_without_raising(code: str) -> None:
    assert passwords.totp_match(passwords.totp_new_secret(), code, 1_700_000_000) is None


def test_totp_uri_carries_the_secret_issuer_and_account() -> None:
    uri = passwords.totp_uri("JBSWY3DPEHPK3PXP", "ana@example.org")
    parsed = urlparse(uri)
    assert parsed.scheme == "otpauth" and parsed.netloc == "totp"
    assert parsed.path == "/Intake%20Chat:ana@example.org"
    query = parse_qs(parsed.query)
    assert query["secret"] == ["JBSWY3DPEHPK3PXP"]
    assert query["issuer"] == ["Intake Chat"]
    assert query["period"] == ["30"] and query["digits"] == ["6"]


# --- the sign-in flow over the real app and database ------------------------------------------


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def _sessions(console: Console) -> list[str]:
    with console.db.read() as conn:
        return [row.id_hash for row in conn.execute(sa.select(staff_db.staff_sessions.c.id_hash))]


def _actions(console: Console) -> list[str]:
    with console.db.read() as conn:
        return [entry["action"] for entry in chat_db.audit_entries(conn)]


def _age(console: Console, table: sa.Table, column: str, minutes: int) -> None:
    """Move stored times into the past (SQLite has no datetime arithmetic in SQL)."""
    key = next(iter(table.primary_key.columns))
    with console.db.transaction() as conn:
        for row in conn.execute(sa.select(key, table.c[column])).all():
            conn.execute(
                table.update()
                .where(key == row[0])
                .values({column: row[1] - timedelta(minutes=minutes)})
            )


def test_it_signs_in_a_coordinator_with_a_new_session_id_and_strict_cookie_flags(
    console: Console,
) -> None:
    client = console.app.test_client()
    client.set_cookie("intake_staff", "planted-by-an-attacker", domain="localhost")
    response = login(client, "coordinator@example.org")
    assert response.status_code == 302 and response.headers["Location"] == "/staff/"
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("intake_staff=")
    )
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain HTTP here; see the TLS test below
    token = session_cookie(client)
    assert token and token != "planted-by-an-attacker"
    assert client.get("/staff/referrals").status_code == 200
    assert _actions(console)[-1] == "login.success"


def test_the_session_cookie_is_secure_when_served_over_tls(console: Console) -> None:
    client = console.app.test_client()
    page = client.get("/staff/login", base_url="https://localhost")
    response = client.post(
        "/staff/login",
        base_url="https://localhost",
        data={
            "email": "coordinator@example.org",
            "password": PASSWORD,
            "csrf_token": csrf_from(page.text),
        },
    )
    cookie = next(
        c for c in response.headers.getlist("Set-Cookie") if c.startswith("intake_staff=")
    )
    assert "; Secure" in cookie


def test_signing_in_again_renews_the_id_and_the_old_one_stops_working(console: Console) -> None:
    client = console.app.test_client()
    login(client, "coordinator@example.org")
    first = session_cookie(client)
    client.delete_cookie("intake_staff", domain="localhost")
    form = csrf_from(client.get("/staff/login").text)
    client.set_cookie("intake_staff", first, domain="localhost")
    client.post(
        "/staff/login",
        data={
            "email": "coordinator@example.org",
            "password": PASSWORD,
            "csrf_token": form,
        },
    )
    second = session_cookie(client)
    assert first != second
    thief = console.app.test_client()
    thief.set_cookie("intake_staff", first, domain="localhost")
    assert thief.get("/staff/referrals").status_code == 302
    assert len(_sessions(console)) == 1


def test_it_answers_unknown_accounts_exactly_like_wrong_passwords(console: Console) -> None:
    wrong = login(console.app.test_client(), "coordinator@example.org", "not the password at all")
    unknown = login(console.app.test_client(), "nobody@example.org", "not the password at all")
    disabled_id = console.target_staff_id
    with console.db.transaction() as conn:
        staff_db.update_staff(conn, disabled_id, disabled_at=staff_db.utcnow())
    disabled = login(console.app.test_client(), "target@example.org")
    for response in (wrong, unknown, disabled):
        assert response.status_code == 401
        assert "That email and password do not match an active account." in response.text
    strip = re.compile(r'value="[^"]*"')
    assert strip.sub("", wrong.text) == strip.sub("", unknown.text)


def test_it_locks_an_account_after_five_failures_even_for_the_right_password(
    console: Console,
) -> None:
    client = console.app.test_client()
    for _ in range(5):
        assert login(client, "coordinator@example.org", "guessing wrong again").status_code == 401
    locked = login(client, "coordinator@example.org")
    assert locked.status_code == 429
    assert "Too many failed sign-ins" in locked.text
    assert session_cookie(client) == ""
    _age(console, staff_db.login_attempts, "at", 16)
    assert login(client, "coordinator@example.org").status_code == 302
    assert "login.locked" in _actions(console)


def test_an_unknown_email_locks_the_same_way_so_lockout_reveals_no_account(
    console: Console,
) -> None:
    client = console.app.test_client()
    for _ in range(5):
        login(client, "ghost@example.org", "guessing wrong again")
    assert login(client, "ghost@example.org", "guessing wrong again").status_code == 429


def test_one_address_spraying_many_emails_is_locked_out_too(console: Console) -> None:
    client = console.app.test_client()
    for n in range(30):
        assert login(client, f"guess{n}@example.org", "spray spray spray").status_code == 401
    assert login(client, "coordinator@example.org").status_code == 429
    elsewhere = console.app.test_client()
    elsewhere.environ_base["REMOTE_ADDR"] = "127.0.0.2"  # another client address (no traffic)
    assert login(elsewhere, "coordinator@example.org").status_code == 302


def test_it_refuses_a_sign_in_post_without_the_form_token(console: Console) -> None:
    client = console.app.test_client()
    response = client.post(
        "/staff/login", data={"email": "coordinator@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400
    assert session_cookie(client) == ""
    forged = client.post(
        "/staff/login",
        data={
            "email": "coordinator@example.org",
            "password": PASSWORD,
            "csrf_token": "x" * 43,
        },
    )
    assert forged.status_code == 400


def test_an_enrolled_admin_needs_a_current_code_and_a_code_works_only_once(
    console: Console,
) -> None:
    client = console.app.test_client()
    response = login(client, "admin@example.org")
    assert response.headers["Location"] == "/staff/login/totp"
    half = session_cookie(client)
    assert client.get("/staff/users").headers["Location"] == "/staff/login/totp"
    page = client.get("/staff/login/totp")
    wrong = client.post(
        "/staff/login/totp", data={"code": "000000", "csrf_token": csrf_from(page.text)}
    )
    assert wrong.status_code == 401
    code = totp_now()
    ok = client.post("/staff/login/totp", data={"code": code, "csrf_token": csrf_from(page.text)})
    assert ok.status_code == 302
    assert session_cookie(client) != half  # renewed again once the second factor is in
    assert client.get("/staff/users").status_code == 200
    again = console.app.test_client()
    login(again, "admin@example.org")
    page = again.get("/staff/login/totp")
    replay = again.post(
        "/staff/login/totp", data={"code": code, "csrf_token": csrf_from(page.text)}
    )
    assert replay.status_code == 401


def test_wrong_codes_count_toward_the_lockout(console: Console) -> None:
    client = console.app.test_client()
    login(client, "admin@example.org")
    page = client.get("/staff/login/totp")
    token = csrf_from(page.text)
    for _ in range(5):
        client.post("/staff/login/totp", data={"code": "000000", "csrf_token": token})
    locked = client.post("/staff/login/totp", data={"code": totp_now(), "csrf_token": token})
    assert locked.status_code == 429
    assert _sessions(console) == []


def _setup_secret(html: str) -> str:
    found = re.search(r'id="totp-secret">([A-Z2-7 ]+)<', html)
    assert found
    return found.group(1).replace(" ", "")


def test_an_admin_without_an_authenticator_must_enrol_before_any_page(console: Console) -> None:
    with console.db.transaction() as conn:
        staff_db.update_staff(conn, console.people["admin"].id, totp_secret=None)
    client = console.app.test_client()
    assert login(client, "admin@example.org").headers["Location"] == "/staff/totp/setup"
    assert client.get("/staff/referrals").headers["Location"] == "/staff/totp/setup"
    page = client.get("/staff/totp/setup")
    secret = _setup_secret(page.text)
    assert f"otpauth://totp/Intake%20Chat:admin@example.org?secret={secret}" in page.text
    assert client.get("/staff/totp/setup").text.count(secret[:4]) >= 1  # same secret on reload
    bad = client.post(
        "/staff/totp/setup", data={"code": "123456", "csrf_token": csrf_from(page.text)}
    )
    assert bad.status_code == 400
    done = client.post(
        "/staff/totp/setup",
        data={
            "code": passwords.totp_code(secret, time.time()),
            "csrf_token": csrf_from(page.text),
        },
    )
    assert done.status_code == 302
    assert client.get("/staff/users").status_code == 200
    with console.db.read() as conn:
        stored = staff_db.get_staff(conn, console.people["admin"].id).totp_secret  # type: ignore[union-attr]
    assert stored and passwords.open_secret(stored, passwords.totp_key("test-secret")) == secret


def test_a_coordinator_needs_no_second_step_unless_the_policy_says_so(tmp_path: Path) -> None:
    strict = build_console(tmp_path, require_totp_for_all=True)
    client = strict.app.test_client()
    assert login(client, "coordinator@example.org").headers["Location"] == "/staff/totp/setup"
    assert client.get("/staff/referrals").status_code == 302


def test_it_signs_out_after_the_idle_limit(console: Console) -> None:
    client = console.app.test_client()
    login(client, "coordinator@example.org")
    assert client.get("/staff/referrals").status_code == 200
    _age(console, staff_db.staff_sessions, "last_seen_at", 16)
    response = client.get("/staff/referrals")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/staff/login?reason=idle")
    assert _sessions(console) == []
    assert "logout.idle" in _actions(console)
    assert "inactivity" in client.get(response.headers["Location"]).text


def test_activity_within_the_idle_limit_keeps_the_session(console: Console) -> None:
    client = console.app.test_client()
    login(client, "coordinator@example.org")
    _age(console, staff_db.staff_sessions, "last_seen_at", 14)
    assert client.get("/staff/referrals").status_code == 200
    _age(console, staff_db.staff_sessions, "last_seen_at", 14)
    assert client.get("/staff/referrals").status_code == 200


def test_logout_ends_the_session_on_the_server(console: Console) -> None:
    client = console.app.test_client()
    login(client, "coordinator@example.org")
    token = session_cookie(client)
    page = client.get("/staff/account")
    assert (
        client.post("/staff/logout", data={"csrf_token": csrf_from(page.text)}).status_code == 302
    )
    replay = console.app.test_client()
    replay.set_cookie("intake_staff", token, domain="localhost")
    assert replay.get("/staff/account").status_code == 302
    assert _sessions(console) == []


def test_disabling_an_account_ends_its_open_sessions(console: Console) -> None:
    worker = console.app.test_client()
    login(worker, "target@example.org")
    assert worker.get("/staff/referrals").status_code == 200
    admin, csrf = console.client("admin")
    response = admin.post(
        f"/staff/users/{console.target_staff_id}", data={"action": "disable", "csrf_token": csrf}
    )
    assert response.status_code == 302
    assert worker.get("/staff/referrals").status_code == 302
    assert login(console.app.test_client(), "target@example.org").status_code == 401


def test_next_survives_the_second_step_with_its_query_intact(console: Console) -> None:
    client = console.app.test_client()
    wanted = "/staff/audit?action=login.success&from=2025-01-01"
    response = login(client, "admin@example.org", next_path=quote(wanted, safe=""))
    assert response.headers["Location"].startswith("/staff/login/totp?next=")
    page = client.get(response.headers["Location"])
    done = client.post(
        response.headers["Location"], data={"code": totp_now(), "csrf_token": csrf_from(page.text)}
    )
    assert done.headers["Location"] == wanted


def test_it_follows_next_only_inside_the_console(console: Console) -> None:
    inside = login(console.app.test_client(), "coordinator@example.org", next_path="/staff/audit")
    assert inside.headers["Location"] == "/staff/audit"
    for target in ("//evil.example/x", "https://evil.example/", "/staff\\..\\x", "/elsewhere"):
        response = login(console.app.test_client(), "coordinator@example.org", next_path=target)
        assert response.headers["Location"] == "/staff/"


def test_changing_a_password_checks_policy_and_signs_out_other_browsers(console: Console) -> None:
    laptop, phone = console.app.test_client(), console.app.test_client()
    login(laptop, "coordinator@example.org")
    login(phone, "coordinator@example.org")
    token = csrf_from(laptop.get("/staff/account").text)
    weak = laptop.post(
        "/staff/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": "password1234",
            "new_password_again": "password1234",
            "csrf_token": token,
        },
    )
    assert weak.status_code == 400 and "too common" in weak.text
    new = "lanterns over the harbour at dusk"
    ok = laptop.post(
        "/staff/account/password",
        data={
            "current_password": PASSWORD,
            "new_password": new,
            "new_password_again": new,
            "csrf_token": token,
        },
    )
    assert ok.status_code == 302
    assert laptop.get("/staff/referrals").status_code == 200
    assert phone.get("/staff/referrals").status_code == 302
    assert login(console.app.test_client(), "coordinator@example.org", new).status_code == 302


def test_console_pages_carry_a_strict_csp_and_cannot_be_framed(console: Console) -> None:
    for path in ("/staff/login", "/staff/referrals"):
        client, _ = console.client("coordinator")
        response = client.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp
        assert "form-action 'self'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Cache-Control"] == "no-store"
        assert "<script>" not in response.text and "style=" not in response.text


def test_the_admin_role_keeps_its_second_factor(console: Console) -> None:
    client, csrf = console.client("admin")
    assert client.post("/staff/account/totp/disable", data={"csrf_token": csrf}).status_code == 403
    with console.db.read() as conn:
        assert staff_db.get_staff(conn, console.people["admin"].id).totp_secret  # type: ignore[union-attr]
