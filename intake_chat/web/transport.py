"""What the visitor's transports share with the flow editor's preview (which serves the same
protocol over a sandbox service): origin checks, capacity slots, JSON answers and error events,
the long-poll and the WebSocket loop. Not a blueprint: blueprints import it, never each other.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import Response, request
from werkzeug.exceptions import RequestEntityTooLarge
from wsproto.events import TextMessage

from ..app.service import TRANSIENT_TYPES, Outcome, Service
from ..core import protocol
from ..core.protocol import BotEvent
from .context import runtime

log = logging.getLogger(__name__)

LONG_POLL_SECONDS = 25.0
# How long an idle socket waits between its own checks (idle close, catch-up). A shutdown does
# not wait for it: the hub's wake_all pokes every socket (``Socket._on_stop``). Each wake-up costs
# CPU, so with thousands of idle visitors a short wait adds up (docs/performance.md).
WS_WAKE_SECONDS = 10.0
STOP_KEY = "intake:stopping"  # every socket listens here for the shutdown poke
WS_CATCH_UP_SECONDS = 20.0  # how often an idle socket looks for events it was not woken for
WS_DRAIN_SECONDS = 0.2  # on shutdown, how long to wait for frames already on their way
WS_IDLE_SECONDS = 15 * 60  # a silent visitor's socket is closed; the widget resumes on next use
SEQ = re.compile(r"[0-9]{1,15}")  # ASCII only: str.isdigit() also takes '²', which int() refuses


STATUS_BY_CODE = {
    "too_large": 413,
    "unknown_token": 404,
    "expired": 410,
    "rate_limited": 429,
    "not_expected": 409,
    "unknown_intent": 409,
    "erase_refused": 409,
    "unknown_node": 409,
    "storage_unavailable": 503,
    "server_busy": 503,
    "forbidden_origin": 403,
    "internal": 500,
}


def own_origins() -> set[str]:
    host = request.host
    origins = {f"http://{host}", f"https://{host}"}
    public = runtime().config.public_url.rstrip("/")
    if public:
        origins.add(public)
    return origins


def origin_allowed(origin: str | None) -> bool:
    """No Origin header: not a browser, nothing to protect. Otherwise exact match only."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin in own_origins() or origin in runtime().config.allowed_origins


def frame_ancestors() -> str:
    """The CSP header value for pages that may be framed (the chat page): self + allowed origins."""
    return "frame-ancestors " + " ".join(["'self'", *sorted(runtime().config.allowed_origins)])


def take_slot(address: str) -> Response | None:
    taken = runtime().slots.acquire(address)
    if taken == "busy":
        return error_response("server_busy", retry_after=5)
    if taken == "address":
        return error_response("rate_limited", retry_after=5)
    return None


def json_response(
    body: dict[str, Any], status: int = 200, retry_after: float | None = None
) -> Response:
    response = Response(
        json.dumps(body, ensure_ascii=False), status=status, mimetype="application/json"
    )
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"  # visitor text is never read as HTML
    if retry_after is not None:
        response.headers["Retry-After"] = str(max(1, round(retry_after)))
    return response


def error_response(
    code: str, text: str | None = None, retry_after: float | None = None
) -> Response:
    event = protocol.error_event(code, text, seq=0, retry_after=retry_after)
    return json_response({"events": [event]}, STATUS_BY_CODE.get(code, 400), retry_after)


def outcome_response(outcome: Outcome, *, created: bool = False) -> Response:
    body: dict[str, Any] = {"events": outcome.events}
    if outcome.token is not None and created:
        body["token"] = outcome.token
    if outcome.error:
        return json_response(body, STATUS_BY_CODE.get(outcome.error, 400), outcome.retry_after)
    return json_response(body, 201 if created else 200)


def request_body() -> bytes | None:
    try:
        return request.get_data(cache=False)
    except RequestEntityTooLarge:
        return None


def client_key() -> str:
    """The key for per-address limits: the address, or its /64 for IPv6, where one machine
    commonly holds a whole /64 and could otherwise take a fresh address per request."""
    raw = request.remote_addr or "unknown"
    try:
        address = ipaddress.ip_address(raw)
    except ValueError:
        return raw
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is None:
        return str(ipaddress.IPv6Network((address, 64), strict=False))
    return raw


def long_poll(service: Service, token: str) -> Response:
    """Answers at once when there are events after ``after``, else waits up to ``wait`` seconds
    (at most 25) for one; the wait holds a capacity slot like a socket."""
    rt = runtime()
    after = request.args.get("after", "0")
    if not SEQ.fullmatch(after):
        return error_response("bad_field", "after must be a whole number, 0 or more.")
    try:
        longest = min(
            LONG_POLL_SECONDS, max(0.0, float(request.args.get("wait", LONG_POLL_SECONDS)))
        )
    except ValueError:
        return error_response("bad_field", "wait must be a number of seconds.")
    client = client_key()
    wait = service.address_limit.take(f"addr:{client}")
    if wait > 0:
        return error_response("rate_limited", retry_after=wait)
    refusal = take_slot(client)
    if refusal is not None:
        return refusal
    try:
        timeout = 0.0 if rt.stopping.is_set() else longest
        outcome = service.wait_for_events(token, int(after), timeout=timeout, stop=rt.stopping)
    finally:
        rt.slots.release(client)
    return outcome_response(outcome)


class Socket:
    """One visitor's WebSocket: frames in, events out, in ``seq`` order and never twice."""

    def __init__(self, ws: Any, service: Service, client: str, stopping: threading.Event) -> None:
        self.ws = ws
        self.service = service
        self.client = client
        self.stopping = stopping
        self.token: str | None = None
        self.session_id: str | None = None
        self.position = 0
        self.send_lock = threading.Lock()
        self.unsubscribe: Callable[[], None] | None = None

    def run(self) -> None:
        last_frame = last_check = time.monotonic()
        stop_listening = self.service.hub.subscribe(STOP_KEY, self._on_stop, owner=self)
        try:
            while not self.stopping.is_set():
                raw = self.ws.receive(timeout=WS_WAKE_SECONDS)
                now = time.monotonic()
                if raw is not None:
                    last_frame = now
                    self._turn(raw)
                elif now - last_frame > WS_IDLE_SECONDS:
                    self.ws.close(1001, "idle")
                    return
                elif now - last_check > WS_CATCH_UP_SECONDS:
                    last_check = now
                    self._catch_up()
            # Stopping: answer what has already arrived, then ask the widget to reconnect.
            while (raw := self.ws.receive(timeout=WS_DRAIN_SECONDS)) is not None:
                self._turn(raw)
            self.ws.close(1012, "server restarting")
        finally:
            stop_listening()
            if self.unsubscribe is not None:
                self.unsubscribe()

    def _on_stop(self, _key: str) -> None:
        """Shutdown (``Runtime.begin_shutdown`` wakes every subscriber): end the wait in
        ``receive`` now, as an empty read, so the loop sees ``stopping`` within a moment."""
        if not self.stopping.is_set():
            return
        buffer, event = getattr(self.ws, "input_buffer", None), getattr(self.ws, "event", None)
        if isinstance(buffer, list) and event is not None:  # simple-websocket as known
            buffer.append(None)
            event.set()

    def _turn(self, raw: str | bytes) -> None:
        outcome = self.service.handle(self.token, raw, client=self.client, listener=self)
        self._adopt(outcome)
        self.deliver(outcome.events)

    def _adopt(self, outcome: Outcome) -> None:
        first = outcome.events[0] if outcome.events else None
        if first is None or first["type"] != "session" or outcome.session_id is None:
            return
        with self.send_lock:
            self.token = outcome.token
            self.position = int(first["seq"])
        if outcome.session_id != self.session_id:
            if self.unsubscribe is not None:
                self.unsubscribe()
            self.session_id = outcome.session_id
            self.unsubscribe = self.service.hub.subscribe(
                outcome.session_id, self._on_publish, owner=self
            )

    def deliver(self, events: list[BotEvent]) -> None:
        with self.send_lock:
            texts: list[str] = []
            for event in events:
                if event["type"] in TRANSIENT_TYPES or event.get("resent"):
                    if event["type"] == "error":
                        event = {**event, "seq": self.position}
                    texts.append(json.dumps(event, ensure_ascii=False))
                elif event["seq"] > self.position:
                    texts.append(json.dumps(event, ensure_ascii=False))
                    self.position = event["seq"]
            _send_frames(self.ws, texts)

    def _on_publish(self, _key: str) -> None:
        """Another thread committed events to this session (staff, another tab): push them."""
        self._catch_up()

    def _catch_up(self) -> None:
        if self.session_id is None:
            return
        try:
            events = self.service.events_after_position(self.session_id, self.position)
        except Exception:
            log.warning("could not read new events for a socket", exc_info=True)
            return
        if events:
            try:
                self.deliver(events)
            except Exception:
                log.debug("socket closed while pushing events")


def _send_frames(ws: Any, texts: list[str]) -> None:
    """All of a turn's frames in one write: one system call instead of one per event."""
    if not texts:
        return
    connection, sock = getattr(ws, "ws", None), getattr(ws, "sock", None)
    if connection is None or sock is None or not ws.connected:  # not simple-websocket as known
        for text in texts:
            ws.send(text)
        return
    sock.sendall(b"".join(connection.send(TextMessage(data=text)) for text in texts))
