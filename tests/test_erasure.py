"""Erasure on request: a marker string typed into every free-text place (answers, transcript,
staff messages, notes, a live request's saved state) is gone from every text column of every
table after the visitor's "delete this conversation" or an admin's erase (CLI here; the console
in test_staff_erasure.py), and on SQLite from the database file and its log too. Real engine,
real safety rules, real database (SQLite file; PostgreSQL when INTAKE_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flow_helpers import PRIVACY_FLOW, fresh_flow
from test_privacy import Visitor, run_cli, settings

from intake_chat.app import erasure
from intake_chat.app.service import Service, safety_from_rules
from intake_chat.storage import Database, metadata, utcnow
from intake_chat.storage import accounts as staff_store
from intake_chat.storage import conversations as store
from intake_chat.storage import live_queue as live_store

MARKER = "QZ-ERASE-7731"
CRISIS = "I want to kill myself"


@pytest.fixture
def service(db: Database, tmp_path: Path, rules: Any) -> Service:
    flow = fresh_flow(PRIVACY_FLOW)
    return Service(db, {flow.id: flow}, settings(tmp_path), safety=safety_from_rules(rules))


def marker_places(db: Database) -> list[str]:
    """``table.column`` of every text, JSON or string column holding the marker, in every table
    the app has (whatever area made it)."""
    found = []
    with db.read() as conn:
        for table in metadata.sorted_tables:
            for row in conn.execute(sa.select(table)):
                for column, value in row._mapping.items():
                    if value is not None and MARKER in json.dumps(value, default=str):
                        found.append(f"{table.name}.{column}")
    return sorted(set(found))


def file_bytes(database_url: str) -> bytes:
    path = Path(sa.engine.make_url(database_url).database or "")
    parts = [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-journal")]
    return b"".join(part.read_bytes() for part in parts if part.exists())


def referral_with_everything(service: Service, db: Database) -> tuple[str, str]:
    """A submitted referral whose every free-text place holds the marker; (referral, session)."""
    visitor = Visitor(service).start()
    visitor.reply(text=f"about {MARKER}")
    visitor.reply(choice="accept")
    visitor.reply(text=f"Ana {MARKER}")
    visitor.reply(choice="blue")
    session = visitor.session
    service.post_staff_message(session.id, name="Sam", text=f"Hi {MARKER}", actor="staff:1")
    now = utcnow()
    with db.transaction() as conn:
        referral_id = store.referrals_for_session(conn, session.id)[0]["id"]
        staff_id = staff_store.create_staff(
            conn, email="sam@example.org", role="admin", name="Sam", password_hash="x"
        )
        staff_store.add_note(conn, referral_id, f"called {MARKER}", staff_id=staff_id, now=now)
        staff_store.set_referral_status(conn, referral_id, "contacted", staff_id=staff_id, now=now)
        staff_store.assign_referral(conn, referral_id, staff_id, staff_id=staff_id, now=now)
        live_store.insert_request(
            conn,
            session_id=session.id,
            referral_id=referral_id,
            node="done",
            resume_state={"answers": {"first_name": MARKER}},
            now=now,
            outcome="closed",
        )
    return referral_id, session.id


def test_the_visitor_erases_a_conversation_staff_do_not_hold(
    service: Service, db: Database, database_url: str
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=f"about {MARKER}")
    session_id = visitor.session.id
    assert marker_places(db) == ["events.payload", "sessions.state"]
    if database_url.startswith("sqlite"):
        assert MARKER.encode() in file_bytes(database_url)

    assert visitor.send(type="erase", id="e-1") == [{"type": "erased", "seq": 0}]

    assert marker_places(db) == []
    if database_url.startswith("sqlite"):
        assert MARKER.encode() not in file_bytes(database_url)
    with db.read() as conn:
        assert store.get_session(conn, session_id) is None
        entries = [e for e in store.audit_entries(conn) if e["action"] == "session.erase"]
    assert len(entries) == 1
    assert entries[0]["actor"] == "visitor" and entries[0]["subject"] == f"session:{session_id}"
    assert entries[0]["detail"] == {
        "session_id": session_id,
        "referral_ids": [],
        "events": entries[0]["detail"]["events"],
        "notes": 0,
    }
    assert entries[0]["detail"]["events"] >= 4
    again = visitor.send(type="resume", after=0, token=visitor.token)
    assert again[0]["code"] == "unknown_token"
    assert visitor.send(type="erase")[0]["code"] == "unknown_token"


def test_a_submitted_referral_is_not_erased_by_the_visitor(service: Service, db: Database) -> None:
    referral_id, session_id = referral_with_everything(service, db)
    before = marker_places(db)
    other = Visitor(service).start()  # a second visitor, who still has their token
    other.reply(text="hello")
    other.reply(choice="accept")
    other.reply(text="Bo")
    other.reply(choice="red")
    answer = other.send(type="erase")
    assert answer[0]["type"] == "error" and answer[0]["code"] == "erase_refused"
    assert "ask the practice" in answer[0]["text"]
    assert marker_places(db) == before
    with db.read() as conn:
        assert store.get_session(conn, other.session.id) is not None
        assert store.get_session(conn, session_id) is not None
        assert store.get_referral(conn, referral_id) is not None


def test_a_conversation_that_alerted_staff_is_not_erased_by_the_visitor(
    service: Service, db: Database
) -> None:
    visitor = Visitor(service).start()
    visitor.reply(text=CRISIS)
    answer = visitor.send(type="erase")
    assert answer[0]["code"] == "erase_refused"
    with db.read() as conn:
        assert store.get_session(conn, visitor.session.id) is not None


def test_an_admin_erases_a_referral_from_the_cli_and_nothing_of_it_remains(
    service: Service, db: Database, database_url: str, tmp_path: Path
) -> None:
    referral_id, session_id = referral_with_everything(service, db)
    held = marker_places(db)
    for place in (
        "events.payload",
        "referrals.answers",
        "referral_notes.body",
        "live_requests.resume_state",
    ):
        assert place in held
    keep = Visitor(service).start()
    keep.reply(text="another visitor")

    result = run_cli(database_url, tmp_path, "db", "erase", "--referral", referral_id, "--yes")

    assert result.exit_code == 0, result.output
    assert f"erased conversation {session_id}" in result.output
    assert referral_id in result.output and "1 notes" in result.output
    assert marker_places(db) == []
    if database_url.startswith("sqlite"):
        assert MARKER.encode() not in file_bytes(database_url)
    with db.read() as conn:
        assert store.get_referral(conn, referral_id) is None
        assert store.get_session(conn, keep.session.id) is not None  # nobody else's
        entries = [e for e in store.audit_entries(conn) if e["action"] == "referral.erase"]
    assert [(e["actor"], e["subject"]) for e in entries] == [("cli", f"referral:{referral_id}")]
    assert entries[0]["detail"]["referral_ids"] == [referral_id]


def test_an_admin_erases_a_conversation_from_the_cli(
    service: Service, db: Database, database_url: str, tmp_path: Path
) -> None:
    _referral_id, session_id = referral_with_everything(service, db)
    result = run_cli(database_url, tmp_path, "db", "erase", "--conversation", session_id, "--yes")
    assert result.exit_code == 0, result.output
    assert marker_places(db) == []
    with db.read() as conn:
        entries = [e for e in store.audit_entries(conn) if e["action"] == "session.erase"]
    assert entries[0]["subject"] == f"session:{session_id}" and entries[0]["actor"] == "cli"


def test_the_cli_refuses_unclear_or_unknown_requests(
    db: Database, database_url: str, tmp_path: Path
) -> None:
    neither = run_cli(database_url, tmp_path, "db", "erase", "--yes")
    assert neither.exit_code == 2 and "exactly one of" in neither.output
    both = run_cli(
        database_url, tmp_path, "db", "erase", "--referral", "A", "--conversation", "B", "--yes"
    )
    assert both.exit_code == 2
    unknown = run_cli(database_url, tmp_path, "db", "erase", "--referral", "NOSUCHREF", "--yes")
    assert unknown.exit_code == 1 and "There is no referral NOSUCHREF" in unknown.output
    asked = run_cli(database_url, tmp_path, "db", "erase", "--referral", "NOSUCHREF")
    assert asked.exit_code == 1 and "Aborted" in asked.output  # no answer to the question


def test_erasing_twice_finds_nothing_the_second_time(service: Service, db: Database) -> None:
    referral_id, _session_id = referral_with_everything(service, db)
    erasure.erase_referral(db, referral_id, actor="staff:1")
    with pytest.raises(erasure.NotFound):
        erasure.erase_referral(db, referral_id, actor="staff:1")


def test_over_http_erase_answers_erased_then_the_token_is_dead(client: Any) -> None:
    started = client.post("/api/chat/sessions", json={"type": "start"})
    token = started.json["token"]
    events = f"/api/chat/sessions/{token}/events"
    client.post(events, json={"type": "reply", "text": f"hello {MARKER}", "id": "r-1"})
    erased = client.post(events, json={"type": "erase", "id": "e-1"})
    assert erased.status_code == 200 and erased.json == {"events": [{"type": "erased", "seq": 0}]}
    again = client.post(events, json={"type": "erase", "id": "e-1"})
    assert again.status_code == 404 and again.json["events"][0]["code"] == "unknown_token"


def test_over_http_a_flagged_conversation_is_refused_with_409(client: Any) -> None:
    token = client.post("/api/chat/sessions", json={"type": "start"}).json["token"]
    events = f"/api/chat/sessions/{token}/events"
    client.post(events, json={"type": "reply", "text": CRISIS, "id": "r-1"})
    refused = client.post(events, json={"type": "erase"})
    assert refused.status_code == 409
    assert refused.json["events"][0]["code"] == "erase_refused"
    assert client.post(events, json={"type": "back"}).status_code == 200  # still there
