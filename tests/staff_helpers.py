"""Helpers for the staff console tests: personas, sign-in without the password round trip, and
referrals written the way the conversation service writes them (real tables, real SQLite file)."""

from __future__ import annotations

import re
import secrets
import time
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Connection

from intake_chat.core import passwords
from intake_chat.storage import Database, utcnow
from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.web.context import runtime

PASSWORD = "blue kettle on a quiet porch"
PERSONAS = ("admin", "coordinator", "editor", "anonymous")
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def cheap_hashes() -> Iterator[None]:
    """argon2id with tiny costs: the same code path, 1000× faster than the production profile."""
    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    yield
    passwords.use_hasher(PasswordHasher())


@dataclass(frozen=True)
class Person:
    id: int
    email: str
    role: str


def add_staff(
    db: Database, email: str, role: str, *, totp: bool = False, password: str = PASSWORD
) -> Person:
    with db.transaction() as conn:
        staff_id = staff_db.create_staff(
            conn,
            email=email,
            role=role,
            name=email.split("@")[0].capitalize(),
            password_hash=passwords.hash_password(password),
        )
        if totp:
            staff_db.update_staff(conn, staff_id, totp_secret=sealed(TOTP_SECRET))
    return Person(staff_id, email, role)


def add_web_session(
    conn: Connection, staff_id: int, token: str, csrf: str, user_agent: str = "pytest"
) -> None:
    """A fully signed-in session for ``token`` (the sign-in flow has its own tests)."""
    staff_db.create_web_session(
        conn,
        id_hash=passwords.token_digest(token),
        staff_id=staff_id,
        stage="full",
        csrf_token=csrf,
        address="127.0.0.1",
        user_agent=user_agent,
        now=utcnow(),
    )


def add_signed_in_staff(
    db: Database, email: str, role: str, token: str, csrf: str, **staff: Any
) -> int:
    """A staff member (``staff``: more columns, ``password_hash`` "x" unless given) with a full
    session for ``token``, written straight to the database; returns the staff id."""
    with db.transaction() as conn:
        staff_id = staff_db.create_staff(
            conn, email=email, role=role, **{"password_hash": "x", **staff}
        )
        add_web_session(conn, staff_id, token, csrf, user_agent="test")
    return staff_id


def sign_in_directly(client: FlaskClient, app: Flask, person: Person) -> str:
    """A full session written straight to the database (the sign-in flow has its own tests)."""
    token = secrets.token_urlsafe(32)
    with runtime(app).db.transaction() as conn:
        add_web_session(conn, person.id, token, "csrf-" + token[:20])
    client.set_cookie("intake_staff", token, domain="localhost")
    return "csrf-" + token[:20]


def csrf_from(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def sealed(secret: str, secret_key: str = "test-secret") -> str:
    """A TOTP secret as the app stores it: sealed with the key derived from ``secret_key``."""
    return passwords.seal_secret(secret, passwords.totp_key(secret_key))


def totp_now(secret: str = TOTP_SECRET, offset: int = 0) -> str:
    return passwords.totp_code(secret, time.time() + offset)


def make_referral(
    db: Database,
    *,
    display: Mapping[str, Any] | None = None,
    answers: Mapping[str, Any] | None = None,
    urgent: bool = False,
    crisis_level: str | None = None,
    crisis_category: str | None = None,
    created_at: datetime | None = None,
    transcript: Sequence[Mapping[str, Any]] = (),
) -> str:
    """A session with its event log and a submitted referral, as the service stores them."""
    default = {"first_name": "Ana", "email": "ana@example.org"}
    display = dict(default if display is None else display)  # {}: a referral without answers
    answers = dict(display if answers is None else answers)
    now = created_at or utcnow()
    with db.transaction() as conn:
        session = chat_db.create_session(
            conn,
            token_hash=secrets.token_hex(32),
            flow_id="intake",
            flow_version=1,
            flow_digest="d" * 64,
            locale="en",
            now=now,
            expires_at=now + timedelta(hours=1),
        )
        if urgent or crisis_level:
            chat_db.update_session(
                conn,
                session.id,
                urgent=urgent,
                crisis_level=crisis_level,
                crisis_category=crisis_category,
            )
            session = chat_db.get_session(conn, session.id)  # type: ignore[assignment]
        if transcript:
            chat_db.append_events(conn, session.id, 1, transcript, frame_id=None, now=now)
        referral_id = chat_db.insert_referral(
            conn, session=session, mode="queued", answers=answers, display=display, now=now
        )
    return referral_id


@dataclass
class Console:
    """One app with a person per role, a referral and spare objects for routes to act on."""

    app: Flask
    db: Database
    people: dict[str, Person]
    referral_id: str
    target_staff_id: int
    token_id: int

    def client(self, persona: str) -> tuple[FlaskClient, str]:
        """A test client signed in as ``persona`` (or not, for "anonymous") and its CSRF token."""
        client = self.app.test_client()
        if persona == "anonymous":
            return client, ""
        return client, sign_in_directly(client, self.app, self.people[persona])


def build_console(data_dir: Any, **overrides: Any) -> Console:
    from intake_chat import Config, create_app

    passwords.use_hasher(PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))
    settings = {"data_dir": data_dir, "secret_key": "test-secret", "testing": True, **overrides}
    app = create_app(Config.from_env({}, **settings))
    db = runtime(app).db
    people = {
        role: add_staff(db, f"{role}@example.org", role, totp=role == "admin")
        for role in ("admin", "coordinator", "editor")
    }
    target = add_staff(db, "target@example.org", "coordinator")
    referral_id = make_referral(db)
    with db.transaction() as conn:
        token_id = staff_db.create_api_token(
            conn,
            name="records",
            token_hash="0" * 64,
            prefix="ict_xxxxxx",
            scopes=["referrals:read"],
            created_by=None,
            now=utcnow(),
        )
    return Console(app, db, people, referral_id, target.id, token_id)


def login(client: FlaskClient, email: str, password: str = PASSWORD, next_path: str = "") -> Any:
    """The real sign-in form: fetch it (CSRF cookie and field), then post it."""
    page = client.get("/staff/login")
    url = "/staff/login" + (f"?next={next_path}" if next_path else "")
    return client.post(
        url, data={"email": email, "password": password, "csrf_token": csrf_from(page.text)}
    )


def session_cookie(client: FlaskClient) -> str:
    cookie = client.get_cookie("intake_staff")
    return "" if cookie is None else cookie.value
