"""The HTTP fallback over real sockets: ``POST /api/chat/sessions``, ``POST …/events``, the
``GET …/events`` long-poll, error statuses and CORS, against a real server on a loopback port."""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from server import HttpVisitor, LiveServer, ThreadServer, backend_server, intake_reply, walk_intake

from intake_chat.web.context import runtime

ALLOWED = "https://practice.example"


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def server(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LiveServer]:
    env = {"INTAKE_ALLOWED_ORIGINS": ALLOWED}
    with backend_server(request.param, tmp_path_factory.mktemp(request.param), env=env) as live:
        yield live


def test_a_visitor_completes_the_shipped_intake_flow_over_http(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    first = visitor.start(flow="intake", locale="en")
    assert visitor.status == 201 and visitor.token == first[0]["token"]
    events = walk_intake(visitor.send, first)
    assert visitor.status == 200
    assert events[-1]["type"] == "handoff" and len(events[-1]["referral"]) == 10
    seqs = [e["seq"] for e in events[1:]]
    assert seqs == list(range(1, len(seqs) + 1))


def test_a_reload_redraws_the_whole_conversation(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    events = walk_intake(visitor.send, visitor.start(), turns=4)
    again = visitor.send({"type": "resume", "token": visitor.token, "after": 0})
    assert again[0]["type"] == "session" and again[0]["last_seq"] == events[-1]["seq"]
    assert again[1:] == events[1:]


def test_the_api_answers_json_that_is_never_cached(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    visitor.start()
    assert visitor.headers["Content-Type"] == "application/json"
    assert visitor.headers["Cache-Control"] == "no-store"


# --- errors ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "code", "status"),
    [
        (b"{nope", "bad_json", 400),
        (b"[]", "not_object", 400),
        (b'{"type":"shout"}', "unknown_type", 400),
        (json.dumps({"type": "reply", "text": "x" * 9000}).encode(), "too_large", 413),
        (json.dumps({"type": "reply", "text": "x" * 200_000}).encode(), "too_large", 413),
        (json.dumps({"type": "reply", "text": "x" * 2001}).encode(), "text_too_long", 400),
        (b'{"type":"reply","text":"\xff"}', "bad_utf8", 400),
        (b'{"type":"reply","choices":"a"}', "bad_field", 400),
        (b'{"type":"intent","intent":"nope"}', "unknown_intent", 409),
    ],
)
def test_bad_frames_get_an_error_event_and_a_fitting_status(
    server: LiveServer, raw: bytes, code: str, status: int
) -> None:
    visitor = HttpVisitor(server.url)
    visitor.start()
    events = visitor.send_raw(raw)
    assert (visitor.status, [e["code"] for e in events]) == (status, [code])
    assert events[0]["type"] == "error" and events[0]["text"]


def test_an_unknown_token_is_404(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    visitor.token = "A" * 43
    assert visitor.send({"type": "back"})[0]["code"] == "unknown_token"
    assert visitor.status == 404
    assert visitor.poll(0)[0]["code"] == "unknown_token" and visitor.status == 404


def test_a_reply_the_conversation_cannot_take_is_409(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    walk_intake(visitor.send, visitor.start())  # ends in the handoff
    assert visitor.send({"type": "back"})[0]["code"] == "not_expected"
    assert visitor.status == 409


def test_an_expired_session_is_410(make_live_server: Any) -> None:
    live = make_live_server(env={"INTAKE_SESSION_IDLE_MINUTES": "0"})
    visitor = HttpVisitor(live.url)
    first = visitor.start()
    assert visitor.send(intake_reply(first[-1]))[0]["code"] == "expired"
    assert visitor.status == 410


def test_the_rate_limit_is_429_with_retry_after(make_live_server: Any) -> None:
    live = make_live_server(env={"INTAKE_RATE_LIMIT_PER_ADDRESS": "4"})
    visitor = HttpVisitor(live.url)
    visitor.start()
    statuses = []
    for _ in range(5):
        visitor.send({"type": "back"})
        statuses.append(visitor.status)
    assert statuses[:3] == [200, 200, 200] and 429 in statuses
    assert int(visitor.headers["Retry-After"]) >= 1


def test_the_long_poll_refuses_a_bad_after(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    visitor.start()
    assert (
        visitor.request("GET", f"/api/chat/sessions/{visitor.token}/events?after=-1")["events"][0][
            "code"
        ]
        == "bad_field"
    )
    assert visitor.status == 400


# --- CORS -----------------------------------------------------------------------------------------


def test_an_allowed_origin_gets_cors_headers(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url, origin=ALLOWED)
    assert visitor.start()[0]["type"] == "session"
    assert visitor.headers["Access-Control-Allow-Origin"] == ALLOWED
    assert "Origin" in visitor.headers["Vary"]


def test_a_foreign_origin_is_refused_and_gets_no_cors_headers(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url, origin="https://evil.example")
    events = visitor.start()
    assert visitor.status == 403 and events[0]["code"] == "forbidden_origin"
    assert "Access-Control-Allow-Origin" not in visitor.headers


def test_same_origin_and_originless_requests_need_no_cors_headers(server: LiveServer) -> None:
    for origin in (server.url, None):
        visitor = HttpVisitor(server.url, origin=origin)
        visitor.start()
        assert visitor.status == 201
        assert "Access-Control-Allow-Origin" not in visitor.headers


@pytest.mark.parametrize(("origin", "status"), [(ALLOWED, 204), ("https://evil.example", 403)])
def test_a_preflight_is_answered_only_for_allowed_origins(
    server: LiveServer, origin: str, status: int
) -> None:
    request = urllib.request.Request(f"{server.url}/api/chat/sessions", method="OPTIONS")
    request.add_header("Origin", origin)
    request.add_header("Access-Control-Request-Method", "POST")
    request.add_header("Access-Control-Request-Headers", "content-type")
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            got, headers = reply.status, reply.headers
    except urllib.error.HTTPError as error:
        got, headers = error.code, error.headers
        error.close()
    assert got == status
    if status == 204:
        assert headers["Access-Control-Allow-Origin"] == origin
        assert "POST" in headers["Access-Control-Allow-Methods"]
        assert headers["Access-Control-Allow-Headers"].lower() == "content-type"
    else:
        assert headers["Access-Control-Allow-Origin"] is None


# --- the long-poll --------------------------------------------------------------------------------


def test_the_long_poll_answers_at_once_when_events_are_waiting(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    first = visitor.start()
    began = time.monotonic()
    events = visitor.poll(after=1)
    assert time.monotonic() - began < 2
    assert events == first[2:]


def test_the_long_poll_waits_then_answers_empty(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    first = visitor.start()
    began = time.monotonic()
    assert visitor.poll(after=first[-1]["seq"], wait=0.5) == []
    assert visitor.status == 200 and time.monotonic() - began >= 0.5


def test_the_long_poll_is_woken_by_a_staff_message(thread_server: ThreadServer) -> None:
    visitor = HttpVisitor(thread_server.url)
    first = visitor.start()
    with thread_server.app.app_context():
        service = runtime().service
    session_id = service.events_since(first[0]["token"], 0).session_id
    assert session_id is not None

    def staff_writes() -> None:
        time.sleep(0.4)
        service.post_staff_message(session_id, name="Sam", text="Hello", actor="staff:1")

    writer = threading.Thread(target=staff_writes)
    writer.start()
    began = time.monotonic()
    events = visitor.poll(after=first[-1]["seq"], wait=20)
    writer.join()
    assert 0.3 < time.monotonic() - began < 10
    assert events == [
        {"type": "staff", "seq": first[-1]["seq"] + 1, "name": "Sam", "text": "Hello"}
    ]


def test_health_reports_the_schema_versions(server: LiveServer) -> None:
    visitor = HttpVisitor(server.url)
    body = visitor.request("GET", "/api/chat/health")
    assert visitor.status == 200 and body["ok"] is True and body["schema"]["chat"] >= 1


def test_ready_turns_503_once_the_instance_is_stopping(app: Flask) -> None:
    """A proxy in front of two instances stops sending new visitors to one that is restarting."""
    client = app.test_client()
    assert client.get("/api/chat/ready").status_code == 200
    runtime(app).begin_shutdown()
    answer = client.get("/api/chat/ready")
    assert answer.status_code == 503 and answer.get_json() == {"ok": False, "stopping": True}
    assert client.get("/api/chat/health").status_code == 200  # alive, just not taking new ones
