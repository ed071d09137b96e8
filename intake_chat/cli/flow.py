"""``intake-chat flow …``: check and draw flow files."""

from __future__ import annotations

import click


@click.group("flow")
def group() -> None:
    """Check, draw and manage conversation flows."""
