"""The WebSocket transport over real sockets: a real server (gunicorn on a loopback port, or the app
under werkzeug in a thread where the test reaches into it) and a real websocket-client."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from typing import Any

import pytest
import websocket
from server import (
    LiveServer,
    ThreadServer,
    WsVisitor,
    backend_server,
    intake_reply,
    walk_intake,
)

from intake_chat.web.context import runtime


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    with backend_server(request.param, tmp_path_factory.mktemp(request.param)) as live:
        yield live


def logged(events: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The conversation proper: events from the log, each once, as a client keeps them."""
    kept: dict[int, dict[str, Any]] = {}
    for event in events:
        if event["type"] not in ("session", "error"):
            kept.setdefault(event["seq"], {k: v for k, v in event.items() if k != "resent"})
    return [kept[seq] for seq in sorted(kept)]


def full_log(server_url: str, token: str) -> list[dict[str, Any]]:
    visitor = WsVisitor(server_url)
    events = visitor.send({"type": "resume", "token": token, "after": 0})
    visitor.close()
    return [e for e in events if e["type"] != "session" and not e.get("resent")]


def wait_until_logged(server: LiveServer, token: str, position: int) -> None:
    """Wait until the server has stored a turn beyond ``position`` (it got the frame)."""
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        probe = WsVisitor(server.ws_url)
        hello = probe.send({"type": "resume", "token": token, "after": 10**6})[0]
        probe.close()
        if hello["last_seq"] > position:
            return
        time.sleep(0.05)
    raise AssertionError("the server never stored the frame sent before the drop")


# --- the whole flow -------------------------------------------------------------------------------


def test_a_visitor_completes_the_shipped_intake_flow(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    events = walk_intake(visitor.send, visitor.send({"type": "start", "flow": "intake"}))
    visitor.close()
    assert events[0]["type"] == "session"
    handoff = events[-1]
    assert handoff["type"] == "handoff" and handoff["mode"] == "queued"
    assert isinstance(handoff["referral"], str) and len(handoff["referral"]) == 10
    seqs = [e["seq"] for e in events[1:]]
    assert seqs == list(range(1, len(seqs) + 1))
    assert visitor.token is not None
    assert full_log(server.ws_url, visitor.token) == events[1:]


# --- dropped connections --------------------------------------------------------------------------


def test_a_dropped_connection_resumes_with_nothing_lost_or_repeated(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    walk_intake(visitor.send, visitor.send({"type": "start"}), turns=3)
    received = list(visitor.seen)
    ask = received[-1]
    # The connection drops right after a frame leaves, before any answer arrives.
    visitor.ws.send(json.dumps({**intake_reply(ask), "id": "dropped-1"}))
    visitor.ws.sock.close()
    token = visitor.token
    assert token is not None
    position = max(e["seq"] for e in received)
    wait_until_logged(server, token, position)
    again = WsVisitor(server.ws_url)
    resumed = again.send({"type": "resume", "token": token, "after": position})
    assert resumed[0]["type"] == "session" and resumed[0]["seq"] == position
    replayed = [e for e in resumed[1:] if not e.get("resent")]
    assert replayed and replayed[0]["seq"] == position + 1  # nothing skipped
    everything = walk_intake(again.send, resumed)
    again.close()
    delivered = [e for e in received + everything if e["type"] != "session" and not e.get("resent")]
    seqs = [e["seq"] for e in delivered]
    assert seqs == list(range(1, len(seqs) + 1))  # each logged event exactly once, in order
    assert logged(received + everything) == full_log(server.ws_url, token)
    assert everything[-1]["type"] == "handoff"


def test_a_resume_where_nothing_was_missed_re_sends_only_the_pending_ask(
    server: LiveServer,
) -> None:
    visitor = WsVisitor(server.ws_url)
    first = visitor.send({"type": "start"})
    visitor.close()
    again = WsVisitor(server.ws_url)
    resumed = again.send({"type": "resume", "token": first[0]["token"], "after": first[-1]["seq"]})
    again.close()
    assert [e["type"] for e in resumed] == ["session", "ask"]
    assert resumed[1]["resent"] is True and resumed[1]["seq"] == first[-1]["seq"]


def test_a_resent_frame_after_a_drop_is_applied_once(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    start = visitor.send({"type": "start"})
    frame = {**intake_reply(start[-1]), "id": "consent-1"}
    visitor.ws.send(json.dumps(frame))
    visitor.ws.sock.close()  # did it arrive? the client cannot know, so it sends it again
    wait_until_logged(server, start[0]["token"], start[-1]["seq"])
    again = WsVisitor(server.ws_url)
    again.send({"type": "resume", "token": start[0]["token"], "after": start[-1]["seq"]})
    repeat = again.send(frame)
    assert repeat and all(e.get("resent") for e in repeat)
    log = full_log(server.ws_url, start[0]["token"])
    assert [e.get("id") for e in log if e["type"] == "visitor"] == ["consent-1"]
    again.close()


# --- bad input ------------------------------------------------------------------------------------

BAD_FRAMES = [
    pytest.param("nope", "bad_json", id="bad_json"),
    pytest.param("[1]", "not_object", id="not_object"),
    pytest.param('{"type":"dance"}', "unknown_type", id="unknown_type"),
    pytest.param(json.dumps({"type": "reply", "text": "x" * 9000}), "too_large", id="too_large"),
    pytest.param(
        json.dumps({"type": "reply", "text": "x" * 2001}), "text_too_long", id="text_too_long"
    ),
    pytest.param(b'{"type":"reply","text":"\xc3\x28"}', "bad_utf8", id="bad_utf8"),
    pytest.param('{"type":"reply","text":1}', "bad_field", id="bad_field"),
    pytest.param(
        '{"type":"resume","token":"' + "A" * 43 + '"}', "unknown_token", id="unknown_token"
    ),
    pytest.param('{"type":"goto","node":"menu"}', "unknown_type", id="goto-refused"),
    pytest.param(
        '{"type":"intent","intent":"no_such_intent"}', "unknown_intent", id="unknown_intent"
    ),
]


@pytest.mark.parametrize(("raw", "code"), BAD_FRAMES)
def test_every_bad_frame_gets_its_error_code_and_the_socket_survives(
    server: LiveServer, raw: str | bytes, code: str
) -> None:
    visitor = WsVisitor(server.ws_url)
    start = visitor.send({"type": "start"})
    answer = visitor.send_raw(raw)
    assert [e["type"] for e in answer] == ["error"]
    assert answer[0]["code"] == code and answer[0]["text"]
    assert answer[0]["seq"] == start[-1]["seq"]  # errors never advance the log
    after = visitor.send(intake_reply(start[-1]))  # the same socket goes on
    assert after[0]["type"] == "visitor" and after[0]["seq"] == start[-1]["seq"] + 1
    visitor.close()


def test_a_reply_before_start_is_not_expected(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    assert visitor.send({"type": "reply", "text": "hello"})[0]["code"] == "not_expected"
    assert visitor.send({"type": "start"})[0]["type"] == "session"
    visitor.close()


def test_a_frame_far_beyond_the_limit_closes_the_socket_with_1009(server: LiveServer) -> None:
    visitor = WsVisitor(server.ws_url)
    visitor.send({"type": "start"})
    visitor.ws.send(json.dumps({"type": "reply", "text": "x" * 200_000}))
    frame = visitor.ws.recv_frame()
    assert frame.opcode == websocket.ABNF.OPCODE_CLOSE
    assert int.from_bytes(frame.data[:2], "big") == 1009
    visitor.ws.shutdown()


def test_an_expired_session_is_refused(make_live_server: Any) -> None:
    live = make_live_server(env={"INTAKE_SESSION_IDLE_MINUTES": "0"})
    visitor = WsVisitor(live.ws_url)
    start = visitor.send({"type": "start"})
    assert visitor.send(intake_reply(start[-1]))[0]["code"] == "expired"
    visitor.close()


def test_the_rate_limit_answers_rate_limited_and_keeps_the_socket(make_live_server: Any) -> None:
    live = make_live_server(env={"INTAKE_RATE_LIMIT_PER_SESSION": "3"})
    visitor = WsVisitor(live.ws_url)
    visitor.send({"type": "start"})
    codes = [visitor.send({"type": "back"})[0].get("code") for _ in range(5)]
    assert codes.count("rate_limited") >= 2 and codes[0] is None
    limited = [e for e in visitor.seen if e.get("code") == "rate_limited"][0]
    assert limited["retry_after"] > 0
    visitor.close()


# --- the handshake --------------------------------------------------------------------------------


def test_a_foreign_origin_is_refused_at_the_handshake(server: LiveServer) -> None:
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        WsVisitor(server.ws_url, origin="https://evil.example")
    assert refused.value.status_code == 403
    own = WsVisitor(server.ws_url, origin=server.url)
    assert own.send({"type": "start"})[0]["type"] == "session"
    own.close()


def test_an_allowed_origin_may_open_the_chat_and_only_an_exact_match(make_live_server: Any) -> None:
    live = make_live_server(env={"INTAKE_ALLOWED_ORIGINS": "https://practice.example"})
    allowed = WsVisitor(live.ws_url, origin="https://practice.example")
    assert allowed.send({"type": "start"})[0]["type"] == "session"
    allowed.close()
    for near_miss in ("https://practice.example.evil", "http://practice.example", "null"):
        with pytest.raises(websocket.WebSocketBadStatusException):
            WsVisitor(live.ws_url, origin=near_miss)


def handshake(port: int, extra: str = "") -> str:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as conn:
        conn.sendall(
            (
                f"GET /ws/chat HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUpgrade: websocket\r\n"
                "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
                f"Sec-WebSocket-Version: 13\r\n{extra}\r\n"
            ).encode()
        )
        return conn.recv(4096).decode("latin-1")


def test_permessage_deflate_is_never_negotiated(server: LiveServer) -> None:
    reply = handshake(server.port, "Sec-WebSocket-Extensions: permessage-deflate\r\n")
    assert reply.startswith("HTTP/1.1 101")
    assert "sec-websocket-extensions" not in reply.lower()


@pytest.mark.parametrize(("worker", "room"), [("threads", 8), ("gevent", 16)])
def test_beyond_capacity_new_sockets_are_refused_at_once_not_left_hanging(
    make_live_server: Any, worker: str, room: int
) -> None:
    # threads: 16 threads, 8 kept free, room for 8 sockets; gevent: 16 open chats
    live = make_live_server(worker=worker, threads=16, connections=16)
    held = [WsVisitor(live.ws_url) for _ in range(room)]
    for visitor in held:
        assert visitor.send({"type": "start"})[0]["type"] == "session"
    began = time.monotonic()
    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        WsVisitor(live.ws_url)
    assert refused.value.status_code == 503 and time.monotonic() - began < 3
    held.pop().close()
    time.sleep(0.3)
    replacement = WsVisitor(live.ws_url)  # a freed place is usable again
    assert replacement.send({"type": "start"})[0]["type"] == "session"
    for visitor in [*held, replacement]:
        visitor.close()


# --- pushed events (the app in a thread, so the test can act as staff) ----------------------------


def test_a_staff_message_is_pushed_to_the_visitors_socket(thread_server: ThreadServer) -> None:
    visitor = WsVisitor(thread_server.ws_url)
    events = walk_intake(visitor.send, visitor.send({"type": "start"}))
    with thread_server.app.app_context():
        service = runtime().service
        session_id = service.events_since(events[0]["token"], 0).session_id
        assert session_id is not None
        service.post_staff_message(session_id, name="Sam", text="Hi, Sam here.", actor="staff:1")
    pushed = visitor.recv()
    assert pushed == {
        "type": "staff",
        "seq": events[-1]["seq"] + 1,
        "name": "Sam",
        "text": "Hi, Sam here.",
    }
    visitor.close()


def test_a_second_tab_on_the_same_session_sees_the_first_tabs_turns(
    thread_server: ThreadServer,
) -> None:
    first = WsVisitor(thread_server.ws_url)
    start = first.send({"type": "start"})
    second = WsVisitor(thread_server.ws_url)
    second.send({"type": "resume", "token": start[0]["token"], "after": start[-1]["seq"]})
    turn = first.send(intake_reply(start[-1]))
    pushed = [second.recv() for _ in turn]
    assert pushed == turn
    first.close()
    second.close()
