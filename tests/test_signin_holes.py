"""The sign-in holes of issue 16, each shown over the real app and a real SQLite file: a right
password is not a success, one lockout for both steps, per-address counters that others' success
does not reset, throttled re-authentication on "My account", TOTP secrets sealed at rest."""

from __future__ import annotations

from pathlib import Path

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from staff_helpers import (
    PASSWORD,
    TOTP_SECRET,
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    csrf_from,
    login,
    session_cookie,
    totp_now,
)

from intake_chat import Config, create_app
from intake_chat.core import passwords
from intake_chat.storage import Database
from intake_chat.storage import accounts as staff_db


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def _wrong_codes(client: FlaskClient, count: int) -> list[int]:
    token = csrf_from(client.get("/staff/login/totp").text)
    return [
        client.post("/staff/login/totp", data={"code": "000000", "csrf_token": token}).status_code
        for _ in range(count)
    ]


def test_a_right_password_does_not_reset_the_code_lockout(console: Console) -> None:
    """Someone who knows the password cannot alternate [password, four wrong codes] forever."""
    client = console.app.test_client()
    assert login(client, "admin@example.org").headers["Location"] == "/staff/login/totp"
    assert _wrong_codes(client, 4) == [401] * 4
    again = console.app.test_client()
    # The password is right, but the account has five failures (four codes, this is not one):
    assert login(again, "admin@example.org").status_code == 302
    assert _wrong_codes(again, 2) == [401, 429]
    assert login(console.app.test_client(), "admin@example.org").status_code == 429


def test_a_right_password_is_not_recorded_as_a_successful_sign_in(console: Console) -> None:
    client = console.app.test_client()
    login(client, "admin@example.org")
    with console.db.read() as conn:
        rows = conn.execute(sa.select(staff_db.login_attempts)).all()
    assert [row.ok for row in rows] == []  # neither a failure nor a success until the code
    token = csrf_from(client.get("/staff/login/totp").text)
    assert client.post(
        "/staff/login/totp", data={"code": totp_now(), "csrf_token": token}
    ).status_code == (302)
    with console.db.read() as conn:
        rows = conn.execute(sa.select(staff_db.login_attempts)).all()
    assert [row.ok for row in rows] == [True]


def test_someone_elses_success_does_not_reset_the_address_counter(console: Console) -> None:
    client = console.app.test_client()
    for n in range(29):
        assert login(client, f"guess{n}@example.org", "spray spray spray").status_code == 401
    # A colleague behind the same address signs in: the sprayer's count is not wiped.
    assert login(console.app.test_client(), "coordinator@example.org").status_code == 302
    assert login(client, "guess29@example.org", "spray spray spray").status_code == 401
    assert login(client, "guess30@example.org", "spray spray spray").status_code == 429


def _account_form(client: FlaskClient) -> str:
    return csrf_from(client.get("/staff/account").text)


def test_the_current_password_check_on_my_account_is_throttled(console: Console) -> None:
    client, csrf = console.client("coordinator")
    wrong = {
        "current_password": "not my password at all",
        "new_password": "a brand new kettle song",
        "new_password_again": "a brand new kettle song",
        "csrf_token": csrf,
    }
    assert [client.post("/staff/account/password", data=wrong).status_code for _ in range(5)] == [
        400
    ] * 5
    right = {**wrong, "current_password": PASSWORD}
    locked = client.post("/staff/account/password", data=right)
    assert locked.status_code == 429
    with console.db.read() as conn:
        member = staff_db.get_staff(conn, console.people["coordinator"].id)
    assert member is not None and passwords.verify_password(member.password_hash, PASSWORD)


def _enrolled_coordinator(console: Console) -> tuple[FlaskClient, str]:
    client, csrf = console.client("coordinator")
    key = passwords.totp_key("test-secret")
    with console.db.transaction() as conn:
        staff_db.update_staff(
            conn,
            console.people["coordinator"].id,
            totp_secret=passwords.seal_secret(TOTP_SECRET, key),
        )
    return client, csrf


def test_turning_off_two_step_needs_the_password_and_a_current_code(console: Console) -> None:
    client, csrf = _enrolled_coordinator(console)
    bare = client.post("/staff/account/totp/disable", data={"csrf_token": csrf})
    assert bare.status_code == 400
    no_code = client.post(
        "/staff/account/totp/disable", data={"csrf_token": csrf, "current_password": PASSWORD}
    )
    assert no_code.status_code == 400
    with console.db.read() as conn:
        assert staff_db.get_staff(conn, console.people["coordinator"].id).totp_secret  # type: ignore[union-attr]
    ok = client.post(
        "/staff/account/totp/disable",
        data={"csrf_token": csrf, "current_password": PASSWORD, "code": totp_now()},
    )
    assert ok.status_code == 302
    with console.db.read() as conn:
        assert staff_db.get_staff(conn, console.people["coordinator"].id).totp_secret is None  # type: ignore[union-attr]


def test_replacing_two_step_from_a_session_needs_the_password_and_the_old_code(
    console: Console,
) -> None:
    client, csrf = _enrolled_coordinator(console)
    page = client.get("/staff/totp/setup")
    assert page.status_code == 200 and 'name="current_password"' in page.text
    with console.db.read() as conn:
        session = conn.execute(sa.select(staff_db.staff_sessions)).first()
    assert session is not None and session.pending_totp_secret
    pending = passwords.open_secret(session.pending_totp_secret, passwords.totp_key("test-secret"))
    assert pending is not None
    new_code = passwords.totp_code(pending, __import__("time").time())
    hijack = client.post("/staff/totp/setup", data={"csrf_token": csrf, "code": new_code})
    assert hijack.status_code == 400
    wrong_old = client.post(
        "/staff/totp/setup",
        data={
            "csrf_token": csrf,
            "code": new_code,
            "current_password": PASSWORD,
            "current_code": "000000",
        },
    )
    assert wrong_old.status_code == 400
    ok = client.post(
        "/staff/totp/setup",
        data={
            "csrf_token": csrf,
            "code": new_code,
            "current_password": PASSWORD,
            "current_code": totp_now(),
        },
    )
    assert ok.status_code == 302


def test_wrong_passwords_on_the_two_step_forms_lock_like_sign_in(console: Console) -> None:
    client, csrf = _enrolled_coordinator(console)
    for _ in range(5):
        client.post(
            "/staff/account/totp/disable",
            data={"csrf_token": csrf, "current_password": "guess guess guess", "code": "1"},
        )
    locked = client.post(
        "/staff/account/totp/disable",
        data={"csrf_token": csrf, "current_password": PASSWORD, "code": totp_now()},
    )
    assert locked.status_code == 429


def test_totp_secrets_are_sealed_at_rest_and_still_work(console: Console) -> None:
    client = console.app.test_client()
    login(client, "admin@example.org")
    with console.db.read() as conn:
        stored = staff_db.get_staff(conn, console.people["admin"].id).totp_secret  # type: ignore[union-attr]
    assert stored is not None and TOTP_SECRET not in stored and stored.startswith("v1:")
    token = csrf_from(client.get("/staff/login/totp").text)
    ok = client.post("/staff/login/totp", data={"code": totp_now(), "csrf_token": token})
    assert ok.status_code == 302 and session_cookie(client)


def test_start_up_seals_secrets_stored_in_clear_by_an_older_version(tmp_path: Path) -> None:
    console = build_console(tmp_path)
    with console.db.transaction() as conn:
        staff_db.update_staff(conn, console.people["admin"].id, totp_secret=TOTP_SECRET)
    console.db.dispose()
    app = create_app(Config.from_env({}, data_dir=tmp_path, secret_key="test-secret", testing=True))
    db = Database(f"sqlite:///{tmp_path / 'intake-chat.sqlite3'}")
    with db.read() as conn:
        stored = staff_db.get_staff(conn, console.people["admin"].id).totp_secret  # type: ignore[union-attr]
    db.dispose()
    assert stored is not None and stored.startswith("v1:")
    key = passwords.totp_key("test-secret")
    assert passwords.open_secret(stored, key) == TOTP_SECRET
    client = app.test_client()
    login(client, "admin@example.org")
    token = csrf_from(client.get("/staff/login/totp").text)
    assert (
        client.post("/staff/login/totp", data={"code": totp_now(), "csrf_token": token}).status_code
        == 302
    )


def test_a_sealed_secret_does_not_open_with_another_key() -> None:
    sealed = passwords.seal_secret(TOTP_SECRET, passwords.totp_key("one key"))
    assert passwords.open_secret(sealed, passwords.totp_key("one key")) == TOTP_SECRET
    assert passwords.open_secret(sealed, passwords.totp_key("another key")) is None
    assert passwords.open_secret(TOTP_SECRET, passwords.totp_key("one key")) is None


def test_the_migration_widens_the_totp_columns_for_sealed_secrets(db: Database) -> None:
    """An install made before sealing has VARCHAR(64) columns (PostgreSQL enforces that)."""
    if db.dialect == "postgresql":
        with db.transaction() as conn:
            for table, column in (
                ("staff_accounts", "totp_secret"),
                ("staff_sessions", "pending_totp_secret"),
            ):
                conn.execute(sa.text(f"ALTER TABLE {table} ALTER COLUMN {column} TYPE VARCHAR(64)"))
    with db.transaction() as conn:
        conn.execute(sa.text("UPDATE schema_versions SET version = 1 WHERE area = 'staff'"))
    assert db.migrate()["staff"] == 2
    sealed = passwords.seal_secret(TOTP_SECRET, passwords.totp_key("k"))
    assert len(sealed) > 64
    with db.transaction() as conn:
        staff_id = staff_db.create_staff(
            conn, email="a@example.org", role="admin", password_hash="x"
        )
        staff_db.update_staff(conn, staff_id, totp_secret=sealed)
    with db.read() as conn:
        assert staff_db.get_staff(conn, staff_id).totp_secret == sealed  # type: ignore[union-attr]
