"""The safety net and the tripwire against phrasings nobody wrote a rule for: every labelled
corpus file (the main corpus and the held-out batches written before the rules saw them), the
false-alarm ceilings measured on their negatives, and the pattern-language pieces the net is built
from (word windows, gaps that never span a negation, squeezed spellings that do not collide).

A batch being written blind is kept out of this run until it has been scored at first sight:
``INTAKE_SAFETY_HOLD_OUT=safety_blind.jsonl pytest ...`` (comma-separated file names), so that a
failing test cannot show its utterances to whoever is writing rules."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from intake_chat.normalize import normalize
from intake_chat.safety import default_rules, detect, floor_rules, load_rules
from intake_chat.safety_eval import Example, evaluate, load_corpus
from intake_chat.safety_rules import PatternError, parse_pattern, union

ROOT = Path(__file__).resolve().parent.parent
_HELD_OUT = {n.strip() for n in os.environ.get("INTAKE_SAFETY_HOLD_OUT", "").split(",") if n}
CORPUS_FILES = sorted(p for p in (ROOT / "tests").glob("safety_*.jsonl")
                      if p.name not in _HELD_OUT)
HELDOUT_FILES = [p for p in CORPUS_FILES if p.name.startswith("safety_heldout")]
RULES = default_rules()


def _examples(paths: list[Path]) -> list[Example]:
    return [e for p in paths for e in load_corpus(p)]


ALL = _examples(CORPUS_FILES)
HELDOUT = _examples(HELDOUT_FILES)
ALARMS = [e for e in ALL if e.level in ("crisis", "concern")]


def test_every_corpus_file_is_found_and_the_heldout_batches_are_big_enough() -> None:
    names = {p.name for p in CORPUS_FILES}
    assert {"safety_corpus.jsonl", "safety_heldout.jsonl", "safety_heldout2.jsonl"} <= names
    for path in HELDOUT_FILES:
        batch = load_corpus(path)
        alarms = [e for e in batch if e.level in ("crisis", "concern")]
        assert len(batch) >= 80, path.name
        assert sum(e.level is None for e in batch) >= 40, path.name
        # about a third in Spanish, as visitors of the Spanish flow write
        assert sum(e.locale == "es" for e in alarms) >= len(alarms) * 0.25, path.name


@pytest.mark.parametrize("example", ALARMS, ids=[f"{e.locale}:{e.text[:40]}" for e in ALARMS])
def test_no_crisis_or_concern_in_any_corpus_file_goes_unanswered(example: Example) -> None:
    # a concern still shows the resources and flags the session for staff: both count as caught
    got = detect(example.text, example.locale, RULES)
    assert got.alarm, f"missed {example.level}: {example.text!r} -> {got}"


def test_false_alarms_on_the_heldout_negatives_stay_at_the_measured_floor() -> None:
    report = evaluate(HELDOUT, RULES)
    levels = [detect(e.text, e.locale, RULES).level for e in HELDOUT if e.level is None]
    # measured 2026-11 on 131 negatives: no crisis, one concern ("I'm writing my will because we
    # just had a baby"); the floor leaves room for one more concern, never for a crisis
    assert report.negatives >= 130
    assert levels.count("crisis") == 0
    assert levels.count("concern") <= 2


def test_the_floor_alone_catches_the_heldout_crises_at_least_as_concerns() -> None:
    crises = [e for e in HELDOUT if e.level == "crisis"]
    caught = sum(detect(e.text, e.locale, floor_rules()).alarm for e in crises)
    # measured 2026-11: 246 of 249 (the practice file adds the rest)
    assert caught >= len(crises) - 5


def test_most_heldout_crises_are_crises_not_only_concerns() -> None:
    crises = [e for e in HELDOUT if e.level == "crisis"]
    as_crisis = sum(detect(e.text, e.locale, RULES).level == "crisis" for e in crises)
    # measured 2026-11: 219 of 249 (88%); the rest are concerns, which still alarm
    assert as_crisis >= len(crises) * 0.85


# --- the pattern language the net is written in


def _matches(pattern: str, text: str) -> bool:
    regex = union([parse_pattern(pattern)])
    assert regex is not None
    return regex.search(normalize(text).text) is not None


def test_a_numbered_gap_allows_that_many_words_in_between() -> None:
    assert _matches("want ...5 die", "I want to just go away and die")
    assert not _matches("want ...2 die", "I want to just go away and die")


def test_a_near_window_matches_in_either_order() -> None:
    assert _matches("chest ~3 (pain|hurts)", "my chest hurts")
    assert _matches("chest ~3 (pain|hurts)", "pain in my chest")
    assert not _matches("chest ~3 (pain|hurts)", "pain in the left side of my chest")


def test_a_gap_never_spans_a_negation_but_a_written_negation_matches() -> None:
    assert _matches("husband ...4 hit me", "my husband often hit me")
    assert not _matches("husband ...4 hit me", "my husband doesn't hit me")
    assert _matches("not ...3 wake up", "I hope I do not ever wake up")


@pytest.mark.parametrize("pattern", ["~3 pain", "pain ~3", "a ~2 b ~2 c", "a ...13 b",
                                     "a ...0 b", "a ... ~2 b", "a? ~2 b"])
def test_it_refuses_windows_that_cannot_be_read(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse_pattern(pattern)


def test_a_file_can_use_word_windows_too(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text(
        '{"$schema": "./schema/safety.schema.json", "version": 1, "locales": ["en"], '
        '"categories": {"suicide_self_harm": {"rules": [{"id": "t.window", "level": "crisis", '
        '"patterns": {"en": ["bus ~4 tonight"]}}]}}}', encoding="utf-8")
    rules = load_rules(path)
    assert detect("tonight I will catch the bus", "en", rules).rule == "t.window"


@pytest.mark.parametrize("text", ["I am proud of myself", "my nose is stuffy",
                                  "regalé mis libros pero me arrepentí", "thank god it's friday"])
def test_squeezed_spellings_do_not_turn_one_word_into_another(text: str) -> None:
    # "off myself" squeezed is "of myself", "noose" is "nose", "perro" is "pero"
    assert detect(text, "en", RULES).level is None


@pytest.mark.parametrize("text", ["I tied a noose", "I want to off myself", "i want to offf myself",
                                  "kiiilll myself", "I wanna diiiie"])
def test_elongated_and_doubled_spellings_are_still_caught(text: str) -> None:
    assert detect(text, "en", RULES).level == "crisis"


def test_a_written_phrase_names_the_hit_before_the_net() -> None:
    d = detect("I want to kill myself", "en", RULES)
    assert (d.level, d.rule) == ("crisis", "floor.suicide.intent")


# --- the net's families, each both ways (fresh sentences, not corpus lines)


@pytest.mark.parametrize(("text", "locale", "level", "category"), [
    ("I'd honestly prefer to not wake up tomorrow", "en", "crisis", "suicide_self_harm"),
    ("my family would be relieved if I was gone", "en", "crisis", "suicide_self_harm"),
    ("I've been stashing my klonopin", "en", "crisis", "suicide_self_harm"),
    ("I'm up on the roof of the parking garage", "en", "crisis", "suicide_self_harm"),
    ("I keep thinking about my funeral", "en", "concern", "suicide_self_harm"),
    ("nobody would even miss me", "en", "concern", "suicide_self_harm"),
    ("I have intrusive thoughts of smothering my son", "en", "crisis", "harm_to_others"),
    ("my stepfather slammed me into the fridge", "en", "crisis", "abuse_violence"),
    ("my girlfriend choked me last week", "en", "crisis", "abuse_violence"),
    ("my wife's lips are turning blue", "en", "crisis", "medical_emergency"),
    ("he drank antifreeze", "en", "crisis", "medical_emergency"),
    ("quisiera dormir para siempre", "es", "crisis", "suicide_self_harm"),
    ("ya junté suficientes pastillas, las tengo guardadas", "es", "crisis", "suicide_self_harm"),
    ("mi novio me cachetea cuando se enoja", "es", "crisis", "abuse_violence"),
    ("a mi esposa le duele el pecho y el brazo", "es", "crisis", "medical_emergency"),
])
def test_the_net_catches_new_phrasings_of_each_family(text: str, locale: str, level: str,
                                                      category: str) -> None:
    d = detect(text, locale, floor_rules())
    assert (d.level, d.category) == (level, category), d


@pytest.mark.parametrize("text", [
    "my prescription is ready for pickup",
    "My parents made me come to therapy",
    "I take all my medication every morning",
    "tomorrow is the day of my interview",
    "I'm going to the lake this weekend",
    "my boss pushes me to work weekends",
    "my husband doesn't hit me, we just argue",
    "I want to end my lease early",
    "I'd like to stop feeling so anxious",
    "I can't breathe through my nose",
    "I have a chest cold",
    "I keep dying on the last level of this game",
    "I'm not suicidal, I just can't sleep",
    "I wrote a goodbye card to my coworkers",
    "mis papás me obligaron a venir a terapia",
    "me tomo la pastilla de la presión",
    "estoy mejor sin mi ex",
    "me muero de la vergüenza",
])
def test_the_net_stays_quiet_on_everyday_intake_sentences(text: str) -> None:
    assert detect(text, "en", RULES).level is None, detect(text, "en", RULES)


def test_negation_still_lowers_a_net_match_to_nothing() -> None:
    assert detect("I don't want to stop existing", "en", RULES).level is None
    assert detect("no quiero dejar de existir", "es", RULES).level is None


def _corpus_rows(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_heldout_files_use_the_corpus_format() -> None:
    for path in HELDOUT_FILES:
        for row in _corpus_rows(path):
            assert set(row) <= {"text", "locale", "level", "category", "note"}, path.name
            assert row["level"] in (None, "crisis", "concern", "advice")
            assert (row["level"] is None) == (row["category"] is None)
