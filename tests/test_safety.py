"""The safety layer at unit level: normalisation, detection in context, the floor, responses,
the rules-file checker and the labelled corpus (no app, no database)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from intake_chat.cli import main
from intake_chat.core.errors import FlowError, Problem
from intake_chat.safety.detection import (
    DEFAULT_RULES_PATH,
    SCHEMA_ID,
    SCHEMA_PATH,
    Detection,
    Finding,
    check_rules_file,
    default_rules,
    detect,
    floor_rules,
    load_rules,
    response_events,
    safe_detect,
)
from intake_chat.safety.evaluation import evaluate, load_corpus
from intake_chat.safety.floor import FLOOR
from intake_chat.safety.normalizer import normalize
from intake_chat.safety.patterns import PatternError, parse_pattern

ROOT = Path(__file__).resolve().parent.parent
CORPUS_PATH = ROOT / "tests" / "safety_corpus.jsonl"
CORPUS = load_corpus(CORPUS_PATH)
RULES = default_rules()


def level(text: str, locale: str = "en", prior: int = 0) -> str | None:
    return detect(text, locale, RULES, prior).level


# --- normalisation


@pytest.mark.parametrize(
    ("typed", "read_as"),
    [
        ("I'm NOT okay!!", "i am not okay ."),
        ("dont", "do not"),
        ("Im done", "i am done"),
        ("cant wont", "can not will not"),
        ("kms", "kill myself"),
        ("k1ll mys3lf", "kill myself"),
        ("kill my self", "kill myself"),
        ("k i l l myself", "kill myself"),
        ("sooooo tired", "soo tired"),
        ("want2die", "want 2 die"),
        ("Está BIEN, señor", "esta bien , senor"),
        ("I just... want to die", "i just want to die"),
        ("$uicidal", "suicidal"),
        ("thinkin bout it", "thinking about it"),
        ("i wana die", "i want to die"),
        ("cant do ths anymor", "can not do this anymore"),
        ("k*ll myself", "kill myself"),
        ("k**l my self", "kill myself"),
        ("ki11 myself", "kill myself"),
        ("k.i.l.l myself", "kill myself"),
        ("su1c1de", "suicide"),
        ("i want to d13", "i want to die"),
        ("s3lf h@rm", "self harm"),
        ("unal1ve", "unalive"),
        ("tonight's the night", "tonight is the night"),
        ("sh*t happens", "sh t happens"),
        ("my ps4 and 5pm", "my psa and spm"),
    ],
)
def test_it_normalises_what_people_type(typed: str, read_as: str) -> None:
    assert normalize(typed).text == read_as


def test_it_keeps_real_double_letters_and_squeezes_the_other_spelling() -> None:
    norm = normalize("that is odd, kiiilll")
    assert norm.tokens[2] == "odd"
    assert norm.squeezed_tokens[2] == "od"
    assert norm.tokens[-1] == "kiill" and norm.squeezed_tokens[-1] == "kil"


def test_it_maps_every_token_back_to_the_original_text() -> None:
    text = "well... I'm going to k1ll my self"
    d = detect(text, "en", RULES)
    assert d.span is not None
    assert text[d.span[0] : d.span[1]] == "k1ll my self"


# --- the pattern language


@pytest.mark.parametrize(
    "pattern",
    [
        "[kill] me",
        "kill\\s+me",
        "^die",
        "kill+",
        "... die",
        "*",
        "(kill me",
        "(a (b))",
        "(a ... b)",
    ],
)
def test_it_refuses_patterns_that_are_not_token_phrases(pattern: str) -> None:
    with pytest.raises(PatternError):
        parse_pattern(pattern)


def test_wildcards_alternatives_prefixes_and_optional_words_match_whole_words() -> None:
    rules = _rules_with(
        {
            "clinical_advice": {
                "level": "advice",
                "rules": [{"id": "t.1", "patterns": {"en": ["magic|wizard pill* ... today?"]}}],
            }
        }
    )
    assert detect("a wizard pillbox for me today", "en", rules).rule == "t.1"
    assert detect("magic pills", "en", rules).rule == "t.1"
    assert detect("magicpills", "en", rules).level is None
    assert detect("magic and then a lot of other words pills", "en", rules).level is None


def test_a_group_gives_alternatives_of_several_words() -> None:
    rules = _rules_with(
        {
            "clinical_advice": {
                "level": "advice",
                "rules": [
                    {
                        "id": "t.2",
                        "patterns": {"en": ["the bus (is late|never comes) (most days|today)"]},
                    }
                ],
            }
        }
    )
    assert detect("Honestly, the bus is late most days!", "en", rules).rule == "t.2"
    assert detect("the bus never comes today", "en", rules).rule == "t.2"
    assert detect("the bus is late", "en", rules).level is None


# --- detection in context (the cases the issue names)


@pytest.mark.parametrize(
    "text",
    [
        "I'm not suicidal",
        "this traffic is killing me",
        "I'm dying to know your rates",
        "my phone died",
        "she's killing it at work",
        "dead tired",
        "my mom died",
        "I killed him in Fortnite",
        "that cake was to die for",
        "I'm killing time",
        "no quiero morir",
        "me muero de risa",
        "mi mamá murió",
    ],
)
def test_it_does_not_alarm_on_negation_idiom_or_grief(text: str) -> None:
    assert level(text) is None


@pytest.mark.parametrize(
    "text",
    [
        "I want to kill myself",
        "kms",
        "i want to kms lol",
        "want 2 die",
        "unalive myself",
        "thinking about sui",
        "kill my self",
        "k1ll myself",
        "I wanna diiiie",
        "quiero morir",
        "me quiero matar",
    ],
)
def test_it_reads_text_speak_and_misspellings_as_crisis(text: str) -> None:
    assert level(text) == "crisis"


def test_negation_with_a_method_after_but_stays_a_crisis() -> None:
    d = detect("I'm not going to kill myself but I have the pills ready", "en", RULES)
    assert d.level == "crisis"
    assert {"negated", "method_or_plan"} <= set(d.reasons)


def test_negation_with_a_method_never_drops_to_nothing() -> None:
    assert level("I'm not suicidal, I just keep a rope in my car") == "concern"


@pytest.mark.parametrize(
    "text",
    [
        "i have a razor and i'm using it tonight",
        "thinking about dying all the time, the rope is in my closet",
        "i've been googling painless ways to go",
        "feels like everyone would be better if i was gone, the pills are in my hand",
        "i tried to overdose yesterday and nobody noticed",
        "going to hurt him when he gets home, the bat is by the door",
        "ya no aguanto más, ya tengo todo listo",
        # a plan to get help is an exemption; a plan to get a means is not
        "my plan is to get a gun and end it",
        "i decided to see if the rope holds",
    ],
)
def test_a_concern_with_a_plan_means_or_time_in_the_same_message_is_a_crisis(text: str) -> None:
    d = detect(text, "en", RULES)
    assert d.level == "crisis", d


@pytest.mark.parametrize(
    "text",
    [
        "I feel hopeless today",  # a feeling and a time: the rule is marked mood
        "we talked about suicide in class today",
        # someone else: a time alone is not enough
        "my son said he wants to die after his game today",
        "I decided to get help because I feel like such a burden",
        "my plan is to start therapy, I feel hopeless",
        "I'm not suicidal, I just keep a rope in my car",  # denied in the same message
    ],
)
def test_a_time_or_a_plan_to_get_help_does_not_escalate_a_feeling_or_a_denial(text: str) -> None:
    assert level(text) == "concern", detect(text, "en", RULES)


def test_the_escalation_says_why_and_a_tripwire_hit_alone_stays_a_concern() -> None:
    alone = detect("i have the knife", "en", RULES)
    both = detect("i have the knife next to me rn", "en", RULES)
    assert (alone.level, alone.reasons) == ("concern", ("tripwire",))
    assert (both.level, both.reasons) == ("crisis", ("tripwire", "imminent"))


def test_negation_with_a_plan_or_attempt_stays_a_concern_but_a_time_alone_does_not() -> None:
    d = detect("I don't want to die, I just looked up ways to do it", "en", RULES)
    assert (d.level, d.reasons) == ("concern", ("negated", "imminent"))
    assert level("I'm not suicidal, I just need to talk to someone today") is None


def test_a_file_adds_imminence_and_timing_but_cannot_remove_the_floors(tmp_path: Path) -> None:
    rules = load_rules(
        _write(
            tmp_path,
            {
                "$schema": "./schema/safety.schema.json",
                "version": 1,
                "locales": ["en"],
                "categories": {
                    "suicide_self_harm": {
                        "imminence": {"en": ["the bus ticket"]},
                        "timing": {"en": ["at dawn"]},
                    }
                },
            },
        )
    )
    assert detect("I feel like a burden, I have the bus ticket", "en", rules).level == "crisis"
    assert detect("I feel like a burden and it ends at dawn", "en", rules).level == "crisis"
    assert detect("I feel like a burden, the pills are next to me", "en", rules).level == "crisis"
    assert detect("I feel like a burden", "en", rules).level == "concern"


def test_talk_about_someone_else_is_a_concern_at_least() -> None:
    d = detect("my friend wants to kill herself", "en", RULES)
    assert (d.level, d.category, d.reasons) == ("concern", "suicide_self_harm", ("someone_else",))
    assert level("my friend wants to kill herself and she has a gun") == "crisis"


def test_the_past_is_a_concern_and_a_recent_attempt_is_a_crisis() -> None:
    assert level("I tried to kill myself last year") == "concern"
    assert level("I tried to kill myself last night") == "crisis"
    assert level("I tried to kill myself last year and again last night") == "crisis"


def test_a_medical_emergency_of_someone_else_is_still_a_crisis() -> None:
    assert level("my dad is not breathing") == "crisis"


def test_a_threat_against_the_visitor_is_abuse_not_self_harm() -> None:
    assert detect("me amenazó con matarme", "es", RULES).category == "abuse_violence"
    assert detect("my partner threatened to kill me", "en", RULES).category == "abuse_violence"


def test_a_second_concern_in_the_session_escalates_to_crisis() -> None:
    first = detect("I feel hopeless", "en", RULES, prior_concerns=0)
    second = detect("I feel hopeless", "en", RULES, prior_concerns=1)
    assert (first.level, first.escalated) == ("concern", False)
    assert (second.level, second.escalated) == ("crisis", True)
    assert "escalated" in second.reasons


def test_advice_requests_are_advice_and_a_crisis_outranks_them() -> None:
    assert detect("should I stop taking my meds?", "en", RULES).level == "advice"
    d = detect("should I take all my pills and end my life?", "en", RULES)
    assert (d.level, d.category) == ("crisis", "suicide_self_harm")


def test_a_spanish_message_in_the_english_flow_is_still_caught() -> None:
    assert level("quiero morir", locale="en") == "crisis"


def test_safe_detect_turns_any_failure_into_a_crisis() -> None:
    d = safe_detect(None, "en", RULES)  # type: ignore[arg-type]
    assert (d.level, d.category) == ("crisis", "detector_error")
    events = response_events(d, "en", RULES)
    assert events[0]["type"] == "crisis"
    assert {"href": "tel:988", "label": "Call 988 (Suicide & Crisis Lifeline)"} in events[0][
        "resources"
    ]


def test_detect_raises_on_a_bug_so_that_tests_see_it() -> None:
    with pytest.raises(TypeError):
        detect(b"bytes", "en", RULES)  # type: ignore[arg-type]


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_detect_never_fails_on_any_text(text: str) -> None:
    d = detect(text, "en", RULES)
    assert d.level in (None, "advice", "concern", "crisis")
    if d.span is not None:
        assert 0 <= d.span[0] <= d.span[1] <= len(text)


# --- responses


def test_a_crisis_event_has_the_protocol_shape_and_no_rule_in_it() -> None:
    d = detect("I want to kill myself", "en", RULES)
    [event] = response_events(d, "en", RULES)
    assert set(event) == {"type", "level", "category", "text", "resources", "actions"}
    assert (event["type"], event["level"], event["category"]) == (
        "crisis",
        "crisis",
        "suicide_self_harm",
    )
    hrefs = [r["href"] for r in event["resources"]]
    assert hrefs[:4] == ["tel:988", "sms:988", "sms:741741?body=HOME", "tel:911"]
    assert {"intent": "talk_to_person", "label": "Talk to a person"} in event["actions"]
    dumped = json.dumps(event)
    assert d.rule is not None and d.rule not in dumped
    assert "kill myself" not in dumped
    assert d.flag() == {
        "category": "suicide_self_harm",
        "rule": d.rule,
        "level": "crisis",
        "escalated": False,
    }


def test_abuse_and_harm_to_others_have_their_own_wording_and_resources() -> None:
    texts = {}
    for message in ("I want to kill myself", "my husband hits me", "I'm going to kill him"):
        [event] = response_events(detect(message, "en", RULES), "en", RULES)
        texts[event["category"]] = event
    assert len({e["text"] for e in texts.values()}) == 3
    abuse = [r["href"] for r in texts["abuse_violence"]["resources"]]
    assert abuse[:2] == ["tel:911", "tel:18007997233"]
    assert "tel:988" in abuse


def test_spanish_responses_are_in_spanish() -> None:
    [event] = response_events(detect("quiero morir", "es", RULES), "es", RULES)
    assert "988" in event["text"] and "Su seguridad" in event["text"]
    assert {"intent": "talk_to_person", "label": "Hablar con una persona"} in event["actions"]


def test_advice_gets_a_plain_message_and_nothing_gets_nothing() -> None:
    [event] = response_events(detect("do I have ADHD?", "en", RULES), "en", RULES)
    assert event["type"] == "message" and event["node"] == "safety:advice"
    assert "can't give medical or clinical advice" in event["text"]
    assert "referral" in event["text"]
    assert response_events(detect("I'd like an appointment", "en", RULES), "en", RULES) == []


def test_a_concern_event_is_a_crisis_event_with_level_concern() -> None:
    [event] = response_events(detect("I feel hopeless", "en", RULES), "en", RULES)
    assert (event["type"], event["level"]) == ("crisis", "concern")
    assert event["resources"]


def test_an_unknown_locale_falls_back_to_the_first_locale() -> None:
    [event] = response_events(detect("I want to die", "en", RULES), "fr", RULES)
    assert event["text"].startswith("I'm really glad")


# --- the floor


def test_the_floor_alone_catches_its_own_examples() -> None:
    rules = floor_rules()
    for category in FLOOR["categories"].values():
        for rule in category["rules"]:
            for locale, examples in rule["examples"].items():
                for example in examples:
                    d = detect(example, locale, rules)
                    assert d.level in (rule["level"], "crisis"), example


def test_a_file_cannot_switch_off_or_weaken_the_floor(tmp_path: Path) -> None:
    doc = _doc(
        {
            "suicide_self_harm": {
                "level": "concern",
                "exemptions": {"en": ["kill myself"]},
                "rules": [{"id": "floor.suicide.intent", "enabled": False}],
            },
        },
        resources=[{"id": "call_988", "href": "tel:5550100", "label": {"en": "x", "es": "x"}}],
    )
    path = _write(tmp_path, doc)
    rules = load_rules(path)
    d = detect("I want to kill myself", "en", rules)
    assert (d.level, d.rule) == ("crisis", "floor.suicide.intent")
    [event] = response_events(d, "en", rules)
    assert "tel:988" in [r["href"] for r in event["resources"]]
    assert "tel:5550100" not in json.dumps(event)
    codes = {f.code for f in check_rules_file(path) if isinstance(f, Finding)}
    assert {"S004", "S005", "S006", "S011"} <= codes


def test_a_file_extends_the_floor(tmp_path: Path) -> None:
    doc = _doc(
        {
            "suicide_self_harm": {
                "rules": [
                    {
                        "id": "p.bus",
                        "patterns": {"en": ["catch the bus"]},
                        "examples": {"en": ["I want to catch the bus"]},
                    }
                ]
            }
        }
    )
    rules = load_rules(_write(tmp_path, doc))
    assert detect("I want to catch the bus", "en", rules).rule == "p.bus"
    assert detect("I want to kill myself", "en", rules).level == "crisis"


# --- the rules file and its checker


def test_the_shipped_rules_file_is_clean() -> None:
    assert check_rules_file(DEFAULT_RULES_PATH) == []


def test_the_schema_has_its_id_and_accepts_the_floor() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    assert schema["$id"] == SCHEMA_ID
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    doc = {"$schema": "./schema/safety.schema.json", **FLOOR}
    # the floor names its word lists ({en_person}); expanded, a phrase may be longer than a
    # practice may write one (a practice has no named lists), so only that limit is lifted
    schema["$defs"]["phrase"].pop("maxLength")
    assert list(Draft202012Validator(schema).iter_errors(doc)) == []


def test_the_schema_and_the_floor_use_the_same_keys() -> None:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    defs = schema["$defs"]
    floor_rule_keys = {k for c in FLOOR["categories"].values() for r in c["rules"] for k in r}
    assert floor_rule_keys <= set(defs["rule"]["properties"])
    floor_lang_keys = {k for lang in FLOOR["language"].values() for k in lang}
    assert floor_lang_keys == set(defs["language"]["properties"])
    floor_cat_keys = {k for c in FLOOR["categories"].values() for k in c}
    assert floor_cat_keys == set(defs["category"]["properties"]) - {"description"}


def test_the_checker_reports_syntax_errors_with_a_line(tmp_path: Path) -> None:
    path = tmp_path / "safety.json"
    path.write_text('{\n  "version": 1,\n  "locales": ["en"]\n  "categories": {}\n}\n')
    [problem] = check_rules_file(path)
    assert isinstance(problem, Problem)
    assert "line 4" in problem.path


def test_the_checker_reports_schema_errors_with_a_json_path(tmp_path: Path) -> None:
    doc = _doc(
        {
            "suicide_self_harm": {
                "rules": [{"id": "x", "level": "urgent", "patterns": {"en": ["a b"]}}]
            }
        }
    )
    problems = check_rules_file(_write(tmp_path, doc))
    assert problems and all(isinstance(p, Problem) for p in problems)
    assert "$.categories.suicide_self_harm.rules[0].level" in {p.path for p in problems}


@pytest.mark.parametrize(
    ("change", "code", "path"),
    [
        (
            {"rules": [{"id": "a", "patterns": {"en": ["[x]"]}}]},
            "S002",
            "$.categories.clinical_advice.rules[0].patterns.en[0]",
        ),
        (
            {"rules": [{"id": "a", "regex": {"en": ["(unclosed"]}}]},
            "S003",
            "$.categories.clinical_advice.rules[0].regex.en[0]",
        ),
        (
            {
                "rules": [
                    {"id": "a", "patterns": {"en": ["x y"]}},
                    {"id": "a", "patterns": {"en": ["y z"]}},
                ]
            },
            "S001",
            "$.categories.clinical_advice.rules[1].id",
        ),
        (
            {
                "rules": [
                    {
                        "id": "a",
                        "patterns": {"en": ["purple elephant"]},
                        "examples": {"en": ["a green elephant"]},
                    }
                ]
            },
            "S009",
            "$.categories.clinical_advice.rules[0].examples.en[0]",
        ),
    ],
)
def test_the_checker_reports_each_rule_problem(
    tmp_path: Path, change: dict[str, Any], code: str, path: str
) -> None:
    doc = _doc({"clinical_advice": {"level": "advice", **change}})
    found = [f for f in check_rules_file(_write(tmp_path, doc)) if isinstance(f, Finding)]
    assert (code, path) in {(f.code, f.path) for f in found}
    assert all(f.severity in ("error", "warning") and f.message for f in found)


def test_the_checker_refuses_a_non_rfc_sms_uri(tmp_path: Path) -> None:
    doc = _doc(
        {},
        resources=[
            {"id": "ctl", "href": "sms:741741?&body=HOME", "label": {"en": "Text", "es": "Texto"}}
        ],
    )
    found = [f for f in check_rules_file(_write(tmp_path, doc)) if isinstance(f, Finding)]
    assert [f.code for f in found] == ["S012"]


def test_loading_a_broken_file_raises_with_every_problem(tmp_path: Path) -> None:
    doc = _doc({"clinical_advice": {"rules": [{"id": "a", "patterns": {"en": ["(x", "[y]"]}}]}})
    with pytest.raises(FlowError) as info:
        load_rules(_write(tmp_path, doc))
    assert len(info.value.problems) == 2


# --- the corpus


CRISES = [e for e in CORPUS if e.level == "crisis"]


def test_the_corpus_is_big_and_covers_every_category_and_spanish() -> None:
    assert len(CORPUS) >= 300
    assert sum(e.locale == "es" for e in CORPUS) >= 40
    categories = {e.category for e in CORPUS if e.category}
    assert categories == {
        "suicide_self_harm",
        "harm_to_others",
        "abuse_violence",
        "medical_emergency",
        "clinical_advice",
    }
    assert sum(e.level is None for e in CORPUS) >= 80


@pytest.mark.parametrize("example", CRISES, ids=[e.text[:40] for e in CRISES])
def test_no_crisis_in_the_corpus_is_missed(example: Any) -> None:
    got = detect(example.text, example.locale, RULES)
    assert got.level == "crisis", f"missed crisis: {example.text!r} -> {got}"


def test_precision_and_recall_stay_above_the_measured_floors() -> None:
    report = evaluate(CORPUS, RULES)
    # Measured 100% on this corpus (2026-11, 559 utterances); the floors leave room for new labels.
    for name, score in report.categories.items():
        assert score.recall >= 0.95, name
        assert score.precision >= 0.95, name
    assert report.false_alarms <= 2
    assert report.level_agreement >= 0.95


def test_the_floor_alone_still_catches_most_crises() -> None:
    report = evaluate(CORPUS, floor_rules())
    # measured 2026-11: the floor alone misses 11 of 259 (4%) before the safety net, 2 (0.8%)
    # with it; the practice file adds the rest
    assert report.crises == len(CRISES)
    assert len(report.crisis_misses) <= len(CRISES) * 0.02
    assert report.false_alarms == 0


# --- the eval command


def test_eval_prints_recall_precision_and_exits_0() -> None:
    result = CliRunner().invoke(main, ["safety", "eval", str(CORPUS_PATH)])
    assert result.exit_code == 0, result.output
    assert "recall" in result.output and "precision" in result.output
    assert "suicide_self_harm" in result.output
    assert "crisis misses: 0" in result.output


def test_eval_exits_1_and_lists_a_missed_crisis(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    rows = [
        {"text": "the purple elephant sings", "level": "crisis", "category": "suicide_self_harm"},
        {"text": "I'd like an appointment", "level": None},
    ]
    corpus.write_text("".join(json.dumps(r) + "\n" for r in rows))
    result = CliRunner().invoke(main, ["safety", "eval", str(corpus)])
    assert result.exit_code == 1
    assert "'the purple elephant sings' | crisis suicide_self_harm | nothing  MISSED CRISIS" in (
        result.output
    )


def test_eval_reports_a_bad_corpus_line_clearly(tmp_path: Path) -> None:
    corpus = tmp_path / "c.jsonl"
    corpus.write_text('{"text": "hi", "level": null}\n{"text": "x", "level": "urgent"}\n')
    result = CliRunner().invoke(main, ["safety", "eval", str(corpus)])
    assert result.exit_code == 1
    assert "line 2" in result.output


# --- helpers


def _doc(
    categories: dict[str, Any], resources: list[dict[str, Any]] | None = None
) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "$schema": "./schema/safety.schema.json",
        "version": 1,
        "locales": ["en", "es"],
        "categories": categories,
    }
    if resources is not None:
        doc["resources"] = resources
    return doc


def _write(tmp_path: Path, doc: dict[str, Any]) -> Path:
    path = tmp_path / "safety.json"
    path.write_text(json.dumps(doc), encoding="utf-8")
    return path


def _rules_with(categories: dict[str, Any]) -> Any:
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        return load_rules(_write(Path(tmp), _doc(categories)))


def test_detection_is_a_frozen_value() -> None:
    d = Detection(level="crisis")
    with pytest.raises(AttributeError):
        d.level = None  # type: ignore[misc]


def test_the_checker_reports_a_crisis_button_the_flows_do_not_define(tmp_path: Path) -> None:
    flow = json.loads((ROOT / "flows" / "intake.json").read_text(encoding="utf-8"))
    (tmp_path / "intake.json").write_text(json.dumps(flow), encoding="utf-8")
    path = _write(tmp_path, _doc({}))  # no "actions": the floor's "human" button
    found = [f for f in check_rules_file(path) if isinstance(f, Finding)]
    assert [(f.code, f.severity) for f in found] == [("S014", "error")]
    good = {
        **_doc({}),
        "actions": [
            {
                "intent": next(t["id"] for t in flow["topics"] if t.get("action") == "handoff"),
                "label": {"en": "Talk to a person", "es": "Hablar"},
            }
        ],
    }
    assert check_rules_file(_write(tmp_path, good)) == []


@pytest.mark.parametrize(
    "text",
    [
        "i keep a razor in my drawer and i'm using it tonight",
        "i keep a knife in my drawer and im using it tonight",
    ],
)
def test_an_everyday_context_does_not_silence_an_act_with_a_time(text: str) -> None:
    detection = detect(text, "en", default_rules())
    assert detection.level in ("concern", "crisis")


@pytest.mark.parametrize(
    "text",
    ["cooking tonight with my new knife set", "dead tired after work, do you have evening slots?"],
)
def test_a_time_alone_does_not_outweigh_an_everyday_context(text: str) -> None:
    assert detect(text, "en", default_rules()).level is None
