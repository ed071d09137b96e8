"""Blueprint `staff` (placeholder until its issue lands)."""

from __future__ import annotations

from flask import Blueprint

bp = Blueprint("staff", __name__, url_prefix="/staff")
