"""CI gate on the committed safety sets: recall and the false-alarm rate may not fall below the
figures measured when issue 14's rules landed (bounds a little under them, see docs/safety.md).

The blind set (tests/eval/safety) is scored through the real chat protocol (the Service on SQLite,
shipped flow and rules, a random step per line); a failure shows only the aggregate figures, never
a line, so nobody tunes on it. Blind set 2 (tests/eval/safety2) and the development sets
(tests/dev/safety, tests/dev/safety_r6*.jsonl) are scored directly."""

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
# dev with the round-2 and round-3 lines 85.8% / 95.5% / 100% / 96.4% / 4.6%; after round 6
# (2026-12-08), blind through the protocol 61.0% / 77.4% / 71.8% / 75.5% / 9.3% (worst of the two
# flows), blind set 2 directly 65.1% / 81.3% / 70.0% / 66.1% / 8.4%, dev 87.1% / 95.5% / 100% /
# 97.3% / 4.6%, the round-6 dev lines (tuned on) 93.1% / 99.1% / 98.6% / 97.7% / 0%
BOUNDS = {
    "eval": (0.60, 0.77, 0.71, 0.75, 0.10),
    "eval2": (0.65, 0.81, 0.70, 0.66, 0.09),
    "dev": (0.86, 0.95, 0.99, 0.97, 0.05),
    "r6": (0.93, 0.99, 0.98, 0.97, 0.02),
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


def test_the_second_blind_set_stays_within_bounds() -> None:
    """Blind set 2, scored directly (through the protocol it scores the same or better; direct
    keeps CI fast); a failure shows only the figures."""
    files = sorted((ROOT / "tests" / "eval" / "safety2").glob("*.jsonl"))
    examples = [e for path in files for e in load_corpus(path)]
    assert len(examples) >= 558
    _check("eval2", evaluate(examples, default_rules()))


def test_the_round_6_dev_lines_stay_within_bounds() -> None:
    files = sorted((ROOT / "tests" / "dev").glob("safety_r6*.jsonl"))
    assert len(files) == 2
    _check("r6", evaluate([e for path in files for e in load_corpus(path)], default_rules()))
