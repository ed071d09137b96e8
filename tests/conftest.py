"""Shared fixtures: a real SQLite file per test app, the Flask client and CLI runner."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient, FlaskCliRunner

from intake_chat import Config, create_app

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
