"""intake-chat: a rule-based chat intake assistant for therapy practices.

Holds only the app factory.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from .core.config import Config

__all__ = ["Config", "create_app"]


def create_app(config: Config | None = None, **overrides: Any) -> Flask:
    """Build the Flask app; ``config`` defaults to ``Config.from_env()``; ``overrides`` win."""
    from . import storage
    from .app import notifier as notify
    from .app import retention
    from .web import api, chat, editor, live, pages
    from .web import console as staff
    from .web import notifications as notify_console

    config = config or Config.from_env(**overrides)
    app = Flask(__name__, static_folder=str(config.static_dir), static_url_path="/static")
    app.config["INTAKE"] = config
    if config.trust_proxy:
        # Behind N proxies: the visitor's own address for limits and lockouts (not the proxy's,
        # shared by everyone) and their https for Secure cookies. Host must be passed through.
        n = config.trust_proxy
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=n, x_proto=n)  # type: ignore[method-assign]
    app.config["SECRET_KEY"] = config.load_secret_key()
    app.config["MAX_CONTENT_LENGTH"] = max(config.max_frame_bytes, 64 * 1024)
    storage.init_app(app)
    for module in (chat, live, pages, staff, notify_console, editor, api):
        app.register_blueprint(module.bp)
    notify.init_app(app)  # staff notifications from the outbox, on a background thread
    retention.init_app(app)  # hourly deletion of conversations past their retention
    return app
