"""Shared fixtures: a real SQLite file per test app, the Flask client and CLI runner, a migrated
database per backend and the shipped safety rules."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from intake_chat import Config, create_app
from intake_chat.safety import detection as safety
from intake_chat.storage import Database

if TYPE_CHECKING:
    from server import LiveServer, ThreadServer

ROOT = Path(__file__).resolve().parent.parent
FLOWS = ROOT / "flows"


@pytest.fixture
def config(tmp_path: Path) -> Config:
    return Config.from_env({}, data_dir=tmp_path, secret_key="test-secret", testing=True)


@pytest.fixture
def app(config: Config) -> Iterator[Flask]:
    yield create_app(config)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def runner(app: Flask) -> FlaskCliRunner:
    return app.test_cli_runner()


# --- real databases and real servers (helpers in tests/server.py) ------------------------------


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A database URL, once per backend: a new SQLite file, then a fresh PostgreSQL schema
    (dropped afterwards). The PostgreSQL run is skipped with the reason when
    INTAKE_TEST_DATABASE_URL is unset."""
    from server import PG_ENV, PG_SKIP_REASON, fresh_pg_schema

    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'test.sqlite3'}"
        return
    base = os.environ.get(PG_ENV)
    if not base:
        pytest.skip(PG_SKIP_REASON)
    with fresh_pg_schema(base) as url:
        yield url


@pytest.fixture
def db(database_url: str) -> Iterator[Database]:
    """A migrated database on ``database_url`` (so once per backend), disposed afterwards."""
    database = Database(database_url)
    database.migrate()
    yield database
    database.dispose()


@pytest.fixture(scope="module")
def rules() -> Any:
    """The shipped safety rules (flows/safety.json), parsed once per test module."""
    return safety.load_rules(FLOWS / "safety.json")


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The real app under gunicorn (``intake-chat serve``) on a free 127.0.0.1 port, with its own
    temporary data directory and SQLite file, shared by the tests of one module.

    Use ``live_server.url`` (``http://127.0.0.1:PORT``) and ``live_server.ws_url``
    (``ws://127.0.0.1:PORT/ws/chat``). Rate limits are raised so tests are not throttled;
    for other settings use ``make_live_server``.
    """
    from server import LiveServer

    server = LiveServer(tmp_path_factory.mktemp("live")).start()
    yield server
    server.stop()


@pytest.fixture
def thread_server(app: Flask) -> Iterator[ThreadServer]:
    """The test app under werkzeug in a thread of this process on a free 127.0.0.1 port: real
    clients talk to it while the test reaches into the app (e.g. to post a staff message)."""
    from server import ThreadServer

    with ThreadServer(app) as live:
        yield live


@pytest.fixture
def make_live_server(tmp_path: Path) -> Iterator[Callable[..., LiveServer]]:
    """Factory: ``make_live_server(env={"INTAKE_...": "..."}, worker="threads", threads=N)`` or
    ``make_live_server(connections=N)`` (gevent) starts a server of its own (stopped after the
    test); ``start=False`` returns it unstarted."""
    from server import LiveServer

    servers: list[LiveServer] = []

    def make(
        *,
        env: dict[str, str] | None = None,
        threads: int = 32,
        start: bool = True,
        worker: str = "gevent",
        connections: int | None = None,
    ) -> LiveServer:
        server = LiveServer(
            tmp_path / f"server{len(servers)}",
            env=env,
            threads=threads,
            worker=worker,
            connections=connections,
        )
        server.data_dir.mkdir(parents=True, exist_ok=True)
        servers.append(server)
        return server.start() if start else server

    yield make
    for server in servers:
        server.stop()
