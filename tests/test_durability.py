"""Nothing lost, nothing doubled: the real server is SIGKILLed (arbiter and workers at once, like a
power cut) in the middle of conversations, restarted on the same database, and the visitors resume
by token and finish. Also: a graceful stop lets turns finish and tells sockets to reconnect."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Iterator
from typing import Any

import pytest
import sqlalchemy as sa
import websocket
from server import LiveServer, WsVisitor, backend_server, intake_reply, walk_intake

from intake_chat.app.service import hash_token
from intake_chat.storage import Database
from intake_chat.storage import conversations as store


@pytest.fixture(params=["sqlite", "postgresql"])
def server(request: pytest.FixtureRequest, tmp_path: Any) -> Iterator[LiveServer]:
    with backend_server(request.param, tmp_path) as live:
        yield live


@pytest.fixture
def database(server: LiveServer) -> Iterator[Database]:
    url = server.env.get("INTAKE_DATABASE_URL") or (
        f"sqlite:///{server.data_dir / 'intake-chat.sqlite3'}"
    )
    db = Database(url)
    yield db
    db.dispose()


def stored_log(db: Database, token: str) -> tuple[store.SessionRow, list[dict[str, Any]]]:
    with db.read() as conn:
        session = store.find_session(conn, hash_token(token))
        assert session is not None
        return session, store.events_after(conn, session.id, 0)


def assert_exactly_once(events: list[dict[str, Any]]) -> None:
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1)), "the log has a gap or a repeat"
    asked = [e["node"] for e in events if e["type"] == "ask"]
    answers = [e for e in events if e["type"] == "visitor"]
    assert len(answers) == len(asked) - (events[-1]["type"] == "ask"), "an answer was doubled"
    ids = [e["id"] for e in answers if "id" in e]
    assert len(ids) == len(set(ids)), "a frame id was applied twice"


def with_ids(visitor: WsVisitor) -> Any:
    """A sender that gives every frame a fresh id, as the widget does."""
    return lambda frame: visitor.send({**frame, "id": f"r{time.monotonic_ns()}"})


def resume_and_finish(server: LiveServer, token: str, seen: list[dict[str, Any]]) -> list[Any]:
    visitor = WsVisitor(server.ws_url)
    position = max((e["seq"] for e in seen if e["type"] != "session"), default=0)
    resumed = visitor.send({"type": "resume", "token": token, "after": position})
    events = walk_intake(with_ids(visitor), resumed)
    visitor.close()
    return events


def test_a_killed_server_resumes_the_conversation_with_nothing_lost_or_doubled(
    server: LiveServer, database: Database
) -> None:
    visitor = WsVisitor(server.ws_url)
    walk_intake(visitor.send, visitor.send({"type": "start"}), turns=6)
    seen = list(visitor.seen)
    token = visitor.token
    assert token is not None
    server.kill()
    visitor.ws.shutdown()
    server.start()
    events = resume_and_finish(server, token, seen)
    assert events[0]["type"] == "session" and events[0]["seq"] == seen[-1]["seq"]
    assert events[-1]["type"] == "handoff"
    session, log = stored_log(database, token)
    assert_exactly_once(log)
    kept = [e for e in seen if e["type"] != "session"]
    assert log[: len(kept)] == kept  # what the visitor was told before the kill is still there
    with database.read() as conn:
        referrals = store.referrals_for_session(conn, session.id)
        outbox = store.outbox_rows(conn, kinds=["referral_new"])
    assert [r["id"] for r in referrals] == [events[-1]["referral"]]
    assert referrals[0]["answers"]["first_name"] == "Ana"
    assert [row["payload"]["referral_id"] for row in outbox] == [events[-1]["referral"]]


class Talker(threading.Thread):
    """A visitor answering as fast as it can, with an id on every frame, until the server dies."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url = url
        self.seen: list[dict[str, Any]] = []
        self.token: str | None = None
        self.unanswered: dict[str, Any] | None = None
        self.started = threading.Event()

    def run(self) -> None:
        visitor: WsVisitor | None = None
        try:
            visitor = WsVisitor(self.url)
            events = visitor.send({"type": "start"})
            self.token = visitor.token
            self.seen.extend(events)
            self.started.set()
            while events[-1]["type"] == "ask":
                frame = {**intake_reply(events[-1]), "id": f"f{events[-1]['seq']}"}
                self.unanswered = frame
                events = visitor.send(frame)
                self.unanswered = None
                self.seen.extend(events)
        except (OSError, websocket.WebSocketException):
            return  # the server died under us: exactly what the test wants
        finally:
            self.started.set()
            if visitor is not None:
                visitor.ws.shutdown()


def test_a_kill_during_many_turns_loses_no_acknowledged_turn_and_doubles_none(
    server: LiveServer, database: Database
) -> None:
    talkers = [Talker(server.ws_url) for _ in range(12)]
    for talker in talkers:
        talker.start()
    for talker in talkers:
        talker.started.wait(20)
    time.sleep(random.uniform(0.05, 0.4))
    server.kill()
    for talker in talkers:
        talker.join(20)
    server.start()
    for talker in talkers:
        assert talker.token is not None
        acknowledged = [e for e in talker.seen if e["type"] != "session"]
        _, before = stored_log(database, talker.token)
        assert before[: len(acknowledged)] == acknowledged  # every answer received was stored
        visitor = WsVisitor(server.ws_url)
        resumed = visitor.send(
            {"type": "resume", "token": talker.token, "after": acknowledged[-1]["seq"]}
        )
        if talker.unanswered is not None:  # did it arrive before the kill? send it again
            resumed = visitor.send(talker.unanswered)
        rest = walk_intake(with_ids(visitor), resumed)
        visitor.close()
        assert rest[-1]["type"] in ("handoff", "session")  # session: it had finished already
        _, log = stored_log(database, talker.token)
        assert log[-1]["type"] == "handoff"
        assert_exactly_once(log)
    with database.read() as conn:
        count = conn.execute(sa.select(sa.func.count()).select_from(store.referrals)).scalar()
    assert count == len(talkers)


def test_a_graceful_stop_closes_sockets_with_1012_and_exits_cleanly(server: LiveServer) -> None:
    visitors = [WsVisitor(server.ws_url, timeout=20) for _ in range(5)]
    for visitor in visitors:
        visitor.send({"type": "start"})
    assert server.process is not None
    process = server.process
    began = time.monotonic()
    process.terminate()
    for visitor in visitors:
        frame = visitor.ws.recv_frame()
        assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
        assert int.from_bytes(frame.data[:2], "big") == 1012  # "service restart": reconnect
        visitor.ws.shutdown()
    assert process.wait(20) == 0
    assert time.monotonic() - began < 15  # well within the graceful timeout plus start-up noise
    server.process = None
    server.start()  # and the conversations resume on the next start
    token = visitors[0].token
    assert token is not None
    again = WsVisitor(server.ws_url)
    assert again.send({"type": "resume", "token": token, "after": 0})[0]["type"] == "session"
    again.close()


def test_a_turn_in_flight_during_a_graceful_stop_is_answered(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    first = visitor.send({"type": "start"})
    assert server.process is not None
    visitor.ws.send(json.dumps(intake_reply(first[-1])))
    server.process.terminate()
    answer = visitor.read_turn()
    assert answer[0]["type"] == "visitor" and answer[-1]["type"] == "ask"
    frame = visitor.ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    visitor.ws.shutdown()
    assert server.process.wait(15) == 0
    server.process = None
