"""``intake-chat serve``: gunicorn sized for WebSockets, stopping gracefully.

Two worker models. ``gevent`` (the default): each open chat is a greenlet of a few KB, so one
worker holds thousands of idle visitors; gevent patches the standard library, which must happen
before anything else is imported, so ``serve`` starts itself again through ``GREEN_ENTRY``.
``threads`` (gunicorn gthread): each open WebSocket holds a worker thread and a reader thread for
its whole life, so ``--threads`` is the number of visitors one worker holds. Either way a visitor
beyond capacity gets a clean 503 "busy, try again" instead of hanging in the handshake.
"""

from __future__ import annotations

import os
import resource
import sys
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

# Threads (or connections) kept free of long-lived requests so page loads, posts and refusals
# still get one.
RESERVED_THREADS = 8
RESERVED_CONNECTIONS = 64
WORKER_MODELS = ("gevent", "threads")
DEFAULT_CONNECTIONS = 2000
# The first statement of the re-started process: gevent patches before any other import.
GREEN_ENTRY = (
    "from gevent import monkey; monkey.patch_all(); from intake_chat.cli import main; main()"
)


def begin_shutdown(wsgi: Any) -> None:
    """On SIGTERM open sockets finish their turn and close with 1012 (the widget reconnects and
    resumes), and long-polls answer at once, so the graceful timeout is enough."""
    running = getattr(wsgi, "extensions", {}).get(context.KEY)
    if running is not None:  # the benchmark's echo app has none
        running.begin_shutdown()


class ChatWorker(ThreadWorker):  # type: ignore[misc]
    """gthread, plus the graceful stop of ``begin_shutdown``."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        begin_shutdown(self.wsgi)
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
    host: str,
    port: int,
    workers: int,
    threads: int,
    graceful_timeout: int,
    *,
    worker: str = "threads",
    connections: int = DEFAULT_CONNECTIONS,
) -> dict[str, Any]:
    green = worker == "gevent"
    return {
        "bind": f"{host}:{port}",
        "workers": workers,
        "threads": 1 if green else threads,
        "worker_class": (
            "intake_chat.cli.green_worker.GreenChatWorker"
            if green
            else "intake_chat.cli.serve_command.ChatWorker"
        ),
        # gevent: every connection is a greenlet, open chats plus a reserve for page loads and
        # refusals. gthread: idle keep-alive connections wait in the poller, not in a thread.
        "worker_connections": connections + RESERVED_CONNECTIONS if green else threads + 1000,
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


def green_patched() -> bool:
    """True once gevent has patched this process (``GREEN_ENTRY``)."""
    monkey = sys.modules.get("gevent.monkey")
    return monkey is not None and bool(monkey.is_module_patched("socket"))


def restart_patched(args: list[str]) -> None:
    """Start this command again in a process whose first statement patches (same pid)."""
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, [sys.executable, "-c", GREEN_ENTRY, *args])  # noqa: S606


def raise_open_files(wanted: int) -> int:
    """Each open chat is a socket (a file descriptor); many systems start programs with a soft
    limit of 1,024. Raise it towards ``wanted`` (never past the hard limit); returns the limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        return target
    return soft


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
    "--worker",
    "worker_model",
    default="gevent",
    show_default=True,
    type=click.Choice(WORKER_MODELS),
    help="gevent: cooperative, thousands of open chats per worker; threads: one thread each.",
)
@click.option(
    "--connections",
    default=DEFAULT_CONNECTIONS,
    show_default=True,
    type=click.IntRange(16, 50000),
    help="gevent: open chats one worker holds at once.",
)
@click.option(
    "--threads",
    default=256,
    show_default=True,
    type=click.IntRange(16, 4096),
    help="threads: threads per worker, about one per open chat.",
)
@click.option(
    "--graceful-timeout",
    default=30,
    show_default=True,
    type=click.IntRange(1, 600),
    help="Seconds in-flight turns get to finish on SIGTERM.",
)
def serve(
    host: str,
    port: int,
    workers: int,
    worker_model: str,
    connections: int,
    threads: int,
    graceful_timeout: int,
) -> None:
    """Run the app under gunicorn until stopped with Ctrl-C or SIGTERM."""
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
    green = worker_model == "gevent"
    if green and not green_patched():
        restart_patched(
            ["serve", "--host", host, "--port", str(port), "--workers", str(workers)]
            + ["--worker", "gevent", "--connections", str(connections)]
            + ["--graceful-timeout", str(graceful_timeout)]
        )
    size = f"{connections} open chats" if green else f"{threads} threads"
    click.echo(
        f"intake-chat listening on http://{host}:{port}/ ({workers} worker(s), {worker_model}, "
        f"{size} each)",
        err=True,
    )
    capacity = connections if green else max(1, threads - RESERVED_THREADS)
    wanted = capacity + RESERVED_CONNECTIONS + 256  # sockets, database files, the listener
    if raise_open_files(wanted) < wanted:
        click.echo(
            f"warning: the open-file limit is below {wanted}; raise it (LimitNOFILE=) or the "
            "server refuses visitors before its capacity",
            err=True,
        )
    run_gunicorn(
        partial(_load_intake_app, capacity),
        host=host,
        port=port,
        workers=workers,
        threads=threads,
        graceful_timeout=graceful_timeout,
        worker=worker_model,
        connections=connections,
    )
