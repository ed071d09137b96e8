"""``intake-chat safety …``: evaluate the crisis and advice rules."""

from __future__ import annotations

from pathlib import Path

import click

from ..core.errors import FlowError
from ..safety.datacheck import check_data
from ..safety.detection import DEFAULT_RULES_PATH, load_rules
from ..safety.evaluation import Example, Report, evaluate, load_corpus, summary_lines

NO_CORPUS = (
    "Name a labelled corpus: intake-chat safety eval FILE.jsonl (one JSON object a line with "
    '"text", "locale", "level" and "category"; a clone has tests/safety_corpus.jsonl).'
)


RULES_OPTION = click.option(
    "--rules",
    "rules_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="Rules file (default: flows/safety.json over the floor).",
)


@click.group("safety")
def group() -> None:
    """Check the built-in safety data and evaluate the rules against a labelled corpus."""


@group.command("check")
@RULES_OPTION
def check_command(rules_path: Path | None) -> None:
    """Lint the built-in safety data: a word list defined twice or never used, an example its
    rule misses, a negative example that gets a response. Exits 1 on any error."""
    try:
        rules = load_rules(rules_path or DEFAULT_RULES_PATH)
    except FlowError as exc:
        raise click.ClickException(str(exc)) from exc
    findings = check_data(rules)
    for finding in findings:
        click.echo(str(finding))
    errors = sum(f.severity == "error" for f in findings)
    click.echo(
        f"{len(findings)} finding(s), {errors} error(s)" if findings else "safety data: clean"
    )
    if errors:
        raise SystemExit(1)


@group.command("eval")
@click.argument("corpora", nargs=-1, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@RULES_OPTION
@click.option("--floor-only", is_flag=True, help="Score the built-in floor alone.")
@click.option(
    "--no-tripwire",
    is_flag=True,
    help="Leave the floor's tripwire layer out (to measure its share; never in service).",
)
@click.option(
    "--summary",
    is_flag=True,
    help="Figures only, no utterance printed (for a blind set nobody may read or tune on).",
)
def eval_command(
    corpora: tuple[Path, ...],
    rules_path: Path | None,
    floor_only: bool,
    no_tripwire: bool,
    summary: bool,
) -> None:
    """Print recall per level and per family, precision, the false-alarm and advice-deflection
    rates, per-category recall and precision, and (without --summary) every disagreement.

    CORPORA are JSON Lines files (default: tests/safety_corpus.jsonl), scored together.
    A crisis caught as a concern is "caught (lower level)": the visitor sees the resources and
    staff are alerted. Exits 1 when any crisis- or concern-labelled utterance raises no alarm.
    """
    try:
        rules = load_rules(
            None if floor_only else rules_path or DEFAULT_RULES_PATH, tripwire=not no_tripwire
        )
        if not corpora:
            raise click.UsageError(NO_CORPUS)
        paths = corpora
        examples = [e for path in paths for e in load_corpus(path)]
    except FlowError as exc:
        raise click.ClickException(str(exc)) from exc
    report = evaluate(examples, rules)
    text = _format(report, rules.source, ", ".join(map(str, paths)))
    if summary:
        text = text.split("\nconfusions (")[0].rstrip()
    click.echo(text)
    if report.misses:
        raise SystemExit(1)


def _format(report: Report, source: str, corpus: str) -> str:
    lines = [
        f"rules: {source}",
        f"corpus: {corpus} ({report.total} utterances)",
        "",
        f"{'category':<20} {'labelled':>8} {'found':>6} {'recall':>7} {'precision':>9}",
    ]
    for name in sorted(report.categories):
        score = report.categories[name]
        lines.append(
            f"{name:<20} {score.expected:>8} {score.found:>6} {score.recall:>7.1%} "
            f"{score.precision:>9.1%}"
        )
    lines += [
        "",
        f"false alarms on {report.negatives} utterances labelled nothing: {report.false_alarms}",
        f"level and category agree: {report.level_agreement:.1%}",
        f"crisis-labelled: {report.crises}; caught as crisis: "
        f"{report.crises_alarmed - len(report.crises_lower)}; caught (lower level, concern): "
        f"{len(report.crises_lower)}; missed: {len(report.crisis_misses)}",
        f"concern-labelled: {report.concerns}; caught: "
        f"{report.concerns - len(report.concern_misses)}; missed: {len(report.concern_misses)}",
        f"crisis misses: {len(report.crisis_misses)}",
        f"concern misses: {len(report.concern_misses)}",
        "",
        *summary_lines(report),
        "",
        f"confusions ({len(report.confusions)}): utterance | expected | got",
    ]
    for example, got in report.confusions:
        expected = f"{example.level} {example.category}" if example.level else "nothing"
        found = f"{got.level} {got.category} ({got.rule})" if got.level else "nothing"
        lines.append(f"  {example.text!r} | {expected} | {found}{_mark(report, example, got)}")
    return "\n".join(lines)


def _mark(report: Report, example: Example, got: object) -> str:
    pair = (example, got)
    if pair in report.crisis_misses:
        return "  MISSED CRISIS"
    if pair in report.concern_misses:
        return "  MISSED CONCERN"
    if pair in report.crises_lower:
        return "  caught (lower level)"
    return ""
