"""Text normalisation for the safety rules: one canonical token stream from what a visitor types.

Owns case and accent folding, leetspeak, repeated letters, contractions, text-speak and split words.
Pure: imports nothing from Flask or the database.
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .ruledata import engine_words

__all__ = [
    "BOUNDARY",
    "PAUSE",
    "QUESTION",
    "Normalized",
    "canonical_words",
    "fold_token",
    "joined_pair",
    "normalize",
    "squeeze",
]

BOUNDARY = "."  # a sentence end; patterns never match across it
PAUSE = ","  # a comma or dash: patterns match across it, negation does not reach over it
# A question mark is read as this word, then a sentence end: "¿tengo tdah?" is "tengo tdah qmark ."
# so that a rule can tell a question ("tengo tdah qmark") from a statement ("tengo tdah y ...").
QUESTION = "qmark"

# A word may hide leet symbols inside it ("k!ll", "$uicide") or be masked ("k*ll", "k.i.l.l");
# sentence punctuation is its own token.
_RAW_TOKEN = re.compile(
    r"(?<![^\W_])(?:[^\W\d_]\.){2,}[^\W\d_](?![^\W_])"  # letters spelled with dots: "k.i.l.l"
    r"|\.{2,}|…|[.!?;\n]+|[,:\u2013\u2014]"
    r"|(?:[^\W_]|[@$]|(?<=[^\W_])[!'’`](?=[^\W_]|[@$])|(?<=[^\W_])\*+(?=[^\W_]))+"
    r"|[\U0001F602\U0001F923\U0001F480]"
)
_LAUGH_EMOJI = frozenset("\U0001f602\U0001f923\U0001f480")
_LEET = str.maketrans(
    {"1": "i", "3": "e", "0": "o", "4": "a", "5": "s", "7": "t", "@": "a", "$": "s", "!": "i"}
)
_APOSTROPHES = str.maketrans("", "", "'’`")
_NOT_ALNUM = re.compile(r"[^a-z0-9]+")
_TWO_INSIDE = re.compile(r"(?<=[a-z])2(?=[a-z])")  # "want2die" -> "want 2 die"
_RUN3 = re.compile(r"([a-z])\1{2,}")
_RUN2 = re.compile(r"([a-z])\1+")
_HAS_LETTER = re.compile(r"[a-z]")
_HAS_LEET = re.compile(r"[0-9@$!]")
# A masked or leet word is read as the risk word it can only be: "k*ll" and "ki11" are "kill",
# "su1cide" "suicide", "d13" "die". Each star stands for one letter, "1" and "!" for i or l.
# Only these words are guessed at: elsewhere a star splits a word and leet is read letter by letter.
_ENGINE = engine_words()
_MASKABLE = tuple(_ENGINE["maskable"]["words"])
_MASK_LETTER = {
    "*": "[a-z]",
    "1": "[il]",
    "!": "[il]",
    "3": "e",
    "0": "o",
    "4": "a",
    "5": "s",
    "7": "t",
    "@": "a",
    "$": "s",
}

# Contractions (after the apostrophe is gone, so "don't" and "dont" meet), text-speak and common
# misspellings of the words the rules care about. Only unambiguous tokens belong here: "2", "4" and
# "too" are ambiguous, so the pattern compiler expands "to"/"for" instead.
_SPEAK: dict[str, tuple[str, ...]] = {k: tuple(v) for k, v in _ENGINE["speak"]["map"].items()}

# Words written apart that the rules read as one.
_PAIRS: dict[tuple[str, str], tuple[str, ...]] = {
    (k.split()[0], k.split()[1]): tuple(v) for k, v in _ENGINE["pairs"]["map"].items()
}


def joined_pair(first: str, second: str) -> tuple[str, ...] | None:
    """What two adjacent tokens become when they are one word written apart ("my self")."""
    return _PAIRS.get((first, second))


@lru_cache(maxsize=16384)
def squeeze(word: str) -> str:
    """Every run of a repeated letter to one letter: the form that survives any elongation."""
    return _RUN2.sub(r"\1", word)


@lru_cache(maxsize=16384)
def fold_token(raw: str) -> tuple[tuple[str, ...], bool]:
    """One raw word to its folded pieces: case, accents, apostrophes, leet, runs of 3+ letters to 2.

    Returns the pieces (usually one) and whether the word was elongated ("sooo"), in which case its
    fully squeezed form may be looked up too. Cached: visitors repeat the same few thousand words.
    """
    text = unicodedata.normalize("NFKD", raw.casefold())
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).translate(_APOSTROPHES)
    unmasked = _unmask(text) if ("*" in text or _HAS_LEET.search(text)) else None
    if unmasked is not None:
        return (unmasked,), False
    if _HAS_LETTER.search(text) and _HAS_LEET.search(text):
        text = _TWO_INSIDE.sub(" 2 ", text).translate(_LEET)
    pieces: list[str] = []
    elongated = False
    for part in _NOT_ALNUM.split(text):
        if not part:
            continue
        once = _RUN3.sub(r"\1\1", part)
        elongated = elongated or once != part
        pieces.append(once)
    return tuple(pieces), elongated


def _unmask(text: str) -> str | None:
    """The one risk word a masked or leet spelling can stand for ("k*lling" -> "killing"), or
    None. Needs a letter to start from: "***" and "2020" stay what they are."""
    if not _HAS_LETTER.search(text) or not re.fullmatch(r"[a-z0-9*@$!]+", text):
        return None
    pattern = re.compile("".join(_MASK_LETTER.get(ch, ch) for ch in text))
    return next((word for word in _MASKABLE if pattern.fullmatch(word)), None)


def _speak(word: str, elongated: bool) -> tuple[str, ...]:
    found = _SPEAK.get(word)
    if found is None and elongated:
        found = _SPEAK.get(squeeze(word))
    return found if found is not None else (word,)


def canonical_words(word: str) -> tuple[str, ...]:
    """The tokens one written word becomes in normalised text ("don't" -> "do", "not")."""
    pieces, elongated = fold_token(word)
    out: list[str] = []
    for piece in pieces:
        out.extend(_speak(piece, elongated))
    return tuple(out)


@dataclass(frozen=True)
class Normalized:
    """A message as canonical tokens, in two spellings that share token positions.

    ``text`` keeps real double letters ("odd", "kill"); ``squeezed`` squeezes every run ("od",
    "kil") so that "kiiilll" and "kil" meet the rules too.
    ``spans`` maps each token to the original text.
    """

    text: str
    squeezed: str
    tokens: tuple[str, ...]
    squeezed_tokens: tuple[str, ...]
    starts: tuple[int, ...]
    squeezed_starts: tuple[int, ...]
    spans: tuple[tuple[int, int], ...]

    def token_index(self, offset: int, squeezed: bool = False) -> int:
        """The token that holds character ``offset`` of ``text`` (or of ``squeezed``)."""
        starts = self.squeezed_starts if squeezed else self.starts
        return bisect_right(starts, offset) - 1

    def original_span(self, first: int, last: int) -> tuple[int, int]:
        """The slice of the original message that tokens ``first``..``last`` came from."""
        return self.spans[first][0], self.spans[last][1]


def _raw_words(text: str) -> list[tuple[str, int, int]]:
    words: list[tuple[str, int, int]] = []
    for match in _RAW_TOKEN.finditer(text):
        raw = match.group()
        if raw in _LAUGH_EMOJI:
            words.append(("lol", match.start(), match.end()))
        elif raw.startswith("..") or raw == "…":
            continue  # "I just... want to die" is one thought, not two sentences
        elif raw[0] in ",:\u2013\u2014":
            if words and words[-1][0] not in (BOUNDARY, PAUSE):
                words.append((PAUSE, match.start(), match.end()))
        elif raw[0] in ".!?;\n":
            if "?" in raw and words and words[-1][0] not in (BOUNDARY, PAUSE):
                words.append((QUESTION, match.start(), match.end()))
            if words and words[-1][0] != BOUNDARY:
                words.append((BOUNDARY, match.start(), match.end()))
        else:
            words.append((raw, match.start(), match.end()))
    return words


def _join_spelled(folded: list[tuple[str, bool, int, int]]) -> list[tuple[str, bool, int, int]]:
    """Join words spelled letter by letter ("k i l l") back into one word."""
    out: list[tuple[str, bool, int, int]] = []
    run: list[tuple[str, bool, int, int]] = []
    for item in folded:
        if len(item[0]) == 1 and item[0].isalpha():
            run.append(item)
            continue
        _flush(run, out)
        out.append(item)
    _flush(run, out)
    return out


def _flush(run: list[tuple[str, bool, int, int]], out: list[tuple[str, bool, int, int]]) -> None:
    if len(run) >= 3:
        out.append(("".join(w for w, _, _, _ in run), False, run[0][2], run[-1][3]))
    else:
        out.extend(run)
    run.clear()


@lru_cache(maxsize=16384)
def _canonical(word: str, elongated: bool) -> tuple[tuple[str, str], ...]:
    """A folded word's final tokens, each with its fully squeezed spelling (cached)."""
    return tuple((piece, squeeze(piece)) for piece in _speak(word, elongated))


def normalize(text: str) -> Normalized:
    """Fold a message into tokens the compiled rules can match; never raises on any ``str``."""
    folded: list[tuple[str, bool, int, int]] = []
    singles = 0
    for raw, start, end in _raw_words(text):
        if raw in (BOUNDARY, PAUSE):
            folded.append((raw, False, start, end))
            continue
        pieces, elongated = fold_token(raw)
        for piece in pieces:
            folded.append((piece, elongated, start, end))
            singles += len(piece) == 1
    if singles >= 3:
        folded = _join_spelled(folded)
    words: list[str] = []
    squeezed: list[str] = []
    spans: list[tuple[int, int]] = []
    for word, elongated, start, end in folded:
        for piece, flat in _canonical(word, elongated):
            if words and (words[-1], piece) in _PAIRS:
                joined = _PAIRS[(words.pop(), piece)]
                squeezed.pop()
                first = spans.pop()[0]
                for part in joined:
                    words.append(part)
                    squeezed.append(squeeze(part))
                    spans.append((first, end))
                continue
            words.append(piece)
            squeezed.append(flat)
            spans.append((start, end))
    return Normalized(
        text=" ".join(words),
        squeezed=" ".join(squeezed),
        tokens=tuple(words),
        squeezed_tokens=tuple(squeezed),
        starts=_starts(words),
        squeezed_starts=_starts(squeezed),
        spans=tuple(spans),
    )


def _starts(words: list[str]) -> tuple[int, ...]:
    return tuple(accumulate((len(w) + 1 for w in words[:-1]), initial=0)) if words else ()
