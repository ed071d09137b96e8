"""Topics: what a visitor may ask at any step, matched against each topic's example questions.

Deterministic and explainable: a message is normalised (case, accents, punctuation, contractions),
its words are spelling-corrected against the words of the examples (edit distance, rapidfuzz) and
stemmed per language (Snowball), then scored against every example with TF-IDF cosine similarity.
A topic's score is that of its best example, which is kept so staff can see why it matched. The
index is built once per flow version; nothing is downloaded or learnt at run time. Why these
choices (measured on tests/dev/topics): docs/topics.md.
"""

from __future__ import annotations

import json
import math
import re
import threading
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

import snowballstemmer
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from .flows import Flow

__all__ = [
    "CLOSE",
    "CONFIDENT",
    "DEFAULT",
    "declines",
    "LOW",
    "SYNONYM_WEIGHT",
    "Index",
    "Match",
    "Thresholds",
    "canonical",
    "change_named",
    "index_for",
    "informative",
    "is_question",
    "asks",
    "match",
    "named_options",
    "negated",
    "normalize",
    "not_a_name",
    "not_pronouns",
    "only_pronouns",
    "overlap",
    "respelt",
    "tokens",
    "yes_or_no",
]

CONFIDENT, CLOSE, LOW = "confident", "close", "low"
MAX_NAME_WORDS = 8
LANGUAGES = {"en": "english", "es": "spanish"}


@dataclass(frozen=True)
class Thresholds:
    """Score bands (cosine similarity, 0 to 1), chosen on the dev set (docs/topics.md)."""

    confident: float = 0.12  # at or above, with a clear lead: answer
    possible: float = 0.07  # at or above: ask "did you mean"; below: the fallback
    lead: float = 0.02  # the best must beat the runner-up by this much to be answered outright
    action: float = 0.17  # an action (start over, go back, a person) undoes or leaves: be surer


DEFAULT = Thresholds()


@dataclass(frozen=True)
class Match:
    """The best topic for a message, the runner-up, and the examples that decided it."""

    outcome: str
    topic: str | None
    score: float
    example: str | None
    runner_up: str | None
    runner_score: float
    shared: int = 0  # how many of the message's terms the topic's examples use

    def to_dict(self) -> dict[str, object]:
        return {
            "outcome": self.outcome,
            "topic": self.topic,
            "score": round(self.score, 3),
            "example": self.example,
            "runner_up": self.runner_up,
            "runner_score": round(self.runner_score, 3),
            "shared": self.shared,
        }


# --- normalising

_CONTRACTIONS_EN = {
    "dont": "do not",
    "doesnt": "does not",
    "didnt": "did not",
    "cant": "can not",
    "cannot": "can not",
    "wont": "will not",
    "isnt": "is not",
    "arent": "are not",
    "wasnt": "was not",
    "shouldnt": "should not",
    "wouldnt": "would not",
    "couldnt": "could not",
    "havent": "have not",
    "im": "i am",
    "ive": "i have",
    "ill": "i will",
    "id": "i would",
    "youre": "you are",
    "whats": "what is",
    "wheres": "where is",
    "hows": "how is",
    "whos": "who is",
    "thats": "that is",
    "theres": "there is",
    "u": "you",
    "r": "are",
    "ur": "your",
    "pls": "please",
    "plz": "please",
    "thx": "thanks",
}
_CONTRACTIONS_ES = {"q": "que", "k": "que", "xq": "porque", "pq": "porque", "tb": "tambien"}
_SUFFIXES = re.compile(r"(\w)'(s|re|m|ll|d|ve|t)\b")
_NT = re.compile(r"n't\b")
_APOSTROPHES = {
    "s": " is",
    "re": " are",
    "m": " am",
    "ll": " will",
    "d": " would",
    "ve": " have",
    "t": " not",
}


def normalize(text: str, locale: str = "en") -> str:
    """Lower case, no accents, no punctuation, contractions spelt out: "What's" → "what is"."""
    text = text.lower().replace("’", "'").replace("`", "'")
    text = _NT.sub(" not", text.replace("can't", "can not").replace("won't", "will not"))
    text = _SUFFIXES.sub(lambda m: m.group(1) + _APOSTROPHES[m.group(2)], text)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s]|_", " ", text)
    table = _CONTRACTIONS_ES if locale.startswith("es") else _CONTRACTIONS_EN
    return " ".join(table.get(word, word) for word in text.split())


def tokens(text: str, locale: str = "en") -> list[str]:
    """The normalised words of ``text``."""
    return normalize(text, locale).split()


_per_thread = threading.local()


def _stemmer(locale: str) -> Any:
    """One stemmer per thread and language: a snowballstemmer object keeps the word it is
    stemming on itself, so one shared by concurrent turns gave wrong stems or an IndexError,
    and the safety layer, failing closed, then flagged a plain "Ana" as a crisis."""
    language = LANGUAGES.get(locale.split("-")[0], "english")
    stemmers: dict[str, Any] | None = getattr(_per_thread, "stemmers", None)
    if stemmers is None:
        stemmers = _per_thread.stemmers = {}
    found = stemmers.get(language)
    if found is None:
        found = stemmers[language] = snowballstemmer.stemmer(language)
    return found


# --- telling questions, negations and names apart

_QUESTION_WORDS = {
    "en": {
        "what",
        "how",
        "who",
        "whom",
        "whose",
        "where",
        "when",
        "why",
        "which",
        "is",
        "are",
        "am",
        "do",
        "does",
        "did",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "shall",
        "have",
        "has",
        "was",
        "were",
    },
    "es": {
        "como",
        "quien",
        "quienes",
        "donde",
        "cuando",
        "cual",
        "cuales",
        "cuanto",
        "cuanta",
        "cuantos",
        "cuantas",
        "puedo",
        "puede",
        "pueden",
        "podemos",
        "hay",
        "tienen",
        "tiene",
        "aceptan",
        "atienden",
        "hacen",
        "ofrecen",
        "trabajan",
        "tratan",
        "ayudan",
        "cobran",
        "eres",
        "dan",
        "recetan",
        "manejan",
        "existe",
        "necesito",
    },
}
_NEGATIONS = {
    "en": {"not", "no", "never", "nope", "without", "nobody", "nothing", "neither", "nor"},
    "es": {"no", "nunca", "jamas", "tampoco", "ni", "sin", "nadie", "nada"},
}
_NAME_LEADS = {
    "en": (
        "my name is",
        "my first name is",
        "my preferred name is",
        "i am",
        "it is",
        "call me",
        "just call me",
        "please call me",
        "you can call me",
        "i prefer",
        "i would prefer",
        "i would like",
        "name is",
        "i go by",
        "please use",
        "use",
        "i like to be called",
        "i would like to be called",
        "i prefer to be called",
        "its",
        "it is just",
        "just",
    ),
    "es": (
        "me llamo",
        "mi nombre es",
        "soy",
        "llamame",
        "llameme",
        "digame",
        "dime",
        "me dicen",
        "me puede llamar",
        "me pueden llamar",
        "puede llamarme",
        "prefiero",
        "prefiero que me digan",
        "prefiero que me llamen",
        "mi nombre preferido es",
        "me gusta que me digan",
        "me gusta que me llamen",
        "me puedes decir",
        "puedes llamarme",
        "diganme",
        "llamenme",
    ),
}
_NOT_NAME_WORDS = {
    "en": {
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "to",
        "the",
        "a",
        "an",
        "of",
        "for",
        "want",
        "need",
        "please",
        "what",
        "how",
        "who",
        "why",
        "where",
        "when",
        "this",
        "that",
        "is",
        "are",
        "do",
        "does",
        "can",
        "about",
        "with",
        "if",
        "it",
        "talk",
        "chat",
        "help",
        "not",
        "know",
        "there",
        "here",
        "have",
        "be",
        "get",
    },
    "es": {
        "yo",
        "me",
        "mi",
        "usted",
        "tu",
        "que",
        "como",
        "quien",
        "por",
        "para",
        "quiero",
        "necesito",
        "favor",
        "esto",
        "eso",
        "es",
        "son",
        "hay",
        "puedo",
        "con",
        "sobre",
        "hablar",
        "ayuda",
        "no",
        "se",
        "un",
        "una",
        "aqui",
        "si",
    },
}


def _lang(locale: str) -> str:
    return "es" if locale.startswith("es") else "en"


def _word_set(words: str) -> frozenset[str]:
    return frozenset(words.split())


_LOOSE_STARTS = {
    "en": {"any", "anyone", "anybody"},
    "es": {"que", "es", "son", "esta", "estan", "se", "me", "mi"},
}
# Openings that make a question of what follows ("what if…", "y si…", "quisiera saber…").
_QUESTION_OPENINGS = {
    "en": (
        "what if",
        "i was wondering",
        "i am wondering",
        "i wonder",
        "just wondering",
        "wondering",
        "quick question",
        "question",
        "i have a question",
        "i would like to know",
    ),
    "es": (
        "y si",
        "que pasa si",
        "por que",
        "quisiera saber",
        "queria saber",
        "me gustaria saber",
        "me pregunto",
        "una pregunta",
        "tengo una pregunta",
        "pregunta",
        "digame si",
        "explicame",
    ),
}
# Openings that ask only where no long answer is expected ("I want to know why I feel this
# way" is what brings someone to therapy).
_LOOSE_OPENINGS = {
    "en": ("i want to know", "i need to know", "tell me about", "explain", "can you tell me"),
    "es": ("quiero saber", "necesito saber", "digame", "expliqueme", "me puede decir", "para que"),
}
# Words before the question proper that say nothing ("so what is…", "y cuánto cuesta…").
_LEAD_FILLER = {
    "en": {"so", "and", "but", "ok", "okay", "hi", "hello", "hey", "um", "uh", "also", "sorry"},
    "es": {"y", "pero", "hola", "oye", "bueno", "ok", "perdon", "disculpe", "ah", "entonces"},
}


def is_question(text: str, locale: str = "en", strict: bool = False) -> bool:
    """Reads as a question: a question mark, an opening such as "what if" or "quisiera saber",
    or a first word that opens questions (after "so", "y", "hola").

    Some openings are ambiguous ("que hable español" is an answer, "que es la terapia" a
    question; "any weekday morning" an answer): ``strict`` (long answers, and a choice whose
    option the text names) leaves those out; otherwise they count.
    """
    if "?" in text or "¿" in text:
        return True
    if _opens_question(text, locale, strict):
        return True
    # "im new to this, what is counseling": a later clause that plainly asks, where no long
    # answer is expected (not "sí, está bien")
    first, *later = _CLAUSES.split(text)
    if strict or (len(tokens(first, locale)) <= 2 and yes_or_no(first, locale) is not None):
        return False  # "sí, puede dejar mensaje": a yes, then what it allows
    return any(_opens_question(part, locale, True) for part in later if part.strip())


_CLAUSES = re.compile(r"[,;:.!]+")


def _opens_question(text: str, locale: str, strict: bool) -> bool:
    lang = _lang(locale)
    said = tokens(text, locale)
    while said:
        opening = " ".join(said[:4]) + " "
        leads = _QUESTION_OPENINGS[lang] + (() if strict else _LOOSE_OPENINGS[lang])
        if any(opening.startswith(lead + " ") for lead in leads):
            return True
        if said[0] not in _LEAD_FILLER[lang] or len(said) == 1:
            break
        said = said[1:]
    if not said:
        return False
    return said[0] in _QUESTION_WORDS[lang] or (not strict and said[0] in _LOOSE_STARTS[lang])


def asks(text: str, locale: str = "en") -> bool:
    """Reads plainly as a question where a long answer is expected ("what brings you").

    There a question word opens answers too ("how to handle stress at work", "what happened
    last year", "como manejar mi enojo", "necesito ayuda"): it asks only when a verb follows
    as a question has it ("how do", "what is", "who reads", "como funciona"), or when it is
    written with its accent ("qué es la terapia"), or with a question mark.
    """
    lang = _lang(locale)
    if "?" in text or "¿" in text:
        return True
    if lang == "es" and _ACCENTED_OPENING.match(_lead_trimmed(text, lang)):
        return True
    if not is_question(text, locale, strict=True):
        return False
    said = tokens(_lead_trimmed(text, lang), locale)
    opening = " ".join(said[:4]) + " "
    if not said or any(opening.startswith(lead + " ") for lead in _QUESTION_OPENINGS[lang]):
        return True  # "what if", "quisiera saber"
    return said[0] not in _LOOSE_VERBS_ES and _asks(said)


_WH = {"what", "how", "who", "whom", "whose", "where", "when", "why", "which"}
_WH_ES = {"como", "quien", "quienes", "donde", "cuando", "cual", "cuales"}
_AUXILIARIES = _word_set(
    "is are am was were do does did can could will would should may might shall have has"
)
_AMOUNTS = _word_set("much many long often soon far old kind type sort")  # "how long is"
_SUBJECTS = _word_set("i you he she we they it my your his her their our")
_NOT_A_VERB_ES = _word_set("mi mis tu tus su sus el los las un una al del yo")
# Words that open questions but, in Spanish, as often answers ("necesito ayuda con mi
# ansiedad", "cuando bebo pierdo el control"); "cuándo" with its accent still asks.
_LOOSE_VERBS_ES = frozenset({"necesito", "cuando"})
_ACCENTED_OPENING = re.compile(
    r"[¿¡\s]*(?:para |por )?(qué|cómo|cuándo|dónde|quién|quiénes|cuánt[oa]s?|cuál)\b"
)


def _asks(said: Sequence[str]) -> bool:
    first, after = said[0], said[1] if len(said) > 1 else ""
    if first in _WH:
        if after in _AMOUNTS:  # "how much does it cost", not "how much i drink lately"
            return len(said) < 3 or said[2] not in _SUBJECTS
        return after in _AUXILIARIES or (first in ("who", "what") and _third_person(after))
    if first in _WH_ES:
        return bool(after) and after not in _NOT_A_VERB_ES and not _infinitive(after)
    return True


def _third_person(word: str) -> bool:
    """A verb as in "who reads this", "what happens" (not "his", "this", "its")."""
    return len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "is", "us"))


def _infinitive(word: str) -> bool:
    return len(word) > 3 and word.endswith(("ar", "er", "ir"))


def _lead_trimmed(text: str, lang: str) -> str:
    """``text`` in lower case without the filler words before the question proper."""
    rest = text.lower().lstrip()
    while True:
        head, _, tail = rest.partition(" ")
        if tail and normalize(head, lang) in _LEAD_FILLER[lang]:
            rest = tail.lstrip()
            continue
        return rest


# A reply that declines an optional question ("no thanks", "I'd rather not", "prefiero no").
_DECLINES = {
    "en": (
        "no",
        "nope",
        "nah",
        "none",
        "no thanks",
        "no thank you",
        "skip",
        "pass",
        "rather not",
        "i would rather not",
        "prefer not",
        "i prefer not",
        "i would prefer not",
        "not really",
        "n a",
        "na",
        "same",
        "the same",
        "same one",
        "the same one",
        "same as above",
        "my first name",
        "just my first name",
        "first name is fine",
    ),
    "es": (
        "no",
        "no gracias",
        "ninguno",
        "ninguna",
        "paso",
        "saltar",
        "omitir",
        "prefiero no",
        "mejor no",
        "no quiero",
        "no hace falta",
        "el mismo",
        "igual",
        "mi nombre",
        "el mismo nombre",
        "solo mi nombre",
    ),
}


_DECLINE_TAIL_WORDS = (
    "say share answer give it that this thanks thank you please to none is fine ok okay good "
    "decir decirlo darlo dar gracias contestar contestarlo responder por favor compartir "
    "compartirlo lo eso ninguno esta bien asi"
)
_DECLINE_TAIL = frozenset(_DECLINE_TAIL_WORDS.split())


def declines(text: str, locale: str = "en") -> bool:
    """Says no to an optional question, and nothing more: "no thanks", "I'd rather not say",
    "no, my first name is fine", "prefiero no decirlo". A decline then a few words only after a
    comma ("no, …"), so "no one calls me that" is no decline; never a question."""
    if "?" in text or "¿" in text:
        return False
    said = tokens(text, locale)
    if not said or len(said) > MAX_NAME_WORDS:
        return False
    for lead in _DECLINES[_lang(locale)]:
        words = lead.split()
        if said[: len(words)] != words:
            continue
        tail = said[len(words) :]
        if all(word in _DECLINE_TAIL for word in tail[:3]) and len(tail) <= 3:
            return True
        if re.match(r"\s*" + r"\W+".join(map(re.escape, words)) + r"\s*[,.;!]", _plain(text)):
            return len(tail) <= 6
    return False


def _plain(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.lower().replace("’", "'"))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def negated(text: str, locale: str = "en") -> bool:
    """Says no to something: "I don't want to talk to a person", "no quiero empezar de nuevo"."""
    return any(word in _NEGATIONS[_lang(locale)] for word in tokens(text, locale))


def not_pronouns(text: str, locale: str = "en") -> bool:
    """Plainly not pronouns: a question, or more than six words."""
    return "?" in text or "¿" in text or len(tokens(text, locale)) > 6


_PRONOUNS = {
    "en": _word_set(
        "she her hers herself he him his himself they them their theirs themself themselves "
        "xe xem xyr ze zir hir ey em fae faer any all pronoun pronouns"
    ),
    "es": _word_set("ella ellas el ellos elle elles cualquiera pronombre pronombres"),
}
_PRONOUN_GLUE = {
    "en": _word_set("and or please is are fine i use my go by prefer also both ok okay"),
    "es": _word_set("y o por favor uso prefiero mi mis son es esta bien gracias tambien"),
}


def only_pronouns(text: str, locale: str = "en") -> bool:
    """Pronouns and the words around them only ("she/her please", "they them theirs", "él"),
    so "do they take insurance" is no answer to "what pronouns do you use"."""
    lang = _lang(locale)
    said = set(tokens(text, locale))
    return bool(said & _PRONOUNS[lang]) and said <= _PRONOUNS[lang] | _PRONOUN_GLUE[lang]


_GREETINGS = _word_set("hi hello hey hiya ok okay so well um hola buenas buenos bueno pues oye")
_COURTESY = (("please",), ("thanks",), ("thank", "you"), ("por", "favor"), ("gracias",))


def not_a_name(text: str, locale: str = "en") -> bool:
    """Plainly not a name: a question, or a sentence (after "my name is"-style openings).

    Names that are also words (Hope, Grace, Paz, Consuelo) pass, and so do long ones (María de
    los Ángeles García López): only words that no name is made of (I, want, please, que, quiero)
    or more than eight words count against it.
    """
    if "?" in text or "¿" in text:
        return True
    lang = _lang(locale)
    said_words = tokens(text, locale)
    while len(said_words) > 1 and said_words[0] in _GREETINGS:  # "hi, i'm Sam", "hola, soy Ana"
        said_words = said_words[1:]
    said = " ".join(said_words)
    for lead in sorted(_NAME_LEADS[lang], key=len, reverse=True):
        if said.startswith(lead + " "):
            said = said[len(lead) + 1 :]
            break
    words = said.split()
    for tail in _COURTESY:  # "Max please", "Lupe, por favor"
        if len(words) > len(tail) and words[-len(tail) :] == list(tail):
            words = words[: -len(tail)]
            break
    if len(words) > MAX_NAME_WORDS:
        return True
    unnamed = _NOT_NAME_WORDS[lang] | _ASKING_WORDS[lang]
    return len(words) > 1 and any(word in unnamed for word in words)


# The words that open questions, less the ones that are also names ("Will", "May", "Dan"): "cuanto
# cuesta la consulta" is no name.
_ASKING_WORDS = {
    lang: frozenset(words - {"will", "may", "can", "might", "dan"})
    for lang, words in _QUESTION_WORDS.items()
}


# --- options named in a typed answer ("video works for me" at a telehealth / in person choice)

_FILLER = {
    "en": {
        "a",
        "an",
        "the",
        "my",
        "i",
        "is",
        "in",
        "of",
        "on",
        "or",
        "to",
        "and",
        "it",
        "be",
        "fine",
        "another",
        "other",
        "me",
        "first",
        "what",
        "do",
        "would",
        "like",
        "want",
        "am",
        "will",
        "have",
        "please",
        "with",
        "for",
        "that",
        "this",
        "yes",
        "no",
        "not",
        "sure",
    },
    "es": {
        "un",
        "una",
        "el",
        "la",
        "los",
        "las",
        "mi",
        "de",
        "del",
        "al",
        "en",
        "o",
        "y",
        "a",
        "que",
        "me",
        "lo",
        "por",
        "con",
        "para",
        "otro",
        "otra",
        "quiero",
        "primero",
        "mas",
        "sobre",
        "si",
        "no",
        "se",
        "es",
        "esta",
        "bien",
        "cualquiera",
        "dos",
    },
}


def _content(text: str, locale: str) -> set[str]:
    lang = _lang(locale)
    stem = _stemmer(lang).stemWord
    return {
        stem(word) for word in tokens(text, lang) if word not in _FILLER[lang] and len(word) > 1
    }


def named_options(
    text: str, options: Sequence[Mapping[str, object]], locale: str
) -> list[tuple[str, int]]:
    """The options a typed answer names, with how strongly, most first: by the words of their
    labels ("weekday evenings and weekends" names two options, "Massachusetts" one) or, more
    strongly, by one of their ``synonyms`` as a whole phrase ("zoom", "out of pocket").

    An option whose label words found are all among another found option's is dropped ("any
    weekday morning" names mornings, not every weekday option).
    """
    said = _content(text, locale)
    phrase = f" {' '.join(tokens(text, locale))} "
    found: list[tuple[int, set[str], str]] = []
    for option in options:
        label = option.get("label", {})
        texts = [*label.values()] if isinstance(label, Mapping) else []
        words = set().union(*(_content(str(t), locale) for t in texts)) if texts else set()
        words |= _content(str(option.get("value", "")).replace("_", " "), locale)
        shared = words & said
        strength = len(shared) + SYNONYM_WEIGHT * _longest_synonym(option, phrase, locale)
        if strength:
            found.append((strength, shared, str(option["value"])))
    kept = [
        (strength, value)
        for strength, shared, value in found
        if strength >= SYNONYM_WEIGHT or not any(shared < other for _, other, _ in found)
    ]
    return [(value, n) for n, value in sorted(kept, key=lambda c: -c[0])]


SYNONYM_WEIGHT = 10  # a synonym phrase outweighs any count of shared label words

_CHANGE_WORDS = _word_set(
    "change edit fix update correct cambiar cambia cambie corregir corrija editar modificar"
    " wrong incorrect mistake incorrecto incorrecta equivocado equivocada"
)

_POSSESSIVES = _word_set("my mi mis")
_CHANGE_STEMS = frozenset({"chang", "cambi"})  # the "Change …" of every edit option's label


def change_named(text: str, options: Sequence[Mapping[str, object]], locale: str) -> str | None:
    """At a summary, the answer a typed "change my email" / "cambiar mi correo" names: a change
    word, no question, and the option most of whose label words it uses (one best, no tie)."""
    said = tokens(text, locale)
    if not _CHANGE_WORDS.intersection(said):
        return None
    if ("?" in text or "¿" in text) and not _POSSESSIVES.intersection(said):
        return None  # "can i change my email?" asks to; "can i change therapists?" is a topic
    content = _content(text, locale)
    best: list[tuple[float, str]] = []
    for option in options:
        label = option.get("label", {})
        texts = [str(t) for t in label.values()] if isinstance(label, Mapping) else []
        words = set().union(*(_content(t, locale) for t in texts)) - _CHANGE_STEMS
        if words and words & content:
            best.append((len(words & content) / len(words), str(option["value"])))
    best.sort(reverse=True)
    if best and (len(best) == 1 or best[0][0] > best[1][0]):
        return best[0][1]
    return None


def _longest_synonym(option: Mapping[str, object], phrase: str, locale: str) -> int:
    """Words in the longest of the option's synonyms (any locale) found in ``phrase``; 0 if none."""
    synonyms = option.get("synonyms", {})
    if not isinstance(synonyms, Mapping):
        return 0
    best = 0
    for texts in synonyms.values():
        for text in texts:
            words = tokens(str(text), locale)
            if words and f" {' '.join(words)} " in phrase:
                best = max(best, len(words))
    return best


_YES = {
    "en": {
        "yes",
        "yeah",
        "yep",
        "yup",
        "sure",
        "ok",
        "okay",
        "fine",
        "course",
        "absolutely",
        "alright",
        "agree",
        "correct",
        "accept",
        "ahead",
        "consent",
        "agreed",
    },
    "es": {
        "si",
        "claro",
        "vale",
        "bueno",
        "acuerdo",
        "supuesto",
        "perfecto",
        "bien",
        "dale",
        "acepto",
        "adelante",
        "correcto",
        "consiento",
    },
}


_YES_GLUE = _word_set("it is that all esta todo asi me parece muy por favor please thanks gracias")
_LOOSE_YES = frozenset({"si", "bien", "bueno", "fine", "ok", "okay"})  # "si…", "que tan bien…"


def yes_or_no(text: str, locale: str, plain: bool = False) -> bool | None:
    """A typed yes ("sure that's fine") or no ("no please don't"); None when it is neither.

    ``plain``: the text opens as a question may ("esta bien, acepto", "si no me gusta…"): only
    a yes that is not also "if" counts, and no negation ("no tienen seguro" may ask)."""
    said = set(tokens(text, locale))
    lang = _lang(locale)
    if said & _NEGATIONS[lang]:
        return None if plain else False
    if plain and said & _YES[lang] and said <= _YES[lang] | _YES_GLUE:
        return True  # "está bien", "ok that's fine": nothing but a yes
    yes = _YES[lang] - _LOOSE_YES if plain else _YES[lang]
    return True if said & yes else None


# --- the index

# Words too common to say what a message is about on their own (they still count in pairs).
_COMMON_EN = (
    "a an the i me my you your we our us it its is are am was were be been do does did "
    "can could will would should may might have has had to of in on at for with about "
    "and or but if so that this these those what how who whom when where why which there "
    "here just really please any some get go going want like know tell say im not no "
    "yes ok okay hi hello hey then than too very also s t"
)
_COMMON_ES = (
    "a al el la los las lo le les un una unos unas de del en y o u que quien como cuando "
    "donde cual cuales por para con sin sobre mi mis me te se su sus tu yo usted ustedes "
    "es son esta estan ser estar hay ha he han si no ya muy mas pero tambien eso esto "
    "este esa ese hola bueno pues entonces quiero puedo puede pueden saber decir"
)
_COMMON = {"en": frozenset(_COMMON_EN.split()), "es": frozenset(_COMMON_ES.split())}


def informative(text: str, locale: str = "en") -> list[str]:
    """The words of ``text`` that say what it is about (not "this", "please", "the")."""
    common = _COMMON[_lang(locale)]
    return [word for word in tokens(text, locale) if word not in common]


@lru_cache(maxsize=1)
def _variant_tables() -> dict[str, dict[tuple[str, ...], str]]:
    """Per language: variant (one or two words) → the word it is read as (data/topic-words.json)."""
    data = json.loads(
        resources.files("intake_chat").joinpath("data/topic-words.json").read_text("utf-8")
    )
    tables: dict[str, dict[tuple[str, ...], str]] = {}
    for lang in LANGUAGES:
        table: dict[tuple[str, ...], str] = {}
        for word, variants in data.get(lang, {}).items():
            for variant in variants:
                table[tuple(normalize(variant, lang).split())] = word
        tables[lang] = table
    return tables


def canonical(words: Sequence[str], locale: str = "en") -> list[str]:
    """Words with their variants rewritten ("counselor", "psicóloga" → therapist, terapeuta;
    "en linea", "zoom" → video), two-word variants first, so examples and visitors agree."""
    table = _variant_tables()[_lang(locale)]
    out: list[str] = []
    n = 0
    while n < len(words):
        pair = table.get(tuple(words[n : n + 2])) if n + 1 < len(words) else None
        if pair is not None:
            out.append(pair)
            n += 2
            continue
        out.append(table.get((words[n],), words[n]))
        n += 1
    return out


class _Vectors:
    """Documents as TF-IDF vectors (stems and stem pairs) behind an inverted index."""

    def __init__(self, bags: Sequence[Mapping[str, int]]) -> None:
        df: dict[str, int] = defaultdict(int)
        for bag in bags:
            for term in bag:
                df[term] += 1
        self.idf = {term: math.log(1 + len(bags) / n) for term, n in df.items()}
        self.postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        for number, bag in enumerate(bags):
            for term, weight in self.vector(bag).items():
                self.postings[term].append((number, weight))

    def vector(self, bag: Mapping[str, int]) -> dict[str, float]:
        weights = {
            term: (1 + math.log(n)) * self.idf[term] for term, n in bag.items() if term in self.idf
        }
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        return {term: w / norm for term, w in weights.items()}

    def scores(self, bag: Mapping[str, int]) -> dict[int, float]:
        """Cosine similarity with each document that shares a term with ``bag``."""
        found: dict[int, float] = defaultdict(float)
        for term, weight in self.vector(bag).items():
            for number, other in self.postings.get(term, ()):
                found[number] += weight * other
        return found


class Index:
    """Every topic's examples in one locale.

    A topic is scored as one document (all its examples together), which measured better on the
    dev set than its best single example (docs/topics.md); the best example is kept to explain.
    """

    def __init__(
        self, examples: Sequence[tuple[str, str]], locale: str, variants: bool = False
    ) -> None:
        self.locale = locale
        # Word variants (data/topic-words.json) for topics; the safety net's own index keeps
        # the words as typed, as its reviewed figures were measured.
        self._variants = variants
        self.topics = [topic for topic, _ in examples]
        self.texts = [text for _, text in examples]
        self._stems: dict[str, str] = {}
        raw = [self._words(text) for text in self.texts]
        self.vocabulary = sorted({word for words in raw for word in words})
        table = _variant_tables()[_lang(locale)] if variants else {}
        self._known = set(self.vocabulary) | {word for key in table for word in key}
        self._fixes: dict[str, str | None] = {}
        bags = [self._terms(words) for words in raw]
        self.topic_ids = sorted(set(self.topics))
        merged: dict[str, dict[str, int]] = {topic: defaultdict(int) for topic in self.topic_ids}
        for topic, bag in zip(self.topics, bags, strict=True):
            for term, n in bag.items():
                merged[topic][term] += n
        self._by_topic = _Vectors([merged[topic] for topic in self.topic_ids])
        self._topic_terms = {topic: frozenset(merged[topic]) for topic in self.topic_ids}
        self._by_example = _Vectors(bags)

    def _stem(self, word: str) -> str:
        stem = self._stems.get(word)
        if stem is None:
            stem = self._stems[word] = _stemmer(self.locale).stemWord(word)
        return stem

    def _terms(self, words: Sequence[str]) -> dict[str, int]:
        """Stems of the informative words, and stem pairs of all words ("how long", "how
        often" tell topics apart though "how" alone does not; dropping pairs of two common
        words cost 8 points of dev recall, docs/topics.md)."""
        bag: dict[str, int] = defaultdict(int)
        stems = [self._stem(word) for word in words]
        common = _COMMON[_lang(self.locale)]
        for word, stem in zip(words, stems, strict=True):
            if word not in common:
                bag[stem] += 1
        for first, second in zip(stems, stems[1:], strict=False):
            bag[f"{first} {second}"] += 1
        return bag

    def _fix(self, word: str) -> str:
        """A word the examples never use, spelt like one of theirs (one or two edits): theirs."""
        if word in self._known or len(word) < 5 or word.isdigit():
            return word
        if word not in self._fixes:
            limit = 1 if len(word) < 8 else 2
            found = process.extractOne(
                word, self.vocabulary, scorer=Levenshtein.distance, score_cutoff=limit
            )
            self._fixes[word] = found[0] if found else None
            if len(self._fixes) > 10_000:
                self._fixes.clear()
        return self._fixes[word] or word

    def bag(self, text: str) -> dict[str, int]:
        return self._terms([self._fix(word) for word in self._words(text)])

    def respelt(self, text: str) -> bool:
        """Whether a word of ``text`` matches only once spelling-corrected: a name is often a
        word one or two letters from an example's ("Consuelo", "consult")."""
        return any(self._fix(word) != word for word in self._words(text))

    def _words(self, text: str) -> list[str]:
        said = tokens(text, self.locale)
        return canonical(said, self.locale) if self._variants else said

    def ranked(self, text: str) -> list[tuple[str, float]]:
        """Topics that share a term with ``text``, best first (ties by id: deterministic)."""
        return self.ranked_bag(self.bag(text))

    def ranked_bag(self, bag: Mapping[str, int]) -> list[tuple[str, float]]:
        """``ranked`` for terms already counted by ``bag`` (a caller that also reads them)."""
        scores = self._by_topic.scores(bag)
        return sorted(
            ((self.topic_ids[n], s) for n, s in scores.items()),
            key=lambda item: (-item[1], item[0]),
        )

    def example_for(self, text: str, topic: str) -> str | None:
        """The example of ``topic`` closest to ``text``: why it matched, for staff."""
        scores = self._by_example.scores(self.bag(text))
        mine = [(s, n) for n, s in scores.items() if self.topics[n] == topic]
        return self.texts[max(mine)[1]] if mine else None

    def match(self, text: str, bar: Thresholds = DEFAULT, explain: bool = False) -> Match:
        """The best topic and the runner-up, and the outcome band; with ``explain``, also the
        example that matched best (for staff: it costs a second pass over every example)."""
        bag = self.bag(text)
        ranked = self.ranked_bag(bag)
        if not ranked:
            return Match(LOW, None, 0.0, None, None, 0.0)
        topic, score = ranked[0]
        runner, runner_score = ranked[1] if len(ranked) > 1 else (None, 0.0)
        if score >= bar.confident and score - runner_score >= bar.lead:
            outcome = CONFIDENT
        elif score >= bar.possible:
            outcome = CLOSE
        else:
            outcome = LOW
        example = self.example_for(text, topic) if explain else None
        shared = len(self._topic_terms[topic].intersection(bag))
        return Match(outcome, topic, score, example, runner, runner_score, shared)


@lru_cache(maxsize=16)
def index_for(flow: Flow) -> dict[str, Index]:
    """One index per locale, built once per flow version (a Flow hashes by its digest)."""
    return {
        locale: Index(
            [
                (topic["id"], text)
                for topic in flow.topics.values()
                for text in topic["examples"].get(locale, [])
            ],
            locale,
            variants=True,
        )
        for locale in flow.locales
    }


def match(
    flow: Flow, text: str, locale: str, bar: Thresholds = DEFAULT, explain: bool = False
) -> Match:
    """The flow's best topic for ``text`` in ``locale``."""
    index = index_for(flow).get(locale)
    if index is None:
        return Match(LOW, None, 0.0, None, None, 0.0)
    return index.match(text, bar, explain)


def respelt(flow: Flow, text: str, locale: str) -> bool:
    """``Index.respelt`` for the flow's topics in ``locale``."""
    index = index_for(flow).get(locale)
    return index is not None and index.respelt(text)


# --- keeping test files apart from the examples


def _examples(flow: Flow) -> Iterable[str]:
    for topic in flow.topics.values():
        for texts in topic.get("examples", {}).values():
            yield from texts
    for intent in flow.intents.values():
        for texts in intent.get("match", {}).values():
            yield from texts


def overlap(flow: Flow, texts: Iterable[str]) -> list[str]:
    """The texts that are also, once normalised, an example or phrase of the flow."""
    known = {normalize(t) for t in _examples(flow)}
    return [t for t in texts if normalize(t) in known]
