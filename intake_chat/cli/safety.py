"""``intake-chat safety …``: evaluate the crisis and advice rules."""

from __future__ import annotations

import click


@click.group("safety")
def group() -> None:
    """Evaluate the safety rules against a labelled corpus."""
