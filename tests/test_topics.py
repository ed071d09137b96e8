"""Topics: the matcher, the engine answering in place at every step, and ``flow test`` in CI."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from intake_chat.cli import main
from intake_chat.core import engine, flowdiff, topics
from intake_chat.core.flows import Flow, load_flow
from intake_chat.core.topic_eval import TODAY, reach

ROOT = Path(__file__).resolve().parent.parent
FLOW_FILE = ROOT / "flows" / "intake.json"
HELDOUT = ROOT / "tests" / "eval" / "topics" / "heldout.jsonl"
DEV = ROOT / "tests" / "dev" / "topics" / "dev.jsonl"

# The held-out bars: at (a hair below) the figures of the last once-only run (docs/topics.md).
HELDOUT_BAR = [
    *("--min-topic", "0.85", "--max-taken", "0.015", "--min-answers", "0.92"),
    *("--max-negations", "0", "--min-f1", "0.89"),
]
HELDOUT2 = ROOT / "tests" / "eval" / "topics2" / "heldout.jsonl"
HELDOUT2_BAR = [
    *("--min-topic", "0.75", "--max-taken", "0.055", "--min-answers", "0.855"),
    *("--max-negations", "0", "--min-f1", "0.83"),
]
DEV_BAR = ["--min-topic", "0.90", "--max-taken", "0.01", "--min-answers", "0.90"]
# Later dev rounds (docs/topics.md): dev2 and dev4 were tuned on, dev3 was written before it
# was measured.
DEV_ROUNDS = {
    "dev2.jsonl": ["--min-topic", "0.92", "--max-taken", "0.01", "--min-answers", "0.97"],
    "dev3.jsonl": ["--min-topic", "0.85", "--max-taken", "0.01", "--min-answers", "0.95"],
    "dev4.jsonl": ["--min-topic", "0.96", "--max-taken", "0", "--min-answers", "0.99"],
}


@pytest.fixture(scope="module")
def flow() -> Flow:
    return load_flow(FLOW_FILE)


def flow_test(*args: str) -> Any:
    return CliRunner().invoke(main, ["flow", "test", str(FLOW_FILE), *args])


def at(flow: Flow, node: str, locale: str = "en") -> dict[str, Any]:
    state = reach(flow, node, locale)
    assert state is not None
    return state


def reply(flow: Flow, state: dict[str, Any], text: str) -> engine.Step:
    return engine.step(flow, state, {"type": "reply", "text": text, "today": TODAY})


def said_topics(result: engine.Step) -> list[str]:
    return [e["topic"] for e in result.events if e.get("topic")]


# --- flow test (CI)


@pytest.mark.parametrize(("path", "bar"), [(HELDOUT, HELDOUT_BAR), (HELDOUT2, HELDOUT2_BAR)])
def test_the_held_out_sets_pass_their_bars(path: Path, bar: list[str]) -> None:
    result = flow_test("--tests", str(path), "--summary", *bar)
    assert result.exit_code == 0, result.output
    assert "questions answered on topic in place" in result.output


def test_the_dev_set_passes_its_bar() -> None:
    result = flow_test("--tests", str(DEV), "--summary", *DEV_BAR)
    assert result.exit_code == 0, result.output


@pytest.mark.parametrize("name", sorted(DEV_ROUNDS))
def test_the_later_dev_rounds_pass_their_bars(name: str) -> None:
    path = DEV.parent / name
    result = flow_test("--tests", str(path), "--summary", "--max-negations", "0", *DEV_ROUNDS[name])
    assert result.exit_code == 0, result.output


def test_flow_test_fails_below_a_threshold_and_on_a_line_shared_with_the_examples(
    flow: Flow, tmp_path: Path
) -> None:
    example = flow.topics["payment"]["examples"]["en"][0]
    line = {"text": example.upper() + "?", "locale": "en", "step": "ask_dob"}
    path = tmp_path / "t.jsonl"
    path.write_text(json.dumps({**line, "expect": "topic:payment"}) + "\n", encoding="utf-8")
    result = flow_test("--tests", str(path))
    assert result.exit_code == 1
    assert "also examples of the flow (T001)" in result.output
    path.write_text(json.dumps({**line, "text": "zzz", "expect": "topic:payment"}) + "\n")
    result = flow_test("--tests", str(path), "--min-topic", "0.5", "--json")
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["rates"]["topic_in_place"] == 0.0
    assert report["confusion"] == [{"expected": "topic:payment", "got": "fallback", "count": 1}]


# --- the matcher


def test_normalising_folds_case_accents_punctuation_and_contractions() -> None:
    assert topics.normalize("What's the PRICE? I'm ÁNGEL, don't") == (
        "what is the price i am angel do not"
    )
    assert topics.normalize("¿Cuánto cuesta, q tal?", "es") == "cuanto cuesta que tal"


def test_a_misspelt_question_without_punctuation_finds_its_topic(flow: Flow) -> None:
    found = topics.match(flow, "is evrything i say confidental", "en", explain=True)
    assert (found.outcome, found.topic) == (topics.CONFIDENT, "confidentiality")
    assert found.example in flow.topics["confidentiality"]["examples"]["en"]
    assert found.runner_up is not None and found.runner_score < found.score


def test_matching_is_deterministic_and_the_index_is_built_once_per_flow_version(flow: Flow) -> None:
    assert topics.index_for(flow) is topics.index_for(load_flow(FLOW_FILE))
    first = topics.match(flow, "cuanto cobran por sesion", "es")
    assert first == topics.match(flow, "cuanto cobran por sesion", "es")
    assert first.topic == "payment"


def test_something_unrelated_is_low(flow: Flow) -> None:
    assert topics.match(flow, "do zebras like bananas?", "en").outcome == topics.LOW


@pytest.mark.parametrize(
    ("text", "locale", "expected"),
    [
        ("Hope", "en", False),
        ("Grace", "en", False),
        ("Joy", "en", False),
        ("Faith Ann", "en", False),
        ("my name is Will", "en", False),
        ("Paz", "es", False),
        ("Consuelo", "es", False),
        ("Dolores", "es", False),
        ("me llamo María José", "es", False),
        ("María de los Ángeles García López", "es", False),
        ("is this confidential", "en", True),
        ("i want to talk to a person", "en", True),
        ("quiero saber cuanto cuesta", "es", True),
        ("please call me Jay", "en", False),
        ("you can call me Bear", "en", False),
        ("llámeme Nacho", "es", False),
        ("please use Max", "en", False),
        ("Max please", "en", False),
        ("me gusta que me digan Cande", "es", False),
        ("thank you", "en", True),
    ],
)
def test_a_name_is_refused_only_when_it_is_plainly_not_one(
    text: str, locale: str, expected: bool
) -> None:
    assert topics.not_a_name(text, locale) is expected


# --- the engine: answered in place at every kind of step


@pytest.mark.parametrize(
    ("node", "locale", "text", "topic"),
    [
        ("consent", "en", "who reads what I write in here?", "chat_privacy"),
        ("menu", "es", "¿cuánto cobran?", "payment"),
        ("ask_first_name", "en", "will my therapist judge me?", "no_judgment"),
        ("ask_dob", "en", "how long are the sessions", "session_length"),
        ("ask_insurance", "es", "aceptan seguro medico?", "insurance"),
        ("ask_reason", "en", "do you offer video sessions?", "telehealth"),
        ("review", "en", "is there a waitlist?", "waitlist"),
        ("ask_first_name", "en", "whats the phone number for the office", "contact_team"),
        ("ask_preferred_name", "es", "¿eres un robot?", "bot_identity"),
        ("ask_guardian_name", "en", "how much does it cost", "payment"),
        ("ask_dob", "es", "y si no me gusta el terapeuta", "switching_therapists"),
        ("ask_pronouns", "en", "how long is the wait", "waitlist"),
        ("ask_reason", "es", "qué es exactamente la terapia", "what_is_therapy"),
        ("ask_first_name", "es", "cuanto cuesta la consulta", "payment"),
        ("ask_first_name", "en", "insurance", "insurance"),
        ("ask_reason", "es", "puedo hablar con una psicóloga por zoom", "telehealth"),
    ],
)
def test_a_question_is_answered_in_place_and_the_step_asked_again_with_all_state_kept(
    flow: Flow, node: str, locale: str, text: str, topic: str
) -> None:
    state = at(flow, node, locale)
    result = reply(flow, state, text)
    assert said_topics(result) == [topic] * len(flow.topics[topic]["answer"])
    assert result.events[-1]["type"] == "ask" and result.events[-1]["node"] == node
    assert result.state == state
    last = [e for e in result.events if e.get("topic")][-1]
    assert [a["intent"] for a in last["actions"]] == flow.topics[topic]["related"]


@pytest.mark.parametrize("name", ["Hope", "Grace", "Faith", "Joy", "Paz", "Consuelo", "Dolores"])
def test_real_names_that_are_also_words_are_taken_as_the_name(flow: Flow, name: str) -> None:
    result = reply(flow, at(flow, "ask_first_name"), name)
    assert result.state["answers"]["first_name"] == name
    assert result.events[-1]["node"] == "ask_preferred_name"


def test_a_sentence_at_a_name_gets_a_kind_retry_not_stored(flow: Flow) -> None:
    state = at(flow, "ask_first_name")
    result = reply(flow, state, "my cat sat on the keyboard again sorry")
    assert [e["type"] for e in result.events] == ["invalid", "ask"]
    assert "first_name" not in result.state["answers"]


def test_a_long_answer_that_mentions_topic_words_is_still_the_answer(flow: Flow) -> None:
    text = "I feel judged by my family and I want somewhere private to talk about it"
    result = reply(flow, at(flow, "ask_reason"), text)
    assert result.state["answers"]["reason"] == text
    assert said_topics(result) == []


@pytest.mark.parametrize(
    ("node", "locale", "text"),
    [
        ("ask_dob", "en", "I don't want to talk to a person"),
        ("ask_dob", "es", "no quiero empezar de nuevo"),
        ("ask_email", "en", "please don't make me start over"),
        ("ask_phone", "es", "no quiero reiniciar"),
        ("ask_state", "es", "no hace falta que me pase con una persona"),
        ("review", "en", "no i don't want to go back"),
    ],
)
def test_negated_actions_do_not_run(flow: Flow, node: str, locale: str, text: str) -> None:
    state = at(flow, node, locale)
    result = reply(flow, state, text)
    assert result.state["status"] == "asking"
    assert result.state["node"] == node
    assert result.state["history"] == state["history"]


def test_asking_for_a_person_hands_off_and_start_over_restarts(flow: Flow) -> None:
    state = at(flow, "ask_dob")
    handed = reply(flow, state, "can I talk to a real person please")
    assert (handed.state["status"], handed.state["node"]) == ("handoff", "to_person")
    restarted = reply(flow, state, "start over")
    assert restarted.state["node"] == "consent" and restarted.state["answers"] == {}


def test_an_option_named_in_other_words_is_the_answer(flow: Flow) -> None:
    result = reply(flow, at(flow, "ask_session_format"), "video works best for me")
    assert result.state["answers"]["session_format"] == "telehealth"
    multi = reply(flow, at(flow, "ask_availability"), "weekday evenings and weekends")
    assert sorted(multi.state["answers"]["availability"]) == ["weekday_evenings", "weekends"]


def test_an_unsure_long_answer_asks_which_it_was_and_can_keep_it(flow: Flow) -> None:
    text = "do you treat ADHD? I think that is what is going on with me"
    result = reply(flow, at(flow, "ask_reason"), text)
    offer = next(e for e in result.events if e.get("node") == "topic:did_you_mean")
    assert [a["intent"] for a in offer["actions"]] == ["conditions_treated", "keep_answer"]
    kept = engine.step(flow, result.state, {"type": "intent", "intent": "keep_answer"})
    assert kept.state["answers"]["reason"] == text
    picked = engine.step(flow, result.state, {"type": "intent", "intent": "conditions_treated"})
    assert said_topics(picked)[0] == "conditions_treated"
    assert "reason" not in picked.state["answers"]


def test_an_unclear_question_falls_back_kindly_to_the_menu_and_a_person(flow: Flow) -> None:
    result = reply(flow, at(flow, "menu"), "can elephants fly?")
    fallback = next(e for e in result.events if e.get("node") == "topic:fallback")
    offered = [a["intent"] for a in fallback["actions"]]
    assert offered == [*flow.settings["topic_menu"], "talk_to_person"]
    assert {"type": "topic_unanswered", "node": "menu"} in result.effects
    assert result.events[-1]["node"] == "menu"
    pressed = engine.step(flow, result.state, {"type": "intent", "intent": "something_else"})
    assert any(e.get("node") == "topic:fallback" for e in pressed.events)


def test_a_topic_button_answers_it_in_place(flow: Flow) -> None:
    state = at(flow, "ask_phone", "es")
    result = engine.step(flow, state, {"type": "intent", "intent": "cancellations"})
    assert said_topics(result)[0] == "cancellations"
    assert "774-218-5440" in result.events[-2]["text"]
    assert result.events[-1]["node"] == "ask_phone"


def test_a_topic_edit_shows_in_the_flow_diff_by_topic_id(flow: Flow) -> None:
    new = json.loads(json.dumps(flow.data))
    payment = next(t for t in new["topics"] if t["id"] == "payment")
    payment["examples"]["es"].append("cuanto sale cada consulta")
    labels = [c["label"] for c in flowdiff.diff_flows(flow.data, new)["flow"]]
    assert labels == ['Topic "payment": Examples (es)']


def test_stemming_from_many_threads_at_once_gives_the_serial_stems() -> None:
    """A snowballstemmer object keeps its word on itself: shared by concurrent turns it gave
    wrong stems or raised, and the safety layer (failing closed) flagged "Ana" as a crisis."""
    import threading

    from intake_chat.core.topics import _stemmer

    words = [
        f"{stem}{end}"
        for stem in ("habl", "termin", "necesit", "cans")
        for end in ("ando", "aremos", "aciones", "imiento", "ada", "os", "ísimo")
    ] * 40
    serial = [_stemmer("es").stemWord(word) for word in words]
    results: list[list[str]] = []
    errors: list[BaseException] = []

    def stem_all() -> None:
        try:
            results.append([_stemmer("es").stemWord(word) for word in words])
        except Exception as error:  # the shared stemmer raised IndexError here
            errors.append(error)

    threads = [threading.Thread(target=stem_all) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == [] and len(results) == 12
    assert all(result == serial for result in results)


# --- understanding what visitors type (issue 12, quality round)


def test_word_variants_are_read_as_one_word() -> None:
    def read(text: str, locale: str = "en") -> str:
        return " ".join(topics.canonical(text.split(), locale))

    assert read("can my counselor do zoom") == "can my therapist do video"
    assert read("terapia en linea con la psicologa", "es") == "terapia video con la terapeuta"


def test_a_variant_finds_the_topic_its_plain_word_would(flow: Flow) -> None:
    assert topics.match(flow, "do you do sessions on facetime", "en").topic == "telehealth"
    assert topics.match(flow, "trabajan con aseguranza", "es").topic == "insurance"


@pytest.mark.parametrize(
    ("text", "locale", "asked"),
    [
        ("what if i miss a session", "en", True),
        ("how do i start", "en", True),
        ("how much does it cost", "en", True),
        ("who reads this chat", "en", True),
        ("how to handle stress at my new job", "en", False),
        ("how much i drink lately worries me", "en", False),
        ("what happened last year still haunts me", "en", False),
        ("qué es la terapia", "es", True),
        ("como funciona la terapia", "es", True),
        ("que es la terapia", "es", False),
        ("como manejar mi enojo", "es", False),
        ("como mi terapeuta anterior pero mas directo", "es", False),
        ("necesito ayuda con mi ansiedad", "es", False),
    ],
)
def test_at_a_long_answer_a_question_word_asks_only_as_a_question_has_it(
    text: str, locale: str, asked: bool
) -> None:
    assert topics.asks(text, locale) is asked


def test_pronouns_are_told_from_a_question_that_uses_them(flow: Flow) -> None:
    state = at(flow, "ask_pronouns")
    assert topics.only_pronouns("she/her please") and topics.only_pronouns("they them theirs")
    assert not topics.only_pronouns("do they take insurance")
    result = reply(flow, state, "do they take insurance")
    assert "pronouns" not in result.state["answers"] and said_topics(result)


@pytest.mark.parametrize(
    ("node", "locale", "text"),
    [
        ("ask_dob", "en", "restart this please"),
        ("ask_reason", "en", "start over"),
        ("ask_therapist_prefs", "es", "empezar de nuevo"),
    ],
)
def test_a_bare_restart_runs_even_at_a_long_answer(
    flow: Flow, node: str, locale: str, text: str
) -> None:
    result = reply(flow, at(flow, node, locale), text)
    assert any(e.get("node") == flow.start for e in result.events)


@pytest.mark.parametrize(
    ("text", "locale", "plain", "loose"),
    [
        ("what if I'm late", "en", True, True),
        ("so how long is a session", "en", True, True),
        ("y si no me gusta el terapeuta", "es", True, True),
        ("quisiera saber cuánto cuesta", "es", True, True),
        ("que es la terapia", "es", False, True),
        ("i want to know why i feel this way", "en", False, True),
        ("any weekday morning", "en", False, True),
        ("i lost my job and need to talk", "en", False, False),
        ("im new here, what does a session cost", "en", False, True),
        ("sí, puede dejar un mensaje", "es", False, False),
    ],
)
def test_question_openings_and_the_ambiguous_ones(
    text: str, locale: str, plain: bool, loose: bool
) -> None:
    assert topics.is_question(text, locale, strict=True) is plain
    assert topics.is_question(text, locale) is loose


@pytest.mark.parametrize(
    ("node", "locale", "text", "var", "value"),
    [
        ("ask_session_format", "en", "zoom is easiest", "session_format", "telehealth"),
        ("ask_session_format", "es", "prefiero ir a la oficina", "session_format", "in_person"),
        ("ask_insurance", "en", "i'll pay out of pocket", "insurance", "self_pay"),
        ("ask_insurance", "es", "no tengo seguro", "insurance", "self_pay"),
        ("ask_insurance", "en", "i have aetna", "insurance", "other"),
        ("ask_state", "en", "im in vermont", "state", "other"),
        ("ask_referral_source", "es", "me lo recomendó una amiga", "referral_source", None),
        ("ask_contact_method", "es", "llámenme", "contact_method", "call"),
        ("ask_dob", "en", "July 14, 1992", "dob", "1992-07-14"),
        ("ask_dob", "es", "14 de julio de 1992", "dob", "1992-07-14"),
        ("ask_email", "en", "it's jo.b@example.org", "email", "jo.b@example.org"),
        ("ask_dob", "en", "its 04-28-1990", "dob", "1990-04-28"),
        ("ask_dob", "es", "nací el 28 de abril de 1990", "dob", "1990-04-28"),
        ("ask_dob", "es", "mi fecha es 28/04/1990", "dob", "1990-04-28"),
        ("ask_first_name", "en", "hi, i'm Sam", "first_name", None),
        ("consent", "es", "está bien", "consent", None),
        ("consent", "en", "i consent", "consent", None),
        ("ask_pronouns", "en", "any pronouns are fine", "pronouns", None),
        ("ask_pronouns", "en", "no preference", "pronouns", None),
        ("ask_pronouns", "es", "él", "pronouns", None),
        ("consent", "es", "esta bien, acepto", "consent", None),
        ("ask_reason", "en", "how to handle stress at my new job", "reason", None),
        ("ask_reason", "es", "como manejar mi enojo", "reason", None),
        ("ask_reason", "es", "necesito a alguien que me escuche sin juzgarme", "reason", None),
    ],
)
def test_a_value_said_the_way_people_type_it_is_the_answer(
    flow: Flow, node: str, locale: str, text: str, var: str, value: str | None
) -> None:
    result = reply(flow, at(flow, node, locale), text)
    assert said_topics(result) == []
    stored = [v for k, v in result.state["answers"].items() if k == flow.node(node)["var"]]
    assert stored, result.events
    if value is not None:
        assert stored == [value]


def test_a_multiple_choice_keeps_only_the_options_meant(flow: Flow) -> None:
    result = reply(flow, at(flow, "ask_availability"), "any weekday morning")
    assert result.state["answers"]["availability"] == ["weekday_mornings"]
    result = reply(flow, at(flow, "ask_availability"), "saturday or sunday evenings")
    assert sorted(result.state["answers"]["availability"]) == ["weekday_evenings", "weekends"]


def test_a_question_at_a_choice_step_is_not_taken_for_the_option_it_names(flow: Flow) -> None:
    state = at(flow, "ask_session_format")
    result = reply(flow, state, "can i do my sessions over zoom")
    assert said_topics(result)[0] == "telehealth"
    assert result.state == state  # answered in place; the format is still to be chosen
    spanish = reply(flow, at(flow, "menu", "es"), "que se hace en la terapia")
    assert said_topics(spanish)[0] == "what_is_therapy"


@pytest.mark.parametrize("text", ["looks good, send it", "sí, todo correcto", "yes send"])
def test_a_typed_confirmation_sends_the_summary(flow: Flow, text: str) -> None:
    result = reply(flow, at(flow, "review"), text)
    assert result.state["node"] != "review"


@pytest.mark.parametrize(
    ("text", "locale", "node"),
    [
        ("yes, but change my email", "en", "ask_email"),
        ("change my phone", "en", "ask_phone"),
        ("cambiar mi correo", "es", "ask_email"),
        ("can i change my email?", "en", "ask_email"),  # asks to change a named answer: opens it
        ("can i change therapists later?", "en", "review"),  # no answer of theirs named: a topic
        ("my email is wrong", "en", "ask_email"),
        ("¿puedo cambiar mi correo?", "es", "ask_email"),
    ],
)
def test_a_typed_change_at_the_summary_opens_that_answer_and_sends_nothing(
    flow: Flow, text: str, locale: str, node: str
) -> None:
    result = reply(flow, at(flow, "review", locale), text)
    assert result.state["node"] == node
    assert result.state["status"] == "asking"


@pytest.mark.parametrize(
    ("text", "locale"),
    [
        ("no thanks", "en"),
        ("no, my first name is fine", "en"),
        ("nope that's fine", "en"),
        ("just my first name", "en"),
        ("prefiero no decirlo", "es"),
        ("el mismo", "es"),
    ],
)
def test_declining_an_optional_name_skips_it(flow: Flow, text: str, locale: str) -> None:
    result = reply(flow, at(flow, "ask_preferred_name", locale), text)
    assert result.state["answers"]["preferred_name"] is None
    assert result.events[-1]["node"] == "ask_pronouns"


def test_a_long_answer_starting_with_no_is_kept_whole(flow: Flow) -> None:
    text = "no one in my family understands what I am going through"
    result = reply(flow, at(flow, "ask_reason"), text)
    assert result.state["answers"]["reason"] == text
    assert not topics.declines("no one calls me that")
    assert not topics.declines("no, is this saved?")


@pytest.mark.parametrize(
    ("text", "locale", "node"),
    [
        ("yes", "en", "learn_more_1"),
        ("ok", "en", "learn_more_2"),
        ("sure", "en", "learn_more_3"),
        ("sí", "es", "learn_more_1"),
        ("vale", "es", "learn_more_4"),
    ],
)
def test_a_typed_yes_at_a_reading_step_keeps_reading(
    flow: Flow, text: str, locale: str, node: str
) -> None:
    state = at(flow, node, locale)
    result = reply(flow, state, text)
    assert result.state["answers"][node] == "more"


def test_a_typed_yes_at_the_reading_offer_starts_the_referral(flow: Flow) -> None:
    result = reply(flow, at(flow, "learn_offer"), "sure")
    assert result.state["answers"]["learn_offer"] == "referral"


def test_a_name_a_letter_or_two_from_an_example_word_is_the_name(flow: Flow) -> None:
    assert topics.respelt(flow, "insurence", "en")  # matches only as "insurance"
    assert not topics.respelt(flow, "insurance", "en")
    result = reply(flow, at(flow, "ask_first_name"), "Consuelo")
    assert result.state["answers"]["first_name"] == "Consuelo"
