"""The console script lists every command group."""

from __future__ import annotations

from click.testing import CliRunner

from intake_chat.cli import main


def test_help_lists_every_subcommand() -> None:
    result = CliRunner().invoke(main, ["--help"])
    assert result.exit_code == 0
    for name in ("flow", "safety", "staff", "serve"):
        assert f"  {name} " in result.output
