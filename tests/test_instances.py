"""Several instances on one PostgreSQL: a commit on one instance wakes the sockets of another
(LISTEN/NOTIFY), so a conversation open on instance A sees what was added through instance B at
once, not at the next periodic catch-up. Real server processes, a real PostgreSQL schema."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from server import (
    PG_ENV,
    PG_SKIP_REASON,
    HttpVisitor,
    LiveServer,
    WsVisitor,
    fresh_pg_schema,
    intake_reply,
)

from intake_chat.app.hub import SharedHub
from intake_chat.storage import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_url() -> Iterator[str]:
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    with fresh_pg_schema(base) as url:
        yield url


def test_a_publication_on_one_hub_wakes_the_other_and_not_itself_twice(pg_url: str) -> None:
    db = Database(pg_url)
    first, second = SharedHub(db).start(), SharedHub(db).start()
    try:
        assert first.ready.wait(5) and second.ready.wait(5)
        heard_first: list[str] = []
        heard_second = threading.Event()
        first.subscribe("session-1", heard_first.append)
        second.subscribe("session-1", lambda _key: heard_second.set())
        first.publish("session-1")
        assert heard_second.wait(3)  # the other instance heard it through PostgreSQL
        time.sleep(0.5)
        assert heard_first == ["session-1"]  # its own notification is not delivered again
    finally:
        first.stop()
        second.stop()
        db.dispose()


def test_a_socket_on_one_instance_sees_what_another_instance_stored_at_once(
    pg_url: str, tmp_path: Path
) -> None:
    env = {"INTAKE_DATABASE_URL": pg_url}
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
    one = LiveServer(tmp_path / "a", env=env).start()
    two = LiveServer(tmp_path / "b", env=env).start()
    try:
        socket = WsVisitor(one.ws_url)
        turn = socket.send({"type": "start", "locale": "en"})
        ask = next(e for e in turn if e["type"] == "ask")
        other_tab = HttpVisitor(two.url)
        other_tab.request(
            "POST",
            f"/api/chat/sessions/{socket.token}/events",
            json.dumps(intake_reply(ask)).encode(),
        )
        socket.ws.settimeout(3)  # well under the sockets' own 20-second catch-up
        pushed = socket.recv()
        assert pushed["type"] == "visitor" and pushed["seq"] > ask["seq"]
        socket.close()
    finally:
        one.stop()
        two.stop()
