"""Staff and token management: the admin pages and the ``intake-chat staff`` commands."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from staff_helpers import (
    PASSWORD,
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    login,
    session_cookie,
)

from intake_chat.cli import main
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db

NEW_PASSWORD = "harbour lights in november"


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def _member(console: Console, email: str) -> staff_db.StaffRow | None:
    with console.db.read() as conn:
        return staff_db.find_staff(conn, email)


def _new_user_form(csrf: str, **changes: str) -> dict[str, str]:
    form = {
        "email": "dee@example.org",
        "name": "Dee",
        "role": "coordinator",
        "password": NEW_PASSWORD,
        "password_again": NEW_PASSWORD,
        "csrf_token": csrf,
    }
    form.update(changes)
    return form


def test_an_admin_adds_a_coordinator_who_can_then_sign_in(console: Console) -> None:
    admin, csrf = console.client("admin")
    response = admin.post("/staff/users", data=_new_user_form(csrf))
    assert response.status_code == 302
    member = _member(console, "dee@example.org")
    assert member is not None and member.role == "coordinator" and member.name == "Dee"
    assert member.password_hash.startswith("$argon2id$")
    assert login(console.app.test_client(), "dee@example.org", NEW_PASSWORD).status_code == 302
    assert "dee@example.org" in admin.get("/staff/users").text


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"password": "password12345", "password_again": "password12345"}, "too common"),
        ({"password": "short", "password_again": "short"}, "at least 12"),
        ({"password_again": "something else entirely"}, "not the same"),
        ({"email": "not-an-email"}, "email address"),
        ({"role": "owner"}, "Choose a role"),
    ],
)
def test_it_refuses_a_new_account_with_a_clear_reason(
    console: Console, changes: dict[str, str], message: str
) -> None:
    admin, csrf = console.client("admin")
    response = admin.post("/staff/users", data=_new_user_form(csrf, **changes))
    assert response.status_code == 400
    assert message in response.text
    assert _member(console, "dee@example.org") is None


def test_a_second_account_with_the_same_email_is_refused(console: Console) -> None:
    admin, csrf = console.client("admin")
    response = admin.post("/staff/users", data=_new_user_form(csrf, email="Editor@Example.org"))
    assert response.status_code == 409


def test_changing_a_role_takes_effect_and_ends_that_persons_sessions(console: Console) -> None:
    worker = console.app.test_client()
    login(worker, "target@example.org")
    assert worker.get("/staff/referrals").status_code == 200
    admin, csrf = console.client("admin")
    admin.post(
        f"/staff/users/{console.target_staff_id}",
        data={"action": "role", "role": "editor", "csrf_token": csrf},
    )
    assert worker.get("/staff/referrals").status_code == 302
    login(worker, "target@example.org")
    assert worker.get("/staff/referrals").status_code == 403


def test_an_admin_cannot_lock_everyone_out(console: Console) -> None:
    admin, csrf = console.client("admin")
    me = console.people["admin"].id
    own = admin.post(f"/staff/users/{me}", data={"action": "disable", "csrf_token": csrf})
    assert own.status_code == 400 and "your own account" in own.text
    demote = admin.post(
        f"/staff/users/{me}", data={"action": "role", "role": "coordinator", "csrf_token": csrf}
    )
    assert demote.status_code == 400 and "at least one active admin" in demote.text
    assert _member(console, "admin@example.org").role == "admin"  # type: ignore[union-attr]


def test_an_admin_resets_a_lost_authenticator_and_sets_a_password(console: Console) -> None:
    with console.db.transaction() as conn:
        staff_db.update_staff(conn, console.target_staff_id, totp_secret="JBSWY3DPEHPK3PXP")
    admin, csrf = console.client("admin")
    target = console.target_staff_id
    admin.post(f"/staff/users/{target}", data={"action": "reset_totp", "csrf_token": csrf})
    admin.post(
        f"/staff/users/{target}",
        data={
            "action": "password",
            "password": NEW_PASSWORD,
            "password_again": NEW_PASSWORD,
            "csrf_token": csrf,
        },
    )
    member = _member(console, "target@example.org")
    assert member is not None and member.totp_secret is None
    assert login(console.app.test_client(), "target@example.org", NEW_PASSWORD).status_code == 302
    with console.db.read() as conn:
        actions = [e["action"] for e in chat_db.audit_entries(conn, subject=f"staff:{target}")]
    assert actions[:2] == ["staff.reset_totp", "staff.password"]


def test_a_token_made_in_the_console_is_shown_once_works_and_can_be_revoked(
    console: Console,
) -> None:
    admin, csrf = console.client("admin")
    created = admin.post(
        "/staff/tokens", data={"name": "EHR sync", "scopes": "referrals:read", "csrf_token": csrf}
    )
    assert created.status_code == 201
    found = re.search(r'id="new-token">(ict_[A-Za-z0-9_-]+)<', created.text)
    assert found
    token = found.group(1)
    listing = admin.get("/staff/tokens").text
    assert "EHR sync" in listing and token not in listing and token[:10] in listing
    api = console.app.test_client()
    headers = {"Authorization": f"Bearer {token}"}
    assert api.get("/api/v1/referrals", headers=headers).status_code == 200
    with console.db.read() as conn:
        token_id = max(t.id for t in staff_db.list_api_tokens(conn))
    admin.post(f"/staff/tokens/{token_id}/revoke", data={"csrf_token": csrf})
    assert api.get("/api/v1/referrals", headers=headers).status_code == 401


# --- the command line -----------------------------------------------------------------------


def _cli(tmp_path: Path, *args: str, stdin: str | None = None) -> Result:
    env = {"INTAKE_DATA_DIR": str(tmp_path), "INTAKE_SECRET_KEY": "test-secret"}
    return CliRunner().invoke(main, ["staff", *args], input=stdin, env=env)


def test_staff_add_prompts_twice_and_creates_the_first_admin(tmp_path: Path) -> None:
    result = _cli(
        tmp_path,
        "add",
        "Boss@Example.org",
        "--role",
        "admin",
        stdin=f"{NEW_PASSWORD}\n{NEW_PASSWORD}\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.count("Password") == 2
    assert "Created admin boss@example.org" in result.output
    console = build_console(tmp_path)
    client = console.app.test_client()
    assert (
        login(client, "boss@example.org", NEW_PASSWORD).headers["Location"] == "/staff/totp/setup"
    )


def test_staff_add_asks_again_when_the_two_entries_differ(tmp_path: Path) -> None:
    typed = f"{NEW_PASSWORD}\nsomething else\n{NEW_PASSWORD}\n{NEW_PASSWORD}\n"
    result = _cli(tmp_path, "add", "ana@example.org", "--role", "coordinator", stdin=typed)
    assert result.exit_code == 0
    assert "do not match" in result.output


@pytest.mark.parametrize(
    ("args", "stdin", "message"),
    [
        (
            ["add", "ana@example.org", "--role", "coordinator", "--password-stdin"],
            "qwerty123456\n",
            "too common",
        ),
        (
            ["add", "ana", "--role", "coordinator", "--password-stdin"],
            f"{NEW_PASSWORD}\n",
            "not an email",
        ),
        (
            ["add", "ana@example.org", "--role", "owner", "--password-stdin"],
            f"{NEW_PASSWORD}\n",
            "Invalid value",
        ),
        (["disable", "ghost@example.org"], None, "No account"),
        (["token", "revoke", "99"], None, "No live token"),
    ],
)
def test_staff_commands_fail_with_a_reason(
    tmp_path: Path, args: list[str], stdin: str | None, message: str
) -> None:
    result = _cli(tmp_path, *args, stdin=stdin)
    assert result.exit_code != 0
    assert message in result.output


def test_list_disable_and_tokens_from_the_command_line(tmp_path: Path) -> None:
    assert _cli(tmp_path, "list").output.startswith("No staff accounts yet")
    add = _cli(
        tmp_path,
        "add",
        "ana@example.org",
        "--role",
        "coordinator",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert add.exit_code == 0
    duplicate = _cli(
        tmp_path,
        "add",
        "ANA@example.org",
        "--role",
        "editor",
        "--password-stdin",
        stdin=f"{PASSWORD}\n",
    )
    assert duplicate.exit_code != 0 and "already exists" in duplicate.output
    console = build_console(tmp_path)
    client = console.app.test_client()
    login(client, "ana@example.org")
    assert session_cookie(client)
    listed = _cli(tmp_path, "list").output
    assert "ana@example.org\tcoordinator\tactive" in listed
    disabled = _cli(tmp_path, "disable", "ana@example.org")
    assert disabled.exit_code == 0 and "1 session(s) ended" in disabled.output
    assert client.get("/staff/referrals").status_code == 302
    assert "ana@example.org\tcoordinator\tdisabled" in _cli(tmp_path, "list").output
    created = _cli(tmp_path, "token", "create", "records")
    token = created.stdout.strip().splitlines()[-1]
    assert token.startswith("ict_")
    api = console.app.test_client()
    assert (
        api.get("/api/v1/referrals", headers={"Authorization": f"Bearer {token}"}).status_code
        == 200
    )
    assert "records" in _cli(tmp_path, "token", "list").output
    lines = _cli(tmp_path, "token", "list").output.splitlines()
    token_id = next(line.split("\t")[0] for line in lines if token[:10] in line)
    assert _cli(tmp_path, "token", "revoke", token_id).exit_code == 0
    assert (
        api.get("/api/v1/referrals", headers={"Authorization": f"Bearer {token}"}).status_code
        == 401
    )
    with console.db.read() as conn:
        cli_actions = [e["action"] for e in chat_db.audit_entries(conn) if e["actor"] == "cli"]
    assert cli_actions == ["staff.create", "staff.disable", "token.create", "token.revoke"]


def test_my_account_offers_to_turn_off_two_step_only_where_it_is_allowed(console: Console) -> None:
    """An admin must keep it: the button only led to a 'Not allowed' page."""
    admin, _ = console.client("admin")
    page = admin.get("/staff/account").text
    assert "Turn off two-step sign-in" not in page
    assert "turned off here" in page
    with console.db.transaction() as conn:
        coordinator_id = console.people["coordinator"].id
        staff_db.update_staff(conn, coordinator_id, totp_secret="JBSWY3DPEHPK3PXP")
    coordinator, _ = console.client("coordinator")
    assert "Turn off two-step sign-in" in coordinator.get("/staff/account").text


def test_the_staff_page_offers_no_disable_button_on_your_own_row(console: Console) -> None:
    """base.html's own ``me`` (the session) once hid the view's, so every row had the button."""
    admin, _ = console.client("admin")
    html = admin.get("/staff/users").text
    me = console.people["admin"].id
    forms = re.findall(rf'action="/staff/users/{me}".*?</form>', html, re.S)
    assert forms and not any('value="disable"' in form for form in forms)
    other = console.people["coordinator"].id
    theirs = re.findall(rf'action="/staff/users/{other}".*?</form>', html, re.S)
    assert any('value="disable"' in form for form in theirs)


def test_the_saved_notice_names_the_account_that_changed(console: Console) -> None:
    admin, _ = console.client("admin")
    other = console.people["coordinator"]
    html = admin.get(f"/staff/users?saved={other.id}").text
    assert f'role="status">Saved: {other.email}.</p>' in html
    assert 'role="status">Saved.</p>' in admin.get("/staff/users?saved=junk").text
