"""``intake-chat init DIR``: copy the bundled flows out of the package for a practice to edit.

The package's own copy is read-only in practice (a reinstall replaces it); a practice edits its
copy and points ``INTAKE_FLOWS_DIR`` at it.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import click

from ..core import bundled


@click.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Overwrite files that are already there.")
def init(directory: Path, force: bool) -> None:
    """Copy the bundled flows, safety rules and schemas into DIRECTORY/flows."""
    source = bundled.flows_dir()
    target = directory / "flows"
    files = sorted(p for p in source.rglob("*.json") if p.is_file())
    clashes = [
        target / p.relative_to(source) for p in files if (target / p.relative_to(source)).exists()
    ]
    if clashes and not force:
        names = ", ".join(str(p) for p in clashes[:3])
        raise click.ClickException(f"{names} already exist(s); pass --force to overwrite.")
    for path in files:
        destination = target / path.relative_to(source)
        destination.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, destination)
    click.echo(f"Copied {len(files)} files to {target}.")
    click.echo(f"Edit them, check with: intake-chat flow check {target}")
    click.echo(f"Then serve them with: INTAKE_FLOWS_DIR={target} intake-chat serve")
