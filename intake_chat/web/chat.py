"""Blueprint ``chat``: the visitor's transports over ``Service.handle`` (WebSocket ``/ws/chat`` and
the HTTP fallback under ``/api/chat``) plus the Origin check, CORS and capacity around them.

Views stay thin: receive → service → send. Every refusal is an ``error`` event, never a 500 page.
"""

from __future__ import annotations

import ipaddress
import json
import logging
import re
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from flask import Blueprint, Flask, Response, current_app, g, request
from flask_sock import Sock
from werkzeug.exceptions import RequestEntityTooLarge
from wsproto.events import TextMessage

from ..app.service import TRANSIENT_TYPES, Outcome, SafetyFn, Service, safety_from_rules
from ..core import flows as flows_module
from ..core import protocol
from ..core.config import Config
from ..storage import get_db

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__)
sock = Sock()

EXTENSION_KEY = "intake_chat"
LONG_POLL_SECONDS = 25.0
WS_WAKE_SECONDS = 1.0  # how soon a waiting socket notices a shutdown
WS_CATCH_UP_SECONDS = 20.0  # how often an idle socket looks for events it was not woken for
WS_DRAIN_SECONDS = 0.2  # on shutdown, how long to wait for frames already on their way
WS_IDLE_SECONDS = 15 * 60  # a silent visitor's socket is closed; the widget resumes on next use
WS_PING_SECONDS = 25
DEFAULT_CAPACITY = 1000  # long-lived requests when not told by ``intake-chat serve``
ALLOW_PREVIEW_KEY = "CHAT_ALLOW_PREVIEW"
SEQ = re.compile(r"[0-9]{1,15}")  # ASCII only: str.isdigit() also takes '²', which int() refuses

# Set when the server is asked to stop: sockets finish their turn, then close with 1012.
STOPPING = threading.Event()
_services: weakref.WeakSet[Service] = weakref.WeakSet()

STATUS_BY_CODE = {
    "too_large": 413,
    "unknown_token": 404,
    "expired": 410,
    "rate_limited": 429,
    "not_expected": 409,
    "unknown_intent": 409,
    "unknown_node": 409,
    "storage_unavailable": 503,
    "server_busy": 503,
    "forbidden_origin": 403,
    "internal": 500,
}


class Slots:
    """Counts requests that hold a worker thread for long (sockets, long-polls) so that new ones are
    refused with 503 instead of hanging in the handshake when every thread is taken.

    ``per_address`` (0: no cap) keeps one client address from taking every slot: without it a
    single machine opening idle sockets shuts the chat for everyone else.
    """

    def __init__(self, capacity: int, per_address: int = 0) -> None:
        self.capacity = capacity
        self.per_address = per_address
        self.used = 0
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def try_acquire(self, address: str = "") -> bool:
        return self.acquire(address) == "ok"

    def acquire(self, address: str = "") -> str:
        """One of: ok; busy (every slot taken); address (this address holds its share)."""
        with self._lock:
            if self.used >= self.capacity:
                return "busy"
            held = self._held.get(address, 0)
            if address and self.per_address and held >= self.per_address:
                return "address"
            self.used += 1
            if address:
                self._held[address] = held + 1
            return "ok"

    def release(self, address: str = "") -> None:
        with self._lock:
            self.used = max(0, self.used - 1)
            left = self._held.pop(address, 0) - 1
            if address and left > 0:
                self._held[address] = left


@dataclass
class Runtime:
    service: Service
    slots: Slots
    allowed_origins: frozenset[str]
    public_origin: str


def runtime() -> Runtime:
    found: Runtime = current_app.extensions[EXTENSION_KEY]
    return found


@bp.record_once
def _setup(state: Any) -> None:
    init_app(state.app)


def init_app(app: Flask) -> None:
    """Load the flows and safety rules once, build the service, attach the socket extension."""
    config: Config = app.config["INTAKE"]
    loaded = flows_module.load_flows(config.flows_dir)
    service = Service(
        get_db(app),
        loaded,
        config,
        safety=load_safety(config),
        allow_preview=bool(app.config.get(ALLOW_PREVIEW_KEY)),
    )
    app.config.setdefault(
        "SOCK_SERVER_OPTIONS",
        {
            "ping_interval": WS_PING_SECONDS,
            # Frames over max_frame_bytes get a too_large error; only far larger ones close
            # the socket.
            "max_message_size": max(4 * config.max_frame_bytes, 64 * 1024),
        },
    )
    public = config.public_url.rstrip("/")
    app.extensions[EXTENSION_KEY] = Runtime(
        service=service,
        slots=Slots(DEFAULT_CAPACITY, config.sockets_per_address),
        allowed_origins=frozenset(config.allowed_origins),
        public_origin=public,
    )
    _services.add(service)
    sock.init_app(app)


def set_capacity(app: Flask, capacity: int) -> None:
    """How many sockets and long-polls may be open at once (``intake-chat serve`` sets it from
    its thread count)."""
    app.extensions[EXTENSION_KEY].slots.capacity = capacity


def load_safety(config: Config) -> SafetyFn:
    """The built-in floor plus the practice's ``safety.json`` next to the flows, compiled once."""
    from ..safety import detection as safety

    return safety_from_rules(safety.practice_rules(config.flows_dir))


# --- origins, CORS and capacity -------------------------------------------------------------------


def _own_origins() -> set[str]:
    host = request.host
    origins = {f"http://{host}", f"https://{host}"}
    if runtime().public_origin:
        origins.add(runtime().public_origin)
    return origins


def origin_allowed(origin: str | None) -> bool:
    """No Origin header: not a browser, nothing to protect. Otherwise exact match only."""
    if origin is None:
        return True
    origin = origin.rstrip("/")
    return origin in _own_origins() or origin in runtime().allowed_origins


def frame_ancestors() -> str:
    """The CSP header value for pages that may be framed (the chat page): self + allowed origins."""
    return "frame-ancestors " + " ".join(["'self'", *sorted(runtime().allowed_origins)])


def _is_websocket() -> bool:
    return request.headers.get("Upgrade", "").lower() == "websocket"


@bp.before_request
def _guard_websocket() -> Response | None:
    """Refuse before the handshake: foreign Origins (flask-sock checks none) and sockets beyond
    the thread capacity. Also drop permessage-deflate: chat frames are tiny and it costs memory."""
    if not _is_websocket():
        return None
    if not origin_allowed(request.headers.get("Origin")):
        log.info("refused a WebSocket from origin %r", request.headers.get("Origin"))
        return error_response("forbidden_origin", "This site may not open the chat.")
    refusal = _take_slot(client_key())
    if refusal is not None:
        return refusal
    g.chat_slot = client_key()
    request.environ.pop("HTTP_SEC_WEBSOCKET_EXTENSIONS", None)
    return None


@bp.teardown_request
def _release_slot(_error: BaseException | None) -> None:
    address = g.pop("chat_slot", None)
    if address is not None:
        runtime().slots.release(address)


def _take_slot(address: str) -> Response | None:
    taken = runtime().slots.acquire(address)
    if taken == "busy":
        return error_response("server_busy", retry_after=5)
    if taken == "address":
        return error_response("rate_limited", retry_after=5)
    return None


def cors(view: Callable[..., Response]) -> Callable[..., Response]:
    """CORS headers for allowed origins only; a request from any other foreign Origin is refused."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Response:
        origin = request.headers.get("Origin")
        if not origin_allowed(origin):
            response = error_response("forbidden_origin", "This site may not use the chat.")
        elif request.method == "OPTIONS":
            response = Response(status=204)
            response.headers["Access-Control-Allow-Methods"] = "GET, POST, OPTIONS"
            response.headers["Access-Control-Allow-Headers"] = "Content-Type"
            response.headers["Access-Control-Max-Age"] = "600"
        else:
            response = view(*args, **kwargs)
        if origin and origin_allowed(origin) and origin.rstrip("/") not in _own_origins():
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.vary.add("Origin")
        return response

    return wrapper


# --- HTTP -----------------------------------------------------------------------------------------


def _json(body: dict[str, Any], status: int = 200, retry_after: float | None = None) -> Response:
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
    extra = {"retry_after": retry_after} if retry_after is not None else {}
    event = protocol.error_event(code, text, seq=0, **extra)
    return _json({"events": [event]}, STATUS_BY_CODE.get(code, 400), retry_after)


def outcome_response(outcome: Outcome, *, created: bool = False) -> Response:
    body: dict[str, Any] = {"events": outcome.events}
    if outcome.token is not None and created:
        body["token"] = outcome.token
    if outcome.error:
        return _json(body, STATUS_BY_CODE.get(outcome.error, 400), outcome.retry_after)
    return _json(body, 201 if created else 200)


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


ROUTE_OPTIONS: dict[str, Any] = {"methods": ["POST", "OPTIONS"], "provide_automatic_options": False}


@bp.route("/api/chat/sessions", **ROUTE_OPTIONS)
@cors
def create_session() -> Response:
    raw = request_body()
    if raw is None:
        return error_response("too_large")
    outcome = runtime().service.handle(None, raw, client=client_key())
    return outcome_response(outcome, created=outcome.error is None)


@bp.route("/api/chat/sessions/<token>/events", **ROUTE_OPTIONS)
@cors
def post_event(token: str) -> Response:
    raw = request_body()
    if raw is None:
        return error_response("too_large")
    return outcome_response(runtime().service.handle(token, raw, client=client_key()))


@bp.route("/api/chat/sessions/<token>/events", methods=["GET"], provide_automatic_options=False)
@cors
def poll_events(token: str) -> Response:
    """Long-poll: answers at once when there are events after ``after``, else waits up to
    ``wait`` seconds (at most 25) for one."""
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
    wait = rt.service.address_limit.take(f"addr:{client}")
    if wait > 0:
        return error_response("rate_limited", retry_after=wait)
    refusal = _take_slot(client)
    if refusal is not None:
        return refusal
    try:
        timeout = 0.0 if STOPPING.is_set() else longest
        outcome = rt.service.wait_for_events(token, int(after), timeout=timeout, stop=STOPPING)
    finally:
        rt.slots.release(client)
    return outcome_response(outcome)


@bp.get("/api/chat/health")
def health() -> Response:
    """Liveness for load balancers and the test fixture: the database answers a read."""
    try:
        versions = runtime().service.db.versions()
    except Exception:
        log.warning("health check failed", exc_info=True)
        return _json({"ok": False}, 503)
    return _json({"ok": True, "schema": versions})


# --- WebSocket ------------------------------------------------------------------------------------


@sock.route("/ws/chat", bp=bp)  # type: ignore[untyped-decorator]
def ws_chat(ws: Any) -> None:
    Socket(ws, runtime().service, client_key()).run()


class Socket:
    """One visitor's WebSocket: frames in, events out, in ``seq`` order and never twice."""

    def __init__(self, ws: Any, service: Service, client: str) -> None:
        self.ws = ws
        self.service = service
        self.client = client
        self.token: str | None = None
        self.session_id: str | None = None
        self.position = 0
        self.send_lock = threading.Lock()
        self.unsubscribe: Callable[[], None] | None = None

    def run(self) -> None:
        last_frame = last_check = time.monotonic()
        try:
            while not STOPPING.is_set():
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
            if self.unsubscribe is not None:
                self.unsubscribe()

    def _turn(self, raw: str | bytes) -> None:
        outcome = self.service.handle(self.token, raw, client=self.client, listener=self)
        self._adopt(outcome)
        self.deliver(outcome.events)

    def _adopt(self, outcome: Outcome) -> None:
        first = outcome.events[0] if outcome.events else {}
        if first.get("type") != "session" or outcome.session_id is None:
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

    def deliver(self, events: list[dict[str, Any]]) -> None:
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


def begin_shutdown() -> None:
    """Stop: within a second every socket answers the frames it already has, then closes with
    1012 (the widget reconnects and resumes); long-polls answer now."""
    STOPPING.set()
    for service in list(_services):
        service.hub.wake_all()
