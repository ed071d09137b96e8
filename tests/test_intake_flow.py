"""The shipped default flow ``flows/intake.json``: both languages everywhere, consent before
anything personal on every path, the sections the practice asked for, no linter findings."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_chat.flows import Flow, load_flow

FLOW_FILE = Path(__file__).resolve().parent.parent / "flows" / "intake.json"
LOCALES = ("en", "es")
TEXT_KEYS = {"text", "notice", "label", "title", "placeholder", "invalid", "confirm", "message"}
ADMIN_PHONE = "774-218-5440"
ADMIN_EMAIL = "info@compassionatecounselingcompany.com"

# Phrasings that would read as clinical advice or interpretation; the bot must never say them.
ADVICE = re.compile(
    r"\byou should\b|\byou have\b|\byou need to\b|\btry to\b|diagnos|symptom|disorder|medication"
    r"|deber[ií]a|usted tiene|\btiene que\b|diagn[oó]s|s[ií]ntoma|trastorno|medicamento",
    re.IGNORECASE,
)


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(FLOW_FILE)


def node(flow: Flow, node_id: str) -> dict[str, Any]:
    return flow.nodes[node_id]


def texts(value: Any, path: str = "$") -> Iterator[tuple[str, dict[str, Any]]]:
    """Every localized-text object in the file, with its JSON path."""
    if isinstance(value, dict):
        for key, child in value.items():
            child_path = f"{path}.{key}"
            if (
                (key in TEXT_KEYS or path == "$.messages")
                and isinstance(child, dict)
                and all(isinstance(v, str) for v in child.values())
            ):
                yield child_path, child
            else:
                yield from texts(child, child_path)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from texts(child, f"{path}[{index}]")


def visitor_strings(flow: Flow) -> Iterator[tuple[str, str, str]]:
    for path, text in texts(flow.data["sections"]):
        for locale, string in text.items():
            yield path, locale, string


# ---------------------------------------------------------------------------------- languages


def test_it_declares_english_then_spanish(flow: Flow) -> None:
    assert flow.locales == LOCALES


def test_every_visitor_string_has_english_and_spanish(flow: Flow) -> None:
    found = list(texts(flow.data))
    assert len(found) > 150, "the walk found too few texts to be looking at the right keys"
    missing = [
        (path, sorted(set(LOCALES) - set(text)))
        for path, text in found
        if set(text) != set(LOCALES)
    ]
    empty = [path for path, text in found if any(not s.strip() for s in text.values())]
    assert missing == []
    assert empty == []


def test_spanish_is_written_not_copied(flow: Flow) -> None:
    """A sentence identical in both languages is a forgotten translation (labels may be names)."""
    same = [
        path
        for path, text in texts(flow.data["sections"])
        if path.endswith((".text", ".notice")) and text["en"] == text["es"]
    ]
    assert same == []


def test_spanish_addresses_the_visitor_as_usted(flow: Flow) -> None:
    tu_forms = re.compile(
        r"\b(tú|tienes|quieres|puedes|eres|estás|necesitas|cuéntame|escribe)\b", re.IGNORECASE
    )
    offenders = [
        (path, s)
        for path, locale, s in visitor_strings(flow)
        if locale == "es" and tu_forms.search(s)
    ]
    assert offenders == []


def test_every_intent_matches_phrases_in_both_languages(flow: Flow) -> None:
    for intent in flow.data["intents"]:
        for locale in LOCALES:
            assert intent["match"].get(locale), f"{intent['id']} has no {locale} phrases"


def test_no_string_reads_like_clinical_advice(flow: Flow) -> None:
    offenders = [(path, locale, s) for path, locale, s in visitor_strings(flow) if ADVICE.search(s)]
    assert offenders == []


# ------------------------------------------------------------------------------ consent first


def successors(flow: Flow, node_id: str) -> Iterator[str]:
    """Where a node can lead, over-approximated: an include enters its section and comes back."""
    data = flow.nodes[node_id]
    kind = data["type"]
    follow = data.get("next") or flow.next_in_section[node_id]
    if kind in ("handoff", "end"):
        return
    if kind == "branch":
        yield from (case["next"] for case in data["cases"])
        yield data["default"]
        return
    if kind == "goto":
        yield data["target"]
        return
    if kind == "include":
        yield flow.sections[data["section"]][0]
    if kind == "question":
        yield from (option["next"] for option in data.get("options", []) if "next" in option)
        yield data.get("on_max_retries", flow.settings["person_node"])
    if follow:
        yield follow


def reachable_without_consent(flow: Flow, consent_var: str) -> set[str]:
    """Nodes reachable from the start without passing a branch case that needs consent."""
    roots = [flow.start, flow.settings["person_node"]]
    roots += [i["target"] for i in flow.data["intents"] if i["action"] == "goto"]
    seen: set[str] = set()
    queue = deque(roots)
    while queue:
        current = queue.popleft()
        if current in seen:
            continue
        seen.add(current)
        data = flow.nodes[current]
        if data["type"] == "branch":
            gated = {
                case["next"]
                for case in data["cases"]
                if case["when"] == {"var": consent_var, "op": "eq", "value": True}
            }
            queue.extend(target for target in successors(flow, current) if target not in gated)
        else:
            queue.extend(successors(flow, current))
    return seen


def test_consent_comes_before_any_personal_question_on_every_path(flow: Flow) -> None:
    consent = [
        n for n in flow.nodes.values() if n["type"] == "question" and n["input"] == "consent"
    ]
    assert [n["id"] for n in consent] == ["consent"]
    before = reachable_without_consent(flow, consent[0]["var"])
    assert "consent" in before and "menu" not in before
    personal = {n["id"] for n in flow.nodes.values() if n.get("personal")}
    assert len(personal) >= 15
    assert personal & before == set()


def test_the_graph_walk_would_notice_a_personal_question_before_consent(flow: Flow) -> None:
    """The walk above must be able to fail: point the welcome straight at the name question."""
    broken = load_flow(FLOW_FILE)
    broken.nodes["welcome"]["next"] = "ask_first_name"
    assert "ask_first_name" in reachable_without_consent(broken, "consent")


def test_the_privacy_notice_says_what_is_kept_who_reads_it_and_that_chat_is_not_for_emergencies(
    flow: Flow,
) -> None:
    notice = node(flow, "consent")["notice"]["en"]
    for words in ("What we keep", "intake team", "not for emergencies", "988", "911", "skip"):
        assert words in notice


def test_declining_consent_ends_kindly_with_the_admin_team_contacts(flow: Flow) -> None:
    branch = node(flow, "consent_check")
    declined = node(flow, branch["default"])
    assert declined["type"] == "end"
    for locale in LOCALES:
        assert ADMIN_PHONE in declined["text"][locale]
        assert ADMIN_EMAIL in declined["text"][locale]


def test_welcome_says_it_is_automated_gives_no_clinical_advice_and_names_988_and_911(
    flow: Flow,
) -> None:
    said = " ".join(node(flow, i)["text"]["en"] for i in ("welcome", "welcome_assistant"))
    for words in ("figure it all out", "automated assistant", "clinical advice", "988", "911"):
        assert words in said


# ---------------------------------------------------------------------------------- structure


def test_the_menu_offers_learning_a_referral_a_person_and_urgent_help(flow: Flow) -> None:
    menu = node(flow, "menu")
    targets = {o["value"]: o["next"] for o in menu["options"]}
    assert targets == {
        "learn": "learn_intro",
        "referral": "ref_start",
        "person": "to_person",
        "urgent": "urgent_1",
    }


def test_urgent_help_names_988_911_and_the_crisis_text_line_and_offers_a_person(flow: Flow) -> None:
    section = [node(flow, i) for i in flow.sections["urgent"]]
    for locale in LOCALES:
        said = " ".join(n["text"][locale] for n in section)
        for number in ("988", "911", "HOME", "741741"):
            assert number in said
    assert "to_person" in {o["next"] for o in section[-1]["options"]}


def test_every_learning_choice_offers_more_a_referral_and_the_menu(flow: Flow) -> None:
    choices = [node(flow, i) for i in flow.sections["learn"] if node(flow, i)["type"] == "question"]
    assert len(choices) >= 4
    for choice in choices[:-1]:
        assert {o["value"] for o in choice["options"]} == {"more", "referral", "menu"}
    assert choices[-1]["options"][0]["next"] == "ref_start"


def test_the_learning_section_covers_what_the_practice_asked_for(flow: Flow) -> None:
    said = " ".join(node(flow, i)["text"]["en"] for i in flow.sections["learn"]).lower()
    for words in (
        "therapeutic alliance",
        "strongest predictors",
        "professional",
        "first",
        "patterns",
        "last",
        "not your friend",
        "told what to do",
        "free of judgment",
        "only source of support",
        "clear role",
        "confidential",
        "serious harm",
        "abused",
        "court",
        "first session",
        "start and end on time",
        "how often",
        "crisis",
        "payment",
        "cancellation",
        "attention",
    ):
        assert words in said, words


def test_the_person_node_is_a_live_handoff(flow: Flow) -> None:
    person = node(flow, flow.settings["person_node"])
    assert (person["type"], person["mode"]) == ("handoff", "live")


def test_the_global_intents_cover_person_restart_back_therapy_cost_and_confidentiality(
    flow: Flow,
) -> None:
    intents = flow.intents
    assert intents["talk_to_person"]["action"] == "handoff"
    assert intents["restart"]["action"] == "restart"
    assert intents["go_back"]["action"] == "back"
    for name in ("what_is_therapy", "cost_and_insurance", "confidentiality"):
        intent = intents[name]
        assert intent["action"] == "goto" and intent["return"] is True
        section = flow.section_of[intent["target"]]
        assert flow.sections[section][0] == intent["target"]
        # only messages: the section runs off its end and the visitor is back at their question
        assert {node(flow, i)["type"] for i in flow.sections[section]} == {"message"}


def test_cost_answers_never_invent_a_price(flow: Flow) -> None:
    said = " ".join(
        node(flow, i)["text"][locale] for i in flow.sections["faq_cost"] for locale in LOCALES
    )
    assert not re.search(r"\$\s?\d|\d+\s?(dollars|dólares)", said)
    assert "fees" in said and "cancellation policy" in said


def test_free_text_about_the_visitor_turns_intent_matching_off(flow: Flow) -> None:
    assert node(flow, "ask_reason").get("intents") is False
    assert node(flow, "ask_reason")["required"] is False
    assert "in writing" in node(flow, "ask_reason")["text"]["en"]


def test_insurance_member_details_are_not_asked_in_chat(flow: Flow) -> None:
    asked_vars = {n["var"] for n in flow.nodes.values() if n["type"] == "question"}
    assert not {v for v in asked_vars if "member" in v or "policy" in v or "subscriber" in v}
    values = {o["value"] for o in node(flow, "ask_insurance")["options"]}
    assert {"masshealth", "other", "self_pay", "not_sure"} <= values


def test_outside_massachusetts_gets_an_honest_note_then_carries_on(flow: Flow) -> None:
    check = node(flow, "state_check")
    assert check["cases"][0] == {
        "when": {"var": "state", "op": "ne", "value": "MA"},
        "next": "out_of_state_note",
    }
    note = node(flow, "out_of_state_note")
    assert "licensed in Massachusetts" in note["text"]["en"]
    assert flow.next_in_section["out_of_state_note"] == check["default"] == "ask_session_format"


def test_under_18_branches_to_a_parent_or_guardian(flow: Flow) -> None:
    check = node(flow, "age_check")
    assert check["cases"][0]["when"] == {"age_of": "dob", "op": "lt", "value": 18}
    include = node(flow, check["cases"][0]["next"])
    assert include == {**include, "type": "include", "section": "guardian"}
    guardian = [node(flow, i) for i in flow.sections["guardian"]]
    assert "parent or guardian needs to be involved" in guardian[0]["text"]["en"]
    required = [n["var"] for n in guardian if n["type"] == "question" and n.get("required", True)]
    assert required == ["guardian_name", "guardian_phone"]


def test_the_summary_lists_every_referral_answer(flow: Flow) -> None:
    summary = node(flow, "review")
    listed = [f["var"] for f in summary["fields"]]
    personal = [n["var"] for n in flow.nodes.values() if n.get("personal")]
    assert sorted(listed) == sorted(personal)


def test_submitting_hands_off_a_queued_referral_that_says_what_happens_next(flow: Flow) -> None:
    handoff = node(flow, "submitted")
    assert handoff["mode"] == "queued"
    assert {
        "first_name",
        "dob",
        "contact_method",
        "state",
        "session_format",
        "insurance",
        "availability",
    } <= set(handoff["fields"])
    assert set(handoff["fields"]).isdisjoint(handoff["optional_fields"])
    summary_vars = {f["var"] for f in node(flow, "review")["fields"]}
    assert set(handoff["fields"]) - {"consent"} | set(handoff["optional_fields"]) == summary_vars
    assert "within one business day" in handoff["text"]["en"]
    assert "988" in handoff["text"]["es"] and "911" in handoff["text"]["es"]


# ------------------------------------------------------------------------------------- linter


def test_the_linter_finds_nothing_at_all() -> None:
    lint = pytest.importorskip("intake_chat.lint", reason="the linter module is not written yet")
    from intake_chat.flows import read_flow_file

    findings = lint.lint(read_flow_file(FLOW_FILE), str(FLOW_FILE))
    assert [str(f) for f in findings] == []
