"""The rules of a live handoff: office hours (strict parsing, open now, next opening), whether a
request can go to a person, when a visitor can expect contact, and the order of the waiting queue.

Pure: takes the time as an argument; imports nothing from Flask, the database or the clock.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from typing import Any, Literal, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .errors import ConfigError

__all__ = [
    "DAYS",
    "Expectation",
    "OfficeHours",
    "Window",
    "decide",
    "expect_contact",
    "hours_from_config",
    "is_overdue",
    "parse_office_hours",
    "parse_timezone",
    "queue_order",
    "risk_rank",
]

DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_FULL_DAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY_NUMBER = {**{d: i for i, d in enumerate(DAYS)}, **{d: i for i, d in enumerate(_FULL_DAYS)}}
_CLOCK = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_DAY_MINUTES = 24 * 60
_SPACED = re.compile(r"\s*([-,;])\s*")
FORM = 'like "mon-fri 09:00-17:00" or "mon-thu 09:00-12:00,13:00-19:00; sat 10:00-13:00"'

Decision = Literal["live", "closed", "no_staff"]


@dataclass(frozen=True, order=True)
class Window:
    """One opening on one weekday (0 = Monday), in minutes after local midnight; ``end`` may be
    1440 (24:00). Overnight hours are written as two windows, one on each day."""

    day: int
    start: int
    end: int


@dataclass(frozen=True)
class OfficeHours:
    """When the practice answers live chats, in its own time zone."""

    windows: tuple[Window, ...]
    zone: ZoneInfo
    text: str

    @property
    def always(self) -> bool:
        return sum(w.end - w.start for w in self.windows) == 7 * _DAY_MINUTES

    @property
    def never(self) -> bool:
        return not self.windows

    def local(self, now: datetime) -> datetime:
        """``now`` in the practice's zone; a naive ``now`` is UTC (how the database stores time)."""
        aware = now if now.tzinfo is not None else now.replace(tzinfo=UTC)
        return aware.astimezone(self.zone)

    def window_at(self, now: datetime) -> Window | None:
        here = self.local(now)
        minute = here.hour * 60 + here.minute
        for window in self.windows:
            if window.day == here.weekday() and window.start <= minute < window.end:
                return window
        return None

    def is_open(self, now: datetime) -> bool:
        return self.window_at(now) is not None

    def closes_at(self, now: datetime) -> datetime | None:
        """When the opening that contains ``now`` ends, following back-to-back windows (also
        across midnight); None when closed now or open around the clock."""
        window = self.window_at(now)
        if window is None or self.always:
            return None
        day = self.local(now).date()
        for _ in range(8):
            if window.end < _DAY_MINUTES:
                following = self._starting(window.day, window.end)
            else:
                day += timedelta(days=1)
                following = self._starting((window.day + 1) % 7, 0)
            if following is None:
                return _at(day, window.end % _DAY_MINUTES, self.zone)
            window = following
        return None

    def next_opening(self, now: datetime) -> datetime | None:
        """The first opening after ``now`` (local, aware); None when there are no hours at all.
        When open now, the next opening after this one closes."""
        if self.never:
            return None
        here = self.local(now)
        minute = here.hour * 60 + here.minute
        for offset in range(8):
            day = here.date() + timedelta(days=offset)
            for window in sorted(w for w in self.windows if w.day == day.weekday()):
                if offset == 0 and window.start <= minute:
                    continue
                if self._continues(window):
                    continue
                return _at(day, window.start, self.zone)
        return None

    def _starting(self, day: int, minute: int) -> Window | None:
        return next((w for w in self.windows if w.day == day and w.start == minute), None)

    def _continues(self, window: Window) -> bool:
        """A window that starts exactly when another ends is the same opening, not a new one."""
        if window.start == 0:
            return any(
                w.day == (window.day - 1) % 7 and w.end == _DAY_MINUTES for w in self.windows
            )
        return any(w.day == window.day and w.end == window.start for w in self.windows)


def _at(day: date, minute: int, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(minute // 60, minute % 60), tzinfo=zone)


# --- parsing ---------------------------------------------------------------------------------


def parse_timezone(raw: str, variable: str = "INTAKE_TIMEZONE") -> ZoneInfo:
    name = raw.strip()
    if not name:
        raise ConfigError(f"{variable} must name a time zone such as America/New_York, got ''")
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ConfigError(
            f"{variable} must name a time zone such as America/New_York, got {raw!r}"
        ) from None


def parse_office_hours(
    raw: str, zone: ZoneInfo | None = None, variable: str = "INTAKE_OFFICE_HOURS"
) -> OfficeHours:
    """Strict: every part must be understood, or start-up stops naming ``variable``.

    ``always`` means around the clock, ``never`` means no live chat at all (every request for a
    person is queued). Otherwise groups separated by ``;``: days (``mon``, ``mon-fri``,
    ``sat,sun``, ``fri-mon`` wraps) then one or more ``HH:MM-HH:MM`` ranges separated by ``,``.
    """
    zone = zone or ZoneInfo("UTC")
    text = _SPACED.sub(r"\1", " ".join(raw.split()).lower())
    if text == "always":
        return OfficeHours(tuple(Window(d, 0, _DAY_MINUTES) for d in range(7)), zone, text)
    if text == "never":
        return OfficeHours((), zone, text)
    if not text:
        raise ConfigError(f"{variable} is empty: write office hours {FORM}, or always, or never")
    windows: list[Window] = []
    for group in text.split(";"):
        windows.extend(_group(group, raw, variable))
    _refuse_overlaps(windows, raw, variable)
    return OfficeHours(tuple(sorted(windows)), zone, text)


def _bad(variable: str, raw: str, why: str) -> ConfigError:
    return ConfigError(f"{variable} {why}, got {raw!r}: write office hours {FORM}")


def _group(group: str, raw: str, variable: str) -> list[Window]:
    parts = group.split(" ")
    if len(parts) != 2 or not parts[0] or not parts[1]:
        raise _bad(variable, raw, f"has a part that is not 'days hours': {group!r}")
    days = _days(parts[0], raw, variable)
    ranges = [_range(item, raw, variable) for item in parts[1].split(",")]
    return [Window(day, start, end) for day in days for start, end in ranges]


def _days(spec: str, raw: str, variable: str) -> list[int]:
    found: list[int] = []
    for item in spec.split(","):
        ends = item.split("-")
        if len(ends) > 2 or any(end not in _DAY_NUMBER for end in ends):
            raise _bad(variable, raw, f"has an unknown day {item!r} (use mon, tue … sun)")
        first, last = _DAY_NUMBER[ends[0]], _DAY_NUMBER[ends[-1]]
        span = (last - first) % 7
        for step in range(span + 1):
            day = (first + step) % 7
            if day in found:
                raise _bad(variable, raw, f"names {DAYS[day]} twice in {spec!r}")
            found.append(day)
    return found


def _range(item: str, raw: str, variable: str) -> tuple[int, int]:
    ends = item.split("-")
    if len(ends) != 2:
        raise _bad(variable, raw, f"has a time range that is not HH:MM-HH:MM: {item!r}")
    start, end = (_minutes(value, raw, variable) for value in ends)
    if start >= _DAY_MINUTES or end <= start:
        raise _bad(
            variable,
            raw,
            f"has a range that does not end after it starts: {item!r} "
            "(split hours past midnight over two days)",
        )
    return start, end


def _minutes(value: str, raw: str, variable: str) -> int:
    match = _CLOCK.match(value)
    if match is None:
        raise _bad(variable, raw, f"has a time that is not HH:MM (24-hour): {value!r}")
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours == 24 and minutes:
        raise _bad(variable, raw, f"has a time after 24:00: {value!r}")
    return hours * 60 + minutes


def _refuse_overlaps(windows: list[Window], raw: str, variable: str) -> None:
    for day in range(7):
        spans = sorted((w.start, w.end) for w in windows if w.day == day)
        for (_, end), (start, _) in zip(spans, spans[1:], strict=False):
            if start < end:
                raise _bad(variable, raw, f"has overlapping hours on {DAYS[day]}")


@lru_cache(maxsize=16)
def hours_from_config(office_hours: str, timezone: str) -> OfficeHours:
    """Parse both settings together (cached: the service asks on every request for a person)."""
    return parse_office_hours(office_hours, parse_timezone(timezone))


# --- decisions -------------------------------------------------------------------------------


def decide(hours: OfficeHours, now: datetime, available_staff: int) -> Decision:
    """Whether a request for a person goes to staff live, or is queued at once (and why)."""
    if not hours.is_open(now):
        return "closed"
    if available_staff <= 0:
        return "no_staff"
    return "live"


def is_overdue(requested_at: datetime, now: datetime, wait_seconds: int) -> bool:
    return now >= requested_at + timedelta(seconds=wait_seconds)


@dataclass(frozen=True)
class Expectation:
    """When a visitor whose request was queued can expect to hear from the practice.

    ``kind``: ``open`` (the office is open now, until ``at`` or around the clock when ``at`` is
    None), ``next`` (closed now; it opens at ``at``), ``unknown`` (no office hours are set).
    ``at`` is local to the practice; ``days_ahead`` counts calendar days from local today.
    """

    kind: Literal["open", "next", "unknown"]
    at: datetime | None = None
    days_ahead: int = 0


def expect_contact(hours: OfficeHours, now: datetime) -> Expectation:
    today = hours.local(now).date()
    if hours.is_open(now):
        closes = hours.closes_at(now)
        ahead = 0 if closes is None else (closes.date() - today).days
        return Expectation("open", closes, ahead)
    opening = hours.next_opening(now)
    if opening is None:
        return Expectation("unknown")
    return Expectation("next", opening, (opening.date() - today).days)


# --- the queue -------------------------------------------------------------------------------

_RISK = {"crisis": 3, "concern": 2}
Row = TypeVar("Row", bound=Mapping[str, Any])


def risk_rank(crisis_level: str | None, urgent: bool = False, concern_count: int = 0) -> int:
    """3 crisis, 2 concern (or urgent without a level, or any earlier concern), 0 nothing."""
    if crisis_level in _RISK:
        return _RISK[crisis_level]
    if urgent or concern_count > 0:
        return 2
    return 0


def queue_order(rows: Iterable[Row]) -> list[Row]:
    """Risk first (highest first), then the longest wait (earliest ``requested_at``) first."""

    def key(row: Row) -> tuple[int, datetime, str]:
        risk = risk_rank(
            row.get("crisis_level"), bool(row.get("urgent")), int(row.get("concern_count") or 0)
        )
        return (-risk, row["requested_at"], str(row.get("id", "")))

    return sorted(rows, key=key)
