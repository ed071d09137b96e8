"""``intake-chat safety …``: evaluate the crisis and advice rules."""

from __future__ import annotations

from pathlib import Path

import click

from ..errors import FlowError
from ..safety import DEFAULT_RULES_PATH, ROOT, load_rules
from ..safety_eval import Report, evaluate, load_corpus

DEFAULT_CORPUS = ROOT / "tests" / "safety_corpus.jsonl"


@click.group("safety")
def group() -> None:
    """Evaluate the safety rules against a labelled corpus."""


@group.command("eval")
@click.argument("corpus", required=False, type=click.Path(exists=True, dir_okay=False,
                                                          path_type=Path))
@click.option("--rules", "rules_path", type=click.Path(exists=True, dir_okay=False,
                                                       path_type=Path),
              default=None, help="Rules file (default: flows/safety.json over the floor).")
@click.option("--floor-only", is_flag=True, help="Score the built-in floor alone.")
def eval_command(corpus: Path | None, rules_path: Path | None, floor_only: bool) -> None:
    """Print per-category recall and precision and every disagreement.

    Exits 1 when any crisis-labelled utterance is not detected as a crisis.
    """
    try:
        rules = load_rules(None if floor_only else rules_path or DEFAULT_RULES_PATH)
        examples = load_corpus(corpus or DEFAULT_CORPUS)
    except FlowError as exc:
        raise click.ClickException(str(exc)) from exc
    report = evaluate(examples, rules)
    click.echo(_format(report, rules.source, str(corpus or DEFAULT_CORPUS)))
    if report.crisis_misses:
        raise SystemExit(1)


def _format(report: Report, source: str, corpus: str) -> str:
    lines = [f"rules: {source}", f"corpus: {corpus} ({report.total} utterances)", "",
             f"{'category':<20} {'labelled':>8} {'found':>6} {'recall':>7} {'precision':>9}"]
    for name in sorted(report.categories):
        score = report.categories[name]
        lines.append(f"{name:<20} {score.expected:>8} {score.found:>6} {score.recall:>7.1%} "
                     f"{score.precision:>9.1%}")
    lines += [
        "",
        f"false alarms on {report.negatives} utterances labelled nothing: {report.false_alarms}",
        f"level and category agree: {report.level_agreement:.1%}",
        f"crisis-labelled: {report.crises}; detected as crisis: "
        f"{report.crises - len(report.crisis_misses)}; at least a concern: {report.crises_alarmed}",
        f"crisis misses: {len(report.crisis_misses)}",
        "",
        f"confusions ({len(report.confusions)}): utterance | expected | got",
    ]
    for example, got in report.confusions:
        expected = f"{example.level} {example.category}" if example.level else "nothing"
        found = f"{got.level} {got.category} ({got.rule})" if got.level else "nothing"
        miss = "  MISSED CRISIS" if (example, got) in report.crisis_misses else ""
        lines.append(f"  {example.text!r} | {expected} | {found}{miss}")
    return "\n".join(lines)
