"""CI gate on the committed safety sets: recall and the false-alarm rate may not fall below the
figures measured when issue 14's rules landed (bounds a little under them, see docs/safety.md).

The blind set (tests/eval/safety) is scored through the real chat protocol (the Service on SQLite,
shipped flow and rules, a random step per line); a failure shows only the aggregate figures, never
a line, so nobody tunes on it. The development set (tests/dev/safety) is scored directly."""

from __future__ import annotations

from pathlib import Path

import pytest
from safety_protocol import score_protocol

from intake_chat.safety.detection import default_rules
from intake_chat.safety.evaluation import Example, Report, evaluate, load_corpus

ROOT = Path(__file__).resolve().parent.parent

# (crisis at crisis level, crisis at any alarm, concern alarmed, advice deflected, max false alarms)
# measured 2026-12-07 after issue 14: blind 57.5% / 74.7% / 67.9% / 64.7% / 12.9%;
# dev 87.4% / 96.1% / 100% / 94.7% / 6.9%; after the second net (issue 14 item 2), blind through
# the protocol 57.5% / 75.3% / 71.8% / 64.7% / 12.9% (other flow; own flow 58.2% / 76.0%), dev same;
# after rounds 2-3 (docs/safety.md), blind 57.5% / 75.3% / 71.8% / 71.6% / 10.7% (other flow),
# dev with the round-2 and round-3 lines 85.8% / 95.5% / 100% / 96.4% / 4.6%
BOUNDS = {
    "eval": (0.55, 0.74, 0.70, 0.69, 0.12),
    "dev": (0.85, 0.95, 0.98, 0.94, 0.06),
}


def _figures(report: Report) -> tuple[float, float, float, float, float]:
    crisis = report.level_score("crisis")
    return (
        crisis.rate,
        crisis.alarm_rate,
        report.level_score("concern").rate,
        report.level_score("advice").rate,
        report.false_alarm_rate,
    )


def _check(name: str, report: Report) -> None:
    got = _figures(report)
    low = BOUNDS[name]
    shown = ", ".join(f"{v:.1%}" for v in got)
    assert all(g >= b for g, b in zip(got[:4], low[:4], strict=True)), f"{name}: {shown}"
    assert got[4] <= low[4], f"{name}: false alarms {got[4]:.1%} > {low[4]:.0%}"


def _examples(folder: str) -> list[Example]:
    files = sorted((ROOT / "tests" / folder / "safety").glob("*.jsonl"))
    assert files, folder
    return [e for path in files for e in load_corpus(path)]


@pytest.mark.parametrize("swap", [False, True], ids=["own-language flow", "other flow"])
def test_the_blind_set_through_the_chat_protocol_stays_within_bounds(
    tmp_path: Path, swap: bool
) -> None:
    examples = _examples("eval")
    assert len(examples) >= 466
    _check("eval", score_protocol(examples, tmp_path, seed=14, swap=swap))


def test_the_dev_set_stays_within_bounds() -> None:
    _check("dev", evaluate(_examples("dev"), default_rules()))
