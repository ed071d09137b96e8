"""The flow loader: readable errors (line/column, JSON path, all at once), schema, Flow indexes."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from intake_chat.core.errors import FlowError
from intake_chat.core.flows import (
    SCHEMA_ID,
    SCHEMA_PATH,
    Flow,
    _validator,
    load_flow,
    load_flows,
    load_schema,
    parse_flow,
    read_flow_file,
)

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
MINI = HERE / "flows" / "mini.json"
FLOW_FILES = sorted(p for p in (ROOT / "flows").glob("*.json") if p.name != "safety.json")
FIXTURES = sorted((HERE / "flows").glob("*.json"))


def mini() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(MINI.read_text(encoding="utf-8"))
    return data


def problems_of(data: Any) -> list[tuple[str, str, str]]:
    with pytest.raises(FlowError) as caught:
        parse_flow(data, "bad.json")
    assert all(p.file == "bad.json" for p in caught.value.problems)
    return [(p.path, p.message, p.fix) for p in caught.value.problems]


def nodes(data: dict[str, Any], section: str = "main") -> list[dict[str, Any]]:
    result: list[dict[str, Any]] = data["sections"][section]["nodes"]
    return result


# --- the schema


def test_the_schema_is_valid_draft_2020_12_with_its_id() -> None:
    schema = load_schema()
    Draft202012Validator.check_schema(schema)
    assert schema["$id"] == SCHEMA_ID == "urn:intake-chat:schema:flow:1"
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"


def test_the_schema_tells_node_kinds_apart_with_if_then_not_one_of() -> None:
    text = SCHEMA_PATH.read_text(encoding="utf-8")
    assert "oneOf" not in text
    branches = load_schema()["$defs"]["node"]["allOf"]
    kinds = {b["if"]["properties"]["type"]["const"] for b in branches}
    assert kinds == set(load_schema()["$defs"]["node"]["properties"]["type"]["enum"])


def test_the_compiled_schema_is_cached() -> None:
    assert _validator() is _validator()
    assert load_schema() is load_schema()


@pytest.mark.parametrize("path", FLOW_FILES + FIXTURES, ids=lambda p: p.name)
def test_every_flow_file_loads_and_names_the_schema(path: Path) -> None:
    flow = load_flow(path)
    assert flow.data["$schema"] == "./schema/flow.schema.json"
    assert flow.start in flow.nodes


# --- JSON syntax


def test_it_names_line_column_and_the_line_of_a_syntax_error(tmp_path: Path) -> None:
    path = tmp_path / "broken.json"
    path.write_text(
        '{\n  "id": "x",\n  "title": {"en": "X"}\n  "start": "a"\n}\n', encoding="utf-8"
    )
    with pytest.raises(FlowError) as caught:
        read_flow_file(path)
    [problem] = caught.value.problems
    assert problem.file == str(path)
    assert problem.path == "line 4, column 3"
    assert '"start": "a"' in problem.message
    assert "comma" in problem.fix


def test_it_explains_a_trailing_comma(tmp_path: Path) -> None:
    path = tmp_path / "comma.json"
    path.write_text('{"id": "x",\n "start": "a",\n}', encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        read_flow_file(path)
    [problem] = caught.value.problems
    assert problem.path == "line 3, column 1"
    assert "comma too many" in problem.fix


def test_it_reports_keys_written_twice_with_their_path(tmp_path: Path) -> None:
    path = tmp_path / "twice.json"
    path.write_text(
        '{"a": {"text": 1, "text": 2}, "b": [{"id": 1}, {"id": 1, "id": 2}]}', encoding="utf-8"
    )
    with pytest.raises(FlowError) as caught:
        read_flow_file(path)
    assert [(p.path, p.message) for p in caught.value.problems] == [
        ("$.a", 'the key "text" is written twice in this object'),
        ("$.b[1]", 'the key "id" is written twice in this object'),
    ]


def test_it_reports_a_missing_file_and_non_utf8_text(tmp_path: Path) -> None:
    with pytest.raises(FlowError, match="does not exist"):
        read_flow_file(tmp_path / "nope.json")
    latin = tmp_path / "latin.json"
    latin.write_bytes('{"title": "Admisión"}'.encode("latin-1"))
    with pytest.raises(FlowError, match="not UTF-8"):
        read_flow_file(latin)


def test_it_rejects_a_file_that_is_not_an_object(tmp_path: Path) -> None:
    path = tmp_path / "list.json"
    path.write_text("[1, 2]", encoding="utf-8")
    with pytest.raises(FlowError, match="expected a JSON object"):
        read_flow_file(path)


# --- schema errors


def test_it_reports_every_schema_error_at_once_sorted_by_path() -> None:
    data = mini()
    main = nodes(data)
    main[0]["nxt"] = "consent"
    main[1]["input"] = "consnet"
    main[3]["text"] = "What is your first name?"
    data["sections"]["exit"]["nodes"][0]["text"] = {"en": 1}
    found = problems_of(data)
    paths = [path for path, _, _ in found]
    assert paths == [
        "$.sections.exit.nodes[0].text.en",
        "$.sections.main.nodes[0]",
        "$.sections.main.nodes[1].input",
        "$.sections.main.nodes[3].text",
    ]
    by_path = {path: (message, fix) for path, message, fix in found}
    assert by_path["$.sections.main.nodes[0]"][0] == 'unknown key "nxt" (did you mean "next"?)'
    assert "section_title" in by_path["$.sections.main.nodes[0]"][1]
    assert by_path["$.sections.main.nodes[1].input"][0].endswith('found the text "consnet"')
    assert by_path["$.sections.main.nodes[1].input"][1] == 'did you mean "consent"?'
    assert by_path["$.sections.main.nodes[3].text"][0] == (
        'expected an object {...}, found the text "What is your first name?"'
    )
    assert '{"en": "Hi", "es": "Hola"}' in by_path["$.sections.main.nodes[3].text"][1]
    assert by_path["$.sections.exit.nodes[0].text.en"][0] == "expected text, found the number 1"


def test_it_sorts_node_indexes_as_numbers() -> None:
    data = mini()
    main = nodes(data)
    for index in range(12):
        main.append({"id": f"m{index}", "type": "message", "text": {"en": "x", "es": "x"}})
    main[2]["extra"] = 1
    main[11]["extra"] = 1
    paths = [path for path, _, _ in problems_of(data)]
    assert paths == ["$.sections.main.nodes[2]", "$.sections.main.nodes[11]"]


BAD_NODES: list[tuple[dict[str, Any], str, str]] = [
    ({"id": "x", "type": "mesage", "text": {"en": "a"}}, ".type", 'did you mean "message"?'),
    ({"id": "x", "text": {"en": "a"}}, "", 'missing the key "type"'),
    ({"id": "X", "type": "end"}, ".id", "expected a node id"),
    (
        {
            "id": "x",
            "type": "question",
            "input": "text",
            "var": "v",
            "text": {"en": "a"},
            "options": [{"value": "a", "label": {"en": "A"}}],
        },
        "",
        "only choice and multi questions have options",
    ),
    (
        {"id": "x", "type": "question", "input": "choice", "var": "v", "text": {"en": "a"}},
        "",
        'missing the key "options"',
    ),
    (
        {"id": "x", "type": "question", "input": "text", "var": "Bad", "text": {"en": "a"}},
        ".var",
        "expected a variable name",
    ),
    (
        {
            "id": "x",
            "type": "question",
            "input": "text",
            "var": "v",
            "text": {"en": "a"},
            "intents": True,
        },
        ".intents",
        "expected false, found true",
    ),
    (
        {
            "id": "x",
            "type": "question",
            "input": "number",
            "var": "v",
            "text": {"en": "a"},
            "validation": {"min": "ten"},
        },
        ".validation.min",
        "expected a number, or an iso date",
    ),
    (
        {
            "id": "x",
            "type": "question",
            "input": "text",
            "var": "v",
            "text": {"en": "a"},
            "max_retries": 0,
        },
        ".max_retries",
        "expected at least 1, found the number 0",
    ),
    (
        {"id": "x", "type": "branch", "cases": [{"when": {}, "next": "bye"}], "default": "bye"},
        ".cases[0].when",
        "expected a condition, found an empty object",
    ),
    (
        {
            "id": "x",
            "type": "branch",
            "cases": [{"when": {"var": "a", "op": "in", "value": 3}, "next": "bye"}],
            "default": "bye",
        },
        ".cases[0].when.value",
        "expected a list [...], found the number 3",
    ),
    (
        {
            "id": "x",
            "type": "branch",
            "cases": [{"when": {"var": "a", "op": "answered", "value": 3}, "next": "bye"}],
            "default": "bye",
        },
        ".cases[0].when",
        "answered and not_answered take no value",
    ),
    (
        {
            "id": "x",
            "type": "branch",
            "cases": [{"when": {"age_of": "dob", "op": "in", "value": 3}, "next": "bye"}],
            "default": "bye",
        },
        ".cases[0].when.op",
        'expected one of "eq"',
    ),
    (
        {
            "id": "x",
            "type": "branch",
            "cases": [{"when": {"not": {"var": "a", "op": "eqq", "value": 1}}, "next": "bye"}],
            "default": "bye",
        },
        ".cases[0].when.not.op",
        'did you mean "eq"?',
    ),
    ({"id": "x", "type": "set", "values": {"v": [1]}}, ".values.v", "expected text or a number"),
    (
        {"id": "x", "type": "handoff", "mode": "later", "fields": [], "text": {"en": "a"}},
        ".mode",
        'expected one of "queued", "live"',
    ),
    (
        {"id": "x", "type": "handoff", "mode": "live", "text": {"en": "a"}},
        "",
        'missing the key "fields"',
    ),
    (
        {"id": "x", "type": "summary", "text": {"en": "a"}, "fields": [{"var": "v"}]},
        ".fields[0]",
        'missing the key "label"',
    ),
    ({"id": "x", "type": "include"}, "", 'missing the key "section"'),
    ({"id": "x", "type": "goto", "goto": "bye"}, "", 'missing the key "target"'),
    (
        {"id": "x", "type": "message", "text": {"EN": "a"}},
        ".text",
        'the key "EN" is not allowed here',
    ),
]


@pytest.mark.parametrize(
    ("node", "suffix", "expected"), BAD_NODES, ids=[str(i) for i in range(len(BAD_NODES))]
)
def test_it_names_the_path_and_what_was_expected_for_a_bad_node(
    node: dict[str, Any], suffix: str, expected: str
) -> None:
    data = mini()
    nodes(data, "exit").append(node)
    found = problems_of(data)
    path = "$.sections.exit.nodes[1]" + suffix
    messages = [f"{message} {fix}" for p, message, fix in found if p == path]
    assert any(expected.lower() in m.lower() for m in messages), found


def test_it_rejects_unknown_top_level_keys_and_a_wrong_schema_reference() -> None:
    data = mini()
    data["$schema"] = "flow.schema.json"
    data["setings"] = {}
    found = problems_of(data)
    assert found[0][:2] == ("$", 'unknown key "setings" (did you mean "settings"?)')
    assert found[1][:2] == (
        '$["$schema"]',
        'expected "./schema/flow.schema.json", found the text "flow.schema.json"',
    )


def test_it_rejects_a_target_on_an_intent_that_is_not_goto() -> None:
    data = mini()
    data["intents"].append(
        {"id": "again", "action": "restart", "target": "welcome", "match": {"en": ["x"]}}
    )
    data["intents"].append({"id": "go", "action": "goto", "match": {"en": ["y"]}})
    found = problems_of(data)
    assert ("$.intents[1]", "only a goto intent has a target or return") in [
        (p, m) for p, m, _ in found
    ]
    assert ("$.intents[2]", 'missing the key "target"') in [(p, m) for p, m, _ in found]


# --- references


def test_it_reports_unknown_ids_and_duplicate_ids_together() -> None:
    data = mini()
    main = nodes(data)
    main[0]["next"] = "consnt"
    main[2]["cases"][0]["next"] = "nowhere"
    nodes(data, "exit").append({"id": "name", "type": "end"})
    data["settings"]["person_node"] = "to_persn"
    found = problems_of(data)
    assert [(p, m) for p, m, _ in found] == [
        (
            "$.sections.exit.nodes[1].id",
            'the node id "name" is used twice (first at $.sections.main.nodes[3])',
        ),
        ("$.settings.person_node", 'the person node "to_persn" does not exist'),
        ("$.sections.main.nodes[0].next", 'the node "consnt" does not exist'),
        ("$.sections.main.nodes[2].cases[0].next", 'the node "nowhere" does not exist'),
    ]
    assert found[2][2] == 'did you mean "consent"?'


def test_it_reports_an_included_section_that_does_not_exist() -> None:
    data = mini()
    nodes(data).insert(1, {"id": "inc", "type": "include", "section": "persn"})
    found = problems_of(data)
    assert found == [
        (
            "$.sections.main.nodes[1].section",
            'the section "persn" does not exist',
            'did you mean "person"?',
        )
    ]


def test_it_requires_a_person_node_for_a_handoff_intent() -> None:
    data = mini()
    del data["settings"]["person_node"]
    data["intents"][0] = {"id": "human", "action": "handoff", "match": {"en": ["human"]}}
    found = problems_of(data)
    assert found[0][:2] == ("$.intents[0].action", "a handoff intent needs settings.person_node")


# --- Flow


def test_a_flow_indexes_nodes_sections_and_order() -> None:
    flow = load_flow(MINI)
    assert flow.id == "mini"
    assert flow.locales == ("en", "es")
    assert flow.order == ("welcome", "consent", "consent_check", "name", "done", "to_person", "bye")
    assert flow.section_of["to_person"] == "person"
    assert flow.next_in_section["consent"] == "consent_check"
    assert flow.next_in_section["done"] is None
    assert flow.following("welcome") == "consent"
    assert flow.sections["exit"] == ("bye",)
    assert flow.question_of_var == {"consent": "consent", "first_name": "name"}
    assert flow.intents["human"]["target"] == "to_person"
    assert flow.max_retries == 3
    assert flow.person_node == "to_person"


def test_the_digest_ignores_formatting_but_not_content(tmp_path: Path) -> None:
    data = mini()
    first = parse_flow(data)
    squashed = tmp_path / "squashed.json"
    squashed.write_text(json.dumps(dict(reversed(list(data.items())))), encoding="utf-8")
    assert load_flow(squashed).digest == first.digest
    assert load_flow(squashed) == first
    changed = copy.deepcopy(data)
    nodes(changed)[0]["text"]["en"] = "Hello."
    assert parse_flow(changed).digest != first.digest
    assert len(first.digest) == 64


def test_load_flows_skips_the_schema_folder_and_safety_file(tmp_path: Path) -> None:
    (tmp_path / "schema").mkdir()
    (tmp_path / "schema" / "flow.schema.json").write_text("{}", encoding="utf-8")
    (tmp_path / "safety.json").write_text('{"rules": []}', encoding="utf-8")
    (tmp_path / "mini.json").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    flows = load_flows(tmp_path)
    assert list(flows) == ["mini"]
    assert isinstance(flows["mini"], Flow)


def test_load_flows_reports_problems_of_every_file_together(tmp_path: Path) -> None:
    (tmp_path / "a.json").write_text("{", encoding="utf-8")
    (tmp_path / "b.json").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "c.json").write_text(MINI.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(FlowError) as caught:
        load_flows(tmp_path)
    files = [Path(p.file).name for p in caught.value.problems]
    assert files == ["a.json", "c.json"]
    assert "also used by" in caught.value.problems[1].message


def test_it_refuses_a_pattern_that_does_not_compile_or_backtracks_badly() -> None:
    data = mini()
    nodes(data)[3]["validation"]["pattern"] = "([a-z]+ ?)+"
    nodes(data, "exit").append(
        {
            "id": "zip",
            "type": "question",
            "input": "text",
            "var": "zip",
            "text": {"en": "Zip?"},
            "validation": {"pattern": "[0-9"},
        }
    )
    found = problems_of(data)
    assert [p for p, _, _ in found] == [
        "$.sections.main.nodes[3].validation.pattern",
        "$.sections.exit.nodes[1].validation.pattern",
    ]
    assert "exponential time" in found[0][1]
    assert found[1][1].startswith("the pattern does not compile")
