"""The second net (issue 14 item 2): a paraphrase no pattern names lands at concern, a near miss
stays quiet, and the net never lowers what a pattern decided."""

from __future__ import annotations

from pathlib import Path

import pytest

from intake_chat.safety.detection import default_rules, detect
from intake_chat.safety.evaluation import load_corpus
from intake_chat.safety.similarity import RULE_ID, bank_cases, nearest

ROOT = Path(__file__).resolve().parent.parent
CASES = bank_cases()


@pytest.mark.parametrize(("level", "locale", "category", "text"), CASES)
def test_every_bank_line_fires_or_stays_quiet_by_its_kind(
    level: str, locale: str, category: str | None, text: str
) -> None:
    got = nearest(text)
    assert got.fired is (level != "negative"), (text, got)


def test_the_bank_has_both_levels_and_negatives_in_both_languages() -> None:
    kinds = {(level, locale) for level, locale, _c, _t in CASES}
    for locale in ("en", "es"):
        assert {("crisis", locale), ("concern", locale), ("negative", locale)} <= kinds


def _net_dev() -> list[tuple[str, str, str]]:
    examples = load_corpus(ROOT / "tests" / "dev" / "safety_net" / "paraphrases.jsonl")
    return [(e.text, e.locale, e.category or "") for e in examples]


def test_dev_paraphrases_that_no_pattern_catches_land_at_concern() -> None:
    rules = default_rules()
    missed = [c for c in _net_dev() if not detect(c[0], c[1], rules, net=False).alarm]
    assert missed, "the dev set should hold paraphrases the patterns miss"
    raised = [c for c in missed if detect(c[0], c[1], rules).level == "concern"]
    assert len(raised) >= 5, raised
    for text, locale, _category in raised:
        got = detect(text, locale, rules)
        assert (got.rule, got.reasons) == (RULE_ID, ("similar",)), got
        assert got.category == "suicide_self_harm"
        assert got.matched  # the bank example, for staff


def test_the_net_reaches_crisis_only_through_an_earlier_concern() -> None:
    text = "why even bother waking up anymore"
    assert not detect(text, "en", net=False).alarm
    assert detect(text, "en").level == "concern"
    second = detect(text, "en", prior_concerns=1)
    assert (second.level, second.escalated, second.rule) == ("crisis", True, RULE_ID)


def test_the_net_never_lowers_a_pattern_crisis() -> None:
    # a bank crisis example that a phrase rule also names stays at the rule's crisis
    rules = default_rules()
    crises = [t for lvl, loc, _c, t in CASES if lvl == "crisis" and loc == "en"]
    by_pattern = [t for t in crises if detect(t, "en", rules, net=False).level == "crisis"]
    assert by_pattern
    for text in by_pattern:
        got = detect(text, "en", rules)
        assert got.level == "crisis" and got.rule != RULE_ID, (text, got)


@pytest.mark.parametrize(
    "text",
    [
        "this commute is killing me",
        "i want to dye my hair purple",
        "how much does a session cost",
        "¿cuánto cuesta la consulta?",
        "i am tired of my landlord",
    ],
)
def test_near_misses_and_one_shared_word_do_not_fire(text: str) -> None:
    assert not nearest(text).fired
    assert detect(text, "en").rule != RULE_ID
