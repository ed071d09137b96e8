"""The baseline for bench/chat_load.py: a bare flask-sock echo served exactly like the chat
(``intake_chat.cli.serve_command.run_gunicorn``: same worker classes and settings).

    python bench/echo_app.py --port 8001 --threads 256
    python bench/echo_app.py --port 8001 --worker gevent --connections 2000
"""

from __future__ import annotations

import sys

if "gevent" in sys.argv:  # gevent patches before anything else is imported, as ``serve`` does
    from gevent import monkey

    monkey.patch_all()

import argparse  # noqa: E402
from typing import Any

from flask import Flask  # noqa: E402
from flask_sock import Sock  # noqa: E402

from intake_chat.cli.serve_command import DEFAULT_CONNECTIONS, run_gunicorn  # noqa: E402
from intake_chat.web.transport import WS_WAKE_SECONDS  # noqa: E402


def create_echo_app() -> Flask:
    app = Flask(__name__)
    sock = Sock(app)

    @app.get("/api/chat/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @sock.route("/ws/chat")
    def echo(ws: Any) -> None:
        # Same receive loop shape as the chat socket (its idle wake-ups cost the same).
        while True:
            data = ws.receive(timeout=WS_WAKE_SECONDS)
            if data is not None:
                ws.send(data)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=256)
    parser.add_argument("--worker", choices=["threads", "gevent"], default="threads")
    parser.add_argument("--connections", type=int, default=DEFAULT_CONNECTIONS)
    args = parser.parse_args()
    # Only when asked: run_gunicorn from before the worker choice takes no such settings.
    green = {"worker": "gevent", "connections": args.connections} if args.worker == "gevent" else {}
    run_gunicorn(
        create_echo_app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        graceful_timeout=5,
        **green,
    )


if __name__ == "__main__":
    main()
