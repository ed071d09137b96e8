"""The flow editor's routes per persona (editors and admins edit flows; coordinators and signed-out
people cannot), its JSON API (autosave with revision checks, checks, preview tickets) and the
review → publish → rollback pages, against the real app on a real SQLite file."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from flow_helpers import node
from staff_helpers import PERSONAS, Console, add_staff, build_console, sign_in_directly

from intake_chat.storage import conversations as chat_db
from intake_chat.storage import drafts as flow_store

EDITORS = ("admin", "editor")
JSON = {"Accept": "application/json"}

# (method, path, body, status for an editor or admin). Bodies are valid enough to pass the guard.
ROUTES: list[tuple[str, str, dict[str, Any] | None, int]] = [
    ("GET", "/staff/flows/", None, 200),
    ("GET", "/staff/flows/intake", None, 200),
    ("GET", "/staff/flows/nosuchflow", None, 404),
    ("GET", "/staff/flows/intake/review", None, 200),
    ("GET", "/staff/flows/intake/history", None, 200),
    ("GET", "/staff/flows/intake/history?a=1&b=1", None, 200),
    ("GET", "/staff/flows/intake/export.json", None, 200),
    ("GET", "/staff/flows/intake/export.json?draft=1", None, 200),
    ("GET", "/staff/flows/intake/api/draft", None, 200),
    (
        "PUT",
        "/staff/flows/intake/api/draft",
        {"json": {"data": {"id": "intake"}, "revision": -5}},
        409,
    ),
    ("POST", "/staff/flows/intake/api/check", {"data": "{}"}, 200),
    ("POST", "/staff/flows/intake/api/topic-match", {"json": {"text": "fees?"}}, 200),
    ("POST", "/staff/flows/intake/api/preview", {"json": {"revision": -5}}, 409),
    (
        "POST",
        "/staff/flows/intake/api/preview/goto",
        {"json": {"ticket": "x", "node": "menu"}},
        409,
    ),
    ("POST", "/staff/flows/intake/submit", {"form": {"revision": "-5"}}, 409),
    ("POST", "/staff/flows/intake/reviews/999", {"form": {"decision": "approve"}}, 404),
    ("POST", "/staff/flows/intake/publish", {"form": {"revision": "-5"}}, 409),
    ("POST", "/staff/flows/intake/discard", {"form": {"revision": "-5"}}, 409),
    ("POST", "/staff/flows/intake/rollback/1", {"form": {}}, 422),
    ("POST", "/staff/flows/import", {"form": {}}, 400),
]


@pytest.fixture(scope="module")
def console(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Console]:
    yield build_console(Path(tmp_path_factory.mktemp("editor")))


@pytest.fixture
def fresh(tmp_path: Path) -> Console:
    """A console of its own, for tests that change the flow."""
    return build_console(tmp_path)


def call(
    client: FlaskClient, method: str, path: str, body: dict[str, Any] | None, csrf: str
) -> Any:
    headers = {"X-CSRF-Token": csrf, **(JSON if "/api/" in path else {})}
    if method == "GET":
        return client.get(path, headers=headers)
    body = body or {}
    if "json" in body:
        return client.open(path, method=method, json=body["json"], headers=headers)
    if "data" in body:
        return client.open(path, method=method, data=body["data"], headers=headers)
    return client.open(
        path, method=method, data={**body.get("form", {}), "csrf_token": csrf}, headers=headers
    )


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("method", "path", "body", "ok"), ROUTES)
def test_each_editor_route_answers_each_persona_as_its_role_allows(
    console: Console, persona: str, method: str, path: str, body: dict[str, Any] | None, ok: int
) -> None:
    client, csrf = console.client(persona)
    response = call(client, method, path, body, csrf)
    if persona == "anonymous":
        expected = 401 if "/api/" in path else 302
    else:
        expected = ok if persona in EDITORS else 403
    assert response.status_code == expected, response.get_data(as_text=True)[:400]


def test_every_editor_route_is_in_the_persona_table(console: Console) -> None:
    covered = {path.split("?")[0] for _, path, _, _ in ROUTES}
    marks = {"<flow_id>": "intake", "<int:review_id>": "999", "<int:number>": "1"}
    missing = []
    for rule in console.app.url_map.iter_rules():
        if not rule.endpoint.startswith("editor.") or rule.rule.startswith("/staff/flows/preview/"):
            continue
        path = rule.rule
        for mark, value in marks.items():
            path = path.replace(mark, value)
        if path not in covered and path.replace("intake", "nosuchflow") not in covered:
            missing.append(rule.rule)
    assert missing == []


def test_every_editor_view_except_the_ticketed_preview_declares_its_roles(console: Console) -> None:
    for endpoint, view in console.app.view_functions.items():
        if endpoint.startswith("editor.") and not endpoint.startswith("editor.preview_"):
            assert getattr(view, "required_roles", None) == EDITORS, endpoint


def test_a_save_without_the_csrf_header_is_refused(console: Console) -> None:
    client, _ = console.client("editor")
    draft = client.get("/staff/flows/intake/api/draft", headers=JSON).json
    response = client.put(
        "/staff/flows/intake/api/draft",
        headers=JSON,
        json={"data": draft["data"], "revision": draft["revision"]},
    )
    assert response.status_code == 400 and response.json["error"]["code"] == "csrf"


def test_the_console_menu_offers_flows_to_editors_and_admins_only(console: Console) -> None:
    for persona, shown in (("editor", True), ("admin", True), ("coordinator", False)):
        client, _ = console.client(persona)
        html = client.get("/staff/account").get_data(as_text=True)
        assert ('href="/staff/flows/"' in html) is shown, persona


# --- the API the editing page uses ----------------------------------------------------------


def draft_of(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/staff/flows/intake/api/draft?schema=1", headers=JSON).json
    return body


def save(client: FlaskClient, csrf: str, data: Any, revision: int) -> Any:
    return client.put(
        "/staff/flows/intake/api/draft",
        json={"data": data, "revision": revision},
        headers={**JSON, "X-CSRF-Token": csrf},
    )


def test_the_draft_comes_with_the_schema_and_the_check_results(fresh: Console) -> None:
    client, _ = fresh.client("editor")
    body = draft_of(client)
    assert body["schema"]["$id"] == "urn:intake-chat:schema:flow:1"
    assert body["check"] == {"findings": [], "errors": 0, "warnings": 0}
    assert body["current"]["number"] == 1 and body["changed"] is False
    assert body["codes"]["L010"] == "personal question reachable before consent"


def test_a_second_tab_saving_a_stale_revision_gets_409_and_nothing_is_overwritten(
    fresh: Console,
) -> None:
    tab_one, csrf = fresh.client("editor")
    tab_two = fresh.app.test_client()
    tab_two.set_cookie(
        "intake_staff",
        tab_one.get_cookie("intake_staff").value,  # type: ignore[union-attr]
        domain="localhost",
    )
    first, second = draft_of(tab_one), draft_of(tab_two)
    node(first["data"], "ask_first_name")["text"]["en"] = "From tab one"
    node(second["data"], "ask_first_name")["text"]["en"] = "From tab two"
    assert save(tab_one, csrf, first["data"], first["revision"]).status_code == 200
    refused = save(tab_two, csrf, second["data"], second["revision"])
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "conflict"
    assert "another tab" in refused.json["error"]["message"]
    assert node(draft_of(tab_one)["data"], "ask_first_name")["text"]["en"] == "From tab one"


def test_a_lint_error_is_reported_on_the_step_it_concerns_with_a_fix(fresh: Console) -> None:
    client, csrf = fresh.client("editor")
    body = draft_of(client)
    node(body["data"], "consent_check")["default"] = "ask_first_name"
    saved = save(client, csrf, body["data"], body["revision"]).json
    assert saved["revision"] == body["revision"] + 1
    l010 = [f for f in saved["check"]["findings"] if f["code"] == "L010"]
    assert l010 and all(f["node"] and f["fix"] for f in l010)
    assert saved["check"]["errors"] >= 1


def test_the_json_check_names_line_and_column_of_a_syntax_error(console: Console) -> None:
    client, csrf = console.client("editor")
    response = client.post(
        "/staff/flows/intake/api/check",
        data='{"id": "intake",\n  "title": }',
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    finding = response.json["check"]["findings"][0]
    assert response.json["parsed"] is False
    assert (finding["code"], finding["path"]) == ("F001", "line 2, column 12")


def test_the_json_check_refuses_a_file_for_another_flow(console: Console) -> None:
    client, csrf = console.client("editor")
    other = json.dumps({"id": "other"})
    response = client.post(
        "/staff/flows/intake/api/check", data=other, headers={**JSON, "X-CSRF-Token": csrf}
    )
    assert response.json["parsed"] is False
    assert response.json["check"]["findings"][0]["path"] == "$.id"


def test_a_preview_ticket_opens_the_real_widget_frame_on_the_sandbox(fresh: Console) -> None:
    client, csrf = fresh.client("editor")
    body = draft_of(client)
    response = client.post(
        "/staff/flows/intake/api/preview",
        json={"revision": body["revision"]},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert response.status_code == 200
    frame = client.get(response.json["frame_url"])
    assert frame.status_code == 200
    html = frame.get_data(as_text=True)
    assert f'data-base="/staff/flows/preview/{response.json["ticket"]}"' in html


# --- review, publish, history and rollback through the pages -------------------------------


def form_post(client: FlaskClient, csrf: str, path: str, **form: Any) -> Any:
    return client.post(path, data={**form, "csrf_token": csrf})


def test_review_then_publish_then_rollback_through_the_pages(fresh: Console) -> None:
    author, author_csrf = fresh.client("editor")
    body = draft_of(author)
    node(body["data"], "ask_first_name")["text"]["en"] = "What should we call you?"
    node(body["data"], "ask_first_name")["text"]["es"] = "¿Cómo le llamamos?"  # both: no L025
    revision = save(author, author_csrf, body["data"], body["revision"]).json["revision"]

    sent = form_post(
        author, author_csrf, "/staff/flows/intake/submit", revision=revision, note="Friendlier"
    )
    assert sent.status_code == 302
    review_id = draft_of(author)["review"]["id"]
    own = form_post(
        author, author_csrf, f"/staff/flows/intake/reviews/{review_id}", decision="approve"
    )
    assert own.status_code == 422 and "another editor" in own.get_data(as_text=True)
    early = form_post(author, author_csrf, "/staff/flows/intake/publish", revision=revision)
    assert early.status_code == 422

    reviewer, reviewer_csrf = fresh.client("admin")
    page = reviewer.get("/staff/flows/intake/review").get_data(as_text=True)
    assert "should we call you?</ins>" in page and "Approve" in page
    approved = form_post(
        reviewer, reviewer_csrf, f"/staff/flows/intake/reviews/{review_id}", decision="approve"
    )
    assert approved.status_code == 302

    published = form_post(
        author,
        author_csrf,
        "/staff/flows/intake/publish",
        revision=revision,
        note="Friendlier name question",
    )
    assert published.status_code == 302 and "done=published" in published.headers["Location"]
    history = author.get("/staff/flows/intake/history").get_data(as_text=True)
    assert "Friendlier name question" in history and "Roll back to version 1" in history

    rolled = form_post(reviewer, reviewer_csrf, "/staff/flows/intake/rollback/1")
    assert rolled.status_code == 302
    with fresh.db.read() as conn:
        current = flow_store.current_publication(conn, "intake")
        actions = [e["action"] for e in chat_db.audit_entries(conn, subject="flow:intake")]
    assert current is not None and (current.number, current.rollback_of) == (3, 1)
    assert node(json.loads(current.json), "ask_first_name")["text"]["en"] != (
        "What should we call you?"
    )
    assert actions[-5:] == [
        "flow.draft.edit",
        "flow.review.submit",
        "flow.review.approve",
        "flow.publish",
        "flow.rollback",
    ]


def test_sending_back_shows_the_comment_to_the_author(fresh: Console) -> None:
    author, csrf = fresh.client("editor")
    body = draft_of(author)
    node(body["data"], "ask_first_name")["text"]["en"] = "Name?"
    revision = save(author, csrf, body["data"], body["revision"]).json["revision"]
    form_post(author, csrf, "/staff/flows/intake/submit", revision=revision)
    review_id = draft_of(author)["review"]["id"]
    second = add_staff(fresh.db, "second@example.org", "editor")
    reviewer = fresh.app.test_client()
    reviewer_csrf = sign_in_directly(reviewer, fresh.app, second)
    back = form_post(
        reviewer,
        reviewer_csrf,
        f"/staff/flows/intake/reviews/{review_id}",
        decision="changes_requested",
        comment="Too curt; <b>say why</b> we ask.",
    )
    assert back.status_code == 302
    page = author.get("/staff/flows/intake/review").get_data(as_text=True)
    assert "Too curt; &lt;b&gt;say why&lt;/b&gt; we ask." in page


def test_import_of_a_file_through_the_console_lands_in_the_draft(fresh: Console) -> None:
    client, csrf = fresh.client("editor")
    exported = client.get("/staff/flows/intake/export.json").get_data(as_text=True)
    data = json.loads(exported)
    node(data, "ask_first_name")["text"]["es"] = "¿Cómo quiere que le llamemos?"
    upload = (io.BytesIO(json.dumps(data).encode()), "intake.json")
    response = client.post(
        "/staff/flows/import",
        data={"file": upload, "csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    text = node(draft_of(client)["data"], "ask_first_name")["text"]["es"]
    assert text == "¿Cómo quiere que le llamemos?"


def test_import_of_a_broken_file_says_where_and_changes_nothing(fresh: Console) -> None:
    client, csrf = fresh.client("editor")
    before = draft_of(client)["revision"]
    upload = (io.BytesIO(b'{"id": "intake",'), "broken.json")
    response = client.post(
        "/staff/flows/import",
        data={"file": upload, "csrf_token": csrf},
        content_type="multipart/form-data",
    )
    assert response.status_code == 400
    assert "line 1" in response.get_data(as_text=True)
    assert draft_of(client)["revision"] == before


def test_a_single_admin_practice_publishes_with_a_recorded_self_approval(tmp_path: Path) -> None:
    solo = build_console(tmp_path, self_approval=True)
    admin, csrf = solo.client("admin")
    body = draft_of(admin)
    node(body["data"], "ask_first_name")["text"]["en"] = "What name should we use?"
    node(body["data"], "ask_first_name")["text"]["es"] = "¿Cómo le llamamos?"  # both: no L025
    revision = save(admin, csrf, body["data"], body["revision"]).json["revision"]
    form_post(admin, csrf, "/staff/flows/intake/submit", revision=revision)
    review_id = draft_of(admin)["review"]["id"]
    page = admin.get("/staff/flows/intake/review").get_data(as_text=True)
    assert "Approve my own change" in page and 'name="comment"' in page
    bare = form_post(admin, csrf, f"/staff/flows/intake/reviews/{review_id}", decision="approve")
    assert bare.status_code == 422 and "audit log" in bare.get_data(as_text=True)
    done = form_post(
        admin,
        csrf,
        f"/staff/flows/intake/reviews/{review_id}",
        decision="approve",
        comment="Only admin; wording fix",
    )
    assert done.status_code == 302
    assert "Self-approved" in admin.get("/staff/flows/intake/review").get_data(as_text=True)
    published = form_post(admin, csrf, "/staff/flows/intake/publish", revision=revision)
    assert published.status_code == 302
    with solo.db.read() as conn:
        entries = chat_db.audit_entries(conn, subject="flow:intake")
    [own] = [e for e in entries if e["action"] == "flow.review.self_approve"]
    assert own["detail"]["comment"] == "Only admin; wording fix"


def test_a_typed_message_shows_the_matching_topic_its_score_and_the_runner_up(
    console: Console,
) -> None:
    client, csrf = console.client("editor")
    url = "/staff/flows/intake/api/topic-match"
    asked = client.post(url, json={"text": "how much does a session cost?"}, headers=headers(csrf))
    found = asked.json["match"]
    assert found["topic"] == "payment" and found["outcome"] == "confident"
    assert found["score"] > found["runner_score"] >= 0 and found["runner_up"] not in (
        None,
        "payment",
    )
    assert found["example"] and found["label"]
    spanish = client.post(
        url, json={"text": "¿cuánto cuesta?", "locale": "es"}, headers=headers(csrf)
    )
    assert spanish.json["locale"] == "es" and spanish.json["match"]["topic"] == "payment"
    empty = client.post(url, json={"text": "  "}, headers=headers(csrf))
    assert empty.status_code == 400


def headers(csrf: str) -> dict[str, str]:
    return {"X-CSRF-Token": csrf, **JSON}
