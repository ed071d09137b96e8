"""intake-chat: a rule-based chat intake assistant for therapy practices.

Holds only the app factory.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .app.runtime import Runtime
from .core.config import Config
from .web import (
    analytics,
    api,
    auth,
    chat,
    console,
    context,
    editor,
    hardening,
    live,
    notifications,
    pages,
    questions,
    sockets,
)

__all__ = ["Config", "create_app"]


def create_app(config: Config | None = None, **overrides: Any) -> Flask:
    """Build the Flask app; ``config`` defaults to ``Config.from_env()``; ``overrides`` win."""
    config = config or Config.from_env(**overrides)
    app = Flask(__name__, static_folder=str(config.static_dir), static_url_path="/static")
    app.config["INTAKE"] = config
    if config.trust_proxy:
        # Behind N proxies: the visitor's own address for limits and lockouts (not the proxy's,
        # shared by everyone) and their https for Secure cookies. Host must be passed through.
        n = config.trust_proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    config.prepare_data_dir()
    app.config["SECRET_KEY"] = config.load_secret_key()
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_frame_bytes, 64 * 1024)
    running = Runtime.build(config)
    auth.seal_stored_secrets(running.db, app.config["SECRET_KEY"])
    context.install(app, running)
    hardening.init_app(app, config)
    sockets.init_app(app, config)
    for module in (chat, live, pages, console, notifications, editor, questions, analytics, api):
        app.register_blueprint(module.bp)
    if not config.testing:  # tests start the worker they exercise
        running.start_workers()
    return app
