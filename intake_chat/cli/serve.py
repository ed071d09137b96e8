"""``intake-chat serve``: run the production server."""

from __future__ import annotations

import click


@click.command("serve")
@click.option("--port", default=8000, show_default=True, help="TCP port to listen on.")
def serve(port: int) -> None:
    """Run the app (placeholder until the conversation-service issue lands)."""
    raise click.ClickException("not built yet")
