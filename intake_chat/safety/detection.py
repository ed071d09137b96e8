"""Crisis detection and clinical-advice deflection on every free-text message, by rules only.

Owns ``detect``/``safe_detect`` (what a message is), ``response_events`` (what the visitor sees),
loading a practice's rules over the built-in floor, and checking a rules file.
Pure: imports nothing from Flask or the database; the service calls it before the engine.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from ..core import bundled
from ..core.errors import FlowError, Problem
from ..core.flows import read_flow_file
from ..core.protocol import BotEvent
from .floor import FLOOR, NET_PREFIX, TRIPWIRE_PREFIX
from .normalizer import BOUNDARY, PAUSE, Normalized, normalize
from .patterns import (
    CATEGORY_ORDER,
    Category,
    CompiledRule,
    Language,
    PatternError,
    Rules,
    RuleSet,
    build_rules,
    clause_bounds,
    compile_phrases,
    floor_rule_ids,
    parse_pattern,
)
from .ruledata import engine_words
from .similarity import RULE_ID as NET_RULE_ID
from .similarity import Similar, nearest

__all__ = [
    "CATEGORY_ORDER",
    "DEFAULT_RULES_PATH",
    "SCHEMA_ID",
    "SCHEMA_PATH",
    "Detection",
    "Finding",
    "Rules",
    "check_rules_file",
    "default_rules",
    "detect",
    "floor_rules",
    "load_rules",
    "response_events",
    "safe_detect",
]

_ENGINE = engine_words()
_PRESENT_SELF = frozenset(_ENGINE["present_self"]["words"])
_PAST_SELF = tuple(tuple(phrase.split()) for phrase in _ENGINE["past_self"]["words"])
DEFAULT_RULES_PATH = bundled.safety_rules_path()  # found like the flows (core/bundled.py)
SCHEMA_PATH = bundled.safety_schema_path()
SCHEMA_ID = "urn:intake-chat:schema:safety:1"
_RANK = {None: 0, "advice": 1, "concern": 2, "crisis": 3}


@dataclass(frozen=True)
class Detection:
    """What one message is. ``level`` None means nothing to act on.

    ``rule`` and ``matched`` are for staff only; ``response_events`` never puts them in front of
    the visitor. ``reasons`` says why a level was raised or lowered (negated, past, someone_else,
    method_or_plan, escalated) so staff and the eval report can follow the decision.
    """

    level: str | None = None
    category: str | None = None
    rule: str | None = None
    span: tuple[int, int] | None = None  # character offsets in the original message
    matched: str = ""  # the normalised words that matched
    escalated: bool = False
    reasons: tuple[str, ...] = ()

    @property
    def alarm(self) -> bool:
        """Whether this counts toward the session's concerns and flags it for staff."""
        return self.level in ("crisis", "concern")

    def flag(self) -> dict[str, Any] | None:
        """The staff-side record of this detection (for the session and referral), or None."""
        if self.level is None:
            return None
        return {
            "category": self.category,
            "rule": self.rule,
            "level": self.level,
            "escalated": self.escalated,
        }


NOTHING = Detection()


# --- loading


@cache
def floor_rules(tripwire: bool = True) -> Rules:
    """The built-in floor alone: what is always detected, whatever a practice's file says.
    ``tripwire=False`` leaves the tripwire layer out: for measuring its share, never in service."""
    return build_rules(FLOOR, None, "<floor>", None if tripwire else TRIPWIRE_PREFIX)


@cache
def default_rules() -> Rules:
    """Floor ∪ ``flows/safety.json`` (compiled once); the floor alone if the file is absent."""
    if DEFAULT_RULES_PATH.exists():
        return load_rules(DEFAULT_RULES_PATH)
    return floor_rules()


_practice_lock = threading.Lock()
_practice: dict[tuple[str, int], Rules] = {}


def practice_rules(flows_dir: str | Path) -> Rules:
    """Floor ∪ ``flows_dir/safety.json``, compiled once per process and version of the file.

    The chat service, the live desk and the chat frame page share this one copy: a compile costs
    about a second of CPU. Raises ``FlowError`` for a broken file, like ``load_rules``.
    """
    path = Path(flows_dir) / "safety.json"
    stamp = path.stat().st_mtime_ns if path.exists() else 0
    key = (str(path), stamp)
    with _practice_lock:
        if key not in _practice:
            _practice[key] = load_rules(path if stamp else None)
        return _practice[key]


def load_rules(path: str | Path | None = None, tripwire: bool = True) -> Rules:
    """Floor ∪ the rules file at ``path``; raises ``FlowError`` listing every problem that stops it.

    Attempts to switch off or weaken the floor do not stop loading (the floor stays on regardless);
    ``check_rules_file`` reports them. ``tripwire=False`` is for measurement only (see
    ``floor_rules``).
    """
    if path is None:
        return floor_rules(tripwire)
    name = str(path)
    doc = read_flow_file(path)
    problems = _schema_problems(doc, name)
    if problems:
        raise FlowError(problems)
    blocking = [f for f in _pattern_findings(doc, name) if f.severity == "error"]
    if blocking:
        raise FlowError([f.as_problem() for f in blocking])
    return build_rules(FLOOR, doc, name, None if tripwire else TRIPWIRE_PREFIX)


@cache
def _validator() -> Draft202012Validator:
    schema = json.loads(SCHEMA_PATH.read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _json_path(parts: Any) -> str:
    out = "$"
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out


def _schema_problems(doc: Any, name: str) -> list[Problem]:
    errors = sorted(_validator().iter_errors(doc), key=lambda e: list(map(str, e.absolute_path)))
    return [Problem(name, _json_path(e.absolute_path), e.message) for e in errors]


# --- detection


@dataclass(frozen=True)
class _Hit:
    level: str | None  # None: a negated match, kept only to say the message denies a risk
    order: int
    first: int
    last: int
    rule: CompiledRule
    reasons: tuple[str, ...]

    def key(self) -> tuple[int, int, int, int, int]:
        # at one level any narrower rule names the hit before the tripwire, whatever its category
        # (the tripwire only knows a word); then a written phrase before the net: staff read the
        # rule id and the category's wording, and the narrower the rule the more they tell
        layer = _layer(self.rule.id)
        return _RANK[self.level], layer > 0, -self.order, layer, -self.first


def _denial(hit: _Hit, hits: list[_Hit]) -> bool:
    """A negated match that is not inside an alarm's own words: in "ya no voy a ser carga para
    nadie" the "no" is part of the risk, not the visitor denying it."""
    if "negated" not in hit.reasons:
        return False
    return not any(
        other.level in ("concern", "crisis")
        and "negated" not in other.reasons
        and other.first <= hit.first
        and hit.last <= other.last
        for other in hits
    )


def _denied(hit: _Hit) -> _Hit:
    """An escalated hit back at concern when the message also denies the risk."""
    if "imminent" not in hit.reasons or "negated" in hit.reasons:
        return hit
    reasons = (*(r for r in hit.reasons if r != "imminent"), "denied")
    return _Hit("concern", hit.order, hit.first, hit.last, hit.rule, reasons)


def _word_level_concern(hit: _Hit) -> bool:
    """A concern from the tripwire or the net, which an ``over_concern`` advice rule outranks."""
    return hit.level == "concern" and _layer(hit.rule.id) < 2


def _layer(rule_id: str) -> int:
    if rule_id.startswith(TRIPWIRE_PREFIX):
        return 0
    return 1 if rule_id.startswith(NET_PREFIX) else 2


def detect(
    text: str,
    locale: str = "en",
    rules: Rules | None = None,
    prior_concerns: int = 0,
    *,
    net: bool = True,
) -> Detection:
    """Classify one free-text message. Every locale's rules run (a visitor may switch language);
    ``locale`` is accepted for symmetry with ``response_events``. ``prior_concerns`` is how many
    concerns this session already had: a second concern is a crisis. When the patterns found
    less than a concern, the second net (``similarity``) may raise the message to one;
    ``net=False`` leaves it out, for measuring its share only (a practice cannot switch it off).
    """
    if not isinstance(text, str):
        raise TypeError(f"detect() needs the message text, got {type(text).__name__}")
    rules = rules or default_rules()
    norm = normalize(text)
    hits = [hit for rule_set in rules.rule_sets for hit in _hits(rule_set, norm)]
    # a visitor who denies the risk in the same message ("I'm not suicidal, I just keep a rope in
    # my car") gets a concern, not an escalated crisis; "... but the pills are next to me" is
    # still a crisis by the negated match's own method marker after "but"
    denied = any(_denial(hit, hits) for hit in hits)
    if denied:
        hits = [_denied(hit) for hit in hits]
    over_concern = any(hit.level == "advice" and hit.rule.over_concern for hit in hits)
    if over_concern:
        hits = [hit for hit in hits if not _word_level_concern(hit)]
    best = max((hit for hit in hits if hit.level is not None), key=_Hit.key, default=None)
    # the net reads no negation: where a pattern read the visitor deny this very risk ("no
    # quiero dejar de existir") the patterns' reading stands
    if net and not (over_concern or denied) and _RANK[best.level if best else None] < 2:
        similar = nearest(text)
        if similar.fired:
            return _net_detection(similar, prior_concerns)
    if best is None or best.level is None:
        return NOTHING
    level, escalated, reasons = _escalate(best.level, best.reasons, prior_concerns)
    return Detection(
        level=level,
        category=best.rule.category,
        rule=best.rule.id,
        span=norm.original_span(best.first, best.last),
        matched=" ".join(norm.tokens[best.first : best.last + 1]),
        escalated=escalated,
        reasons=reasons,
    )


def _escalate(
    level: str, reasons: tuple[str, ...], prior_concerns: int
) -> tuple[str, bool, tuple[str, ...]]:
    """A concern after an earlier one in the session is a crisis (level, escalated, reasons)."""
    if level == "concern" and prior_concerns >= 1:
        return "crisis", True, (*reasons, "escalated")
    return level, False, reasons


def _net_detection(similar: Similar, prior_concerns: int) -> Detection:
    """A concern from the second net (a crisis only by the session's earlier concern): the
    rule id says it came from the net, ``matched`` is the bank example it read like."""
    level, escalated, reasons = _escalate("concern", ("similar",), prior_concerns)
    return Detection(
        level=level,
        category=similar.category,
        rule=NET_RULE_ID,
        matched=similar.example,
        escalated=escalated,
        reasons=reasons,
    )


def safe_detect(
    text: str, locale: str = "en", rules: Rules | None = None, prior_concerns: int = 0
) -> Detection:
    """``detect`` that cannot fail: any error becomes a crisis, so the visitor still gets help."""
    try:
        return detect(text, locale, rules, prior_concerns)
    except Exception:  # noqa: BLE001 - failing safe is the point: a crash must not hide a crisis
        return Detection(
            level="crisis",
            category="detector_error",
            rule="detector_error",
            reasons=("detector_error",),
        )


class _Context:
    """Per-message lazy look-ups shared by every hit in one rule set."""

    def __init__(self, rule_set: RuleSet, norm: Normalized) -> None:
        self.rule_set = rule_set
        self.norm = norm
        self._spans: dict[tuple[str, str], list[tuple[int, int]]] = {}

    def spans(self, kind: str, category: Category | None = None) -> list[tuple[int, int]]:
        key = (kind, category.name if category else "")
        if key not in self._spans:
            lang = self.rule_set.language
            phrases = {
                "markers": category.markers if category else None,
                "imminence": category.imminence if category else None,
                "timing": category.timing if category else None,
                "exemptions": category.exemptions if category else None,
                "contexts": category.contexts if category else None,
                "third_party": lang.third_party,
                "past": lang.past,
                "recent": lang.recent,
            }[kind]
            self._spans[key] = phrases.spans(self.norm) if phrases else []
        return self._spans[key]


def _hits(rule_set: RuleSet, norm: Normalized) -> Iterator[_Hit]:
    candidates = rule_set.candidates(norm)
    if not candidates:
        return
    ctx = _Context(rule_set, norm)
    for rule in candidates:
        category = rule_set.categories[rule.category]
        for first, last in rule.matches(norm):
            if _exempted(rule, category, ctx, first, last):
                if _pressing(category, ctx, first, last):
                    # an everyday context ("razor in my drawer") does not outweigh "tonight" or
                    # a plan: when in doubt, a concern rather than nothing
                    yield _Hit("concern", category.order, first, last, rule, ("exempt", "pressing"))
                continue
            if _about_someone_else_only(rule, ctx, first, last):
                continue
            level, reasons = _judge(rule, category, ctx, first, last)
            if level is not None:
                yield _Hit(level, category.order, first, last, rule, reasons)
            elif reasons == ("negated",):
                yield _Hit(None, category.order, first, last, rule, reasons)  # a denial


def _exempted(rule: CompiledRule, category: Category, ctx: _Context, first: int, last: int) -> bool:
    """The category's or the rule's own exemption overlaps the match: an everyday context of
    the rule's words."""
    if any(lo <= last and first <= hi for lo, hi in ctx.spans("exemptions", category)):
        return True
    if any(
        lo <= last and first <= hi and not _speaks_now(ctx.norm.tokens[lo : hi + 1])
        for lo, hi in ctx.spans("contexts", category)
    ):
        return True
    return rule.exemptions is not None and any(
        lo <= last and first <= hi for lo, hi in rule.exemptions.spans(ctx.norm)
    )


def _speaks_now(tokens: tuple[str, ...]) -> bool:
    """The visitor speaking of themself now in a context's span: a context never lowers that.
    "when i was 12" (``past_self``) is the visitor in the past, so its "i" does not count."""
    past: set[int] = set()
    for phrase in _PAST_SELF:
        size = len(phrase)
        for i in range(len(tokens) - size + 1):
            if tokens[i : i + size] == phrase:
                past.update(range(i, i + size))
    return any(tok in _PRESENT_SELF for i, tok in enumerate(tokens) if i not in past)


_ACTING = re.compile(_ENGINE["acting"]["regex"])


def _pressing(category: Category, ctx: _Context, first: int, last: int) -> bool:
    """A time and an act on "it" ("...and I'm using it tonight"), outside the match and not
    negated, in a category that has such signals (self-harm, harm to others). Narrow on purpose:
    a time alone ("dead tired after work") must not outweigh an everyday context."""
    if not category.timing or not _ACTING.search(ctx.norm.text):
        return False
    return _fresh_signal(ctx, category, ctx.spans("timing", category), first, last) is not None


def _about_someone_else_only(rule: CompiledRule, ctx: _Context, first: int, last: int) -> bool:
    """A ``subject: self`` rule reading a sentence about someone else."""
    if not rule.self_only:
        return False
    return _about_someone_else(ctx, first, last, clause_bounds(ctx.norm, first, last)[0])


def _judge(
    rule: CompiledRule, category: Category, ctx: _Context, first: int, last: int
) -> tuple[str | None, tuple[str, ...]]:
    """The level of one match in its context. Only ever lowers to nothing for a plain negation.

    A tripwire match alone never goes above concern: its words are a signal, not yet a meaning.
    Then any concern is escalated to crisis by a second, independent signal in the same message:
    when, how or what with (see ``_imminent``).
    """
    level, reasons = _judge_level(rule, category, ctx, first, last)
    if level is not None and rule.id.startswith(TRIPWIRE_PREFIX):
        level, reasons = ("concern" if level == "crisis" else level), ("tripwire", *reasons)
    if level == "concern" and _imminent(rule, category, ctx, first, last, reasons):
        return "crisis", (*reasons, "imminent")
    return level, reasons


def _imminent(
    rule: CompiledRule,
    category: Category,
    ctx: _Context,
    first: int,
    last: int,
    reasons: tuple[str, ...],
) -> bool:
    """The escalation step: a concern of a category with ``imminence``/``timing`` phrases (the
    floor's suicide and harm to others) is a crisis when the same message also says how or what
    with (my plan, researching ways, goodbye letters, next to me, in my hand), that an attempt
    was just made, or when (tonight, after work, right now). A risk and its plan, means or time
    said together are what "act now" means. A time does not raise a ``mood`` rule ("I feel
    hopeless today", "we talked about suicide in class today"). Not for a negated match (a
    concern at most) or one told in the past. The phrase must bring a word the match does not
    already hold (one word cannot be both signals) and not be negated itself.
    """
    if "negated" in reasons or "past" in reasons:
        return False
    spans = ctx.spans("imminence", category)
    if not rule.mood and "someone_else" not in reasons:
        spans = spans + ctx.spans("timing", category)
    return _fresh_signal(ctx, category, spans, first, last) is not None


def _fresh_signal(
    ctx: _Context, category: Category, spans: list[tuple[int, int]], first: int, last: int
) -> tuple[int, int] | None:
    """The first of ``spans`` that brings a word the match does not hold, is not negated and is
    not inside one of the category's exemptions ("decided to get help", "my plan is to start
    therapy")."""
    lang = ctx.rule_set.language
    exempt = ctx.spans("exemptions", category)
    for lo, hi in spans:
        if first <= lo and hi <= last or _negated(ctx.norm, lang, lo):
            continue
        if not any(elo <= lo and hi <= ehi for elo, ehi in exempt):
            return lo, hi
    return None


def _judge_level(
    rule: CompiledRule, category: Category, ctx: _Context, first: int, last: int
) -> tuple[str | None, tuple[str, ...]]:
    norm, lang = ctx.norm, ctx.rule_set.language
    negated = _negated(norm, lang, first)
    if rule.level == "advice":
        return (None, ("negated",)) if negated else ("advice", ())
    marker = _marker(ctx, category, first, last)
    if negated:
        if marker is None:
            # a plan, means at hand or a recent attempt keeps it a concern ("I'm not suicidal, I
            # just keep the pills next to me"); only a method or plan marker after "but" is more
            if _fresh_signal(ctx, category, ctx.spans("imminence", category), first, last) is None:
                return None, ("negated",)
            return "concern", ("negated", "imminent")
        between = _between(norm, (first, last), marker)
        contrast = any(tok in lang.contrasts for tok in between)
        return ("crisis" if contrast else "concern"), ("negated", "method_or_plan")
    lo, hi = clause_bounds(norm, first, last)
    if (
        category.past == "concern"
        and _within(ctx.spans("past"), lo, hi)
        and not _within(ctx.spans("recent"), lo, hi)
    ):
        return "concern", ("past",)
    if category.third_party == "concern" and _about_someone_else(ctx, first, last, lo):
        if marker is not None:
            return "crisis", ("someone_else", "method_or_plan")
        return "concern", ("someone_else",)
    if rule.level == "concern" and marker is not None:
        return "crisis", ("method_or_plan",)
    return rule.level, ()


def _negated(norm: Normalized, lang: Language, first: int) -> bool:
    """A negation word shortly before the match, with nothing in between that ends its reach.

    Walking back stops at a pause, a sentence end, the speaker ("no, I want to die"), or a word
    such as "stop" or "know" that starts a new thought ("I can't stop thinking about...").
    """
    stop = max(0, first - lang.negation_window - 1)
    for i in range(first - 1, stop - 1, -1):
        token = norm.tokens[i]
        if token in lang.negations:
            return True
        if token in (BOUNDARY, PAUSE) or token in lang.scope_breakers or token in lang.first_person:
            return False
    return False


def _marker(ctx: _Context, category: Category, first: int, last: int) -> tuple[int, int] | None:
    """A method, plan or recent-attempt phrase anywhere in the message, itself not negated and
    not inside one of the category's exemptions ("my plan is to start therapy")."""
    lang = ctx.rule_set.language
    exempt = ctx.spans("exemptions", category)
    for lo, hi in ctx.spans("markers", category):
        if lo <= last and first <= hi or _negated(ctx.norm, lang, lo):
            continue
        if not any(elo <= lo and hi <= ehi for elo, ehi in exempt):
            return lo, hi
    return None


def _between(norm: Normalized, a: tuple[int, int], b: tuple[int, int]) -> tuple[str, ...]:
    lo, hi = (a[1] + 1, b[0]) if a[0] < b[0] else (b[1] + 1, a[0])
    return norm.tokens[lo:hi]


def _within(spans: list[tuple[int, int]], lo: int, hi: int) -> bool:
    return any(lo <= s and e <= hi for s, e in spans)


_PARTICIPLE = re.compile(_ENGINE["spanish_perfect"]["participle_regex"])
_PERFECT_CUE = _ENGINE["spanish_perfect"]["cue"]


def _spanish_perfect(tokens: tuple[str, ...], lo: int, hi: int) -> bool:
    """Spanish "he estado", "he buscado" is "I have": the English cue "he" is not someone else."""
    return (
        lo == hi
        and tokens[lo] == _PERFECT_CUE
        and hi + 1 < len(tokens)
        and _PARTICIPLE.match(tokens[hi + 1]) is not None
    )


def _about_someone_else(ctx: _Context, first: int, last: int, clause_lo: int) -> bool:
    """Someone else is the subject ("my friend wants to kill herself") and the visitor is not in
    what follows ("my husband says he will kill me" is about the visitor)."""
    lang = ctx.rule_set.language
    tokens = ctx.norm.tokens
    cues = [
        (lo, hi)
        for lo, hi in ctx.spans("third_party")
        if clause_lo <= lo and hi < first and not _spanish_perfect(tokens, lo, hi)
    ]
    if not cues:
        return False
    cue_end = max(hi for _, hi in cues)
    if any(tok in lang.first_person for tok in ctx.norm.tokens[cue_end + 1 : last + 1]):
        return False
    # "someone sexually assaulted me": the visitor may come right after the match
    for tok in ctx.norm.tokens[last + 1 : last + 3]:
        if tok in (BOUNDARY, PAUSE) or tok in lang.contrasts or tok == "and":
            break
        if tok in lang.first_person:
            return False
    return True


# --- responses


def response_events(
    detection: Detection, locale: str = "en", rules: Rules | None = None
) -> list[BotEvent]:
    """The events the visitor sees for a detection: a ``crisis`` event (crisis and concern), a
    ``message`` (advice), or nothing. Wording comes only from the floor or the rules file."""
    if detection.level is None:
        return []
    rules = rules or default_rules()
    loc = locale if locale in rules.locales else rules.locales[0]
    category = detection.category or "default"
    if detection.level == "advice":
        text = _text(rules, category, "advice", loc) or _text(
            rules, "clinical_advice", "advice", loc
        )
        return [{"type": "message", "node": "safety:advice", "text": text}]
    text = _text(rules, category, detection.level, loc) or _text(
        rules, "default", detection.level, loc
    )
    return [
        {
            "type": "crisis",
            "level": detection.level,
            "category": category,
            "text": text,
            "resources": _resources(rules, category, loc),
            "actions": [
                {"intent": a["intent"], "label": _pick(a["label"], loc)} for a in rules.actions
            ],
        }
    ]


def _pick(texts: dict[str, str], locale: str) -> str:
    return texts.get(locale) or texts.get("en") or next(iter(texts.values()), "")


def _text(rules: Rules, category: str, level: str, locale: str) -> str:
    texts = rules.responses.get(category, {}).get(level)
    return _pick(texts, locale) if texts else ""


def _resources(rules: Rules, category: str, locale: str) -> list[dict[str, str]]:
    listed = rules.responses.get(category, {}).get("resources", [])
    ids = [i for i in listed if i in rules.resources]
    ids += [i for i, r in rules.resources.items() if r.scope == "all" and i not in ids]
    return [
        {"label": _pick(rules.resources[i].label, locale), "href": rules.resources[i].href}
        for i in ids
    ]


# --- checking a rules file


@dataclass(frozen=True)
class Finding:
    """One thing to fix in a safety rules file, in the shape the flow linter reports."""

    file: str
    path: str
    code: str
    severity: str  # "error" | "warning"
    message: str
    fix: str = ""

    def __str__(self) -> str:
        tail = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.file}: {self.path}: {self.code} {self.severity}: {self.message}.{tail}"

    def as_problem(self) -> Problem:
        return Problem(self.file, self.path, f"{self.code} {self.message}", self.fix)


_SMS = re.compile(r"^sms:\+?[0-9][0-9-]*(\?body=[A-Za-z0-9%._~-]+)?$")
_TEL = re.compile(r"^tel:\+?[0-9][0-9-]*$")


def _pattern_findings(doc: dict[str, Any], name: str) -> list[Finding]:
    """S002/S003: every pattern and regex compiles (all of them reported, not the first)."""
    out: list[Finding] = []

    def phrases(by_locale: dict[str, list[str]] | None, path: str) -> None:
        for locale, items in (by_locale or {}).items():
            for i, source in enumerate(items):
                try:
                    parse_pattern(source)
                except PatternError as exc:
                    out.append(
                        Finding(
                            name,
                            f"{path}.{locale}[{i}]",
                            "S002",
                            "error",
                            f"the pattern '{source}' cannot be used: {exc}",
                        )
                    )

    for key, lang in doc.get("language", {}).items():
        for field in ("third_party", "past", "recent"):
            phrases({key: lang.get(field, [])}, f"$.language.{key}.{field}")
    for cname, cat in doc.get("categories", {}).items():
        base = f"$.categories.{cname}"
        phrases(cat.get("markers"), f"{base}.markers")
        phrases(cat.get("exemptions"), f"{base}.exemptions")
        for r, rule in enumerate(cat.get("rules", [])):
            phrases(rule.get("patterns"), f"{base}.rules[{r}].patterns")
            phrases(rule.get("exemptions"), f"{base}.rules[{r}].exemptions")
            for locale, items in rule.get("regex", {}).items():
                for i, source in enumerate(items):
                    try:
                        re.compile(source)
                    except re.error as exc:
                        out.append(
                            Finding(
                                name,
                                f"{base}.rules[{r}].regex.{locale}[{i}]",
                                "S003",
                                "error",
                                f"the regular expression does not compile ({exc})",
                                "regexes run on normalised text: lower case, no accents, words "
                                "separated by single spaces",
                            )
                        )
    return out


def check_rules_file(path: str | Path) -> list[Problem | Finding]:
    """Everything wrong with a safety rules file: syntax and schema errors (``Problem``, and then
    nothing else), or ``Finding`` objects with codes S001.. (errors and warnings)."""
    name = str(path)
    try:
        doc = read_flow_file(path)
    except FlowError as exc:
        return list(exc.problems)
    problems = _schema_problems(doc, name)
    if problems:
        return list(problems)
    found: list[Finding] = [*_pattern_findings(doc, name)]
    found += _floor_findings(doc, name)
    found += _structure_findings(doc, name)
    found += _action_findings(doc, name, Path(path))
    if not any(f.severity == "error" and f.code in ("S002", "S003") for f in found):
        found += _example_findings(doc, name, build_rules(FLOOR, doc, name))
    return list(found)


def _floor_findings(doc: dict[str, Any], name: str) -> list[Finding]:
    """S004-S006: attempts to switch off or weaken the floor. They have no effect; say so."""
    out: list[Finding] = []
    floor_ids = floor_rule_ids(FLOOR)
    floor_cats = FLOOR["categories"]
    for cname, cat in doc.get("categories", {}).items():
        base = f"$.categories.{cname}"
        floor_cat = floor_cats.get(cname)
        for r, rule in enumerate(cat.get("rules", [])):
            if rule["id"] in floor_ids and rule.get("enabled", True) is False:
                out.append(
                    Finding(
                        name,
                        f"{base}.rules[{r}].enabled",
                        "S004",
                        "error",
                        f"'{rule['id']}' is a built-in floor rule and cannot be switched off; "
                        "it stays on",
                        "remove this entry; to stop a false alarm, report it so the floor can be "
                        "fixed for every practice",
                    )
                )
        if floor_cat is None:
            continue
        if _RANK.get(cat.get("level"), 3) < _RANK[floor_cat["level"]]:
            out.append(
                Finding(
                    name,
                    f"{base}.level",
                    "S005",
                    "error",
                    f"the floor keeps '{cname}' at {floor_cat['level']}; a lower level here only "
                    "affects this file's own rules",
                    f'set it to "{floor_cat["level"]}"',
                )
            )
        for key in ("third_party", "past"):
            if floor_cat.get(key) == "keep" and cat.get(key) == "concern":
                out.append(
                    Finding(
                        name,
                        f"{base}.{key}",
                        "S005",
                        "error",
                        f"the floor does not lower '{cname}' for {key.replace('_', ' ')} talk",
                        "remove this setting",
                    )
                )
    floor_res = {r["id"]: r for r in FLOOR["resources"]}
    for i, res in enumerate(doc.get("resources", [])):
        known = floor_res.get(res["id"])
        if known and (res["href"] != known["href"] or res.get("scope", "all") != "all"):
            out.append(
                Finding(
                    name,
                    f"$.resources[{i}]",
                    "S006",
                    "error",
                    f"'{res['id']}' is a built-in resource ({known['href']}); it cannot be pointed "
                    "elsewhere or hidden",
                    "give your resource its own id",
                )
            )
    return out


# A crisis link must open the phone's dialler or messages: (scheme, pattern, what it is not, fix).
_LINK_FORMS = (
    ("sms:", _SMS, "not an RFC 5724 sms URI", "write it as sms:NUMBER or sms:NUMBER?body=WORD"),
    ("tel:", _TEL, "not a tel URI", "write it as tel:NUMBER"),
)


def _structure_findings(doc: dict[str, Any], name: str) -> list[Finding]:
    out: list[Finding] = []
    locales = doc.get("locales", [])
    seen: dict[str, str] = {}
    for cname, cat in doc.get("categories", {}).items():
        for r, rule in enumerate(cat.get("rules", [])):
            where = f"$.categories.{cname}.rules[{r}]"
            if rule["id"] in seen:
                out.append(
                    Finding(
                        name,
                        f"{where}.id",
                        "S001",
                        "error",
                        f"the rule id '{rule['id']}' is also used at {seen[rule['id']]}",
                        "give every rule its own id",
                    )
                )
            seen.setdefault(rule["id"], where)
            for key in ("patterns", "regex", "examples"):
                for locale in rule.get(key, {}):
                    if locale not in locales:
                        out.append(
                            Finding(
                                name,
                                f"{where}.{key}.{locale}",
                                "S010",
                                "warning",
                                f"'{locale}' is not in this file's locales",
                                'add it to "locales"',
                            )
                        )
        if cname not in FLOOR["responses"] and cname not in doc.get("responses", {}):
            out.append(
                Finding(
                    name,
                    f"$.categories.{cname}",
                    "S013",
                    "warning",
                    f"'{cname}' has no response; the generic wording is used",
                    f"add responses.{cname}",
                )
            )
    resource_ids = {r["id"] for r in FLOOR["resources"]} | {
        r["id"] for r in doc.get("resources", [])
    }
    for i, res in enumerate(doc.get("resources", [])):
        href = res["href"]
        for scheme, pattern, what, fix in _LINK_FORMS:
            if href.startswith(scheme) and not pattern.match(href):
                where = f"$.resources[{i}].href"
                out.append(Finding(name, where, "S012", "error", f"'{href}' is {what}", fix))
        for locale in locales:
            if locale not in res["label"]:
                out.append(
                    Finding(
                        name,
                        f"$.resources[{i}].label",
                        "S008",
                        "error",
                        f"the label has no '{locale}' text",
                        f'add "{locale}"',
                    )
                )
    for cname, response in doc.get("responses", {}).items():
        for j, rid in enumerate(response.get("resources", [])):
            if rid not in resource_ids:
                out.append(
                    Finding(
                        name,
                        f"$.responses.{cname}.resources[{j}]",
                        "S007",
                        "error",
                        f"there is no resource '{rid}'",
                        'add it to "resources"',
                    )
                )
        for level in ("crisis", "concern", "advice"):
            for locale in locales if level in response else ():
                if locale not in response[level]:
                    out.append(
                        Finding(
                            name,
                            f"$.responses.{cname}.{level}",
                            "S008",
                            "error",
                            f"the {level} text has no '{locale}' version",
                            f'add "{locale}"',
                        )
                    )
    return out


def _action_findings(doc: dict[str, Any], name: str, path: Path) -> list[Finding]:
    """S014: a crisis button must name an intent every flow next to this file defines; otherwise
    pressing "Talk to a person" in a crisis would be refused."""
    actions = doc.get("actions") or FLOOR["actions"]
    where = "$.actions" if doc.get("actions") else "$"
    out: list[Finding] = []
    for flow_path in sorted(path.parent.glob("*.json")):
        if flow_path.name == path.name:
            continue
        try:
            flow = read_flow_file(flow_path)
        except FlowError:
            continue  # the flow's own check reports it
        if not isinstance(flow, dict) or "sections" not in flow:
            continue
        intents = {i.get("id") for i in flow.get("intents", []) if isinstance(i, dict)}
        intents |= {t.get("id") for t in flow.get("topics", []) if isinstance(t, dict)}
        for action in actions:
            if action["intent"] not in intents:
                out.append(
                    Finding(
                        name,
                        where,
                        "S014",
                        "error",
                        f"the crisis action '{action['intent']}' is not an intent of the flow "
                        f"'{flow_path.name}', so the button would be refused",
                        'add "actions" naming that flow\'s talk-to-a-person intent',
                    )
                )
    return out


def _describe(got: Detection) -> str:
    reasons = f" ({', '.join(got.reasons)})" if got.reasons else ""
    return f"{got.level or 'nothing'}{reasons}"


def _negative_findings(name: str, where: str, rule: dict[str, Any], rules: Rules) -> list[Finding]:
    """S015: a rule's negatives (near misses) must get no response at all."""
    out: list[Finding] = []
    for locale, items in rule.get("negatives", {}).items():
        for i, text in enumerate(items):
            got = detect(text, locale, rules)
            if got.level is not None:
                out.append(
                    Finding(
                        name,
                        f"{where}.negatives.{locale}[{i}]",
                        "S015",
                        "error",
                        f"the negative '{text}' is detected as {_describe(got)} by {got.rule}",
                        "add an exemption or narrow the rule",
                    )
                )
    return out


def _example_findings(doc: dict[str, Any], name: str, rules: Rules) -> list[Finding]:
    """S009: each rule's examples must be caught at that rule's level (or higher); S011: a file
    exemption that would cover a floor example is pointless, since floor rules ignore it."""
    out: list[Finding] = []
    for cname, cat in doc.get("categories", {}).items():
        level = cat.get("level", "crisis")
        for r, rule in enumerate(cat.get("rules", [])):
            if rule.get("enabled", True) is False:
                continue
            want = rule.get("level", level)
            for locale, items in rule.get("examples", {}).items():
                for i, example in enumerate(items):
                    got = detect(example, locale, rules)
                    if _RANK[got.level] < _RANK[want]:
                        out.append(
                            Finding(
                                name,
                                f"$.categories.{cname}.rules[{r}].examples.{locale}[{i}]",
                                "S009",
                                "error",
                                f"the example '{example}' is not detected as {want} (got "
                                f"{_describe(got)})",
                                "add a pattern that matches it, or fix the example",
                            )
                        )
            out += _negative_findings(name, f"$.categories.{cname}.rules[{r}]", rule, rules)
    floor_examples = [
        ex
        for c in FLOOR["categories"].values()
        for r in c["rules"]
        for items in r.get("examples", {}).values()
        for ex in items
    ]
    for cname, cat in doc.get("categories", {}).items():
        for locale, items in cat.get("exemptions", {}).items():
            for i, source in enumerate(items):
                exemption = compile_phrases([source])
                hits = [ex for ex in floor_examples if exemption.spans(normalize(ex))]
                if hits:
                    out.append(
                        Finding(
                            name,
                            f"$.categories.{cname}.exemptions.{locale}[{i}]",
                            "S011",
                            "warning",
                            f"this exemption covers '{hits[0]}', a built-in example; exemptions "
                            "never apply to floor rules, so it is still detected",
                            "narrow the exemption",
                        )
                    )
    return out
