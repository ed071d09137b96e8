"""Which of the flow's languages a typed message is clearly written in, by counting common short
words (stopwords). Deterministic and small on purpose: it only decides whether to *offer* the
visitor another language, never to switch on its own, so a wrong guess costs one ignored button."""

from __future__ import annotations

import re
from collections.abc import Iterable

# Words that are common in one language and rare in the other (no shared "a", "no", "me", "son").
STOPWORDS: dict[str, frozenset[str]] = {
    "en": frozenset(
        [
            "the",
            "and",
            "is",
            "are",
            "was",
            "were",
            "i",
            "you",
            "my",
            "your",
            "to",
            "of",
            "in",
            "it",
            "that",
            "this",
            "what",
            "how",
            "do",
            "does",
            "have",
            "has",
            "with",
            "for",
            "not",
            "can",
            "want",
            "need",
            "would",
            "like",
            "am",
            "be",
            "been",
            "about",
            "help",
            "there",
            "please",
            "thanks",
        ]
    ),
    "es": frozenset(
        [
            "el",
            "la",
            "los",
            "las",
            "y",
            "es",
            "está",
            "estoy",
            "soy",
            "yo",
            "usted",
            "mi",
            "su",
            "de",
            "del",
            "en",
            "que",
            "qué",
            "cómo",
            "como",
            "por",
            "para",
            "con",
            "una",
            "uno",
            "quiero",
            "necesito",
            "tengo",
            "tiene",
            "puedo",
            "hay",
            "ayuda",
            "gracias",
            "pero",
            "muy",
            "sí",
            "también",
        ]
    ),
}
_WORD = re.compile(r"[^\W\d_]+")
MIN_HITS = 2  # two stopwords at least: "ok", "sí" or a name alone say nothing


def guess_locale(text: str, locales: Iterable[str]) -> str | None:
    """The one locale whose stopwords clearly outnumber every other's, else None."""
    words = _WORD.findall(text.lower())
    counts = sorted(
        ((sum(w in STOPWORDS[code] for w in words), code) for code in locales if code in STOPWORDS),
        reverse=True,
    )
    if not counts or counts[0][0] < MIN_HITS:
        return None
    if len(counts) > 1 and counts[0][0] < 2 * counts[1][0] + 1:
        return None
    return counts[0][1]
