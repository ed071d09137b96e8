"""The referral inbox: filters, search, urgent pinning, the detail page, status/assign/notes, CSV
export (formula-safe), escaping of everything a visitor typed, and the audit trail of it all."""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from staff_helpers import (
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    make_referral,
)

from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import utcnow


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


@pytest.fixture
def any_console(tmp_path: Path, database_url: str) -> Iterator[Console]:
    """The console on SQLite and, when INTAKE_TEST_DATABASE_URL is set, on PostgreSQL."""
    console = build_console(tmp_path, database_url=database_url)
    yield console
    console.db.dispose()


def _ids_in_order(html: str) -> list[str]:
    import re

    return re.findall(r'data-referral="([A-Z0-9]+)"', html)


def _audit(console: Console) -> list[dict[str, object]]:
    with console.db.read() as conn:
        return chat_db.audit_entries(conn)


def _flagged_session(console: Console, level: str | None, *, days_ago: int = 0) -> str:
    now = utcnow() - timedelta(days=days_ago)
    with console.db.transaction() as conn:
        session = chat_db.create_session(
            conn,
            token_hash=uuid.uuid4().hex,
            flow_id="intake",
            flow_version=1,
            flow_digest="d" * 64,
            locale="es",
            now=now,
            expires_at=now + timedelta(hours=1),
        )
        if level is not None:
            chat_db.update_session(
                conn, session.id, crisis_level=level, crisis_category="suicide_self_harm"
            )
    return session.id


def test_a_flagged_conversation_without_a_referral_is_listed_beside_the_inbox(
    any_console: Console,
) -> None:
    crisis = _flagged_session(any_console, "crisis")
    concern = _flagged_session(any_console, "concern")
    quiet = _flagged_session(any_console, None)
    old = _flagged_session(any_console, "crisis", days_ago=45)
    make_referral(any_console.db, urgent=True, crisis_level="crisis", display={"first_name": "Bea"})
    client, _ = any_console.client("coordinator")
    html = client.get("/staff/referrals").get_data(as_text=True)
    listed = re.findall(r'data-session="([0-9a-f]+)"', html)
    assert listed[:2] == [concern, crisis] and len(listed) == 2  # newest first
    assert quiet not in listed and old not in listed  # the referral's session is in the inbox
    assert f'href="/staff/sessions/{crisis}"' in html
    assert "Safety flags without a referral" in html and "Urgent: suicide self harm" in html


def test_urgent_referrals_are_pinned_on_top_with_their_category(console: Console) -> None:
    old_urgent = make_referral(
        console.db,
        urgent=True,
        crisis_level="crisis",
        crisis_category="self_harm",
        created_at=utcnow() - timedelta(days=3),
        display={"first_name": "Bea"},
    )
    newest = make_referral(console.db, display={"first_name": "Cal"})
    client, _ = console.client("coordinator")
    html = client.get("/staff/referrals").text
    ids = _ids_in_order(html)
    assert ids[0] == old_urgent
    assert ids[1] == newest
    assert "Urgent: self harm" in html
    assert 'class="pinned"' in html


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("status=contacted", {"contacted"}),
        ("urgent=1", {"urgent"}),
        ("urgent=0", {"console", "contacted", "old", "mine"}),
        ("assignee=me", {"mine"}),
        ("assignee=none", {"console", "urgent", "contacted", "old"}),
        ("q=zoe", {"contacted"}),
        ("q=ZOE%40EXAMPLE", {"contacted"}),
        ("q=774-218-5440", {"urgent"}),
        ("q=(774)%20218", {"urgent"}),
        ("from=2020-01-01&to=2020-01-31", {"old"}),
        ("to=2020-01-31", {"old"}),
        ("status=new&urgent=1", {"urgent"}),
    ],
)
def test_the_inbox_filters_and_searches_by_name_and_contact(
    any_console: Console, query: str, expected: set[str]
) -> None:
    console = any_console
    db = console.db
    named = {
        "console": console.referral_id,
        "urgent": make_referral(
            db,
            urgent=True,
            crisis_level="crisis",
            crisis_category="suicide",
            display={"first_name": "Uma", "phone": "+17742185440"},
        ),
        "contacted": make_referral(db, display={"first_name": "Zoe", "email": "zoe@example.org"}),
        "old": make_referral(db, created_at=datetime(2020, 1, 15), display={"first_name": "Ola"}),
        "mine": make_referral(db, display={"first_name": "Mia"}),
    }
    with db.transaction() as conn:
        now = utcnow()
        me = console.people["coordinator"].id
        staff_db.set_referral_status(conn, named["contacted"], "contacted", staff_id=me, now=now)
        staff_db.assign_referral(conn, named["mine"], me, staff_id=me, now=now)
    client, _ = console.client("coordinator")
    html = client.get(f"/staff/referrals?{query}").text
    by_id = {v: k for k, v in named.items()}
    assert {by_id[i] for i in _ids_in_order(html)} == expected


@pytest.mark.parametrize(
    "query", ["status=lost", "from=yesterday", "to=2025-13-01", "assignee=someone", "page=x"]
)
def test_bad_filter_values_get_a_message_never_a_crash(console: Console, query: str) -> None:
    client, _ = console.client("coordinator")
    response = client.get(f"/staff/referrals?{query}")
    assert response.status_code == 200
    if query != "page=x":
        assert 'role="alert"' in response.text
        assert client.get(f"/staff/referrals/export.csv?{query}").status_code == 400


def test_visitor_text_is_escaped_on_every_page_staff_read(console: Console) -> None:
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    referral_id = make_referral(
        console.db,
        display={"first_name": attack, "reason": attack},
        transcript=[
            {"type": "ask", "node": "ask_first_name", "input": {"kind": "text", "label": "Name?"}},
            {"type": "visitor", "action": "reply", "text": attack},
        ],
    )
    client, csrf = console.client("coordinator")
    client.post(f"/staff/referrals/{referral_id}/notes", data={"body": attack, "csrf_token": csrf})
    pages = [
        client.get("/staff/referrals").text,
        client.get(f"/staff/referrals/{referral_id}").text,
    ]
    with console.db.read() as conn:
        session_id = chat_db.get_referral(conn, referral_id)["session_id"]  # type: ignore[index]
    pages.append(client.get(f"/staff/sessions/{session_id}").text)
    admin, _ = console.client("admin")
    pages.append(admin.get("/staff/audit").text)
    for html in pages:
        assert "<script>alert" not in html and "<img src=x" not in html
    assert (
        pages[1].count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") >= 3
    )  # answers, note, transcript


def test_the_detail_page_shows_answers_transcript_flags_flow_version_and_timeline(
    console: Console,
) -> None:
    referral_id = make_referral(
        console.db,
        urgent=True,
        crisis_level="crisis",
        crisis_category="suicide",
        display={"first_name": "Ana", "email": "ana@example.org", "insurance": "Self-pay"},
        transcript=[
            {
                "type": "ask",
                "node": "ask_first_name",
                "input": {"kind": "text", "label": "Your name?"},
            },
            {"type": "visitor", "action": "reply", "text": "Ana"},
            {
                "type": "crisis",
                "level": "crisis",
                "category": "suicide",
                "text": "Call or text 988.",
            },
        ],
    )
    client, csrf = console.client("coordinator")
    client.post(
        f"/staff/referrals/{referral_id}/status", data={"status": "scheduled", "csrf_token": csrf}
    )
    html = client.get(f"/staff/referrals/{referral_id}").text
    assert "What is your first name?" in html or "First name" in html  # label from the flow
    assert "Self-pay" in html and "ana@example.org" in html
    assert "Your name?" in html and "Call or text 988." in html
    assert "Urgent: suicide" in html
    assert "intake version 1" in html
    assert "Referral submitted" in html and "Status new → scheduled" in html
    assert "Flagged crisis: suicide" in html
    assert any(
        e["action"] == "referral.view" and e["subject"] == f"referral:{referral_id}"
        for e in _audit(console)
    )


def test_a_referral_without_answers_says_so_in_words_and_names_the_language(
    console: Console,
) -> None:
    referral_id = make_referral(console.db, display={})
    client, _ = console.client("coordinator")
    html = client.get(f"/staff/referrals/{referral_id}").text
    assert "<dt>No answers</dt>" not in html
    assert "had not answered any referral questions yet" in html
    assert "<dt>Language</dt><dd>English</dd>" in html


def test_status_assignment_and_notes_change_and_are_audited(console: Console) -> None:
    client, csrf = console.client("coordinator")
    rid = console.referral_id
    target = console.target_staff_id
    assert (
        client.post(
            f"/staff/referrals/{rid}/status", data={"status": "contacted", "csrf_token": csrf}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/staff/referrals/{rid}/assign", data={"assignee": str(target), "csrf_token": csrf}
        ).status_code
        == 302
    )
    assert (
        client.post(
            f"/staff/referrals/{rid}/notes", data={"body": "Left a voicemail.", "csrf_token": csrf}
        ).status_code
        == 302
    )
    with console.db.read() as conn:
        row = staff_db.get_referral_with_assignee(conn, rid)
        notes = staff_db.notes_for(conn, rid)
    assert row is not None and row["status"] == "contacted" and row["assignee_id"] == target
    assert [note["body"] for note in notes] == ["Left a voicemail."]
    actions = [e["action"] for e in _audit(console) if e["subject"] == f"referral:{rid}"]
    assert actions == ["referral.status", "referral.assign", "referral.note"]
    assert (
        client.post(
            f"/staff/referrals/{rid}/assign", data={"assignee": "", "csrf_token": csrf}
        ).status_code
        == 302
    )
    with console.db.read() as conn:
        assert staff_db.get_referral_with_assignee(conn, rid)["assignee_id"] is None  # type: ignore[index]


@pytest.mark.parametrize(
    ("path", "form"),
    [
        ("status", {"status": "deleted"}),
        ("assign", {"assignee": "editor"}),
        ("notes", {"body": "   "}),
        ("notes", {"body": "x" * 4001}),
    ],
)
def test_it_refuses_bad_changes_with_a_message(
    console: Console, path: str, form: dict[str, str]
) -> None:
    client, csrf = console.client("coordinator")
    if form.get("assignee") == "editor":
        form = {"assignee": str(console.people["editor"].id)}
    response = client.post(
        f"/staff/referrals/{console.referral_id}/{path}", data={**form, "csrf_token": csrf}
    )
    assert response.status_code == 400
    with console.db.read() as conn:
        assert staff_db.changes_for(conn, console.referral_id) == []
        assert staff_db.notes_for(conn, console.referral_id) == []


def test_a_refused_note_links_back_to_its_referral_and_says_what_to_do(console: Console) -> None:
    client, csrf = console.client("coordinator")
    response = client.post(
        f"/staff/referrals/{console.referral_id}/notes", data={"body": "  \n ", "csrf_token": csrf}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "The note was empty" in html
    assert f'href="/staff/referrals/{console.referral_id}#notes">Go back<' in html


def test_the_csv_file_is_named_by_the_practice_clock_like_its_cells(console: Console) -> None:
    client, _ = console.client("coordinator")
    zone = ZoneInfo(console.app.config["INTAKE"].timezone)
    before = datetime.now(UTC).astimezone(zone)
    disposition = client.get("/staff/referrals/export.csv").headers["Content-Disposition"]
    after = datetime.now(UTC).astimezone(zone)
    names = {f'attachment; filename="referrals-{t:%Y%m%d-%H%M}.csv"' for t in (before, after)}
    assert disposition in names
    assert before.utcoffset() != timedelta(0)  # New York by default: UTC would not match


def test_changes_to_an_unknown_referral_are_404(console: Console) -> None:
    client, csrf = console.client("coordinator")
    for path, form in (
        ("status", {"status": "closed"}),
        ("assign", {"assignee": "me"}),
        ("notes", {"body": "hello"}),
    ):
        response = client.post(f"/staff/referrals/NOPE/{path}", data={**form, "csrf_token": csrf})
        assert response.status_code == 404


@pytest.mark.parametrize("start", ["=", "+", "-", "@", "\t", "\r"])
def test_the_csv_export_defuses_formulas_in_every_cell(console: Console, start: str) -> None:
    payload = f'{start}HYPERLINK("http://evil.example","click")'
    make_referral(console.db, display={"first_name": payload, "email": "safe@example.org"})
    client, _ = console.client("coordinator")
    response = client.get("/staff/referrals/export.csv?q=safe%40example.org")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert len(rows) == 1
    assert rows[0]["first_name"] == "'" + payload
    assert rows[0]["email"] == "safe@example.org"


def test_the_csv_export_holds_the_filtered_list_and_is_audited(console: Console) -> None:
    make_referral(
        console.db,
        urgent=True,
        crisis_level="crisis",
        crisis_category="suicide",
        display={"first_name": "Uma"},
    )
    client, _ = console.client("coordinator")
    rows = list(
        csv.DictReader(io.StringIO(client.get("/staff/referrals/export.csv?urgent=1").text))
    )
    assert [(r["first_name"], r["urgent"], r["crisis_category"]) for r in rows] == [
        ("Uma", "yes", "suicide")
    ]
    export = [e for e in _audit(console) if e["action"] == "referrals.export"]
    assert len(export) == 1
    assert export[0]["detail"]["count"] == 1  # type: ignore[index]
    assert export[0]["detail"]["filters"] == {"urgent": "1"}  # type: ignore[index]


def test_a_crisis_flag_without_a_referral_opens_as_a_conversation(console: Console) -> None:
    now = utcnow()
    with console.db.transaction() as conn:
        session = chat_db.create_session(
            conn,
            token_hash="f" * 64,
            flow_id="intake",
            flow_version=1,
            flow_digest="d" * 64,
            locale="en",
            now=now,
            expires_at=now + timedelta(hours=1),
        )
        chat_db.append_events(
            conn,
            session.id,
            1,
            [
                {"type": "visitor", "action": "reply", "text": "I want to end it"},
                {"type": "crisis", "level": "crisis", "category": "suicide", "text": "Call 988."},
            ],
            frame_id=None,
            now=now,
        )
    client, _ = console.client("coordinator")
    html = client.get(f"/staff/sessions/{session.id}").text
    assert "I want to end it" in html and "safety: crisis" in html
    assert "None submitted (yet)" in html
    assert client.get("/staff/sessions/nope").status_code == 404


def test_admins_filter_the_audit_log_and_nobody_can_change_it(console: Console) -> None:
    coordinator, _ = console.client("coordinator")
    coordinator.get(f"/staff/referrals/{console.referral_id}")
    admin, csrf = console.client("admin")
    html = admin.get("/staff/audit?action=referral.view").text
    assert f"referral:{console.referral_id}" in html
    assert "coordinator@example.org" in html
    html = admin.get(f"/staff/audit?actor=staff:{console.people['admin'].id}").text
    assert "referral.view" not in html.split("<tbody>")[1]
    for method in ("post", "put", "delete", "patch"):
        response = getattr(admin, method)("/staff/audit", data={"csrf_token": csrf})
        assert response.status_code == 405
    assert not any(
        rule.rule.startswith("/staff/audit/") for rule in console.app.url_map.iter_rules()
    )
