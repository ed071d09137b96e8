"""Every console and API route × every persona → the status the server must answer.

Roles are enforced on the server: a coordinator cannot manage staff, an editor cannot read
referrals, and a signed-out visitor is sent to sign in. A new route without a row here fails
the coverage test at the end.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from staff_helpers import PERSONAS, Console, build_console, make_referral

ADMIN = ("admin",)
DESK = ("admin", "coordinator")
ANYONE = ("admin", "coordinator", "editor")
EDITING = ("admin", "editor")

# (method, path, form, roles allowed, status for an allowed persona). "{r}" is a referral id,
# "{s}" a spare staff account, "{t}" an API token. Forms are valid enough to pass the guard.
ROUTES: list[tuple[str, str, dict[str, str], tuple[str, ...], int]] = [
    ("GET", "/staff/", {}, ANYONE, 0),  # 302 to the inbox for the desk, 200 home for editors
    ("GET", "/staff/account", {}, ANYONE, 200),
    ("POST", "/staff/account/password", {"current_password": "wrong"}, ANYONE, 400),
    ("POST", "/staff/account/totp/disable", {}, ANYONE, 0),  # admins must keep it: 403
    ("GET", "/staff/referrals", {}, DESK, 200),
    ("GET", "/staff/referrals?status=new&urgent=1&q=ana", {}, DESK, 200),
    ("GET", "/staff/referrals/export.csv", {}, DESK, 200),
    ("GET", "/staff/referrals/{r}", {}, DESK, 200),
    ("GET", "/staff/referrals/NOSUCHREF", {}, DESK, 404),
    ("POST", "/staff/referrals/{r}/status", {"status": "contacted"}, DESK, 302),
    ("POST", "/staff/referrals/{r}/assign", {"assignee": "me"}, DESK, 302),
    ("POST", "/staff/referrals/{r}/notes", {"body": "Called, left a message."}, DESK, 302),
    ("GET", "/staff/sessions/{session}", {}, DESK, 200),
    ("GET", "/staff/referrals/{r}/fhir.json", {}, DESK, 200),
    # erase rows act on a fresh referral each time (see _path): the shared one stays
    ("GET", "/staff/referrals/{r}/erase", {}, ADMIN, 200),
    ("POST", "/staff/referrals/{r}/erase", {"confirm": "yes"}, ADMIN, 302),
    ("POST", "/staff/referrals/{r}/erase", {}, ADMIN, 400),  # not confirmed
    ("GET", "/staff/sessions/{session}/erase", {}, ADMIN, 200),
    ("POST", "/staff/sessions/{session}/erase", {"confirm": "yes"}, ADMIN, 302),
    ("GET", "/staff/users", {}, ADMIN, 200),
    ("POST", "/staff/users", {"email": "x@example.org", "role": "coordinator"}, ADMIN, 400),
    ("POST", "/staff/users/{s}", {"action": "name", "name": "Sam"}, ADMIN, 302),
    ("GET", "/staff/tokens", {}, ADMIN, 200),
    ("POST", "/staff/tokens", {"name": ""}, ADMIN, 400),
    ("POST", "/staff/tokens/{t}/revoke", {}, ADMIN, 302),
    ("GET", "/staff/audit", {}, ADMIN, 200),
    ("GET", "/staff/audit?action=login.success", {}, ADMIN, 200),
    ("GET", "/staff/questions/", {}, EDITING, 200),
    ("POST", "/staff/questions/999999/example", {"topic": "payment"}, EDITING, 404),
    ("POST", "/staff/questions/999999/dismiss", {}, EDITING, 404),
]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    yield build_console(Path(tmp_path_factory.mktemp("console")))


def _path(console: Console, template: str) -> str:
    referral_id = make_referral(console.db) if "/erase" in template else console.referral_id
    with console.db.read() as conn:
        from intake_chat.storage import conversations as chat_db

        session_id = chat_db.get_referral(conn, referral_id)["session_id"]  # type: ignore[index]
    return template.format(
        r=referral_id, s=console.target_staff_id, t=console.token_id, session=session_id
    )


def _expected(persona: str, method: str, path: str, roles: tuple[str, ...], ok: int) -> int:
    if persona == "anonymous":
        return 302
    if persona not in roles:
        return 403
    if path == "/staff/":
        return 200 if persona == "editor" else 302
    if path == "/staff/account/totp/disable":
        return 403 if persona == "admin" else 302
    return ok


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "template", "form", "roles", "ok"), ROUTES)
def test_each_route_answers_each_persona_as_its_role_allows(
    console: Console,
    persona: str,
    method: str,
    template: str,
    form: dict[str, str],
    roles: tuple[str, ...],
    ok: int,
) -> None:
    client, csrf = console.client(persona)
    path = _path(console, template)
    if method == "GET":
        response = client.get(path)
    else:
        response = client.post(path, data={**form, "csrf_token": csrf})
    expected = _expected(persona, method, template, roles, ok)
    assert response.status_code == expected, response.get_data(as_text=True)[:500]
    if persona == "anonymous":
        assert response.headers["Location"].startswith("/staff/login")
    if expected == 403:
        assert "not allowed" in response.get_data(as_text=True).lower()


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(
    "path", ["/api/v1/referrals", "/api/v1/referrals/{r}", "/api/v1/referrals/{r}/fhir"]
)
def test_a_staff_session_is_no_key_to_the_integration_api(
    console: Console, persona: str, path: str
) -> None:
    client, _ = console.client(persona)
    response = client.get(_path(console, path))
    assert response.status_code == 401
    assert response.json == {
        "error": {"code": "unauthorized", "message": "Send 'Authorization: Bearer <token>'."}
    }


@pytest.mark.parametrize("persona", ["admin", "coordinator", "editor"])
def test_a_post_without_the_csrf_token_is_refused_for_every_role(
    console: Console, persona: str
) -> None:
    client, _ = console.client(persona)
    response = client.post("/staff/account/password", data={"current_password": "x"})
    assert response.status_code == 400
    assert "form has expired" in response.get_data(as_text=True)


def test_every_console_and_api_route_is_in_the_persona_table(console: Console) -> None:
    """Adding a route means adding its row above (public sign-in routes and the socket excepted)."""
    covered = {template.split("?")[0] for _, template, *_ in ROUTES}
    placeholders = {
        "<referral_id>": "{r}",
        "<int:staff_id>": "{s}",
        "<int:token_id>": "{t}",
        "<session_id>": "{session}",
        "<int:question_id>": "999999",
    }
    own_public = {
        "/staff/login",
        "/staff/login/totp",
        "/staff/totp/setup",
        "/staff/logout",
        "/staff/ws",
        "/api/v1/referrals",
        "/api/v1/referrals/<referral_id>",
        "/api/v1/referrals/<referral_id>/fhir",
    }
    missing = []
    for rule in console.app.url_map.iter_rules():
        guarded = rule.endpoint.startswith(("staff.", "api.", "questions."))
        if not guarded or rule.rule in own_public:
            continue
        path = rule.rule
        for name, mark in placeholders.items():
            path = path.replace(name, mark)
        if path not in covered:
            missing.append(rule.rule)
    assert missing == []


def test_every_guarded_view_declares_its_roles(console: Console) -> None:
    """No console view is reachable without ``require_role`` (the socket is guarded pre-upgrade)."""
    unguarded = {
        "staff.login",
        "staff.totp_verify",
        "staff.totp_setup",
        "staff.logout",
        "staff.live_socket",
    }
    for endpoint, view in console.app.view_functions.items():
        if endpoint.startswith(("staff.", "questions.")) and endpoint not in unguarded:
            assert getattr(view, "required_roles", None), endpoint
        if endpoint.startswith("api."):
            assert getattr(view, "required_scope", None) == "referrals:read", endpoint
