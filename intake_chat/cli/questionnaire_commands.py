"""``intake-chat questionnaire …``: check a screening instrument file and install it for the flows
(docs/questionnaires.md)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import click

from ..core import bundled, instruments
from ..core.config import Config
from ..core.errors import ConfigError, FlowError
from ..core.flows import load_instrument


@click.group("questionnaire")
def group() -> None:
    """Check and install screening instruments (PHQ-9, GAD-7, your own)."""


def _checked(file: Path) -> dict[str, Any]:
    """The instrument, or every problem printed and exit 1."""
    try:
        return load_instrument(file)
    except FlowError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        click.echo(f"{file}: {len(exc.problems)} problem(s); the instrument cannot be used.")
        raise SystemExit(1) from None


def _describe(data: dict[str, Any]) -> list[str]:
    points = [int(o["points"]) for o in data["scale"]]
    risky = [item["id"] for item in data["items"] if item.get("risk")]
    reverse = [item["id"] for item in data["items"] if item.get("reverse")]
    bands = ", ".join(f"{b['min']}-{b['max']} {b['label']}" for b in data["bands"])
    lines = [
        f"{data['id']} version {data['version']}: {data['title']}",
        f"  {len(data['items'])} items, answers {min(points)}-{max(points)} "
        f"({len(points)} options), totals {instruments.min_total(data)}-"
        f"{instruments.max_total(data)}, languages {', '.join(data['locales'])}",
        f"  bands: {bands}",
        f"  risk items (crisis response when answered above the lowest option): "
        f"{', '.join(risky) or 'none'}",
    ]
    if reverse:
        lines.append(f"  reverse-scored: {', '.join(reverse)}")
    if data.get("demonstration"):
        lines.append("  a demonstration, not a validated instrument")
    return lines


@group.command("check")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
def check(file: Path) -> None:
    """Check an instrument file: schema, items, scale, languages and bands (I001-I004).

    Exits 1 when anything is wrong; otherwise prints what the instrument holds.
    """
    data = _checked(file)
    for line in _describe(data):
        click.echo(line)
    click.echo(f"{file}: OK")


@group.command("add")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--replace", is_flag=True, help="Overwrite an installed instrument with this id.")
def add(file: Path, replace: bool) -> None:
    """Check FILE, then install it as INTAKE_FLOWS_DIR/instruments/<id>.json.

    A questionnaire node then names it: {"type": "questionnaire", "instrument": "<id>"}. Flows
    load it when the server starts; published versions keep the wording they were published with.
    """
    data = _checked(file)
    try:
        config = Config.from_env()
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from exc
    flows_dir = Path(config.flows_dir).resolve()
    if flows_dir == bundled.flows_dir().resolve():
        raise click.ClickException(
            "INTAKE_FLOWS_DIR is not set, so the flows are the package's own copy, which a "
            "reinstall replaces. Copy them out with `intake-chat init DIR` and set "
            "INTAKE_FLOWS_DIR=DIR/flows first."
        )
    target = flows_dir / "instruments" / f"{data['id']}.json"
    if target.exists() and not replace:
        raise click.ClickException(
            f"{target} is already installed; pass --replace to overwrite it "
            "(give the new wording a new version)."
        )
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.tmp")
    shutil.copyfile(file, temporary)
    temporary.replace(target)  # whole or not at all: the server may be reading the folder
    for line in _describe(data):
        click.echo(line)
    click.echo(f"Installed {data['id']} version {data['version']} as {target}.")
    click.echo(
        f'Ask it with a node {{"id": "...", "type": "questionnaire", "instrument": "{data["id"]}"}}'
        f", check with: intake-chat flow check {flows_dir}"
    )
