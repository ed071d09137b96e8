"""Localized text lookup, ``{var}`` interpolation of earlier answers, normalisation for matching.

Output is plain text, never HTML: whoever shows it escapes it. Imports nothing from Flask or the DB.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

__all__ = [
    "DEFAULT_MESSAGES",
    "interpolate",
    "localize",
    "normalize",
    "render_value",
    "words",
]

# The engine's own wording, reviewed like flow text; a flow overrides any key under "messages".
DEFAULT_MESSAGES: dict[str, dict[str, str]] = {
    "required": {
        "en": "Please answer this question to continue.",
        "es": "Por favor, responda esta pregunta para continuar.",
    },
    "choice": {
        "en": "Please pick one of the options.",
        "es": "Por favor, elija una de las opciones.",
    },
    "multi": {
        "en": "Please pick one or more of the options.",
        "es": "Por favor, elija una o más de las opciones.",
    },
    "too_short": {
        "en": "Please write at least {min} characters.",
        "es": "Por favor, escriba al menos {min} caracteres.",
    },
    "too_long": {
        "en": "Please keep it to {max} characters or fewer.",
        "es": "Por favor, use {max} caracteres como máximo.",
    },
    "pattern": {
        "en": "That doesn't look quite right. Please check it and try again.",
        "es": "Eso no parece correcto. Por favor, revíselo e inténtelo de nuevo.",
    },
    "email": {
        "en": "Please enter an email address like name@example.com.",
        "es": "Por favor, escriba un correo electrónico como nombre@ejemplo.com.",
    },
    "phone": {
        "en": "Please enter a phone number with 7 to 15 digits, like 774-555-0123.",
        "es": "Por favor, escriba un número de teléfono de 7 a 15 dígitos, como 774-555-0123.",
    },
    "date": {
        "en": "Please enter a date like 03/25/1990 (month/day/year).",
        "es": "Por favor, escriba una fecha como 25/03/1990 (día/mes/año).",
    },
    "too_early": {
        "en": "Please enter a date on or after {min}.",
        "es": "Por favor, escriba una fecha igual o posterior a {min}.",
    },
    "too_late": {
        "en": "Please enter a date on or before {max}.",
        "es": "Por favor, escriba una fecha igual o anterior a {max}.",
    },
    "number": {
        "en": "Please enter a number.",
        "es": "Por favor, escriba un número.",
    },
    "too_small": {
        "en": "Please enter a number of at least {min}.",
        "es": "Por favor, escriba un número mayor o igual a {min}.",
    },
    "too_large": {
        "en": "Please enter a number no greater than {max}.",
        "es": "Por favor, escriba un número menor o igual a {max}.",
    },
    "too_few": {
        "en": "Please pick at least {min}.",
        "es": "Por favor, elija al menos {min}.",
    },
    "too_many": {
        "en": "Please pick no more than {max}.",
        "es": "Por favor, elija como máximo {max}.",
    },
    "yesno": {
        "en": "Please answer yes or no.",
        "es": "Por favor, responda sí o no.",
    },
    "consent": {
        "en": "Please let us know whether you agree, so we know how to continue.",
        "es": "Por favor, indíquenos si está de acuerdo para saber cómo continuar.",
    },
    "yes": {"en": "Yes", "es": "Sí"},
    "no": {"en": "No", "es": "No"},
    "accept": {"en": "I agree", "es": "Acepto"},
    "decline": {"en": "No, thank you", "es": "No, gracias"},
    "summary_confirm": {"en": "Looks right", "es": "Todo está bien"},
    "summary_change": {"en": "Change {label}", "es": "Cambiar {label}"},
    "summary_empty": {"en": "(skipped)", "es": "(omitido)"},
    "not_expected": {
        "en": "Sorry, I can't do that right now.",
        "es": "Lo siento, no puedo hacer eso ahora.",
    },
    "topic_did_you_mean": {
        "en": "I want to be sure I understood. Did you mean one of these?",
        "es": "Quiero asegurarme de haber entendido. ¿Se refería a alguno de estos temas?",
    },
    "topic_something_else": {"en": "Something else", "es": "Otra cosa"},
    "topic_keep_answer": {"en": "That was my answer", "es": "Esa era mi respuesta"},
    "topic_fallback": {
        "en": "I'm sorry, I'm not sure I understood. Here are some things I can tell you about, "
        "or you can talk with a person. You can also answer the question below.",
        "es": "Disculpe, no estoy seguro de haber entendido. Estos son algunos temas sobre los que "
        "puedo contarle, o puede hablar con una persona. También puede responder la pregunta.",
    },
    # Issue 17.4: after a crisis or concern message the flow pauses before any intake question.
    "care_check": {
        "en": "Thank you for telling us. There is no rush with these questions. "
        "What would you like to do now?",
        "es": "Gracias por contárnoslo. No hay prisa con estas preguntas. "
        "¿Qué le gustaría hacer ahora?",
    },
    "care_continue": {"en": "Keep going with the questions", "es": "Seguir con las preguntas"},
    "care_resources": {
        "en": "Show the crisis resources again",
        "es": "Ver de nuevo los recursos de crisis",
    },
    "short_answer": {
        "en": "Sorry, I couldn't tell if that was your answer. Could you type just the answer, "
        "in a word or two?",
        "es": "Disculpe, no supe si esa era su respuesta. ¿Podría escribir solo la respuesta, "
        "en una o dos palabras?",
    },
}


def localize(text: Mapping[str, str] | None, locale: str, fallback: str) -> str:
    """The text in ``locale``, else in ``fallback``, else any language it has; ``""`` for none."""
    if not text:
        return ""
    if locale in text:
        return text[locale]
    if fallback in text:
        return text[fallback]
    return next(iter(text.values()), "")


_PLACEHOLDER = re.compile(r"\{\{|\}\}|\{([a-z][a-z0-9_]*)\}")


def render_value(value: Any, labels: Mapping[str, str] | None = None) -> str:
    """One stored answer as plain text: option values by their label, lists joined with ", "."""
    labels = labels or {}
    if value is None:
        return ""
    if isinstance(value, bool):
        key = "true" if value else "false"
        return labels.get(key, "yes" if value else "no")
    if isinstance(value, list):
        return ", ".join(render_value(item, labels) for item in value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, str):
        return labels.get(value, value)
    return str(value)


def interpolate(
    template: str,
    answers: Mapping[str, Any],
    labels: Mapping[str, Mapping[str, str]] | None = None,
) -> str:
    """Replace ``{var}`` with the answer as plain text; ``{{``/``}}`` are literal braces.

    ``labels`` maps a variable to {stored value: label in the visitor's language} so a choice reads
    as its label. An unknown or unanswered variable becomes "" (the linter reports it, L006).
    """
    labels = labels or {}

    def replace(match: re.Match[str]) -> str:
        brace = match.group(0)
        if brace in ("{{", "}}"):
            return brace[0]
        name = match.group(1)
        return render_value(answers.get(name), labels.get(name))

    return _PLACEHOLDER.sub(replace, template)


_NON_WORD = re.compile(r"[^\w]+|_")


def normalize(text: str) -> str:
    """Lower-case, accents removed, punctuation as single spaces: the form phrases match on."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(_NON_WORD.sub(" ", plain).split())


def words(text: str) -> list[str]:
    """The normalised words of ``text``."""
    return normalize(text).split()
