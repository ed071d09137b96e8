"""Where the files that ship with the package are: the flows and their schemas, the safety rules
and the static assets (widget, console, demo page).

In the wheel they are package data (``intake_chat/flows``, ``intake_chat/static``: pyproject maps
the repository's top-level ``flows/`` and ``static/`` there), found through importlib.resources.
In a clone (an editable install) the package folder has no copy, and the top-level folders are
the same files. ``INTAKE_FLOWS_DIR`` / ``INTAKE_STATIC_DIR`` point elsewhere (core/config.py).
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

SOURCE_ROOT = Path(__file__).resolve().parents[2]  # the repository, in a clone


def bundled_dir(name: str) -> Path:
    """The shipped folder ``name`` ("flows" or "static"): the package's copy, else the clone's."""
    packaged = resources.files("intake_chat").joinpath(name)
    if packaged.is_dir():
        return Path(str(packaged))
    return SOURCE_ROOT / name


def flows_dir() -> Path:
    return bundled_dir("flows")


def static_dir() -> Path:
    return bundled_dir("static")


def flow_schema_path() -> Path:
    return flows_dir() / "schema" / "flow.schema.json"


def safety_schema_path() -> Path:
    return flows_dir() / "schema" / "safety.schema.json"


def safety_rules_path() -> Path:
    return flows_dir() / "safety.json"


def instrument_schema_path() -> Path:
    return flows_dir() / "schema" / "instrument.schema.json"


def instruments_dir() -> Path:
    """The shipped screening instruments (the demo check-in): flows/instruments/."""
    return flows_dir() / "instruments"
