"""The sign-in lockout under parallel attempts against a real server (gunicorn, real argon2 costs):
the check and the record are one step, so at most five wrong answers per account are evaluated
however many arrive at once. Once on SQLite, once on PostgreSQL (skipped without it)."""

from __future__ import annotations

import http.cookiejar
import os
import re
import threading
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import PG_ENV, PG_SKIP_REASON, LiveServer, fresh_pg_schema

from intake_chat.core import passwords
from intake_chat.storage import Database
from intake_chat.storage import accounts as staff_db

PASSWORD = "blue kettle on a quiet porch"
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
PARALLEL = 10


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def _opener() -> tuple[urllib.request.OpenerDirector, http.cookiejar.CookieJar]:
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar), NoRedirect())
    return opener, jar


def _status(opener: urllib.request.OpenerDirector, url: str, data: dict[str, str]) -> int:
    body = urllib.parse.urlencode(data).encode()
    try:
        with opener.open(url, body, timeout=60) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return int(error.code)


def _csrf(opener: urllib.request.OpenerDirector, url: str) -> str:
    with opener.open(url, timeout=30) as reply:
        found = re.search(r'name="csrf_token" value="([^"]+)"', reply.read().decode())
    assert found
    return found.group(1)


def _all_at_once(count: int, attempt: object) -> list[int]:
    barrier = threading.Barrier(count)
    results: list[int] = []
    lock = threading.Lock()

    def run() -> None:
        barrier.wait()
        status = attempt()  # type: ignore[operator]
        with lock:
            results.append(status)

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    return sorted(results)


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[LiveServer]:
    """A real server whose database holds an admin (with TOTP) and a coordinator."""
    env: dict[str, str] = {}
    if request.param == "postgresql":
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(PG_SKIP_REASON)
        with fresh_pg_schema(base) as url:
            env["INTAKE_DATABASE_URL"] = url
            yield from _serve(tmp_path, url, env)
        return
    yield from _serve(tmp_path, f"sqlite:///{tmp_path / 'intake-chat.sqlite3'}", env)


def _serve(tmp_path: Path, url: str, env: dict[str, str]) -> Iterator[LiveServer]:
    db = Database(url)
    db.migrate()
    key = passwords.totp_key("test-secret")
    with db.transaction() as conn:
        for email, role in (("admin@example.org", "admin"), ("coord@example.org", "coordinator")):
            staff_id = staff_db.create_staff(
                conn, email=email, role=role, password_hash=passwords.hash_password(PASSWORD)
            )
        admin = staff_db.find_staff(conn, "admin@example.org")
        assert admin is not None
        staff_db.update_staff(conn, admin.id, totp_secret=passwords.seal_secret(TOTP_SECRET, key))
    del staff_id
    db.dispose()
    live = LiveServer(tmp_path, env=env, threads=32).start()
    yield live
    live.stop()


def test_parallel_wrong_passwords_are_evaluated_at_most_five_times(server: LiveServer) -> None:
    opener, _jar = _opener()
    login_url = f"{server.url}/staff/login"
    token = _csrf(opener, login_url)
    form = {"email": "coord@example.org", "password": "wrong guess wrong", "csrf_token": token}
    statuses = _all_at_once(PARALLEL, lambda: _status(opener, login_url, form))
    assert statuses.count(401) <= 5, statuses
    assert statuses.count(429) >= PARALLEL - 5, statuses
    assert _status(opener, login_url, {**form, "password": PASSWORD}) == 429


def test_parallel_wrong_codes_are_evaluated_at_most_five_times(server: LiveServer) -> None:
    opener, _jar = _opener()
    login_url = f"{server.url}/staff/login"
    token = _csrf(opener, login_url)
    signed = _status(
        opener, login_url, {"email": "admin@example.org", "password": PASSWORD, "csrf_token": token}
    )
    assert signed == 302
    code_url = f"{server.url}/staff/login/totp"
    session_token = _csrf(opener, code_url)
    form = {"code": "000000", "csrf_token": session_token}
    statuses = _all_at_once(PARALLEL, lambda: _status(opener, code_url, form))
    assert statuses.count(401) <= 5, statuses
    assert all(status in (401, 429, 302) for status in statuses), statuses
