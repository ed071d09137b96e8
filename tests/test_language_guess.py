"""guess_locale offers a language only when a message is clearly in it."""

from __future__ import annotations

import pytest

from intake_chat.core.language_guess import guess_locale

BOTH = ("en", "es")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Hola, quiero ayuda para mi hijo", "es"),
        ("¿Cómo puedo pagar la terapia con mi seguro?", "es"),
        ("Necesito hablar con una persona", "es"),
        ("I would like to know how much it costs", "en"),
        ("What do you need from me?", "en"),
    ],
)
def test_a_message_clearly_in_one_language_names_it(text: str, expected: str) -> None:
    assert guess_locale(text, BOTH) == expected


@pytest.mark.parametrize(
    "text", ["Ana", "sí", "ok", "María José", "1990-04-02", "", "no", "Blue Cross Blue Shield"]
)
def test_short_or_neutral_words_name_no_language(text: str) -> None:
    assert guess_locale(text, BOTH) is None


def test_a_mix_names_no_language() -> None:
    assert guess_locale("quiero the cita para my hijo", BOTH) is None


def test_only_the_flows_own_languages_are_offered() -> None:
    assert guess_locale("Hola, quiero ayuda para mi hijo", ("en",)) is None
