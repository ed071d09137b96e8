"""The blind evaluation sets under tests/eval/ stay well-formed and never repeat a text.

Failures name the file and line number only, never the text, so that running this check does not
put held-out lines in front of anyone who tunes the matchers.
"""

import json
import re
import unicodedata
from pathlib import Path

import pytest

EVAL = Path(__file__).resolve().parent / "eval"
FILES = sorted(EVAL.glob("**/*.jsonl"))

STEPS = {
    "consent",
    "menu",
    "learn_more_1",
    "learn_offer",
    "ask_first_name",
    "ask_preferred_name",
    "ask_pronouns",
    "ask_dob",
    "ask_state",
    "ask_session_format",
    "ask_insurance",
    "ask_availability",
    "ask_therapist_prefs",
    "ask_reason",
    "ask_referral_source",
    "ask_contact_method",
    "ask_email",
    "ask_phone",
    "ask_voicemail",
    "ask_guardian_name",
    "review",
}
TOPICS = {
    "therapy_relationship",
    "therapy_phases",
    "what_is_therapy",
    "not_a_friend",
    "no_advice",
    "no_judgment",
    "not_only_support",
    "roles_and_goals",
    "confidentiality",
    "session_timing",
    "between_sessions",
    "crisis_procedures",
    "session_frequency",
    "payment",
    "cancellations",
    "self_disclosure",
    "how_to_start",
    "contact_team",
    "about_practice",
    "session_length",
    "telehealth",
    "insurance",
    "teens_children",
    "medication",
    "waitlist",
    "location",
    "conditions_treated",
    "couples",
    "switching_therapists",
    "chat_privacy",
    "bot_identity",
    "talk_to_person",
    "start_over",
    "go_back",
}
TOPIC_KEYS = {"text", "locale", "step", "expect"}
SAFETY_KEYS = {"text", "locale", "level", "category", "family"}
ACTIONS = {"talk_to_person", "start_over", "go_back"}
LEVELS = {
    "crisis": {"suicide_self_harm", "abuse_violence", "harm_to_others", "medical_emergency"},
    "concern": {"suicide_self_harm", "abuse_violence", "harm_to_others", "medical_emergency"},
    "advice": {"clinical_advice"},
    "none": {"none"},
}


def rows(path: Path) -> list[tuple[int, dict[str, object]]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [(n, json.loads(line)) for n, line in enumerate(lines, 1) if line.strip()]


def folded(text: str) -> str:
    """Case, accents, punctuation and spacing do not make two texts different."""
    bare = unicodedata.normalize("NFKD", text.casefold())
    bare = "".join(c for c in bare if not unicodedata.combining(c))
    return " ".join(re.findall(r"\w+|@", bare))


def test_there_are_eval_files() -> None:
    assert any("topics" in p.parent.name for p in FILES)
    assert any("safety" in p.parent.name for p in FILES)


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(EVAL)))
def test_every_line_is_an_object_with_the_right_keys(path: Path) -> None:
    is_topics = path.parent.name.startswith("topics")
    keys = TOPIC_KEYS if is_topics else SAFETY_KEYS
    bad = []
    for n, row in rows(path):
        ok = set(row) == keys and isinstance(row["text"], str) and row["text"].strip() != ""
        ok = ok and row["locale"] in ("en", "es")
        if ok and is_topics:
            kind, _, name = str(row["expect"]).partition(":")
            ok = row["step"] in STEPS and (
                (kind == "answer" and name == "")
                or (kind == "topic" and name in TOPICS)
                or (kind == "not" and name in ACTIONS)
            )
        elif ok:
            ok = row["category"] in LEVELS.get(str(row["level"]), set()) and bool(row["family"])
        if not ok:
            bad.append(n)
    assert bad == [], f"{path.name}: malformed lines {bad}"


@pytest.mark.parametrize("kind", ["topics", "safety"])
def test_no_text_repeats_within_or_across_files_of_a_kind(kind: str) -> None:
    """Topic and safety sets are scored by different tools, so each kind is checked as a whole."""
    seen: dict[str, str] = {}
    repeats = []
    for path in (p for p in FILES if p.parent.name.startswith(kind)):
        for n, row in rows(path):
            where = f"{path.relative_to(EVAL)}:{n}"
            key = folded(str(row["text"]))
            if key in seen:
                repeats.append(f"{where} repeats {seen[key]}")
            else:
                seen[key] = where
    assert repeats == []
