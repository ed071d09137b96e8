"""Several instances on one PostgreSQL: a commit on one instance wakes the sockets of another
(LISTEN/NOTIFY), so a conversation open on instance A sees what was added through instance B at
once, not at the next periodic catch-up; a rolling restart loses no visitor; the notification
outbox is delivered once however many instances run it. Real server processes, a real
PostgreSQL schema."""

from __future__ import annotations

import json
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import sqlalchemy as sa
import websocket
from server import (
    PG_ENV,
    PG_SKIP_REASON,
    HttpVisitor,
    LiveServer,
    WsVisitor,
    fresh_pg_schema,
    intake_reply,
    walk_intake,
)
from test_notify import FLOWS, SECRET, Receiver, post_json, wait_until

from intake_chat.app.hub import SharedHub
from intake_chat.storage import Database, deliveries
from intake_chat.storage import conversations as chat

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


def start_two(pg_url: str, tmp_path: Path, **env: str) -> tuple[LiveServer, LiveServer]:
    servers = []
    for name in ("a", "b"):
        (tmp_path / name).mkdir()
        servers.append(LiveServer(tmp_path / name, env={"INTAKE_DATABASE_URL": pg_url, **env}))
    for server in servers:  # one after the other: both migrate the same schema
        server.start()
    return servers[0], servers[1]


def test_a_rolling_restart_loses_no_visitor(pg_url: str, tmp_path: Path) -> None:
    """Instance A is stopped while its visitors talk, one with a reply in flight: each socket
    closes with 1012, resumes on instance B and finishes; every log is complete, once."""
    one, two = start_two(pg_url, tmp_path)
    try:
        visitors = [WsVisitor(one.ws_url, timeout=20) for _ in range(4)]
        asks = [walk_intake(v.send, v.send({"type": "start"}), turns=3)[-1] for v in visitors]
        visitors[0].ws.send(json.dumps(intake_reply(asks[0])))  # in flight during the stop
        assert one.process is not None
        one.process.terminate()
        for visitor in visitors:
            while True:  # what A still answers, then its close
                frame = visitor.ws.recv_frame()
                if frame.opcode == websocket.ABNF.OPCODE_CLOSE:
                    assert int.from_bytes(frame.data[:2], "big") == 1012
                    break
                visitor.seen.append(json.loads(frame.data))
            visitor.ws.shutdown()
        assert one.stop() == 0
        for visitor in visitors:
            position = max(event.get("seq", 0) for event in visitor.seen)
            again = WsVisitor(two.ws_url)
            resumed = again.send({"type": "resume", "token": visitor.token, "after": position})
            events = walk_intake(again.send, resumed)
            assert events[-1]["type"] == "handoff" and events[-1]["referral"]
            log = again.send({"type": "resume", "token": visitor.token, "after": 0})
            again.close()
            seqs = [event["seq"] for event in log[1:]]
            assert seqs == list(range(1, len(seqs) + 1))  # nothing lost, nothing twice
            assert [e["type"] for e in log].count("handoff") == 1
    finally:
        one.stop()
        two.stop()
    db = Database(pg_url)
    try:
        with db.read() as conn:
            count = conn.execute(sa.select(sa.func.count()).select_from(chat.referrals)).scalar()
        assert count == len(visitors)
    finally:
        db.dispose()


def test_two_instances_deliver_each_notification_exactly_once(pg_url: str, tmp_path: Path) -> None:
    """Both instances run the notification worker on one outbox and both are woken by every
    referral (their own commit, and the other's through NOTIFY): each referral still reaches
    the webhook once (row locks, FOR UPDATE SKIP LOCKED)."""
    with Receiver() as receiver:
        env = {
            "INTAKE_FLOWS_DIR": str(FLOWS),
            "INTAKE_DEFAULT_FLOW": "mini",
            "INTAKE_WEBHOOK_URL": receiver.url,
            "INTAKE_WEBHOOK_SECRET": SECRET,
        }
        one, two = start_two(pg_url, tmp_path, **env)
        db = Database(pg_url)
        try:
            submitted = []
            for number in range(8):
                base = (one, two)[number % 2].url
                created = post_json(f"{base}/api/chat/sessions", {"type": "start"})
                events = f"{base}/api/chat/sessions/{created['token']}/events"
                post_json(events, {"type": "reply", "choice": "accept"})
                reply = post_json(events, {"type": "reply", "text": "Ana"})
                [handoff] = [e for e in reply["events"] if e["type"] == "handoff"]
                submitted.append(handoff["referral"])

            def all_delivered() -> bool:
                with db.read() as conn:
                    rows = conn.execute(sa.select(deliveries.deliveries.c.status)).all()
                return len(rows) == len(submitted) and {r.status for r in rows} == {"delivered"}

            assert wait_until(all_delivered, timeout=20), one.log() + two.log()
        finally:
            one.stop()
            two.stop()
            db.dispose()
    delivered = [json.loads(r["body"])["referral_id"] for r in receiver.accepted()]
    assert sorted(delivered) == sorted(submitted)  # each once: none missing, none twice
