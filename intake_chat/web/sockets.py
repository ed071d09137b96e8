"""The one flask-sock extension object: every blueprint's WebSocket routes (visitor chat, staff
console, live desk, editor preview) are registered on it with ``bp=``."""

from __future__ import annotations

from flask import Flask
from flask_sock import Sock

from ..core.config import Config

WS_PING_SECONDS = 25

sock = Sock()


def init_app(app: Flask, config: Config) -> None:
    app.config.setdefault(
        "SOCK_SERVER_OPTIONS",
        {
            "ping_interval": WS_PING_SECONDS,
            # Frames over max_frame_bytes get a too_large error; only far larger ones close
            # the socket.
            "max_message_size": max(4 * config.max_frame_bytes, 64 * 1024),
        },
    )
    sock.init_app(app)
