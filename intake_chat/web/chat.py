"""Blueprint ``chat``: the visitor's transports over ``Service.handle`` (WebSocket ``/ws/chat`` and
the HTTP fallback under ``/api/chat``) plus the Origin check, CORS and capacity around them.

Views stay thin: receive → service → send. Every refusal is an ``error`` event, never a 500 page.
The pieces the flow editor's preview shares are in ``transport.py``.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import Blueprint, Response, g, request

from .context import runtime
from .sockets import sock
from .transport import (
    Socket,
    client_key,
    error_response,
    json_response,
    long_poll,
    origin_allowed,
    outcome_response,
    own_origins,
    request_body,
    take_slot,
)

log = logging.getLogger(__name__)

bp = Blueprint("chat", __name__)


# --- origins, CORS and capacity -------------------------------------------------------------------


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
    refusal = take_slot(client_key())
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
        if origin and origin_allowed(origin) and origin.rstrip("/") not in own_origins():
            response.headers["Access-Control-Allow-Origin"] = origin
            response.headers["Access-Control-Expose-Headers"] = "Retry-After"
        response.vary.add("Origin")
        return response

    return wrapper


# --- HTTP -----------------------------------------------------------------------------------------


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
    return long_poll(runtime().service, token)


@bp.get("/api/chat/health")
def health() -> Response:
    """Liveness for load balancers and the test fixture: the database answers a read."""
    try:
        versions = runtime().service.db.versions()
    except Exception:
        log.warning("health check failed", exc_info=True)
        return json_response({"ok": False}, 503)
    return json_response({"ok": True, "schema": versions})


@bp.get("/api/chat/ready")
def ready() -> Response:
    """Readiness for a proxy in front of several instances: 503 once this instance is stopping,
    so new visitors go to another one while open sockets finish and resume elsewhere."""
    if runtime().stopping.is_set():
        return json_response({"ok": False, "stopping": True}, 503)
    return health()


# --- WebSocket ------------------------------------------------------------------------------------


@sock.route("/ws/chat", bp=bp)  # type: ignore[untyped-decorator]
def ws_chat(ws: Any) -> None:
    rt = runtime()
    Socket(ws, rt.service, client_key(), rt.stopping).run()
