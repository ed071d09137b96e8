"""Database access (placeholder until the conversation-service issue lands)."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Connect the app to its database."""
