"""The live handoff's pure rules: office hours (strict parsing, open now, next opening across
days and DST), the decision to go live or queue, when to expect contact, the queue order, and
the visitor-facing wording around a handoff in both languages."""

from __future__ import annotations

import re
import string
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from intake_chat import Config, create_app
from intake_chat.core import handoff_text
from intake_chat.core.errors import ConfigError
from intake_chat.core.handoff import (
    Expectation,
    Window,
    decide,
    expect_contact,
    hours_from_config,
    is_overdue,
    parse_office_hours,
    parse_timezone,
    queue_order,
    risk_rank,
)

NY = ZoneInfo("America/New_York")
DEFAULT = parse_office_hours("mon-fri 09:00-17:00", NY)


def ny(text: str) -> datetime:
    """A New York wall-clock time as the naive UTC the database stores."""
    local = datetime.fromisoformat(text).replace(tzinfo=NY)
    return local.astimezone(UTC).replace(tzinfo=None)


# --- parsing ---------------------------------------------------------------------------------


def test_it_parses_the_default_hours_into_five_windows() -> None:
    assert DEFAULT.windows == tuple(Window(day, 9 * 60, 17 * 60) for day in range(5))


def test_it_accepts_several_groups_ranges_full_day_names_case_and_spaces() -> None:
    hours = parse_office_hours("Monday - Thursday 09:00-12:00 , 13:00 - 19:00; SAT 10:00-13:00")
    monday = [(w.start, w.end) for w in hours.windows if w.day == 0]
    assert monday == [(540, 720), (780, 1140)]
    assert [(w.start, w.end) for w in hours.windows if w.day == 5] == [(600, 780)]
    assert not [w for w in hours.windows if w.day in (4, 6)]


def test_day_ranges_wrap_around_the_week() -> None:
    hours = parse_office_hours("fri-mon 10:00-14:00")
    assert sorted({w.day for w in hours.windows}) == [0, 4, 5, 6]


def test_always_and_never_are_the_two_words_it_knows() -> None:
    always = parse_office_hours("always", NY)
    never = parse_office_hours("never", NY)
    assert always.always and not always.never
    assert never.never and not never.windows


@pytest.mark.parametrize(
    ("raw", "why"),
    [
        ("", "is empty"),
        ("   ", "is empty"),
        ("mon-fri", "not 'days hours'"),
        ("weekdays 09:00-17:00", "unknown day"),
        ("mon-fri 9-5", "not HH:MM"),
        ("mon-fri 9:00-17:00", "not HH:MM"),
        ("mon-fri 09:00", "not HH:MM-HH:MM"),
        ("mon 17:00-09:00", "does not end after it starts"),
        ("mon 09:00-09:00", "does not end after it starts"),
        ("mon 22:00-24:30", "after 24:00"),
        ("mon 09:00-17:00; mon 16:00-18:00", "overlapping hours on mon"),
        ("mon,tue,mon 09:00-10:00", "names mon twice"),
        ("mon-fri 09:00-17:00;", "not 'days hours'"),
        ("mon-fri 09:00-17:00 sat", "not 'days hours'"),
        ("24/7", "not 'days hours'"),
    ],
)
def test_it_refuses_office_hours_it_cannot_read_naming_the_variable(raw: str, why: str) -> None:
    with pytest.raises(ConfigError) as caught:
        parse_office_hours(raw)
    message = str(caught.value)
    assert message.startswith("INTAKE_OFFICE_HOURS ")
    assert why in message
    assert "mon-fri 09:00-17:00" in message  # says what a good value looks like


@pytest.mark.parametrize("raw", ["", "Mars/Olympus_Mons", "EST5EDT/../../etc", "New York"])
def test_it_refuses_an_unknown_time_zone_naming_the_variable(raw: str) -> None:
    with pytest.raises(ConfigError, match="^INTAKE_TIMEZONE must name a time zone"):
        parse_timezone(raw)


def test_config_from_the_environment_stops_on_bad_hours_or_zone() -> None:
    with pytest.raises(ConfigError, match="INTAKE_OFFICE_HOURS"):
        Config.from_env({"INTAKE_OFFICE_HOURS": "mon-fri 9am-5pm"})
    with pytest.raises(ConfigError, match="INTAKE_TIMEZONE"):
        Config.from_env({"INTAKE_TIMEZONE": "Eastern"})
    good = Config.from_env({"INTAKE_OFFICE_HOURS": "tue 08:00-12:00", "INTAKE_TIMEZONE": "UTC"})
    assert hours_from_config(good.office_hours, good.timezone).windows == (Window(1, 480, 720),)


def test_the_app_does_not_start_with_bad_office_hours(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="INTAKE_OFFICE_HOURS"):
        create_app(data_dir=tmp_path, secret_key="x", testing=True, office_hours="sometimes")


# --- open now, next opening, closing ---------------------------------------------------------


@pytest.mark.parametrize(
    ("when", "open_"),
    [
        ("2025-03-14 08:59", False),  # Friday
        ("2025-03-14 09:00", True),
        ("2025-03-14 16:59", True),
        ("2025-03-14 17:00", False),
        ("2025-03-15 12:00", False),  # Saturday
        ("2025-07-14 09:30", True),  # summer time: the practice's clock, not UTC's
        ("2025-01-13 16:30", True),  # winter time
    ],
)
def test_it_is_open_by_the_practices_own_clock(when: str, open_: bool) -> None:
    assert DEFAULT.is_open(ny(when)) is open_


def test_an_aware_time_is_taken_as_it_is() -> None:
    friday_noon = datetime(2025, 3, 14, 12, 0, tzinfo=NY)
    assert DEFAULT.is_open(friday_noon)
    assert not DEFAULT.is_open(friday_noon.astimezone(ZoneInfo("Asia/Tokyo")) + timedelta(hours=6))


@pytest.mark.parametrize(
    ("when", "expected"),
    [
        ("2025-03-14 17:30", "2025-03-17 09:00"),  # Friday evening -> Monday
        ("2025-03-15 10:00", "2025-03-17 09:00"),  # Saturday -> Monday
        ("2025-03-17 07:15", "2025-03-17 09:00"),  # Monday early -> today
        ("2025-03-17 12:00", "2025-03-18 09:00"),  # open now -> the next opening after this one
    ],
)
def test_the_next_opening_is_the_first_one_after_now(when: str, expected: str) -> None:
    opening = DEFAULT.next_opening(ny(when))
    assert opening is not None
    assert opening.replace(tzinfo=None) == datetime.fromisoformat(expected)
    assert opening.tzinfo == NY


def test_a_lunch_break_reopens_the_same_day() -> None:
    hours = parse_office_hours("mon-fri 09:00-12:00,13:00-17:00", NY)
    lunch = ny("2025-03-17 12:30")
    assert not hours.is_open(lunch)
    assert hours.next_opening(lunch) == datetime(2025, 3, 17, 13, 0, tzinfo=NY)


def test_back_to_back_windows_are_one_opening_even_across_midnight() -> None:
    hours = parse_office_hours("mon 20:00-24:00; tue 00:00-02:00,02:00-03:00; tue 09:00-10:00", NY)
    monday_night = ny("2025-03-17 21:00")
    assert hours.closes_at(monday_night) == datetime(2025, 3, 18, 3, 0, tzinfo=NY)
    assert hours.next_opening(monday_night) == datetime(2025, 3, 18, 9, 0, tzinfo=NY)


def test_never_has_no_opening_and_always_never_closes() -> None:
    never = parse_office_hours("never", NY)
    always = parse_office_hours("always", NY)
    now = ny("2025-03-15 03:00")
    assert not never.is_open(now) and never.next_opening(now) is None
    assert always.is_open(now) and always.closes_at(now) is None


def test_the_next_opening_keeps_the_wall_clock_across_a_dst_change() -> None:
    # US clocks went forward on Sunday 2025-03-09: Monday still opens at 09:00 local.
    opening = DEFAULT.next_opening(ny("2025-03-07 18:00"))
    assert opening == datetime(2025, 3, 10, 9, 0, tzinfo=NY)
    assert opening.utcoffset() == timedelta(hours=-4)


SPECS = st.sampled_from(
    [
        "mon-fri 09:00-17:00",
        "mon-thu 09:00-12:00,13:00-19:00; sat 10:00-13:00",
        "sun 00:00-24:00; mon 00:00-01:00",
        "wed 12:00-12:30",
    ]
)
INSTANTS = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 1, 1))


@settings(max_examples=150, deadline=None)
@given(spec=SPECS, now=INSTANTS)
def test_the_next_opening_is_open_later_and_the_minute_before_it_is_closed(
    spec: str, now: datetime
) -> None:
    hours = parse_office_hours(spec, NY)
    opening = hours.next_opening(now)
    assert opening is not None
    assert opening > now.replace(tzinfo=UTC)
    assert hours.is_open(opening)
    assert not hours.is_open(opening - timedelta(minutes=1))


@settings(max_examples=150, deadline=None)
@given(spec=SPECS, now=INSTANTS)
def test_when_open_it_stays_open_until_it_closes(spec: str, now: datetime) -> None:
    hours = parse_office_hours(spec, NY)
    closes = hours.closes_at(now)
    if not hours.is_open(now):
        assert closes is None
        return
    assert closes is not None and closes > now.replace(tzinfo=UTC)
    assert not hours.is_open(closes)
    assert hours.is_open(closes - timedelta(minutes=1))


# --- decisions -------------------------------------------------------------------------------


def test_a_request_goes_live_only_when_open_and_someone_accepts_chats() -> None:
    open_ = ny("2025-03-14 10:00")
    closed = ny("2025-03-14 20:00")
    assert decide(DEFAULT, open_, available_staff=2) == "live"
    assert decide(DEFAULT, open_, available_staff=0) == "no_staff"
    assert decide(DEFAULT, closed, available_staff=3) == "closed"
    assert decide(parse_office_hours("never"), open_, available_staff=3) == "closed"


def test_a_request_is_overdue_from_the_wait_time_on() -> None:
    asked = datetime(2025, 3, 14, 15, 0, 0)
    assert not is_overdue(asked, asked + timedelta(seconds=119), 120)
    assert is_overdue(asked, asked + timedelta(seconds=120), 120)
    assert is_overdue(asked, asked, 0)


def test_contact_is_expected_today_when_open_and_at_the_next_opening_when_closed() -> None:
    assert expect_contact(DEFAULT, ny("2025-03-14 10:00")) == Expectation(
        "open", datetime(2025, 3, 14, 17, 0, tzinfo=NY), 0
    )
    assert expect_contact(DEFAULT, ny("2025-03-14 19:00")) == Expectation(
        "next", datetime(2025, 3, 17, 9, 0, tzinfo=NY), 3
    )
    assert expect_contact(DEFAULT, ny("2025-03-13 19:00")).days_ahead == 1
    assert expect_contact(parse_office_hours("never", NY), ny("2025-03-14 10:00")).kind == "unknown"
    assert expect_contact(parse_office_hours("always", NY), ny("2025-03-14 10:00")) == Expectation(
        "open", None, 0
    )


# --- the queue -------------------------------------------------------------------------------


def test_risk_ranks_crisis_over_concern_over_nothing() -> None:
    assert risk_rank("crisis") > risk_rank("concern") > risk_rank(None)
    assert risk_rank(None, urgent=True) == risk_rank("concern")
    assert risk_rank(None, concern_count=1) == risk_rank("concern")
    assert risk_rank("advice") == 0


def test_the_queue_is_ordered_by_risk_first_then_by_waiting_time() -> None:
    t0 = datetime(2025, 3, 14, 15, 0)
    rows = [
        {"id": "calm-old", "crisis_level": None, "requested_at": t0},
        {"id": "crisis-new", "crisis_level": "crisis", "requested_at": t0 + timedelta(minutes=5)},
        {"id": "concern", "crisis_level": "concern", "requested_at": t0 + timedelta(minutes=2)},
        {"id": "calm-new", "crisis_level": None, "requested_at": t0 + timedelta(minutes=1)},
        {"id": "crisis-old", "crisis_level": "crisis", "requested_at": t0 + timedelta(minutes=3)},
        {"id": "urgent", "urgent": True, "requested_at": t0 + timedelta(minutes=4)},
    ]
    assert [row["id"] for row in queue_order(rows)] == [
        "crisis-old",
        "crisis-new",
        "concern",
        "urgent",
        "calm-old",
        "calm-new",
    ]


# --- the words -------------------------------------------------------------------------------

RESOURCES = [
    {"label": "Call 988 (Suicide & Crisis Lifeline)", "href": "tel:988"},
    {"label": "Call 911 in an emergency", "href": "tel:911"},
]


def _fields(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_every_sentence_exists_in_every_locale_with_the_same_placeholders() -> None:
    english = handoff_text.TEXT["en"]
    for locale in handoff_text.LOCALES:
        assert handoff_text.TEXT[locale].keys() == english.keys(), locale
        for key, text in handoff_text.TEXT[locale].items():
            assert _fields(text) == _fields(english[key]), (locale, key)
            assert text.strip() and "  " not in text


def test_the_queued_message_says_why_when_to_expect_contact_and_where_to_get_help() -> None:
    expectation = expect_contact(DEFAULT, ny("2025-03-14 19:00"))
    text = handoff_text.queued("en", "closed", expectation, reachable=True, resources=RESOURCES)
    assert text.startswith("Our office is closed right now")
    assert "opens again on Monday at 9:00 AM EDT" in text
    assert text.endswith(
        "If you need help right now: Call 988 (Suicide & Crisis Lifeline); "
        "Call 911 in an emergency."
    )


def test_the_queued_message_in_spanish_uses_spanish_days_and_24_hour_times() -> None:
    expectation = expect_contact(DEFAULT, ny("2025-03-13 19:00"))
    text = handoff_text.queued(
        "es",
        "timeout",
        expectation,
        reachable=True,
        resources=[{"label": "Llame al 988", "href": "tel:988"}],
    )
    assert text.startswith("Lo siento, nadie de nuestro equipo pudo unirse a tiempo.")
    assert "vuelve a abrir mañana a las 9:00 (EDT)" in text
    assert text.endswith("Si necesita ayuda ahora mismo: Llame al 988.")
    one = datetime(2025, 3, 18, 1, 30, tzinfo=NY)
    assert handoff_text.when(one, 4, "es") == "el martes a la 1:30 (EDT)"


def test_when_the_office_is_open_it_says_until_when_today() -> None:
    expectation = expect_contact(DEFAULT, ny("2025-03-14 10:00"))
    text = handoff_text.queued("en", "timeout", expectation, reachable=True, resources=[])
    assert "We're open today until 5:00 PM EDT." in text
    assert "If you need help" not in text  # no resources, no empty sentence


def test_a_visitor_we_cannot_reach_is_told_so_and_how_to_reach_us() -> None:
    expectation = expect_contact(DEFAULT, ny("2025-03-15 10:00"))
    text = handoff_text.queued("en", "closed", expectation, reachable=False, resources=RESOURCES)
    assert "We don't have a phone number or email address for you" in text
    assert "when we open again on Monday at 9:00 AM EDT" in text
    assert "Start over" in text
    assert "will contact you" not in text.replace("so our team can contact you", "")


def test_without_office_hours_no_time_is_promised() -> None:
    expectation = expect_contact(parse_office_hours("never", NY), ny("2025-03-15 10:00"))
    text = handoff_text.queued("en", "closed", expectation, reachable=True, resources=[])
    assert "as soon as they can" in text
    assert not re.search(r"\d:\d\d", text)


@pytest.mark.parametrize(
    ("seconds", "phrase"),
    [
        (30, "up to a minute"),
        (60, "up to a minute"),
        (61, "up to 2 minutes"),
        (600, "up to 10 minutes"),
    ],
)
def test_the_wait_is_announced_in_whole_minutes_rounded_up(seconds: int, phrase: str) -> None:
    assert phrase in handoff_text.finding("en", seconds)


def test_staff_are_named_by_their_display_name_or_not_at_all() -> None:
    assert (
        handoff_text.staff_event("joined", "en", "Dana")
        == "Dana from our team has joined the chat."
    )
    assert (
        handoff_text.staff_event("joined", "es", " ")
        == "Una persona de nuestro equipo se unió al chat."
    )
    assert "{" not in handoff_text.staff_event("to_bot", "fr", "Dana")  # unknown locale: English
