"""``intake-chat staff …``: manage staff accounts."""

from __future__ import annotations

import click


@click.group("staff")
def group() -> None:
    """Manage staff accounts for the console."""
