"""The shipped default flow ``flows/intake.json``: both languages everywhere, consent before
anything personal on every path, the sections the practice asked for, no linter findings."""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from intake_chat.core import engine, lint, topics
from intake_chat.core.answers import parse_answer
from intake_chat.core.flows import Flow, load_flow, read_flow_file, with_found_instruments

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
    for i, topic in enumerate(flow.data["topics"]):  # labels and answers are said too
        for key, text in [
            ("label", topic["label"]),
            *(("answer", m) for m in topic.get("answer", [])),
        ]:
            for locale, string in text.items():
                yield f"$.topics[{i}].{key}", locale, string


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


def test_every_topic_has_examples_and_an_answer_in_both_languages(flow: Flow) -> None:
    assert "intents" not in flow.data  # one mechanism: the action topics replaced them
    for topic in flow.topics.values():
        for locale in LOCALES:
            assert len(topic["examples"][locale]) >= 15, f"{topic['id']} {locale}"
            if "action" not in topic:
                assert all(message.get(locale) for message in topic["answer"]), topic["id"]


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
    # declining still lets a visitor read (the learn section, the menu), never a personal question
    assert "consent" in before and "declined_menu" in before and "ref_welcome" not in before
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
    assert node(flow, branch["default"])["type"] == "message"  # nothing kept, reading still open
    offered = {o["value"]: o["next"] for o in node(flow, "declined_menu")["options"]}
    assert offered == {"learn": "learn_intro", "consent": "consent", "leave": "declined"}
    declined = node(flow, "declined")
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


def test_the_action_topics_cover_person_restart_and_back(flow: Flow) -> None:
    actions = {t["id"]: t.get("action") for t in flow.topics.values() if "action" in t}
    assert actions == {"talk_to_person": "handoff", "start_over": "restart", "go_back": "back"}


def test_money_answers_never_invent_a_price_and_give_the_team(flow: Flow) -> None:
    for topic_id in ("payment", "cancellations", "insurance", "session_length", "medication"):
        said = " ".join(m[locale] for m in flow.topics[topic_id]["answer"] for locale in LOCALES)
        assert not re.search(r"\$\s?\d|\d+\s?(dollars|dólares|minutes|minutos)", said), topic_id
        assert "774-218-5440" in said and "info@compassionatecounselingcompany.com" in said


def test_free_text_about_the_visitor_answers_only_clear_questions(flow: Flow) -> None:
    assert node(flow, "ask_reason").get("expects") == "free"
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


def test_every_date_example_is_a_date_the_server_accepts_in_that_language(flow: Flow) -> None:
    """Spanish visitors' slashed dates are read day first: a Spanish hint that shows 04/28/1990
    taught them an answer the server refuses. The placeholder follows the same order."""
    dates = [n for n in flow.nodes.values() if n["type"] == "question" and n["input"] == "date"]
    assert dates
    for question in dates:
        for locale in LOCALES:
            said = [question["text"][locale], question["validation"]["message"][locale]]
            examples = [d for text in said for d in re.findall(r"\b\d{2}/\d{2}/\d{4}\b", text)]
            assert examples, (question["id"], locale)
            for example in examples:
                parsed = parse_answer(question, {"text": example}, locale=locale)
                assert parsed.error is None, (question["id"], locale, example)
            first = "DD" if locale == "es" else "MM"
            assert question["placeholder"][locale].startswith(first + "/"), (question["id"], locale)


def test_a_date_of_birth_refused_for_being_in_the_future_is_told_so(flow: Flow) -> None:
    message = node(flow, "ask_dob")["validation"]["message"]
    assert "in the past" in message["en"]
    assert "fecha pasada" in message["es"]


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
    # as `flow check` lints it: with the instrument its check-in names (flows/instruments/)
    findings = lint.lint(with_found_instruments(read_flow_file(FLOW_FILE)), str(FLOW_FILE))
    assert [str(f) for f in findings] == []


# ------------------------------------------------------------------------------- walks (engine)

TODAY = "2026-11-26"
Event = dict[str, Any]


class Visitor:
    """Drives the real engine through the shipped flow one event at a time, as the service does."""

    def __init__(self, flow: Flow, locale: str) -> None:
        self.engine = engine
        self.flow = flow
        self.state: dict[str, Any] | None = None
        self.events: list[Event] = []
        self.effects: list[Event] = []
        self.send({"type": "start", "locale": locale})

    def send(self, event: Event) -> list[Event]:
        result = self.engine.step(self.flow, self.state, {**event, "today": TODAY})
        self.state = result.state
        self.events = list(result.events)
        self.effects = list(result.effects)
        errors = [e for e in self.events if e["type"] in ("error", "invalid")]
        assert errors == [], f"{event} gave {errors}"
        return self.events

    @property
    def ask(self) -> Event:
        asks = [e for e in self.events if e["type"] == "ask"]
        assert asks, f"expected a question, got {self.events}"
        return asks[-1]

    def said(self) -> str:
        return " ".join(str(e.get("text", "")) for e in self.events)

    def answer(self, node_id: str, **reply: Any) -> list[Event]:
        """Answer the pending question, checking first that it is the one the path expects."""
        assert self.ask["node"] == node_id
        return self.send({"type": "reply", **reply})


ADULT_PATH_EN: list[tuple[str, dict[str, Any]]] = [
    ("consent", {"choice": "accept"}),
    ("menu", {"choice": "referral"}),
    ("ask_first_name", {"text": "Ana"}),
    ("ask_preferred_name", {"skip": True}),
    ("ask_pronouns", {"text": "she/her"}),
    ("ask_dob", {"text": "04/28/1990"}),
    ("ask_contact_method", {"choice": "email"}),
    ("ask_email", {"text": "Ana.Lopez@Example.com"}),
    ("ask_phone", {"text": "(774) 555-0123"}),
    ("ask_voicemail", {"choice": "yes"}),
    ("checkin_offer", {"choice": "no"}),  # the optional check-in, declined in one click
    ("ask_state", {"choice": "MA"}),
    ("ask_session_format", {"choice": "telehealth"}),
    ("ask_insurance", {"choice": "masshealth"}),
    ("ask_availability", {"choices": ["weekday_evenings", "weekends"]}),
    ("ask_therapist_prefs", {"skip": True}),
    ("ask_reason", {"text": "I have felt stuck and want to talk it through"}),
    ("ask_referral_source", {"choice": "friend_family"}),
]


def submitted(visitor: Visitor) -> dict[str, Any]:
    submits = [e for e in visitor.effects if e["type"] == "submit_referral"]
    assert len(submits) == 1
    handoffs = [e for e in visitor.events if e["type"] == "handoff"]
    assert [(h["node"], h["mode"]) for h in handoffs] == [("submitted", "queued")]
    fields: dict[str, Any] = submits[0]["fields"]
    return fields


def test_an_adult_referral_in_english_submits_every_answer(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    for node_id, reply in ADULT_PATH_EN:
        visitor.answer(node_id, **reply)
    assert visitor.ask["node"] == "review" and visitor.ask["input"]["kind"] == "summary"
    shown = {f["var"] for f in visitor.ask["input"]["fields"]}
    assert "guardian_name" not in shown and {"first_name", "reason", "availability"} <= shown
    visitor.answer("review", choice="confirm")
    fields = submitted(visitor)
    assert fields == {
        "consent": True,
        "first_name": "Ana",
        "dob": "1990-04-28",
        "contact_method": "email",
        "state": "MA",
        "session_format": "telehealth",
        "insurance": "masshealth",
        "availability": ["weekday_evenings", "weekends"],
        "pronouns": "she/her",
        "email": "ana.lopez@example.com",
        "phone": "7745550123",
        "voicemail_ok": True,
        "reason": "I have felt stuck and want to talk it through",
        "referral_source": "friend_family",
    }
    assert "within one business day" in visitor.said()


def test_a_spanish_referral_typed_by_hand_submits_and_notes_the_other_state(flow: Flow) -> None:
    visitor = Visitor(flow, "es")
    assert "Compassionate Counseling Company" in visitor.said()
    assert "automático" in visitor.said()
    for node_id, text in [
        ("consent", "acepto"),
        ("menu", "Iniciar una solicitud"),
        ("ask_first_name", "Lucía"),
        ("ask_preferred_name", "Lu"),
        ("ask_pronouns", ""),
        ("ask_dob", "03/12/1985"),
        ("ask_contact_method", "Mensaje de texto"),
        ("ask_email", ""),
        ("ask_phone", "508 555 0199"),  # a text message: no voicemail question
        ("checkin_offer", "No, gracias"),
    ]:
        visitor.answer(node_id, text=text)
    visitor.answer("ask_state", text="Otro estado")
    assert "licencia en Massachusetts" in visitor.said()
    for node_id, text in [
        ("ask_session_format", "Cualquiera de las dos"),
        ("ask_insurance", "Pagaré por mi cuenta (sin seguro)"),
        ("ask_availability", "Mañanas entre semana, Fines de semana"),
        ("ask_therapist_prefs", "Que hable español"),
        ("ask_reason", ""),
        ("ask_referral_source", "Redes sociales"),
    ]:
        visitor.answer(node_id, text=text)
    visitor.answer("review", text="Todo está bien, enviar")
    fields = submitted(visitor)
    assert fields["first_name"] == "Lucía" and fields["preferred_name"] == "Lu"
    assert fields["dob"] == "1985-12-03" and fields["contact_method"] == "text"
    assert fields["phone"] == "5085550199" and "voicemail_ok" not in fields
    assert (fields["state"], fields["session_format"], fields["insurance"]) == (
        "other",
        "either",
        "self_pay",
    )
    assert fields["availability"] == ["weekday_mornings", "weekends"]
    assert fields["therapist_preferences"] == "Que hable español"
    assert "email" not in fields and "reason" not in fields
    assert "un día hábil" in visitor.said()


def test_an_under_18_referral_asks_for_a_parent_or_guardian(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    for node_id, reply in ADULT_PATH_EN[:5]:
        visitor.answer(node_id, **reply)
    visitor.answer("ask_dob", text="06/15/2012")
    assert "parent or guardian needs to be involved" in visitor.said()
    visitor.answer("ask_guardian_name", text="Maria Lopez")
    visitor.answer("ask_guardian_phone", text="774-555-0100")
    visitor.answer("ask_guardian_email", skip=True)
    for node_id, reply in ADULT_PATH_EN[6:]:
        visitor.answer(node_id, **reply)
    shown = {f["var"] for f in visitor.ask["input"]["fields"]}
    assert {"guardian_name", "guardian_phone"} <= shown
    visitor.answer("review", choice="confirm")
    fields = submitted(visitor)
    assert fields["dob"] == "2012-06-15"
    assert (fields["guardian_name"], fields["guardian_phone"]) == ("Maria Lopez", "7745550100")


def test_changing_the_contact_method_in_the_summary_asks_for_the_missing_address(
    flow: Flow,
) -> None:
    visitor = Visitor(flow, "en")
    path = dict(ADULT_PATH_EN)
    path["ask_contact_method"] = {"choice": "call"}
    path["ask_email"] = {"skip": True}
    for node_id, reply in path.items():
        visitor.answer(node_id, **reply)
    visitor.answer("review", choice="edit:contact_method")
    visitor.answer("ask_contact_method", choice="email")
    visitor.answer("review", choice="confirm")
    # no email yet: the contact questions come round again before anything is sent
    assert not [e for e in visitor.effects if e["type"] == "submit_referral"]
    visitor.answer("ask_contact_method", choice="email")
    visitor.answer("ask_email", text="ana@example.com")
    visitor.answer("ask_phone", text="774-555-0123")
    visitor.answer("ask_voicemail", choice="no")
    fields = submitted(visitor)
    assert (fields["contact_method"], fields["email"]) == ("email", "ana@example.com")


def test_text_messages_are_not_asked_about_voicemail(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    path = dict(ADULT_PATH_EN)
    path["ask_contact_method"] = {"choice": "text"}
    del path["ask_voicemail"]
    for node_id, reply in path.items():
        visitor.answer(node_id, **reply)
    assert visitor.ask["node"] == "review"
    assert not [e for e in visitor.events if e.get("node") == "ask_voicemail"]
    visitor.answer("review", choice="confirm")
    assert "voicemail_ok" not in submitted(visitor)


def test_declining_consent_ends_with_the_admin_team_contacts(flow: Flow) -> None:
    visitor = Visitor(flow, "es")
    visitor.answer("consent", choice="decline")
    assert visitor.ask["node"] == "declined_menu"  # the chat goes on, keeping nothing
    # no referral, only the signal that the service must forget what was typed
    assert visitor.effects == [{"type": "consent_declined", "node": "consent"}]
    visitor.answer("declined_menu", choice="leave")
    ends = [e for e in visitor.events if e["type"] == "end"]
    assert ends and ADMIN_PHONE in ends[0]["text"] and ADMIN_EMAIL in ends[0]["text"]


def test_declining_consent_still_opens_what_therapy_is_and_a_referral_asks_consent_again(
    flow: Flow,
) -> None:
    visitor = Visitor(flow, "en")
    visitor.answer("consent", choice="decline")
    visitor.answer("declined_menu", choice="learn")
    assert visitor.ask["node"] == "learn_more_1" and "therap" in visitor.said().lower()
    visitor.answer("learn_more_1", choice="referral")
    assert visitor.ask["node"] == "consent"  # no personal question without consent
    visitor.answer("consent", choice="accept")
    assert visitor.ask["node"] == "menu"


def test_asking_about_cost_mid_referral_answers_then_returns_to_the_question(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    for node_id, reply in ADULT_PATH_EN[:3]:
        visitor.answer(node_id, **reply)
    visitor.answer("ask_preferred_name", text="how much does it cost")
    assert "fees" in visitor.said() and ADMIN_PHONE in visitor.said()
    assert visitor.ask["node"] == "ask_preferred_name"


def test_typing_talk_to_a_person_hands_off_live(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    visitor.answer("consent", choice="accept")
    visitor.answer("menu", text="can I talk to a person")
    assert [(e["node"], e["mode"]) for e in visitor.events if e["type"] == "handoff"] == [
        ("to_person", "live")
    ]
    assert {"type": "request_staff", "node": "to_person"} in visitor.effects


def test_the_urgent_menu_choice_gives_crisis_lines_before_anything_else(flow: Flow) -> None:
    visitor = Visitor(flow, "en")
    visitor.answer("consent", choice="accept")
    visitor.answer("menu", choice="urgent")
    for number in ("911", "988", "741741"):
        assert number in visitor.said()
    assert visitor.ask["node"] == "urgent_next"


def test_every_example_finds_its_own_topic(flow: Flow) -> None:
    """Each example, matched alone, ranks its own topic first (no example teaches another)."""
    strays = [
        (topic["id"], text, found.topic)
        for topic in flow.topics.values()
        for locale in LOCALES
        for text in topic["examples"][locale]
        if (found := topics.match(flow, text, locale)).topic != topic["id"]
    ]
    assert strays == []


@pytest.mark.parametrize("locale", LOCALES)
def test_a_typed_question_at_a_name_is_answered_in_place(flow: Flow, locale: str) -> None:
    """The first example of each topic, typed as a question at the optional name question, is
    answered there (or its action runs), and nothing is stored as the name."""
    for topic in flow.topics.values():
        visitor = Visitor(flow, locale)
        visitor.answer("consent", choice="accept")
        visitor.answer("menu", choice="referral")
        visitor.answer("ask_first_name", text="Sam")
        visitor.answer("ask_preferred_name", text=topic["examples"][locale][0] + "?")
        action = topic.get("action")
        if action is None:
            assert [e.get("topic") for e in visitor.events if e.get("topic")][:1] == [topic["id"]]
            assert visitor.ask["node"] == "ask_preferred_name"
        elif action == "handoff":
            assert [e["node"] for e in visitor.events if e["type"] == "handoff"] == ["to_person"]
        elif action == "restart":
            assert visitor.ask["node"] == "consent"
        else:
            assert visitor.ask["node"] == "ask_first_name"
        assert (visitor.state or {}).get("answers", {}).get("preferred_name") is None
