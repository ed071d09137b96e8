"""Test helpers for real servers and real databases: a gunicorn subprocess on a loopback port, and
PostgreSQL URLs pointing at a fresh schema. Fixtures over them live in conftest.py."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa

PG_ENV = "INTAKE_TEST_DATABASE_URL"
PG_SKIP_REASON = f"{PG_ENV} is not set (point it at a PostgreSQL server to run these tests)"
ROOT = Path(__file__).resolve().parent.parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def fresh_pg_schema(base_url: str) -> Iterator[str]:
    """A URL whose connections see only a new, empty schema; the schema is dropped afterwards."""
    schema = f"t_{uuid.uuid4().hex[:12]}"
    url = base_url.replace("postgresql://", "postgresql+psycopg://", 1)
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in url else "?"
    try:
        yield f"{url}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


class LiveServer:
    """``intake-chat serve`` (gunicorn; ``worker`` "gevent", the default, or "threads") in its own
    process group on 127.0.0.1.

    ``url`` is the base HTTP URL and ``ws_url`` the chat WebSocket URL. ``kill()`` sends SIGKILL to
    the whole group (arbiter and workers: a power cut), ``stop()`` SIGTERM (graceful); ``start()``
    again reuses the same data directory, database and port, so a test can restart it.
    """

    def __init__(
        self,
        data_dir: Path,
        *,
        env: Mapping[str, str] | None = None,
        threads: int = 32,
        port: int | None = None,
        worker: str = "gevent",
        connections: int | None = None,
    ) -> None:
        self.data_dir = data_dir
        self.port = port or free_port()
        self.threads = threads
        self.worker = worker
        self.connections = connections
        self.env = {
            "INTAKE_DATA_DIR": str(data_dir),
            "INTAKE_SECRET_KEY": "test-secret",
            # Every test talks from 127.0.0.1; tests of the limits pass their own values.
            "INTAKE_RATE_LIMIT_PER_SESSION": "100000",
            "INTAKE_RATE_LIMIT_PER_ADDRESS": "100000",
            **(env or {}),
        }
        self.process: subprocess.Popen[bytes] | None = None
        self.log_path = data_dir / "server.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    def start(self, timeout: float = 90.0) -> LiveServer:
        # a generous wait: on a loaded 2-core machine a worker's imports alone took over 20 s,
        # and the loop returns as soon as the health check answers
        env = {k: v for k, v in os.environ.items() if not k.startswith("INTAKE_")}
        env.update(self.env)
        command = [
            sys.executable,
            "-c",
            "from intake_chat.cli import main; main()",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(self.port),
            "--worker",
            self.worker,
            "--threads",
            str(self.threads),
            "--graceful-timeout",
            "5",
        ]
        if self.connections is not None:
            command += ["--connections", str(self.connections)]
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, env=env, cwd=ROOT, stdout=log, stderr=log, start_new_session=True
        )
        log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"the server exited early:\n{self.log()}")
            try:
                with urllib.request.urlopen(f"{self.url}/api/chat/health", timeout=2) as reply:
                    if reply.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                time.sleep(0.05)
        log = self.log()
        self.kill()  # never leave a half-started server behind for the next test to trip on
        raise RuntimeError(f"the server did not answer within {timeout} s:\n{log}")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the arbiter and every worker at once."""
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(10)
        self.process = None

    def stop(self, timeout: float = 15.0) -> int | None:
        """SIGTERM (graceful shutdown); returns the exit code."""
        if self.process is None:
            return None
        code = self.process.poll()
        if code is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                code = self.process.wait(10)
        self.process = None
        return code


# --- visitors: real protocol clients ---------------------------------------------------------

# How a test visitor answers each question of the shipped intake flow (flows/intake.json).
INTAKE_ANSWERS: dict[str, dict[str, Any]] = {
    "consent": {"choice": "accept"},
    "menu": {"choice": "referral"},
    "ask_first_name": {"text": "Ana"},
    "ask_preferred_name": {"skip": True},
    "ask_pronouns": {"skip": True},
    "ask_dob": {"text": "04/28/1990"},
    "ask_contact_method": {"choice": "email"},
    "ask_email": {"text": "ana@example.org"},
    "ask_phone": {"text": "+1 617 555 0100"},
    "ask_voicemail": {"choice": "yes"},
    "checkin_offer": {"choice": "no"},  # the optional check-in: declined (one click)
    "ask_state": {"choice": "MA"},
    "ask_session_format": {"choice": "telehealth"},
    "ask_insurance": {"choice": "self_pay"},
    "ask_availability": {"choices": ["weekday_evenings", "weekends"]},
    "ask_therapist_prefs": {"skip": True},
    "ask_reason": {"text": "Feeling stuck at work"},
    "ask_referral_source": {"choice": "friend_family"},
    "review": {"choice": "confirm"},
}
TURN_END = frozenset({"ask", "handoff", "end", "error"})


def ends_turn(event: Mapping[str, Any]) -> bool:
    """The last event of a turn: an ask, a handoff, an end, an error, or the pause that follows a
    crisis or concern (a message with buttons and no question after it)."""
    return event["type"] in TURN_END or (event["type"] == "message" and event.get("node") == "care")


def intake_reply(ask: Mapping[str, Any]) -> dict[str, Any]:
    return {"type": "reply", **INTAKE_ANSWERS[ask["node"]]}


class WsVisitor:
    """A visitor on a real WebSocket: ``send`` returns the events of that turn, in order."""

    def __init__(self, url: str, *, origin: str | None = None, timeout: float = 10.0) -> None:
        import websocket

        options: dict[str, Any] = {"timeout": timeout}
        if origin is not None:
            options["origin"] = origin
        else:
            options["suppress_origin"] = True
        self.ws = websocket.create_connection(url, **options)
        self.token: str | None = None
        self.seen: list[dict[str, Any]] = []

    def recv(self) -> dict[str, Any]:
        event: dict[str, Any] = json.loads(self.ws.recv())
        self.seen.append(event)
        if event["type"] == "session":
            self.token = event["token"]
        return event

    def send_raw(self, raw: str | bytes) -> list[dict[str, Any]]:
        if isinstance(raw, bytes):
            self.ws.send_binary(raw)
        else:
            self.ws.send(raw)
        return self.read_turn()

    def send(self, frame: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self.send_raw(json.dumps(frame))

    def read_turn(self) -> list[dict[str, Any]]:
        events = [self.recv()]
        if events[0]["type"] == "session":
            return events + self._read_replay(events[0])
        while not ends_turn(events[-1]):
            events.append(self.recv())
        return events

    def _read_replay(self, hello: dict[str, Any]) -> list[dict[str, Any]]:
        """After ``session``: events up to ``last_seq``; then, if the visitor is being asked
        and no ask was among them, the pending ask again (marked ``resent``)."""
        events: list[dict[str, Any]] = []
        position = hello["seq"]
        while position < hello["last_seq"]:
            events.append(self.recv())
            position = events[-1]["seq"]
        if hello["status"] == "asking" and not any(e["type"] == "ask" for e in events):
            events.append(self.recv())
        return events

    def close(self) -> None:
        self.ws.close()


class HttpVisitor:
    """A visitor on the HTTP fallback; ``status`` is the last response's status code."""

    def __init__(self, base_url: str, *, origin: str | None = None) -> None:
        self.base = base_url
        self.origin = origin
        self.token: str | None = None
        self.status = 0
        self.headers: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None) -> dict[str, Any]:
        req = urllib.request.Request(self.base + path, data=body, method=method)
        req.add_header("Content-Type", "application/json")
        if self.origin:
            req.add_header("Origin", self.origin)
        try:
            with urllib.request.urlopen(req, timeout=60) as reply:
                self.status, self.headers = reply.status, dict(reply.headers)
                payload = reply.read()
        except urllib.error.HTTPError as error:
            self.status, self.headers = error.code, dict(error.headers)
            payload = error.read()
        return json.loads(payload) if payload else {}

    def start(self, **frame: Any) -> list[dict[str, Any]]:
        body = self.request(
            "POST", "/api/chat/sessions", json.dumps({"type": "start", **frame}).encode()
        )
        self.token = body.get("token")
        events: list[dict[str, Any]] = body["events"]
        return events

    def send_raw(self, raw: bytes) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = self.request(
            "POST", f"/api/chat/sessions/{self.token}/events", raw
        )["events"]
        return events

    def send(self, frame: Mapping[str, Any]) -> list[dict[str, Any]]:
        return self.send_raw(json.dumps(frame).encode())

    def poll(self, after: int, wait: float | None = None) -> list[dict[str, Any]]:
        query = f"?after={after}" + ("" if wait is None else f"&wait={wait}")
        events: list[dict[str, Any]] = self.request(
            "GET", f"/api/chat/sessions/{self.token}/events{query}"
        )["events"]
        return events


def walk_intake(
    send: Any, first: list[dict[str, Any]], limit: int = 60, turns: int | None = None
) -> list[dict[str, Any]]:
    """Answer the intake flow's asks until the handoff (or for ``turns`` turns only); returns
    every event received."""
    events = list(first)
    for done in range(limit):
        last = events[-1]
        if last["type"] == "message" and last.get("node") == "care" and done != turns:
            # the pause after a crisis or concern: keep going with the questions
            events.extend(send({"type": "intent", "intent": "care_continue"}))
            continue
        if last["type"] != "ask" or done == turns:
            return events
        events.extend(send(intake_reply(last)))
    raise AssertionError(f"the intake flow did not finish in {limit} turns")


@contextmanager
def backend_server(backend: str, data_dir: Path, **kwargs: Any) -> Iterator[LiveServer]:
    """A started LiveServer on SQLite (``"sqlite"``) or on a fresh PostgreSQL schema
    (``"postgresql"``, skipped with the reason when INTAKE_TEST_DATABASE_URL is unset)."""
    import pytest

    env = dict(kwargs.pop("env", {}))
    if backend == "postgresql":
        base = os.environ.get(PG_ENV)
        if not base:
            pytest.skip(PG_SKIP_REASON)
        with fresh_pg_schema(base) as url:
            server = LiveServer(data_dir, env={**env, "INTAKE_DATABASE_URL": url}, **kwargs)
            try:
                yield server.start()
            finally:
                server.stop()
        return
    server = LiveServer(data_dir, env=env, **kwargs)
    try:
        yield server.start()
    finally:
        server.stop()


class ThreadServer:
    """The app in this process under werkzeug's threaded server, for tests that need to reach
    into the running app (e.g. post a staff message) while real clients talk to it."""

    def __init__(self, app: Any) -> None:
        import threading

        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.port = self.server.server_port
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def ws_url(self) -> str:
        return f"ws://127.0.0.1:{self.port}/ws/chat"

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.server.shutdown()
        self.thread.join(10)
