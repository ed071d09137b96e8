"""The evaluation's per-level and per-family figures, and the chat-protocol runner that scores a
labelled set through the real Service: the numbers docs/safety.md and the CI gate rely on."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner
from safety_protocol import ProtocolRun, level_of, score_protocol

from intake_chat.app.service import hash_token
from intake_chat.cli import main
from intake_chat.safety.detection import default_rules
from intake_chat.safety.evaluation import Example, caught, evaluate, summary_lines
from intake_chat.storage import conversations as store

LINES = [
    Example("i want to kill myself tonight", "en", "crisis", "suicide_self_harm", family="direct"),
    Example("my phone died again", "en", None, None, family="idiom"),
    Example("do i have adhd?", "en", "advice", "clinical_advice", family="self_diagnosis"),
    Example("what are your office hours", "en", "advice", "clinical_advice", family="logistics"),
]


def test_caught_counts_a_concern_read_as_a_crisis_but_not_a_crisis_read_as_a_concern() -> None:
    assert caught("concern", "crisis") and caught("concern", "concern")
    assert not caught("crisis", "concern")
    assert caught(None, None) and not caught(None, "concern") and not caught(None, "advice")
    assert caught("advice", "advice") and not caught("advice", "concern")


def test_the_report_scores_each_level_and_family_apart() -> None:
    report = evaluate(LINES, default_rules())
    assert report.families[("crisis", "direct")].caught == 1
    assert report.families[("none", "idiom")].caught == 1
    assert report.families[("advice", "self_diagnosis")].caught == 1
    assert report.families[("advice", "logistics")].caught == 0  # mislabelled on purpose
    assert report.level_score("advice").rate == 0.5
    assert report.false_alarm_rate == 0.0
    assert report.precision("advice") == 1.0
    text = "\n".join(summary_lines(report))
    assert "| advice | **all** (deflected) | 2 | 1 | 50.0% |" in text
    assert "advice deflected: 50.0% (1/2)" in text


def test_eval_summary_prints_figures_and_no_utterance(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text(
        '{"text": "i want to kill myself tonight", "level": "crisis", '
        '"category": "suicide_self_harm", "family": "direct"}\n'
        '{"text": "my phone died again", "level": "none", "family": "idiom"}\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(main, ["safety", "eval", "--summary", str(corpus), str(corpus)])
    assert "| crisis | direct | 2 | 2 | 100.0% | 100.0% |" in result.output
    assert "phone died" not in result.output and "kill myself" not in result.output


def test_the_protocol_runner_reads_what_the_visitor_was_answered(tmp_path: Path) -> None:
    assert level_of([{"type": "crisis", "level": "concern"}, {"type": "ask"}]) == "concern"
    assert level_of([{"type": "message", "node": "safety:advice"}]) == "advice"
    assert level_of([{"type": "message", "node": "welcome"}, {"type": "ask"}]) is None
    report = score_protocol(LINES[:3], tmp_path, seed=1)
    assert [report.families[k].caught for k in sorted(report.families)] == [1, 1, 1]
    swapped = score_protocol(LINES[:3], tmp_path / "swap", seed=2, swap=True)
    assert swapped.level_score("crisis").caught == 1


def test_a_concern_after_an_earlier_crisis_is_a_crisis_and_the_flag_stays(tmp_path: Path) -> None:
    run = ProtocolRun(tmp_path)
    try:
        token, events = run._start("en")
        token, events = run._send(token, {"type": "reply", "text": "i want to kill myself"})
        assert level_of(events) == "crisis"
        token, events = run._send(token, {"type": "reply", "text": "i feel hopeless"})
        [crisis] = [e for e in events if e["type"] == "crisis"]
        assert crisis["level"] == "crisis"  # alone, "i feel hopeless" is a concern
        alone = run.outcome("i feel hopeless", "en", 0)
        assert alone == "concern"
        with run.db.read() as conn:
            session = store.find_session(conn, hash_token(str(token)))
        assert session is not None and session.crisis_level == "crisis"
    finally:
        run.close()


def test_two_concerns_in_one_conversation_make_the_second_a_crisis(tmp_path: Path) -> None:
    run = ProtocolRun(tmp_path)
    try:
        token, _ = run._start("es")
        token, first = run._send(token, {"type": "reply", "text": "ya no puedo más"})
        token, second = run._send(token, {"type": "reply", "text": "ya me rendí"})
        assert (level_of(first), level_of(second)) == ("concern", "crisis")
    finally:
        run.close()
