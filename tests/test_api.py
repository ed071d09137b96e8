"""The integration API: per-integration bearer tokens (hashed, revocable, scoped), cursor pages that
never skip or repeat, JSON errors for bad input, and an audit entry for every read."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from staff_helpers import (
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    make_referral,
)

from intake_chat.core import passwords
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import utcnow


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def _token(console: Console, scopes: tuple[str, ...] = ("referrals:read",)) -> tuple[str, int]:
    raw = passwords.new_api_token()
    with console.db.transaction() as conn:
        token_id = staff_db.create_api_token(
            conn,
            name="records system",
            token_hash=passwords.token_digest(raw),
            prefix=raw[:10],
            scopes=scopes,
            created_by=None,
            now=utcnow(),
        )
    return raw, token_id


def _get(console: Console, path: str, token: str | None) -> tuple[int, dict[str, object]]:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    response = console.app.test_client().get(path, headers=headers)
    return response.status_code, response.json  # type: ignore[return-value]


def test_it_lists_referrals_for_a_valid_token(console: Console) -> None:
    raw, _ = _token(console)
    status, body = _get(console, "/api/v1/referrals", raw)
    assert status == 200
    [item] = body["referrals"]  # type: ignore[misc]
    assert item["id"] == console.referral_id
    assert item["status"] == "new" and item["urgent"] is False
    assert item["display"] == {"first_name": "Ana", "email": "ana@example.org"}
    assert item["created_at"].endswith("Z")
    assert body["has_more"] is False


@pytest.mark.parametrize(
    "header", ["", "Bearer", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer ict_not-a-real-token"]
)
def test_it_refuses_missing_or_unknown_tokens_with_401(console: Console, header: str) -> None:
    response = console.app.test_client().get(
        "/api/v1/referrals", headers={"Authorization": header} if header else {}
    )
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert response.json["error"]["code"] == "unauthorized"  # type: ignore[index]


def test_a_revoked_token_stops_working_at_once(console: Console) -> None:
    raw, token_id = _token(console)
    assert _get(console, "/api/v1/referrals", raw)[0] == 200
    with console.db.transaction() as conn:
        assert staff_db.revoke_api_token(conn, token_id, now=utcnow())
    assert _get(console, "/api/v1/referrals", raw)[0] == 401
    assert _get(console, f"/api/v1/referrals/{console.referral_id}", raw)[0] == 401


def test_a_token_without_the_scope_gets_403(console: Console) -> None:
    raw, _ = _token(console, scopes=("notifications:read",))
    status, body = _get(console, "/api/v1/referrals", raw)
    assert status == 403
    assert body["error"]["code"] == "insufficient_scope"  # type: ignore[index]


def test_tokens_are_stored_only_as_a_digest(console: Console) -> None:
    raw, _ = _token(console)
    with console.db.read() as conn:
        stored = conn.execute(sa.select(staff_db.api_tokens)).all()
    text = repr(stored)
    assert raw not in text and raw[10:] not in text
    assert passwords.token_digest(raw) in text


@pytest.fixture
def any_console(tmp_path: Path, database_url: str) -> Iterator[Console]:
    """The console on SQLite and, when INTAKE_TEST_DATABASE_URL is set, on PostgreSQL."""
    console = build_console(tmp_path, database_url=database_url)
    yield console
    console.db.dispose()


def test_cursor_pages_cover_every_referral_once_in_order_and_pick_up_new_ones(
    any_console: Console,
) -> None:
    console = any_console
    base = utcnow() - timedelta(hours=1)
    same_moment = base + timedelta(minutes=5)
    for minute in range(6):
        make_referral(console.db, created_at=base + timedelta(minutes=minute))
    make_referral(console.db, created_at=same_moment)  # a tie on created_at: ordered by id
    raw, _ = _token(console)
    seen: list[str] = []
    cursor = ""
    pages = 0
    while True:
        status, body = _get(console, f"/api/v1/referrals?limit=3&cursor={cursor}", raw)
        assert status == 200
        pages += 1
        seen += [item["id"] for item in body["referrals"]]  # type: ignore[union-attr]
        cursor = str(body["next_cursor"])
        if not body["has_more"]:
            break
    assert pages == 3
    assert len(seen) == len(set(seen)) == 8
    with console.db.read() as conn:
        expected = [row["id"] for row in staff_db.referrals_page(conn, after=None, limit=100)]
    assert seen == expected
    fresh = make_referral(console.db)
    status, body = _get(console, f"/api/v1/referrals?cursor={cursor}", raw)
    assert [item["id"] for item in body["referrals"]] == [fresh]  # type: ignore[union-attr]
    status, body = _get(console, f"/api/v1/referrals?cursor={body['next_cursor']}", raw)
    assert body["referrals"] == [] and body["next_cursor"]


def test_it_filters_by_status_and_since(console: Console) -> None:
    old = make_referral(console.db, created_at=utcnow() - timedelta(days=10))
    with console.db.transaction() as conn:
        staff_db.set_referral_status(
            conn, old, "closed", staff_id=console.people["admin"].id, now=utcnow()
        )
    raw, _ = _token(console)
    _, closed = _get(console, "/api/v1/referrals?status=closed", raw)
    assert [item["id"] for item in closed["referrals"]] == [old]  # type: ignore[union-attr]
    since = (utcnow() - timedelta(days=1)).isoformat() + "Z"
    _, recent = _get(console, f"/api/v1/referrals?since={since}", raw)
    recent_ids = [item["id"] for item in recent["referrals"]]  # type: ignore[union-attr]
    assert recent_ids == [console.referral_id]


@pytest.mark.parametrize(
    "query",
    [
        "limit=0",
        "limit=201",
        "limit=ten",
        "status=gone",
        "cursor=%%%",
        "cursor=bm90LWpzb24",
        "since=last-tuesday",
    ],
)
def test_bad_parameters_get_a_json_400(console: Console, query: str) -> None:
    raw, _ = _token(console)
    status, body = _get(console, f"/api/v1/referrals?{query}", raw)
    assert status == 400
    assert body["error"]["code"] == "bad_request"  # type: ignore[index]


def test_one_referral_by_id_and_404_for_unknown(console: Console) -> None:
    raw, _ = _token(console)
    status, body = _get(console, f"/api/v1/referrals/{console.referral_id}", raw)
    assert status == 200 and body["referral"]["id"] == console.referral_id  # type: ignore[index]
    status, body = _get(console, "/api/v1/referrals/NOSUCH", raw)
    assert status == 404 and body["error"]["code"] == "not_found"  # type: ignore[index]


def test_the_api_is_read_only(console: Console) -> None:
    raw, _ = _token(console)
    client = console.app.test_client()
    for method in ("post", "put", "delete", "patch"):
        response = getattr(client, method)(
            f"/api/v1/referrals/{console.referral_id}", headers={"Authorization": f"Bearer {raw}"}
        )
        assert response.status_code == 405


def test_every_read_is_audited_and_marks_the_token_used(console: Console) -> None:
    raw, token_id = _token(console)
    _get(console, "/api/v1/referrals", raw)
    _get(console, f"/api/v1/referrals/{console.referral_id}", raw)
    with console.db.read() as conn:
        entries = [e for e in chat_db.audit_entries(conn) if e["actor"] == f"token:{token_id}"]
        token = staff_db.find_api_token(conn, passwords.token_digest(raw))
    assert [e["action"] for e in entries] == ["api.referrals.list", "api.referral.view"]
    assert entries[1]["subject"] == f"referral:{console.referral_id}"
    assert token is not None and token.last_used_at is not None
