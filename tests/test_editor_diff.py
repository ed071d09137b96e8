"""flowdiff: what changed between two versions, node by node, in words an editor reads."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from flow_helpers import node
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_chat.core.flowdiff import diff_flows, text_segments

ROOT = Path(__file__).resolve().parent.parent
MINI = json.loads((ROOT / "tests" / "flows" / "mini.json").read_text())
INTAKE = json.loads((ROOT / "flows" / "intake.json").read_text())


def entry(diff: dict[str, Any], node_id: str) -> dict[str, Any]:
    found = [n for n in diff["nodes"] if n["id"] == node_id]
    assert len(found) == 1, diff["nodes"]
    return found[0]


def test_identical_flows_have_no_differences() -> None:
    diff = diff_flows(INTAKE, copy.deepcopy(INTAKE))
    assert diff["same"] and diff["nodes"] == [] and diff["flow"] == []


def test_a_text_change_names_the_language_and_marks_the_words() -> None:
    new = copy.deepcopy(MINI)
    node(new, "name")["text"]["es"] = "¿Cómo se llama usted?"
    details = entry(diff_flows(MINI, new), "name")["details"]
    assert [(d["kind"], d["label"], d["old"], d["new"]) for d in details] == [
        ("text", "Text (es)", "¿Cuál es su nombre?", "¿Cómo se llama usted?")
    ]
    assert ["del", "¿Cuál es su nombre?"] in details[0]["segments"]


def test_added_and_removed_nodes_are_listed_with_their_text() -> None:
    new = copy.deepcopy(MINI)
    nodes = new["sections"]["main"]["nodes"]
    nodes.insert(1, {"id": "hello", "type": "message", "text": {"en": "Hello!", "es": "¡Hola!"}})
    new["sections"]["exit"]["nodes"] = [{"id": "bye2", "type": "end"}]
    diff = diff_flows(MINI, new)
    assert entry(diff, "hello")["change"] == "added"
    assert entry(diff, "hello")["summary"] == "Hello!"
    assert entry(diff, "bye")["change"] == "removed"
    assert diff["counts"] == {"added": 2, "removed": 1, "changed": 0}


def test_a_changed_branch_target_is_a_target_change() -> None:
    new = copy.deepcopy(MINI)
    node(new, "consent_check")["cases"][0]["next"] = "done"
    details = entry(diff_flows(MINI, new), "consent_check")["details"]
    assert [(d["kind"], d["label"], d["old"], d["new"]) for d in details] == [
        ("target", "Case 1: Goes next to", "name", "done")
    ]


def test_options_are_matched_by_value_not_by_position() -> None:
    old = copy.deepcopy(INTAKE)
    new = copy.deepcopy(INTAKE)
    menu = node(new, "menu")
    menu["options"].reverse()
    menu["options"][0]["label"]["en"] = "Something new"
    value = menu["options"][0]["value"]
    details = entry(diff_flows(old, new), "menu")["details"]
    assert [(d["kind"], d["label"]) for d in details] == [("text", f'Option "{value}": Label (en)')]


def test_an_added_option_is_one_change_with_its_label_and_target() -> None:
    new = copy.deepcopy(INTAKE)
    node(new, "menu")["options"].append(
        {"value": "hours", "label": {"en": "Opening hours", "es": "Horario"}, "next": "bye"}
    )
    details = entry(diff_flows(INTAKE, new), "menu")["details"]
    assert details == [
        {
            "kind": "option",
            "label": 'Option "hours"',
            "path": "options[hours]",
            "change": "added",
            "old": None,
            "new": "Opening hours / Horario → bye",
        }
    ]


def test_a_node_moved_to_another_section_is_reported_as_moved() -> None:
    new = copy.deepcopy(MINI)
    moved = new["sections"]["main"]["nodes"].pop(3)
    new["sections"]["person"]["nodes"].append(moved)
    details = entry(diff_flows(MINI, new), "name")["details"]
    assert details[0]["kind"] == "moved"
    assert details[0]["words"] == 'from section "main" to "person"'


def test_swapping_two_nodes_reports_one_move_not_every_later_node() -> None:
    new = copy.deepcopy(INTAKE)
    nodes = new["sections"]["main"]["nodes"]
    nodes[0], nodes[1] = nodes[1], nodes[0]
    diff = diff_flows(INTAKE, new)
    assert len(diff["nodes"]) == 1 and diff["nodes"][0]["details"][0]["kind"] == "moved"


def test_settings_intents_and_validation_changes_are_named() -> None:
    new = copy.deepcopy(MINI)
    new["settings"]["max_retries"] = 5
    new["intents"][0]["match"]["en"].append("someone")
    node(new, "name")["validation"]["max_length"] = 40
    diff = diff_flows(MINI, new)
    labels = [d["label"] for d in diff["flow"]]
    assert "Settings › Invalid answers allowed" in labels
    assert 'Intent "human": Phrases (en)' in labels
    details = entry(diff, "name")["details"]
    assert [(d["label"], d["old"], d["new"]) for d in details] == [
        ("Validation › longest answer", "80", "40")
    ]


def test_broken_drafts_are_compared_without_raising() -> None:
    diff = diff_flows(
        {"sections": {"a": {"nodes": [{"id": "x"}, 5, {"no": "id"}]}}}, {"sections": []}
    )
    assert entry(diff, "x")["change"] == "removed"


@pytest.mark.parametrize(
    ("old", "new"),
    [("Hello there", "Hello there"), ("", "New text"), ("Old text", ""), ("a b c", "a x c")],
)
def test_text_segments_rebuild_both_sides(old: str, new: str) -> None:
    segments = text_segments(old, new)
    assert "".join(t for k, t in segments if k != "ins") == old
    assert "".join(t for k, t in segments if k != "del") == new


@settings(max_examples=60, deadline=None)
@given(st.text(max_size=40), st.text(max_size=40))
def test_text_segments_always_rebuild_both_sides(old: str, new: str) -> None:
    segments = text_segments(old, new)
    assert "".join(t for k, t in segments if k != "ins") == old
    assert "".join(t for k, t in segments if k != "del") == new
