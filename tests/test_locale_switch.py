"""A visitor switches the conversation's language (protocol frame ``locale``): the answers stay, the
pending question comes again in the new language, and a language the flow lacks is refused."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from test_service import Visitor, make_service, session_of, types

from intake_chat.app.service import Service
from intake_chat.storage import Database


@pytest.fixture
def service(db: Database, tmp_path: Path, rules: Any) -> Service:
    return make_service(db, tmp_path, rules)


def test_switching_language_keeps_the_answers_and_asks_again_in_it(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start(locale="en")
    visitor.reply(choice="blue")
    events = visitor.send(type="locale", locale="es", id="l1")
    assert types(events) == ["visitor", "ask"]
    assert events[0]["action"] == "locale"
    assert events[1]["node"] == "name" and events[1]["input"]["label"].startswith("(es) ")
    session = session_of(service, visitor)
    assert session.state is not None
    assert session.state["locale"] == "es" and session.state["answers"]["colour"] == "blue"
    # the next question is in Spanish too
    later = visitor.reply(text="Ana")
    asked = [e for e in later if e["type"] in ("ask", "message")]
    assert asked and all(
        e.get("text", e.get("input", {}).get("label", "")).startswith("(es) ") for e in asked
    ), asked


def test_a_language_the_flow_does_not_have_is_refused(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start(locale="en")
    events = visitor.send(type="locale", locale="fr")
    assert types(events) == ["error"] and events[0]["code"] == "bad_field"
    session = session_of(service, visitor)
    assert session.state is not None and session.state["locale"] == "en"


def test_a_locale_frame_needs_a_locale(service: Service) -> None:
    visitor = Visitor(service)
    visitor.start()
    events = visitor.send(type="locale")
    assert types(events) == ["error"] and events[0]["code"] == "bad_field"


def _crisis_text(service: Service, *, start: str, switch: str | None, text: str) -> str:
    visitor = Visitor(service)
    visitor.start(locale=start)
    visitor.reply(choice="blue")
    if switch:
        visitor.send(type="locale", locale=switch, id="l1")
    crisis = [e for e in visitor.reply(text=text) if e["type"] == "crisis"]
    assert crisis, text
    return str(crisis[0]["text"])


def test_after_a_switch_crisis_help_comes_in_the_new_language(service: Service) -> None:
    # "suicidio" alone names no language: the conversation's current one decides
    spanish = _crisis_text(service, start="es", switch=None, text="suicidio")
    english = _crisis_text(service, start="en", switch=None, text="suicidio")
    assert spanish != english
    assert _crisis_text(service, start="en", switch="es", text="suicidio") == spanish
    assert _crisis_text(service, start="es", switch="en", text="suicidio") == english


def test_crisis_help_comes_in_the_language_the_person_wrote_in(service: Service) -> None:
    spanish = _crisis_text(
        service, start="es", switch=None, text="ya no quiero vivir, quiero morirme"
    )
    assert (
        _crisis_text(service, start="en", switch=None, text="ya no quiero vivir, quiero morirme")
        == spanish
    )
