"""Erasure from the console: admins only, a confirmation page that says what goes, CSRF and a
ticked box on the POST, then nothing of the referral is left in any table and the audit log says
who erased what (ids and counts). The marker search itself is in test_erasure.py."""

from __future__ import annotations

from pathlib import Path

import pytest
from staff_helpers import (
    Console,
    build_console,
    cheap_hashes,  # noqa: F401  (autouse fixture)
    make_referral,
)
from test_erasure import MARKER, marker_places

from intake_chat.storage import accounts as staff_db
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import utcnow


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def marked_referral(console: Console) -> tuple[str, str]:
    referral_id = make_referral(
        console.db,
        display={"first_name": f"Ana {MARKER}"},
        transcript=[{"type": "visitor", "action": "reply", "text": f"I am Ana {MARKER}"}],
    )
    with console.db.transaction() as conn:
        staff_db.add_note(
            conn, referral_id, f"note {MARKER}", staff_id=console.people["admin"].id, now=utcnow()
        )
        session_id = chat_db.get_referral(conn, referral_id)["session_id"]  # type: ignore[index]
    return referral_id, session_id


def test_an_admin_erases_a_referral_after_confirming(console: Console) -> None:
    referral_id, session_id = marked_referral(console)
    client, csrf = console.client("admin")
    detail = client.get(f"/staff/referrals/{referral_id}")
    assert f'href="/staff/referrals/{referral_id}/erase"' in detail.text
    page = client.get(f"/staff/referrals/{referral_id}/erase")
    assert page.status_code == 200
    assert "1 logged message" in page.text and "1 internal note" in page.text
    assert MARKER not in page.text  # the page counts; it does not show what goes

    unticked = client.post(f"/staff/referrals/{referral_id}/erase", data={"csrf_token": csrf})
    assert unticked.status_code == 400 and "Tick the box" in unticked.text
    no_csrf = client.post(f"/staff/referrals/{referral_id}/erase", data={"confirm": "yes"})
    assert no_csrf.status_code == 400 and "form has expired" in no_csrf.text
    assert "referral_notes.body" in marker_places(console.db)  # nothing erased yet

    done = client.post(
        f"/staff/referrals/{referral_id}/erase", data={"csrf_token": csrf, "confirm": "yes"}
    )
    assert done.status_code == 302 and done.headers["Location"].endswith(f"erased={referral_id}")
    assert marker_places(console.db) == []
    inbox = client.get(done.headers["Location"])
    assert f"Erased {referral_id}" in inbox.text
    crafted = client.get("/staff/referrals?erased=your+account.+Call+555-0100")
    assert "Erased" not in crafted.text
    assert client.get(f"/staff/referrals/{referral_id}").status_code == 404
    with console.db.read() as conn:
        [entry] = [e for e in chat_db.audit_entries(conn) if e["action"] == "referral.erase"]
        assert chat_db.get_session(conn, session_id) is None
    assert entry["actor"] == f"staff:{console.people['admin'].id}"
    assert entry["detail"]["referral_ids"] == [referral_id] and entry["detail"]["notes"] == 1
    assert client.get(f"/staff/referrals/{referral_id}/erase").status_code == 404


def test_an_admin_erases_a_conversation_from_its_page(console: Console) -> None:
    _referral_id, session_id = marked_referral(console)
    client, csrf = console.client("admin")
    assert f"/staff/sessions/{session_id}/erase" in client.get(f"/staff/sessions/{session_id}").text
    done = client.post(
        f"/staff/sessions/{session_id}/erase", data={"csrf_token": csrf, "confirm": "yes"}
    )
    assert done.status_code == 302
    assert marker_places(console.db) == []


@pytest.mark.parametrize("persona", ["coordinator", "editor"])
def test_only_admins_erase(console: Console, persona: str) -> None:
    referral_id, _session_id = marked_referral(console)
    client, csrf = console.client(persona)
    response = client.post(
        f"/staff/referrals/{referral_id}/erase", data={"csrf_token": csrf, "confirm": "yes"}
    )
    assert response.status_code == 403
    if persona == "coordinator":
        assert "/erase" not in client.get(f"/staff/referrals/{referral_id}").text
    assert marker_places(console.db) != []


def test_the_export_audit_entry_does_not_keep_what_was_searched_for(console: Console) -> None:
    client, _ = console.client("coordinator")
    assert client.get(f"/staff/referrals/export.csv?q={MARKER}&status=new").status_code == 200
    with console.db.read() as conn:
        [entry] = [e for e in chat_db.audit_entries(conn) if e["action"] == "referrals.export"]
    assert entry["detail"]["filters"] == {"status": "new"} and entry["detail"]["searched"] is True
    assert marker_places(console.db) == []
