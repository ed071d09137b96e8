"""Questions we could not answer: the storage (SQLite and PostgreSQL), the service recording only
what fell to the topic fallback after safety, retention, and the staff page and its actions."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from staff_helpers import build_console

from intake_chat.app import publishing, retention
from intake_chat.app.service import Service, safety_from_rules
from intake_chat.core.config import Config
from intake_chat.core.flows import load_flow
from intake_chat.storage import Database, unanswered, utcnow
from intake_chat.storage import conversations as chat_db

FLOWS = Path(__file__).resolve().parent.parent / "flows"
NONSENSE = "can elephants fly?"


# --- storage -------------------------------------------------------------------------------


def test_questions_are_kept_newest_first_and_deleted_once(db: Database) -> None:
    now = utcnow()
    with db.transaction() as conn:
        old = unanswered.record(
            conn, flow_id="intake", locale="en", node="a", text="one", now=now - timedelta(days=2)
        )
        new = unanswered.record(conn, flow_id="intake", locale="es", node="b", text="dos", now=now)
    with db.read() as conn:
        listed = unanswered.list_questions(conn)
        assert [q.id for q in listed] == [new, old]
        assert (listed[0].text, listed[0].locale, listed[0].node) == ("dos", "es", "b")
        assert unanswered.count_questions(conn) == 2
        assert unanswered.count_older(conn, now - timedelta(days=1)) == 1
    with db.transaction() as conn:
        assert unanswered.delete_question(conn, new) is True
        assert unanswered.delete_question(conn, new) is False
        assert unanswered.delete_older(conn, now - timedelta(days=1)) == 1
    with db.read() as conn:
        assert unanswered.list_questions(conn) == []
        assert unanswered.get_question(conn, old) is None


def test_a_long_text_is_cut_to_the_chat_limit(db: Database) -> None:
    with db.transaction() as conn:
        qid = unanswered.record(conn, flow_id="f", locale="en", node="n", text="x" * 5000)
    with db.read() as conn:
        question = unanswered.get_question(conn, qid)
    assert question is not None and len(question.text) == unanswered.TEXT_MAX


# --- the service records the fallback, never what safety answered --------------------------


def _service(db: Database, tmp_path: Path, rules: Any) -> Service:
    flow = load_flow(FLOWS / "intake.json")
    config = Config.from_env(
        {}, data_dir=tmp_path, secret_key="x", rate_limit_per_session=0, rate_limit_per_address=0
    )
    return Service(db, {flow.id: flow}, config, safety=safety_from_rules(rules))


def _chat(service: Service, *texts: str, consent: bool = True) -> None:
    outcome = service.handle(None, json.dumps({"type": "start"}), client="10.0.0.9")
    if consent:
        accept = json.dumps({"type": "reply", "choice": "accept"})
        service.handle(outcome.token, accept, client="10.0.0.9")
    for text in texts:
        frame = json.dumps({"type": "reply", "text": text})
        service.handle(outcome.token, frame, client="10.0.0.9")


def _texts(db: Database) -> list[str]:
    with db.read() as conn:
        return [q.text for q in unanswered.list_questions(conn)]


def test_a_question_no_topic_answered_is_kept_as_text_only(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    _chat(_service(db, tmp_path, rules), f"  {NONSENSE} ")
    with db.read() as conn:
        [question] = unanswered.list_questions(conn)
    assert (question.text, question.flow_id, question.locale, question.node) == (
        NONSENSE,
        "intake",
        "en",
        "menu",
    )


def test_nothing_is_kept_before_the_visitor_consented(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    _chat(_service(db, tmp_path, rules), NONSENSE, consent=False)
    assert _texts(db) == []


def test_crisis_concern_and_answered_messages_never_appear(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    service = _service(db, tmp_path, rules)
    _chat(service, "I want to kill myself, can elephants fly?")
    _chat(service, "how much does a session cost?")
    assert _texts(db) == []
    # A conversation that raised a flag keeps its later questions off the page too.
    _chat(service, "I want to kill myself", NONSENSE)
    assert _texts(db) == []


def test_retention_deletes_questions_with_the_conversations(
    db: Database, tmp_path: Path, rules: Any
) -> None:
    _chat(_service(db, tmp_path, rules), NONSENSE)
    config = Config.from_env({}, data_dir=tmp_path, secret_key="x", retention_days=30)
    soon = retention.purge(db, config, now=utcnow() + timedelta(days=29))
    assert soon.unanswered == 0 and _texts(db) == [NONSENSE]
    counted = retention.purge(db, config, now=utcnow() + timedelta(days=31), dry_run=True)
    assert counted.unanswered == 1 and _texts(db) == [NONSENSE]
    report = retention.purge(db, config, now=utcnow() + timedelta(days=31))
    assert report.unanswered == 1 and _texts(db) == []
    with db.read() as conn:
        [entry] = [e for e in chat_db.audit_entries(conn) if e["action"] == "retention.purge"]
    assert entry["detail"]["unanswered"] == 1
    kept = Config.from_env({}, data_dir=tmp_path, secret_key="x", retention_days=0)
    _chat(_service(db, tmp_path, rules), NONSENSE)
    assert retention.purge(db, kept, now=utcnow() + timedelta(days=4000)).unanswered == 0


# --- the staff page ------------------------------------------------------------------------


@pytest.fixture
def console(tmp_path: Path) -> Any:
    return build_console(tmp_path)


def _ask(console: Any, text: str, locale: str = "en") -> int:
    with console.db.transaction() as conn:
        return unanswered.record(conn, flow_id="intake", locale=locale, node="consent", text=text)


def test_the_page_lists_questions_escaped_with_the_drafts_topics(console: Any) -> None:
    _ask(console, '<script>alert("x")</script> do you see dogs?')
    client, _ = console.client("editor")
    html = client.get("/staff/questions/").get_data(as_text=True)
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; do you see dogs?" in html
    assert '<script>alert("x")' not in html
    assert 'value="payment"' in html and "Dismiss" in html
    assert 'href="/staff/questions/"' in html  # in the menu, as the current page


@pytest.mark.parametrize("persona", ["coordinator", "anonymous"])
def test_the_desk_and_visitors_cannot_see_the_questions(console: Any, persona: str) -> None:
    _ask(console, "private words")
    client, _ = console.client(persona)
    response = client.get("/staff/questions/")
    assert response.status_code in (302, 403)
    assert "private words" not in response.get_data(as_text=True)


def test_adding_an_example_puts_it_in_a_draft_and_takes_it_off_the_page(console: Any) -> None:
    qid = _ask(console, "do you  take   my insurance plan from work", locale="es")
    client, csrf = console.client("editor")
    refused = client.post(f"/staff/questions/{qid}/example", data={"topic": "payment"})
    assert refused.status_code == 400  # no CSRF token
    done = client.post(
        f"/staff/questions/{qid}/example", data={"topic": "payment", "csrf_token": csrf}
    )
    assert done.status_code == 302 and "done=added" in done.headers["Location"]
    state = publishing.draft_state(console.db, "intake", publishing.Actor("staff:x"))
    [payment] = [t for t in state.data["topics"] if t["id"] == "payment"]
    assert payment["examples"]["es"][-1] == "do you take my insurance plan from work"
    assert state.changed  # a draft now differs from what is live: review and publish as usual
    with console.db.read() as conn:
        assert unanswered.get_question(conn, qid) is None
        actions = [e["action"] for e in chat_db.audit_entries(conn, subject="flow:intake")]
    assert "unanswered.add_example" in actions and "flow.draft.edit" in actions
    again = client.post(
        f"/staff/questions/{qid}/example", data={"topic": "payment", "csrf_token": csrf}
    )
    assert again.status_code == 404


def test_an_unknown_topic_is_refused_and_the_question_stays(console: Any) -> None:
    qid = _ask(console, "anything")
    client, csrf = console.client("admin")
    response = client.post(
        f"/staff/questions/{qid}/example", data={"topic": "no_such", "csrf_token": csrf}
    )
    assert response.status_code == 422
    assert "no topic" in response.get_data(as_text=True)
    with console.db.read() as conn:
        assert unanswered.get_question(conn, qid) is not None


def test_a_question_in_a_language_the_draft_lacks_is_refused(console: Any) -> None:
    qid = _ask(console, "quelle heure est-il", locale="fr")
    client, csrf = console.client("editor")
    response = client.post(
        f"/staff/questions/{qid}/example", data={"topic": "payment", "csrf_token": csrf}
    )
    assert response.status_code == 422 and "no language" in response.get_data(as_text=True)


def test_dismissing_removes_it_and_is_audited(console: Any) -> None:
    qid = _ask(console, "is the moon cheese")
    client, csrf = console.client("admin")
    assert client.post(f"/staff/questions/{qid}/dismiss", data={}).status_code == 400
    done = client.post(f"/staff/questions/{qid}/dismiss", data={"csrf_token": csrf})
    assert done.status_code == 302
    page = client.get(done.headers["Location"]).get_data(as_text=True)
    assert "Dismissed." in page and "is the moon cheese" not in page
    with console.db.read() as conn:
        [entry] = [e for e in chat_db.audit_entries(conn) if e["action"] == "unanswered.dismiss"]
    assert entry["subject"] == f"question:{qid}" and "moon" not in json.dumps(entry, default=str)
    again = client.post(f"/staff/questions/{qid}/dismiss", data={"csrf_token": csrf})
    assert again.status_code == 404
