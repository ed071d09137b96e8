"""The Mermaid drawing of a flow: shapes, labelled edges, sections, intents and safe labels."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_chat.core.graph import describe_condition, escape, to_mermaid

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent


def clean() -> dict[str, Any]:
    return json.loads((HERE / "flows_bad" / "clean.json").read_text(encoding="utf-8"))


@pytest.fixture(scope="module")
def chart() -> str:
    return to_mermaid(clean())


def test_it_starts_a_top_down_flowchart(chart: str) -> None:
    assert chart.startswith("flowchart TD\n")


def test_it_draws_one_subgraph_per_section_and_one_for_intents(chart: str) -> None:
    for name in ("main", "learn", "faq", "person", "exit"):
        assert f'subgraph s_{name}["{name}"]' in chart
    assert 'subgraph intents["Global intents (from any question)"]' in chart
    assert chart.count("\n  end\n") == 6


def test_node_shapes_follow_the_node_type(chart: str) -> None:
    assert 'n_consent("consent: May we store what you type?")' in chart  # question: rounded
    assert 'n_consent_check{"consent_check"}' in chart  # branch: rhombus
    assert 'n_bye(["bye: Take care."])' in chart  # end: stadium
    assert 'n_to_person(["to_person: handoff (live) Connecting you with our team."])' in chart
    assert 'n_learn_first[["learn_first: include learn"]]' in chart
    assert 'n_welcome["welcome: Hi, I' in chart


def test_edges_carry_the_answer_or_condition(chart: str) -> None:
    assert '  n_consent_check -->|"consent = true"| n_menu\n' in chart
    assert '  n_consent_check -->|"default"| n_bye\n' in chart
    assert '  n_age_check -->|"age of dob #lt; 18"| n_guardian\n' in chart
    assert '  n_menu -->|"Start a referral"| n_name\n' in chart
    assert "  n_name --> n_dob\n" in chart


def test_include_and_returning_intent_edges_are_dotted(chart: str) -> None:
    assert '  n_learn_first -.->|"include"| n_what_is\n' in chart
    assert '  n_learn_first -->|"after learn"| n_name\n' in chart
    assert '  i_cost -.->|"and return"| n_faq_cost\n' in chart
    assert '  i_human -->|"handoff"| n_to_person\n' in chart
    assert '  i_restart -->|"restart"| n_welcome\n' in chart


def test_labels_use_the_requested_locale() -> None:
    chart = to_mermaid(clean(), "es")
    assert 'n_bye(["bye: Cuídese."])' in chart
    assert '|"Empezar una solicitud"|' in chart


def test_every_edge_joins_declared_nodes(chart: str) -> None:
    declared = set(re.findall(r"^\s+(\w+)[\[({>]", chart, re.M))
    for src, dst in re.findall(r"^  (\w+) -[.-]*->(?:\|[^|]*\|)? (\w+)$", chart, re.M):
        assert src in declared | {"flow_start"}
        assert dst in declared


@pytest.mark.parametrize(
    "text, expected",
    [
        ('say "hi" <b>', "say #quot;hi#quot; #lt;b#gt;"),
        ("a | b # c", "a #124; b #35; c"),
        ("line\nbreak", "line break"),
        ("brackets [x] (y) {z}", "brackets [x] (y) {z}"),
    ],
)
def test_label_text_is_escaped_for_mermaid(text: str, expected: str) -> None:
    assert escape(text) == expected


def test_quotes_and_brackets_in_flow_text_cannot_break_the_chart() -> None:
    data = clean()
    data["sections"]["main"]["nodes"][0]["text"]["en"] = 'Hi "friend"] --> x{<script>'
    chart = to_mermaid(data)
    line = next(x for x in chart.splitlines() if x.strip().startswith("n_welcome["))
    assert line == '    n_welcome["welcome: Hi #quot;friend#quot;] --#gt; x{#lt;script#gt;"]'


def test_ids_that_mermaid_reserves_are_prefixed() -> None:
    data = clean()
    data["sections"]["exit"]["nodes"][0]["id"] = "end"
    data["sections"]["main"]["nodes"][2]["default"] = "end"
    chart = to_mermaid(data)
    assert 'n_end(["end: Take care."])' in chart
    assert 'n_consent_check -->|"default"| n_end' in chart


@pytest.mark.parametrize(
    "cond, words",
    [
        ({"var": "consent", "op": "eq", "value": True}, "consent = true"),
        ({"age_of": "dob", "op": "lt", "value": 18}, "age of dob < 18"),
        ({"var": "email", "op": "answered"}, "email answered"),
        ({"var": "state", "op": "not_in", "value": ["MA", "RI"]}, "state not in MA, RI"),
        (
            {
                "all": [
                    {"var": "a", "op": "ge", "value": 2},
                    {
                        "any": [
                            {"var": "b", "op": "eq", "value": "x"},
                            {"var": "c", "op": "not_answered"},
                        ]
                    },
                ]
            },
            "a ≥ 2 and (b = x or c not answered)",
        ),
        ({"not": {"var": "x", "op": "ne", "value": None}}, "not (x ≠ null)"),
    ],
)
def test_conditions_are_put_in_words(cond: dict[str, Any], words: str) -> None:
    assert describe_condition(cond) == words


def test_the_shipped_flow_draws_every_node() -> None:
    data = json.loads((ROOT / "flows" / "intake.json").read_text(encoding="utf-8"))
    chart = to_mermaid(data)
    for section in data["sections"].values():
        for node in section["nodes"]:
            assert re.search(
                rf"^    n_{re.escape(node['id'].replace('-', '_'))}[\[({{>]", chart, re.M
            ), node["id"]


odd_values = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.text(max_size=12)
    | st.lists(st.text(max_size=4), max_size=3)
    | st.dictionaries(st.text(max_size=4), st.text(max_size=4), max_size=3)
)
NODE_KEYS = [
    "id",
    "type",
    "text",
    "next",
    "options",
    "cases",
    "default",
    "section",
    "target",
    "values",
    "mode",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 12), st.sampled_from(NODE_KEYS), odd_values),
        min_size=1,
        max_size=5,
    )
)
def test_it_never_raises_on_a_draft_and_keeps_one_statement_per_line(
    edits: list[tuple[int, str, Any]],
) -> None:
    data = clean()
    nodes = data["sections"]["main"]["nodes"]
    for index, key, value in edits:
        nodes[index % len(nodes)][key] = value
    chart = to_mermaid(data)
    assert chart.startswith("flowchart TD\n")
    for line in chart.splitlines()[1:]:
        assert line.count('"') % 2 == 0, line


# scripts/test installs mermaid and jsdom into node_modules with axe-core; INTAKE_MERMAID_MODULES
# names another node_modules folder.
MERMAID = os.environ.get("INTAKE_MERMAID_MODULES", "") or str(ROOT / "node_modules")


def test_the_real_mermaid_parser_accepts_the_charts(tmp_path: Path) -> None:
    # A missing parser fails rather than skips: bash scripts/test installs mermaid and jsdom.
    assert shutil.which("node") and (Path(MERMAID) / "mermaid").is_dir(), (
        "mermaid and jsdom are not in node_modules: run bash scripts/test (or npm install)"
    )
    nasty = clean()
    nasty["sections"]["main"]["nodes"][0]["text"]["en"] = 'Hi "x"] --> y{<b> a|b #1; & `t` end'
    flows = [clean(), nasty]
    flows.append(json.loads((ROOT / "flows" / "intake.json").read_text(encoding="utf-8")))
    files = []
    for i, data in enumerate(flows):
        files.append(tmp_path / f"chart{i}.mmd")
        files[-1].write_text(to_mermaid(data), encoding="utf-8")
    broken = tmp_path / "broken.mmd"
    broken.write_text('flowchart TD\n  a["x" --> b\n', encoding="utf-8")
    script = str(HERE / "mermaid_parse.mjs")
    env = {**os.environ, "INTAKE_MERMAID_MODULES": MERMAID}
    ok = subprocess.run(
        ["node", script, *map(str, files)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    bad = subprocess.run(
        ["node", script, str(broken)],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        env=env,
    )
    assert bad.returncode == 1 and bad.stdout.startswith("FAIL")
