"""``intake-chat referral …``: one referral in a standard form for the practice's other systems."""

from __future__ import annotations

from pathlib import Path

import click

from ..app import fhir_export
from .db_commands import open_database


@click.group("referral")
def group() -> None:
    """Referrals: export one for an EHR."""


@group.command("fhir")
@click.argument("referral_id")
@click.option(
    "--output",
    "-o",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write the JSON to this file (default: standard output).",
)
def fhir(referral_id: str, output: Path | None) -> None:
    """Print referral REFERRAL_ID as a FHIR R4 Bundle (Questionnaire, Patient and
    QuestionnaireResponse) in JSON. It holds health information: keep the file private."""
    db, config = open_database()
    try:
        found = fhir_export.referral_bundle(db, referral_id, public_url=config.public_url)
    finally:
        db.dispose()
    if found is None:
        raise click.ClickException(f"There is no referral {referral_id}.")
    text = fhir_export.dumps(found) + "\n"
    if output is None:
        click.echo(text, nl=False)
        return
    output.touch(mode=0o600)
    output.chmod(0o600)
    output.write_text(text, encoding="utf-8")
    click.echo(f"wrote {output}", err=True)
