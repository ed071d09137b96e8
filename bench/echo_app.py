"""The baseline for bench/chat_load.py: a bare flask-sock echo served exactly like the chat
(``intake_chat.cli.serve.run_gunicorn``: gunicorn gthread, same worker class and settings).

    python bench/echo_app.py --port 8001 --threads 256
"""

from __future__ import annotations

import argparse
from typing import Any

from flask import Flask
from flask_sock import Sock

from intake_chat.cli.serve_command import run_gunicorn


def create_echo_app() -> Flask:
    app = Flask(__name__)
    sock = Sock(app)

    @app.get("/api/chat/health")
    def health() -> dict[str, Any]:
        return {"ok": True}

    @sock.route("/ws/chat")
    def echo(ws: Any) -> None:
        # Same receive loop shape as the chat socket: wake every second to notice a shutdown.
        while True:
            data = ws.receive(timeout=1.0)
            if data is not None:
                ws.send(data)

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8001)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--threads", type=int, default=256)
    args = parser.parse_args()
    run_gunicorn(
        create_echo_app,
        host=args.host,
        port=args.port,
        workers=args.workers,
        threads=args.threads,
        graceful_timeout=5,
    )


if __name__ == "__main__":
    main()
