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

from intake_chat.safety.detection import default_rules, detect, floor_rules, load_rules
from intake_chat.safety.evaluation import Example, evaluate, load_corpus
from intake_chat.safety.normalizer import normalize
from intake_chat.safety.patterns import PatternError, parse_pattern, union

ROOT = Path(__file__).resolve().parent.parent
_HELD_OUT = {n.strip() for n in os.environ.get("INTAKE_SAFETY_HOLD_OUT", "").split(",") if n}
CORPUS_FILES = sorted(p for p in (ROOT / "tests").glob("safety_*.jsonl") if p.name not in _HELD_OUT)
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


def test_no_negative_in_any_corpus_file_is_a_crisis_and_few_are_concerns() -> None:
    negatives = [e for e in ALL if e.level is None]
    levels = [detect(e.text, e.locale, RULES).level for e in negatives]
    # measured 2026-11 with the tripwire, every corpus file: 0 crises and 10 concerns in 489
    # negatives (2.0%), most of them by design (a mention of suicide, past abuse, someone else's
    # suicide). At first sight the blind batch had 12 of 82 (15%): the ceiling is 5%.
    assert levels.count("crisis") == 0
    assert levels.count("concern") <= len(negatives) * 0.05
    assert levels.count("advice") == 0


def test_the_floor_alone_catches_the_heldout_crises_at_least_as_concerns() -> None:
    crises = [e for e in HELDOUT if e.level == "crisis"]
    caught = sum(detect(e.text, e.locale, floor_rules()).alarm for e in crises)
    # measured 2026-11: 246 of 249 (the practice file adds the rest)
    assert caught >= len(crises) - 5


def test_most_heldout_crises_are_crises_not_only_concerns() -> None:
    crises = [e for e in HELDOUT if e.level == "crisis"]
    as_crisis = sum(detect(e.text, e.locale, RULES).level == "crisis" for e in crises)
    # measured 2026-11: 219 of 249 (88%) before the escalation step, 228 (92%) with it; the rest
    # are concerns, which still alarm
    assert as_crisis >= 228


# Crisis-labelled utterances caught AS crisis, per file, measured with the escalation step
# (2026-11); before it: blind 96, corpus 259, heldout 155, heldout2 66, imminence 11 (its first
# sight), tripwire_dev 86. A change that lowers any of them must say why.
CRISIS_AS_CRISIS = {
    "safety_blind.jsonl": 129,
    "safety_corpus.jsonl": 259,
    "safety_heldout.jsonl": 159,
    "safety_heldout2.jsonl": 69,
    "safety_imminence.jsonl": 24,
    "safety_tripwire_dev.jsonl": 110,
}
# Advice-labelled utterances detected as advice, per file (before the advice families: blind 6
# of 20, the advice file 13 of 34 at first sight).
ADVICE_FOUND = {"safety_blind.jsonl": 20, "safety_corpus.jsonl": 63, "safety_advice.jsonl": 47}


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_crises_caught_as_crisis_stay_at_the_measured_floor_per_file(path: Path) -> None:
    crises = [e for e in load_corpus(path) if e.level == "crisis"]
    as_crisis = sum(detect(e.text, e.locale, RULES).level == "crisis" for e in crises)
    assert as_crisis >= CRISIS_AS_CRISIS.get(path.name, 0), f"{as_crisis} of {len(crises)}"


def test_escalation_raises_few_concern_labelled_utterances_to_crisis() -> None:
    concerns = [e for e in ALL if e.level == "concern"]
    raised = [e.text for e in concerns if detect(e.text, e.locale, RULES).level == "crisis"]
    # measured 2026-11: 17 of 135, the same 17 as before the escalation step (the blind writer's
    # self-harm lines such as "i cut myself again last night", read as crisis by older rules)
    assert len(raised) <= 17, raised


@pytest.mark.parametrize("path", CORPUS_FILES, ids=[p.name for p in CORPUS_FILES])
def test_advice_requests_are_found_at_the_measured_floor_per_file(path: Path) -> None:
    advice = [e for e in load_corpus(path) if e.level == "advice"]
    found = sum(detect(e.text, e.locale, RULES).level == "advice" for e in advice)
    assert found >= ADVICE_FOUND.get(path.name, 0), f"{found} of {len(advice)}"


@pytest.mark.parametrize(
    "text",
    [
        "do you treat adhd in adults?",
        "do your therapists prescribe medication?",
        "do you take my insurance?",
        "is it normal to feel nervous before a first session?",
        "what should i do if i need to cancel my appointment?",
        "¿sus terapeutas recetan medicamentos?",
        "¿es normal que la primera cita sea por video?",
        "i have adhd and need a therapist",
    ],
)
def test_a_question_about_the_practice_is_not_deflected_as_advice(text: str) -> None:
    assert detect(text, "en", RULES).level is None


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


@pytest.mark.parametrize(
    "pattern",
    ["~3 pain", "pain ~3", "a ~2 b ~2 c", "a ...13 b", "a ...0 b", "a ... ~2 b", "a? ~2 b"],
)
def test_it_refuses_windows_that_cannot_be_read(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse_pattern(pattern)


def test_a_file_can_use_word_windows_too(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text(
        '{"$schema": "./schema/safety.schema.json", "version": 1, "locales": ["en"], '
        '"categories": {"suicide_self_harm": {"rules": [{"id": "t.window", "level": "crisis", '
        '"patterns": {"en": ["bus ~4 tonight"]}}]}}}',
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert detect("tonight I will catch the bus", "en", rules).rule == "t.window"


@pytest.mark.parametrize(
    "text",
    [
        "I am proud of myself",
        "my nose is stuffy",
        "regalé mis libros pero me arrepentí",
        "thank god it's friday",
    ],
)
def test_squeezed_spellings_do_not_turn_one_word_into_another(text: str) -> None:
    # "off myself" squeezed is "of myself", "noose" is "nose", "perro" is "pero"
    assert detect(text, "en", RULES).level is None


@pytest.mark.parametrize(
    "text",
    [
        "I tied a noose",
        "I want to off myself",
        "i want to offf myself",
        "kiiilll myself",
        "I wanna diiiie",
    ],
)
def test_elongated_and_doubled_spellings_are_still_caught(text: str) -> None:
    assert detect(text, "en", RULES).level == "crisis"


def test_a_written_phrase_names_the_hit_before_the_net() -> None:
    d = detect("I want to kill myself", "en", RULES)
    assert (d.level, d.rule) == ("crisis", "floor.suicide.intent")


# --- the net's families, each both ways (fresh sentences, not corpus lines)


@pytest.mark.parametrize(
    ("text", "locale", "level", "category"),
    [
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
        (
            "ya junté suficientes pastillas, las tengo guardadas",
            "es",
            "crisis",
            "suicide_self_harm",
        ),
        ("mi novio me cachetea cuando se enoja", "es", "crisis", "abuse_violence"),
        ("a mi esposa le duele el pecho y el brazo", "es", "crisis", "medical_emergency"),
    ],
)
def test_the_net_catches_new_phrasings_of_each_family(
    text: str, locale: str, level: str, category: str
) -> None:
    d = detect(text, locale, floor_rules())
    assert (d.level, d.category) == (level, category), d


@pytest.mark.parametrize(
    "text",
    [
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
    ],
)
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


# --- the tripwire: the floor's widest net, at concern level


def _tripwire(text: str, locale: str = "en", prior: int = 0) -> Any:
    return detect(text, locale, floor_rules(), prior)


@pytest.mark.parametrize(
    ("text", "locale", "category"),
    [
        ("the noose is hanging in the shed", "en", "suicide_self_harm"),
        ("I keep staring at the bottle of advil on my desk", "en", "suicide_self_harm"),
        ("I'm parked on top of the parking garage again", "en", "suicide_self_harm"),
        ("nobody will miss me when I'm in the ground", "en", "suicide_self_harm"),
        ("my cousin keeps grabbing me when nobody is home", "en", "abuse_violence"),
        ("my stepfather says it has to stay between us", "en", "abuse_violence"),
        ("I'm going to make my neighbor bleed", "en", "harm_to_others"),
        ("my grandpa is gasping and grey", "en", "medical_emergency"),
        ("ya tengo la soga en el ropero", "es", "suicide_self_harm"),
        ("mi padrastro la encierra en el baño", "es", "abuse_violence"),
        ("mi hijo se comió unas pilas", "es", "medical_emergency"),
    ],
)
def test_the_tripwire_catches_fresh_risk_words_of_each_family(
    text: str, locale: str, category: str
) -> None:
    without = detect(text, locale, floor_rules(tripwire=False))
    got = _tripwire(text, locale)
    assert got.alarm and got.category == category, got
    if not without.alarm:
        assert got.rule is not None and got.rule.startswith("floor.tripwire."), got


@pytest.mark.parametrize(
    "text",
    [
        "I take tylenol for my headaches",
        "my grandma is in hospice and dying",
        "I bought a rope swing for the kids",
        "we hung pictures in the hallway",
        "I'm at the end of my rope with my landlord",
        "my boss threatened to fire me",
        "I'm a nurse and I draw blood all day",
        "the last time I saw a therapist was in 2019",
        "I'm learning to shoot photos",
        "please call 911 if you are in danger",
        "hace un frío que me muero",
        "me toca trabajar el sábado",
        "mi perro murió la semana pasada",
    ],
)
def test_the_tripwire_stays_quiet_on_everyday_uses_of_its_words(text: str) -> None:
    assert _tripwire(text).level is None, _tripwire(text)


def test_a_tripwire_hit_alone_is_never_more_than_a_concern_but_counts_toward_escalation() -> None:
    # "rope" is a method marker of the category: a narrower rule would rise to crisis with it
    first = _tripwire("the rope is in the garage")
    assert (first.level, first.reasons[:1]) == ("concern", ("tripwire",)), first
    assert first.rule is not None and first.rule.startswith("floor.tripwire.")
    # a time, plan or means at hand in the same message is the escalation step's second signal
    timed = _tripwire("the rope is in the garage, tonight")
    assert (timed.level, timed.reasons[0], timed.reasons[-1]) == ("crisis", "tripwire", "imminent")
    # a second alarm in the session (tripwire or not) is a crisis, as for any concern
    second = _tripwire("the rope is in the garage", prior=1)
    assert (second.level, second.escalated) == ("crisis", True)
    assert second.reasons == ("tripwire", "escalated")


def test_a_narrower_rule_names_the_hit_before_the_tripwire() -> None:
    d = _tripwire("I feel hopeless and I bought a rope")
    assert d.rule is not None and not d.rule.startswith("floor.tripwire."), d


def test_the_tripwire_is_part_of_the_floor_and_a_file_cannot_switch_it_off(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text(
        json.dumps(
            {
                "$schema": "./schema/safety.schema.json",
                "version": 1,
                "locales": ["en"],
                "categories": {
                    "suicide_self_harm": {
                        "exemptions": {"en": ["rope"]},
                        "rules": [{"id": "floor.tripwire.suicide.method", "enabled": False}],
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    rules = load_rules(path)
    d = detect("the rope is in the garage", "en", rules)
    assert d.level == "concern" and d.rule == "floor.tripwire.suicide.method"


def test_measuring_without_the_tripwire_leaves_only_its_rules_out() -> None:
    text = "the rope is in the garage"
    assert detect(text, "en", floor_rules(tripwire=False)).level is None
    assert detect(text, "en", load_rules(None, tripwire=False)).level is None
    assert detect("I want to kill myself", "en", floor_rules(tripwire=False)).level == "crisis"


def test_a_rules_own_exemption_does_not_silence_the_categorys_narrower_rules() -> None:
    # the tripwire exempts "tylenol ... every morning"; the written rule still reads the overdose
    assert _tripwire("I take tylenol every morning").level is None
    assert _tripwire("I took all my tylenol every morning pill at once").level == "crisis"


def test_subject_self_is_quiet_about_someone_else_unless_the_visitor_is_in_it() -> None:
    assert _tripwire("my uncle is dying").level is None
    assert _tripwire("death sounds peaceful").level == "concern"
    assert _tripwire("death sounds peaceful right now").level == "crisis"
    # Spanish "he" is "I have", not the English "he"
    assert _tripwire("he estado buscando cuántos paracetamoles hacen falta", "es").alarm


def test_a_file_can_give_its_own_rule_exemptions_and_subject(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text(
        json.dumps(
            {
                "$schema": "./schema/safety.schema.json",
                "version": 1,
                "locales": ["en"],
                "categories": {
                    "suicide_self_harm": {
                        "rules": [
                            {
                                "id": "t.bus",
                                "level": "concern",
                                "subject": "self",
                                "patterns": {"en": ["the bus"]},
                                "exemptions": {"en": ["the bus stop"]},
                            }
                        ]
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    rules = load_rules(path)
    assert detect("thinking about the bus", "en", rules).rule == "t.bus"
    assert detect("I wait at the bus stop", "en", rules).level is None
    assert detect("my brother missed the bus", "en", rules).level is None


def test_the_tripwire_never_fires_on_the_flows_own_words() -> None:
    # a visitor may paste or echo what the assistant said ("it said to call 911?")
    texts: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            texts.append(node)
        elif isinstance(node, dict):
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    for path in sorted((ROOT / "flows").glob("*.json")):
        if path.name != "safety.json":
            walk(json.loads(path.read_text(encoding="utf-8")))
    hits = [
        (t, d.rule)
        for t in texts
        for d in [detect(t, "en", RULES)]
        if d.rule and d.rule.startswith("floor.tripwire.")
    ]
    assert hits == []


def test_eval_counts_a_crisis_caught_as_concern_as_caught_and_exits_1_only_on_misses(
    tmp_path: Path,
) -> None:
    from click.testing import CliRunner

    from intake_chat.cli import main

    corpus = tmp_path / "c.jsonl"
    rows = [
        {"text": "I feel hopeless", "level": "crisis", "category": "suicide_self_harm"},
        {"text": "I'd like an appointment", "level": "none"},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["safety", "eval", str(corpus)])
    assert result.exit_code == 0, result.output
    assert "caught (lower level, concern): 1; missed: 0" in result.output
    assert "caught (lower level)" in result.output.split("confusions")[1]
    rows.append({"text": "the sky is blue", "level": "concern", "category": "suicide_self_harm"})
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    result = CliRunner().invoke(main, ["safety", "eval", str(corpus)])
    assert result.exit_code == 1
    assert "concern misses: 1" in result.output and "MISSED CONCERN" in result.output
    off = CliRunner().invoke(main, ["safety", "eval", "--no-tripwire", str(corpus)])
    assert off.exit_code == 1


def test_the_checker_reports_a_rule_exemption_it_cannot_read(tmp_path: Path) -> None:
    from intake_chat.safety.detection import check_rules_file

    path = tmp_path / "safety.json"
    path.write_text(
        json.dumps(
            {
                "$schema": "./schema/safety.schema.json",
                "version": 1,
                "locales": ["en"],
                "categories": {
                    "suicide_self_harm": {
                        "rules": [
                            {
                                "id": "t.x",
                                "patterns": {"en": ["bus"]},
                                "exemptions": {"en": ["(a|b"]},
                            }
                        ]
                    }
                },
            }
        ),
        encoding="utf-8",
    )
    codes = [getattr(f, "code", None) for f in check_rules_file(path)]
    assert "S002" in codes
