"""The editor's preview: the draft runs through the real conversation service in a sandbox that
never stores a referral, never queues a notification and never alerts staff; only the editor who
opened it can jump to a step; tickets end."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient
from flow_helpers import node
from server import intake_reply
from staff_helpers import Console, build_console

from intake_chat.storage import Database, utcnow
from intake_chat.storage import conversations as chat_db
from intake_chat.storage import drafts as flow_store
from intake_chat.web.preview import SANDBOX_FILE, Previews, hash_ticket

JSON = {"Accept": "application/json"}


@pytest.fixture
def console(tmp_path: Path) -> Console:
    return build_console(tmp_path)


def edit_and_preview(
    console: Console, persona: str = "editor", text: str = "Draft name question?"
) -> tuple[FlaskClient, str, str]:
    """Change the first-name question in the draft and open a preview: (client, csrf, ticket)."""
    client, csrf = console.client(persona)
    body = client.get("/staff/flows/intake/api/draft", headers=JSON).json
    node(body["data"], "ask_first_name")["text"]["en"] = text
    saved = client.put(
        "/staff/flows/intake/api/draft",
        headers={**JSON, "X-CSRF-Token": csrf},
        json={"data": body["data"], "revision": body["revision"]},
    ).json
    opened = client.post(
        "/staff/flows/intake/api/preview",
        json={"revision": saved["revision"]},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert opened.status_code == 200, opened.json
    return client, csrf, opened.json["ticket"]


class Frame:
    """What the widget frame does over HTTP, against the preview's sandbox."""

    def __init__(self, client: FlaskClient, ticket: str) -> None:
        self.client = client
        self.base = f"/staff/flows/preview/{ticket}/api/chat/sessions"
        self.token = ""

    def start(self) -> list[dict[str, Any]]:
        reply = self.client.post(self.base, json={"type": "start", "locale": "en"})
        self.token = reply.json.get("token", "")
        events: list[dict[str, Any]] = reply.json["events"]
        return events

    def send(self, frame: dict[str, Any]) -> list[dict[str, Any]]:
        reply = self.client.post(f"{self.base}/{self.token}/events", json=frame)
        events: list[dict[str, Any]] = reply.json["events"]
        return events


def walk(frame: Frame, events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    for _ in range(60):
        if events[-1]["type"] != "ask":
            return events
        events = events + frame.send(intake_reply(events[-1]))
    raise AssertionError("the preview did not finish")


def sandbox(console: Console) -> Database:
    return Database(f"sqlite:///{console.app.config['INTAKE'].data_dir / SANDBOX_FILE}")


def count(db: Database, table: str) -> int:
    with db.read() as conn:
        return int(conn.execute(sa.text(f"SELECT count(*) FROM {table}")).scalar_one())  # noqa: S608


def test_a_preview_runs_the_draft_to_the_handoff_without_a_referral_or_notification(
    console: Console,
) -> None:
    referrals_before = count(console.db, "referrals")
    outbox_before = count(console.db, "outbox")
    client, _, ticket = edit_and_preview(console)
    frame = Frame(console.app.test_client(), ticket)
    events = walk(frame, frame.start())
    asks = [e for e in events if e["type"] == "ask" and e["node"] == "ask_first_name"]
    assert asks[0]["input"]["label"] == "Draft name question?"
    handoff = next(e for e in events if e["type"] == "handoff")
    assert handoff["referral"] is None
    assert count(console.db, "referrals") == referrals_before
    assert count(console.db, "outbox") == outbox_before
    box = sandbox(console)
    assert (count(box, "referrals"), count(box, "outbox")) == (0, 0)
    box.dispose()


def test_crisis_words_in_a_preview_get_the_crisis_answer_but_alert_nobody(
    console: Console,
) -> None:
    _, _, ticket = edit_and_preview(console)
    frame = Frame(console.app.test_client(), ticket)
    frame.start()
    events = frame.send({"type": "reply", "text": "I want to kill myself"})
    assert [e["type"] for e in events] == ["visitor", "crisis", "message"]  # then the care pause
    assert events[1]["level"] == "crisis"
    assert count(console.db, "outbox") == 0
    box = sandbox(console)
    assert count(box, "outbox") == 0
    box.dispose()


def test_the_live_flow_is_unchanged_while_a_draft_is_previewed(console: Console) -> None:
    edit_and_preview(console)
    service = console.app.extensions["intake_chat"].service
    flow = service.flow_for_new_session("intake")
    assert node(flow.data, "ask_first_name")["text"]["en"] == "What is your first name?"


def test_the_frame_cannot_send_goto_but_its_editor_can_jump(console: Console) -> None:
    client, csrf, ticket = edit_and_preview(console)
    frame = Frame(console.app.test_client(), ticket)
    frame.start()
    refused = frame.send({"type": "goto", "node": "ask_email"})
    assert refused[-1]["type"] == "error" and refused[-1]["code"] == "unknown_type"
    jumped = client.post(
        "/staff/flows/intake/api/preview/goto",
        json={"ticket": ticket, "node": "ask_email"},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert jumped.status_code == 200
    poll = console.app.test_client().get(f"{frame.base}/{frame.token}/events?after=0&wait=0")
    asks = [e for e in poll.json["events"] if e["type"] == "ask"]
    assert asks[-1]["node"] == "ask_email"


def test_only_the_editor_who_opened_a_preview_can_jump_in_it(console: Console) -> None:
    _, _, ticket = edit_and_preview(console)
    Frame(console.app.test_client(), ticket).start()
    other, csrf = console.client("admin")
    refused = other.post(
        "/staff/flows/intake/api/preview/goto",
        json={"ticket": ticket, "node": "menu"},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert refused.status_code == 409
    assert refused.json["error"]["code"] == "unknown_ticket"


def test_a_jump_before_the_conversation_started_says_so(console: Console) -> None:
    client, csrf, ticket = edit_and_preview(console)
    refused = client.post(
        "/staff/flows/intake/api/preview/goto",
        json={"ticket": ticket, "node": "menu"},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "not_started"


def test_a_jump_to_a_step_that_does_not_exist_is_refused(console: Console) -> None:
    client, csrf, ticket = edit_and_preview(console)
    Frame(console.app.test_client(), ticket).start()
    refused = client.post(
        "/staff/flows/intake/api/preview/goto",
        json={"ticket": ticket, "node": "nowhere"},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert refused.status_code == 409 and refused.json["error"]["code"] == "unknown_node"


@pytest.mark.parametrize("ticket", ["x" * 32, "not a ticket at all"])
def test_an_unknown_ticket_is_an_ended_preview(console: Console, ticket: str) -> None:
    reply = console.app.test_client().post(
        f"/staff/flows/preview/{ticket}/api/chat/sessions", json={"type": "start"}
    )
    assert reply.json["events"][0]["code"] == "expired"


def test_an_expired_ticket_ends_the_preview(console: Console) -> None:
    _, _, ticket = edit_and_preview(console)
    with console.db.transaction() as conn:
        conn.execute(
            flow_store.flow_previews.update()
            .where(flow_store.flow_previews.c.ticket_hash == hash_ticket(ticket))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    Previews.of(console.app)._pairs.clear()
    reply = console.app.test_client().post(
        f"/staff/flows/preview/{ticket}/api/chat/sessions", json={"type": "start"}
    )
    assert reply.json["events"][0]["code"] == "expired"


def test_a_draft_that_cannot_load_is_not_previewed(console: Console) -> None:
    client, csrf = console.client("editor")
    body = client.get("/staff/flows/intake/api/draft", headers=JSON).json
    del node(body["data"], "ask_first_name")["text"]
    saved = client.put(
        "/staff/flows/intake/api/draft",
        headers={**JSON, "X-CSRF-Token": csrf},
        json={"data": body["data"], "revision": body["revision"]},
    ).json
    refused = client.post(
        "/staff/flows/intake/api/preview",
        json={"revision": saved["revision"]},
        headers={**JSON, "X-CSRF-Token": csrf},
    )
    assert refused.status_code == 422 and "fix the errors" in refused.json["error"]["message"]


def test_the_sandbox_keeps_the_exact_draft_text_it_ran(console: Console) -> None:
    _, _, ticket = edit_and_preview(console, text="Snapshot text?")
    with console.db.read() as conn:
        stored = flow_store.get_preview(conn, hash_ticket(ticket))
    assert stored is not None
    assert node(json.loads(stored.json), "ask_first_name")["text"]["en"] == "Snapshot text?"
    with console.db.read() as conn:
        assert chat_db.get_flow_version(conn, "intake", stored.digest) is None
        audit = chat_db.audit_entries(conn, subject="flow:intake")
    assert (audit[-1]["action"], audit[-1]["detail"]) == ("flow.preview", {"digest": stored.digest})


# --- over a real WebSocket to the real server ------------------------------------------------


def test_the_preview_socket_carries_the_draft_and_pushes_the_editors_jump(
    live_server: Any,
) -> None:
    import http.cookiejar
    import re
    import urllib.request

    from argon2 import PasswordHasher
    from server import WsVisitor

    from intake_chat.storage import accounts as staff_db

    db = Database(f"sqlite:///{live_server.data_dir / 'intake-chat.sqlite3'}")
    with db.transaction() as conn:
        staff_db.create_staff(
            conn,
            email="wes@example.org",
            role="editor",
            name="Wes",
            password_hash=PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(
                "x" * 20
            ),
        )
    db.dispose()
    opener = urllib.request.build_opener(
        urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
    )

    def call(
        method: str, path: str, body: bytes | None = None, headers: dict[str, str] | None = None
    ) -> Any:
        request = urllib.request.Request(
            live_server.url + path, data=body, method=method, headers=headers or {}
        )
        with opener.open(request, timeout=10) as reply:
            return reply.read().decode()

    login = call("GET", "/staff/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', login).group(1)  # type: ignore[union-attr]
    call(
        "POST",
        "/staff/login",
        f"email=wes%40example.org&password={'x' * 20}&csrf_token={token}".encode(),
        {"Content-Type": "application/x-www-form-urlencoded"},
    )
    page = call("GET", "/staff/flows/intake")
    csrf = re.search(r'data-csrf="([^"]+)"', page).group(1)  # type: ignore[union-attr]
    api = {"Accept": "application/json", "Content-Type": "application/json", "X-CSRF-Token": csrf}
    draft = json.loads(call("GET", "/staff/flows/intake/api/draft", headers=api))
    node(draft["data"], "ask_first_name")["text"]["en"] = "Socket draft question?"
    saved = json.loads(
        call(
            "PUT",
            "/staff/flows/intake/api/draft",
            json.dumps({"data": draft["data"], "revision": draft["revision"]}).encode(),
            api,
        )
    )
    opened = json.loads(
        call(
            "POST",
            "/staff/flows/intake/api/preview",
            json.dumps({"revision": saved["revision"]}).encode(),
            api,
        )
    )

    path = f"/staff/flows/preview/{opened['ticket']}/ws/chat"
    frame = WsVisitor(live_server.url.replace("http", "ws") + path, origin=live_server.url)
    first = frame.send({"type": "start", "locale": "en"})
    assert first[0]["type"] == "session" and first[-1]["node"] == "consent"
    call(
        "POST",
        "/staff/flows/intake/api/preview/goto",
        json.dumps({"ticket": opened["ticket"], "node": "ask_first_name"}).encode(),
        api,
    )
    pushed = frame.read_turn()
    assert pushed[-1]["type"] == "ask" and pushed[-1]["input"]["label"] == "Socket draft question?"
    frame.close()
