"""Where a request finds the running app: ``create_app`` installs one ``Runtime`` on the Flask app
and every blueprint reads it through ``runtime()``, never through another blueprint."""

from __future__ import annotations

from flask import Flask, current_app

from ..app.runtime import Runtime
from ..storage import Database

KEY = "intake_chat"


def install(app: Flask, running: Runtime) -> None:
    app.extensions[KEY] = running


def runtime(app: Flask | None = None) -> Runtime:
    """The app's runtime (``current_app``'s when no app is given)."""
    found: Runtime = (app or current_app).extensions[KEY]
    return found


def get_db() -> Database:
    """The running app's database, for views."""
    return runtime().db
