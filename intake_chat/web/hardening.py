"""What every response of the app shares, whichever blueprint (or none) answers it: ids that do
not fit a database integer are 404s, routing errors under /api/ are JSON, static files carry the
security headers, HSTS when ``INTAKE_HSTS`` asks for it, and pages print no bidi controls.

Installed by ``create_app`` before the blueprints (their rules need the bounded converter).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, request
from werkzeug.exceptions import HTTPException
from werkzeug.routing import IntegerConverter

from ..core import protocol, referral_view
from ..core.config import Config
from .auth import json_error
from .transport import json_response

ID_MAX = 2**63 - 1  # a signed 64-bit integer: SQLite's and PostgreSQL's bigint


class BoundedInt(IntegerConverter):
    """``<int:…>`` that does not match past a 64-bit id, so SQLite never sees an int it cannot
    bind (OverflowError, a 500): the route simply does not match, a 404."""

    def __init__(self, url_map: Any, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", ID_MAX)
        super().__init__(url_map, *args, **kwargs)


def _api_error(error: HTTPException) -> Response | HTTPException:
    """Errors no view answered (no such route, wrong method, a crash) under /api/ in the JSON
    the API documents: ``{"error": …}`` for /api/v1, an error event for the chat API."""
    path = request.path
    if not path.startswith(("/api/", "/staff/api/")):
        return error
    status = error.code or 500
    code = (error.name or "error").lower().replace(" ", "_")
    if path.startswith("/api/chat/"):
        response = json_response({"events": [protocol.error_event(code, seq=0)]}, status)
    else:
        response = json_error(code, error.description or error.name, status)
    allow = error.get_headers().copy() if status == 405 else []
    for name, value in allow:
        if name == "Allow":
            response.headers["Allow"] = value
    return response


def _headers(config: Config) -> Any:
    def add(response: Response) -> Response:
        if request.path.startswith("/static/"):
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
            response.headers.setdefault("Referrer-Policy", "no-referrer")
            response.headers.setdefault("Cross-Origin-Resource-Policy", "cross-origin")
        if request.path.startswith("/api/"):
            response.headers.setdefault("X-Content-Type-Options", "nosniff")
        if config.hsts > 0:
            response.headers["Strict-Transport-Security"] = f"max-age={config.hsts}"
        return response

    return add


def init_app(app: Flask, config: Config) -> None:
    app.url_map.converters["int"] = BoundedInt
    app.register_error_handler(HTTPException, _api_error)
    app.after_request(_headers(config))
    app.jinja_env.finalize = referral_view.finalize_output
