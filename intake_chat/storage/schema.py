"""The table registry every area defines its tables on, and the clock of every stored timestamp.

A leaf module: what ``Database`` itself needs (keys.py) defines its tables here without importing
the package back. Imports nothing from Flask.
"""

from __future__ import annotations

from datetime import UTC, datetime

import sqlalchemy as sa

metadata = sa.MetaData()


def utcnow() -> datetime:
    """Every stored timestamp is a naive UTC datetime, the same on SQLite and PostgreSQL."""
    return datetime.now(UTC).replace(tzinfo=None)
