"""The linter: one broken flow per finding code, the clean flow, and the shipped flows."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from flow_helpers import node
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_instruments import LINT_CASES

from intake_chat.core.flows import with_found_instruments
from intake_chat.core.lint import CODES, Finding, lint, readability_grade, split_placeholders

HERE = Path(__file__).resolve().parent
BAD = HERE / "flows_bad"
ROOT = HERE.parent

# file -> (code, node id or JSON path the finding must name)
CASES = {
    "L001_unknown_target.json": ("L001", "menu"),
    "L002_duplicate_id.json": ("L002", "bye"),
    "L003_unreachable.json": ("L003", "old_bye"),
    "L004_dead_end.json": ("L004", "bye"),
    "L005_loop_no_exit.json": ("L005", "what_is"),
    "L006_read_before_set.json": ("L006", "name"),
    "L007_handoff_field_missing.json": ("L007", "done"),
    "L008_duplicate_option.json": ("L008", "menu"),
    "L009_missing_translation.json": ("L009", "welcome"),
    "L010_personal_before_consent.json": ("L010", "name"),
    "L011_no_way_to_person.json": ("L011", "consent"),
    "L012_clinical_advice.json": ("L012", "faq_cost"),
    "L013_hard_to_read.json": ("L013", "what_is"),
    "L014_unknown_variable.json": ("L014", "done"),
    "L015_duplicate_intent_phrase.json": ("L015", "$.intents[1].match.en[2]"),
    "L016_include_cycle.json": ("L016", "learn_again"),
    "L017_translation_variables.json": ("L017", "email"),
    "L018_broken_placeholder.json": ("L018", "welcome"),
    "L019_summary_unchangeable.json": ("L019", "review"),
    "L020_impossible_condition.json": ("L020", "consent_check"),
    "L021_unsafe_pattern.json": ("L021", "name"),
    "L022_shared_topic_example.json": ("L022", "$.topics[1].examples.en[3]"),
    "L023_too_few_examples.json": ("L023", "$.topics[0].examples"),
    "L024_unknown_topic.json": ("L024", "$.topics[0].related[0]"),
    "L025_stale_translation.json": ("L025", "welcome"),  # against clean.json as published
}


def load(name: str) -> dict[str, Any]:
    return json.loads((BAD / name).read_text(encoding="utf-8"))


def codes(findings: list[Finding]) -> set[tuple[str, str]]:
    return {(f.code, f.where) for f in findings}


def clean() -> dict[str, Any]:
    return load("clean.json")


def test_the_clean_flow_has_no_findings() -> None:
    assert lint(clean(), "clean.json") == []


def test_every_code_has_a_broken_file_and_a_case() -> None:
    files = {p.name for p in BAD.glob("L*.json")}
    assert files == set(CASES)
    # The questionnaire codes (L026, L027, I001-I004) have their cases in test_instruments.py.
    assert {code for code, _ in CASES.values()} | set(LINT_CASES) == set(CODES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_it_reports_the_broken_file_with_its_code_and_node(name: str) -> None:
    code, where = CASES[name]
    findings = lint(load(name), name, base=clean() if code == "L025" else None)
    assert (code, where) in codes(findings), findings
    assert all(f.code == code for f in findings), f"unexpected side findings: {findings}"
    found = next(f for f in findings if f.code == code)
    assert found.severity == CODES[code][0]
    assert found.message and found.fix


def test_lint_codes_doc_lists_every_code_with_its_severity() -> None:
    doc = (ROOT / "docs" / "lint-codes.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `([LI]\d{3})` \| (error|warning) \|", doc, re.M))
    assert rows == {code: severity for code, (severity, _) in CODES.items()}


# --- details of single rules -------------------------------------------------------------------


def test_stale_translations_need_a_base_and_follow_steps_and_topics_that_moved() -> None:
    stale = load("L025_stale_translation.json")
    assert lint(stale) == []  # without the published version there is nothing to compare
    both = load("L025_stale_translation.json")
    welcome = both["sections"]["main"]["nodes"][0]
    welcome["text"]["es"] += " Nos alegra que estés aquí."
    assert lint(both, base=clean()) == []  # both languages changed: nothing stale
    moved = load("L025_stale_translation.json")
    moved["sections"]["main"]["nodes"].insert(1, moved["sections"]["main"]["nodes"].pop(0))
    found = [f for f in lint(moved, base=clean()) if f.code == "L025"]
    assert [(f.node, f.path.rsplit(".", 1)[-1]) for f in found] == [("welcome", "text")]
    assert "en text changed" in found[0].message and "es text did not" in found[0].message
    flow = json.loads((ROOT / "flows" / "intake.json").read_text(encoding="utf-8"))
    edited = json.loads(json.dumps(flow))
    edited["topics"].reverse()
    at = next(i for i, t in enumerate(edited["topics"]) if t.get("answer"))
    edited["topics"][at]["answer"][0]["en"] = "Changed only in English."
    [topic] = [f for f in lint(edited, base=flow) if f.code == "L025"]
    assert topic.path == f"$.topics[{at}].answer[0]" and topic.node is None


def test_it_reports_a_circle_without_questions_even_with_no_exit() -> None:
    data = clean()
    data["sections"]["learn"]["nodes"].append({"id": "again", "type": "goto", "target": "what_is"})
    findings = lint(data)
    assert ("L005", "what_is") in codes(findings)
    assert "without asking anything" in next(f for f in findings if f.code == "L005").message


def test_it_accepts_a_question_loop_with_a_way_out() -> None:
    data = clean()
    data["sections"]["learn"]["nodes"].append(
        {
            "id": "more",
            "type": "question",
            "input": "yesno",
            "var": "more",
            "text": {"en": "More?", "es": "¿Más?"},
        }
    )
    data["sections"]["learn"]["nodes"].append(
        {
            "id": "more_check",
            "type": "branch",
            "cases": [{"when": {"var": "more", "op": "eq", "value": True}, "next": "what_is"}],
            "default": "bye",
        }
    )
    assert lint(data) == []


def test_a_variable_set_on_only_some_paths_may_be_used_in_a_condition() -> None:
    data = clean()
    node(data, "review")["fields"].append(
        {"var": "guardian_name", "label": {"en": "Parent", "es": "Madre o padre"}}
    )
    node(data, "done")["text"] = {
        "en": "Thanks {first_name} {guardian_name}.",
        "es": "Gracias {first_name} {guardian_name}.",
    }
    assert lint(data) == []


def test_an_answered_branch_counts_as_collecting_a_handoff_field() -> None:
    data = json.loads((BAD / "L007_handoff_field_missing.json").read_text())
    node(data, "channel")["next"] = "guardian_check"
    data["sections"]["main"]["nodes"].insert(
        -2,
        {
            "id": "guardian_check",
            "type": "branch",
            "cases": [{"when": {"var": "guardian_name", "op": "answered"}, "next": "review"}],
            "default": "bye",
        },
    )
    assert [f for f in lint(data) if f.code == "L007"] == []


def test_an_optional_question_does_not_collect_a_required_handoff_field() -> None:
    data = clean()
    node(data, "email")["required"] = False
    assert ("L007", "done") in codes(lint(data))


def test_consent_declined_by_default_branch_is_accepted() -> None:
    data = clean()
    node(data, "consent_check")["cases"] = [
        {"when": {"var": "consent", "op": "eq", "value": False}, "next": "bye"}
    ]
    node(data, "consent_check")["default"] = "menu"
    assert lint(data) == []


def test_a_personal_question_behind_a_returning_intent_is_before_consent() -> None:
    data = clean()
    node(data, "faq_cost")["next"] = "faq_email"
    data["sections"]["faq"]["nodes"].append(
        {
            "id": "faq_email",
            "type": "question",
            "input": "email",
            "var": "faq_email",
            "personal": True,
            "text": {"en": "Your email?", "es": "¿Su correo?"},
        }
    )
    assert ("L010", "faq_email") in codes(lint(data))


def test_a_section_left_by_running_off_its_end_is_fine_when_included() -> None:
    data = clean()
    node(data, "menu")["options"][0]["next"] = "what_is"  # jump in without include
    assert ("L004", "what_is") in codes(lint(data))


def test_restart_forgets_answers_for_the_read_before_set_check() -> None:
    data = clean()
    node(data, "welcome")["text"] = {"en": "Hi {first_name}.", "es": "Hola {first_name}."}
    assert ("L006", "welcome") in codes(lint(data))


@pytest.mark.parametrize(
    "text",
    [
        "We can't diagnose anyone in this chat.",
        "Our therapists do not prescribe medication.",
        "This chat will never give you a diagnosis.",
        "No damos diagnósticos en este chat.",
        "Please call 988 if you are in crisis.",
    ],
)
def test_negated_or_neutral_wording_is_not_clinical_advice(text: str) -> None:
    data = clean()
    node(data, "what_is")["text"] = {"en": text, "es": text}
    assert [f for f in lint(data) if f.code == "L012"] == []


@pytest.mark.parametrize(
    "text",
    [
        "It sounds like you have anxiety.",
        "You need to rest more.",
        "Try breathing slowly for a minute.",
        "What dose are you on?",
        "Usted tiene depresión.",
        "Parece que usted tiene un problema.",
        "Un diagnóstico rápido.",
    ],
)
def test_advice_like_wording_is_flagged(text: str) -> None:
    data = clean()
    node(data, "what_is")["text"] = {"en": text, "es": text}
    assert ("L012", "what_is") in codes(lint(data))


def test_advice_words_match_whole_words_only() -> None:
    data = clean()
    node(data, "what_is")["text"] = {
        "en": "Our dosimeter team: bulldoser, prescient.",
        "es": "Dosifica nada.",
    }
    found = [f for f in lint(data) if f.code == "L012"]
    assert found == []


def test_a_long_message_is_a_plain_language_warning() -> None:
    data = clean()
    sentence = "We read every message. "
    node(data, "what_is")["text"] = {"en": sentence * 30, "es": sentence * 30}
    found = [f for f in lint(data) if f.code == "L013"]
    assert found and all(f.severity == "warning" for f in found)
    assert any("characters" in f.message for f in found)


def test_readability_grade_separates_plain_from_dense_text() -> None:
    plain = "We listen. You talk. We help you find a good fit. It is your time."
    dense = (
        "Psychotherapeutic interventions necessitate comprehensive biopsychosocial "
        "evaluation, individualized conceptualization and collaborative prioritization."
    )
    assert readability_grade(plain) < 5 < 15 < readability_grade(dense)


def test_placeholders_are_split_and_braces_escaped() -> None:
    assert split_placeholders("Hi {first_name}, {{literal}} {bad name} }") == (
        ["first_name"],
        ["{bad name}", "}"],
    )


def test_a_missing_start_is_an_unknown_target_and_nothing_else_crashes() -> None:
    data = clean()
    data["start"] = "nowhere"
    assert ("L001", "$.start") in codes(lint(data))


def test_findings_are_plain_data() -> None:
    finding = lint(load("L001_unknown_target.json"))[0]
    assert json.loads(json.dumps(finding.to_dict()))["code"] == "L001"
    assert finding.path == "$.sections.main.nodes[3].options[1].next"


# --- robustness: the editor lints drafts, so odd input must never raise ------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=6), inner, max_size=4)
    ),
    max_leaves=20,
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix]
    if isinstance(value, dict):
        for k, v in value.items():
            out += _paths(v, (*prefix, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            out += _paths(v, (*prefix, i))
    return out


CLEAN_PATHS = _paths(clean())[1:]


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.sampled_from(CLEAN_PATHS), json_values), min_size=1, max_size=4))
def test_it_never_raises_on_a_mutated_flow(edits: list[tuple[tuple[Any, ...], Any]]) -> None:
    data = copy.deepcopy(clean())
    for path, value in edits:
        target: Any = data
        try:
            for key in path[:-1]:
                target = target[key]
            target[path[-1]] = value
        except (KeyError, IndexError, TypeError):
            continue
    for finding in lint(data):
        assert finding.code in CODES


# --- the shipped flows -------------------------------------------------------------------------

SHIPPED = sorted(p for p in (ROOT / "flows").glob("*.json") if p.name != "safety.json")


@pytest.mark.parametrize("path", SHIPPED, ids=[p.name for p in SHIPPED])
def test_shipped_flows_have_no_errors_and_no_warnings(path: Path) -> None:
    # As `flow check` lints it: with the instruments its questionnaires name (flows/instruments/).
    data = with_found_instruments(json.loads(path.read_text(encoding="utf-8")))
    assert lint(data, str(path)) == []


def test_built_in_messages_may_use_only_their_own_placeholders() -> None:
    data = clean()
    data["messages"] = {
        "too_short": {"en": "At least {min} characters.", "es": "Al menos {min} caracteres."},
        "summary_change": {"en": "Change {label}", "es": "Cambiar {label}"},
        "required": {"en": "Please answer, {first_name}.", "es": "Responda, {first_name}."},
    }
    found = [f for f in lint(data) if f.code == "L014"]
    assert {f.path for f in found} == {"$.messages.required.en", "$.messages.required.es"}


def _optional_email_checked(at: str) -> dict[str, Any]:
    """Clean flow with an optional email, and a branch requiring it placed after ``at``."""
    data = clean()
    node(data, "email")["required"] = False
    main = data["sections"]["main"]["nodes"]
    after = next(i for i, n in enumerate(main) if n["id"] == at)
    main.insert(
        after + 1,
        {
            "id": "email_check",
            "type": "branch",
            "cases": [{"when": {"var": "email", "op": "answered"}, "next": main[after + 1]["id"]}],
            "default": "bye",
        },
    )
    return data


def test_a_summary_change_can_undo_an_answered_check_made_before_it() -> None:
    assert ("L007", "done") in codes(lint(_optional_email_checked("email")))


def test_an_answered_check_after_the_summary_satisfies_the_handoff() -> None:
    assert lint(_optional_email_checked("review")) == []
