"""``intake-chat serve``: gunicorn with threaded workers, sized for WebSockets, stopping gracefully.

Each open WebSocket holds a worker thread for its whole life, so ``--threads`` is the number of
visitors one worker can hold; beyond that new ones get a clean 503 instead of hanging.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import Any

import click
from gunicorn.app.base import BaseApplication
from gunicorn.workers.gthread import ThreadWorker

from .. import create_app
from ..core.config import Config
from ..core.errors import ConfigError
from ..web import context
from .db_commands import open_database

# Threads kept free of long-lived requests so page loads, posts and refusals still get a thread.
RESERVED_THREADS = 8


class ChatWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, plus: on SIGTERM open sockets finish their turn and close with 1012 (the widget
    reconnects and resumes), and long-polls answer at once, so the graceful timeout is enough."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        running = getattr(self.wsgi, "extensions", {}).get(context.KEY)
        if running is not None:  # the benchmark's echo app has none
            running.begin_shutdown()
        super().handle_exit(sig, frame)


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any], load: Callable[[], Any]) -> None:
        self.options = options
        self.loader = load
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.loader()


def gunicorn_options(
    host: str, port: int, workers: int, threads: int, graceful_timeout: int
) -> dict[str, Any]:
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": threads,
        "worker_class": "intake_chat.cli.serve_command.ChatWorker",
        # Idle keep-alive connections wait in the poller, not in a thread; allow plenty of them.
        "worker_connections": threads + 1000,
        "keepalive": 5,
        "graceful_timeout": graceful_timeout,
        "timeout": 60,
        "proc_name": "intake-chat",
        # One shared control socket path would make a second server on the machine clash.
        "control_socket_disable": True,
        "accesslog": None,  # tokens travel in HTTP fallback URLs: no access log by default
        "errorlog": "-",
        "loglevel": "info",
    }


def run_gunicorn(load: Callable[[], Any], **settings: Any) -> None:
    """Serve the WSGI app ``load()`` returns (called in each worker) exactly as ``serve`` does;
    the benchmark serves its echo app through this too."""
    _Gunicorn(gunicorn_options(**settings), load).run()


def _load_intake_app(capacity: int) -> Any:
    app = create_app(Config.from_env())
    context.runtime(app).slots.capacity = capacity  # sockets and long-polls open at once
    return app


@click.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8000,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="TCP port to listen on.",
)
@click.option(
    "--workers",
    default=1,
    show_default=True,
    type=click.IntRange(1, 64),
    help="Worker processes (SQLite: keep 1, one process writes).",
)
@click.option(
    "--threads",
    default=256,
    show_default=True,
    type=click.IntRange(16, 4096),
    help="Threads per worker: about one per open chat.",
)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 600),
    help="Seconds in-flight turns get to finish on SIGTERM.",
)
def serve(host: str, port: int, workers: int, threads: int, graceful_timeout: int) -> None:
    """Run the app under gunicorn (threaded workers) until stopped with Ctrl-C or SIGTERM."""
    try:
        config = Config.from_env()
    except ConfigError as error:
        raise click.ClickException(str(error)) from error
    # Migrations and the encryption key check before any worker starts: a missing or wrong key
    # stops here with its message, not as a worker that fails to boot.
    open_database()[0].dispose()
    if workers > 1 and config.sqlalchemy_url.startswith("sqlite"):
        raise click.ClickException(
            "SQLite is written by one process: use --workers 1, or set INTAKE_DATABASE_URL to a "
            "PostgreSQL database to run more workers."
        )
    click.echo(
        f"intake-chat listening on http://{host}:{port}/ ({workers} worker(s) × {threads} threads)",
        err=True,
    )
    capacity = max(1, threads - RESERVED_THREADS)
    run_gunicorn(
        partial(_load_intake_app, capacity),
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        graceful_timeout=graceful_timeout,
    )
