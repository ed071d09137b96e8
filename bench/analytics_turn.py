"""What counting conversations in the analytics funnel adds to a turn: the same conversations with
``record_funnel`` on and off, interleaved round by round in one run.

    python bench/analytics_turn.py [--rounds 3] [--conversations 40] [--database-url URL]

Each conversation walks the shipped intake flow from start to the submitted referral through the
real service (engine, safety rules, storage; a SQLite file, or a fresh schema of the PostgreSQL
database given). Prints, per setting, the median and p90 time per turn and the SQL statements per
turn; the median of the per-round ratios on/off (which setting goes first alternates round by
round); and the time spent in the funnel's own step (``Service._record_funnel``, timed inside the
turns of the "on" runs) as a share of those turns' time: on a busy machine the ratio swings with
the load, the share much less. No bound: the figures go in docs/analytics.md.
"""

from __future__ import annotations

import argparse
import json
import statistics
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from intake_chat.app.service import Service, safety_from_rules
from intake_chat.core.config import Config
from intake_chat.core.flows import load_flow
from intake_chat.safety import detection
from intake_chat.storage import Database

ROOT = Path(__file__).resolve().parent.parent
ANSWERS: dict[str, dict[str, Any]] = {
    "consent": {"choice": "accept"},
    "menu": {"choice": "referral"},
    "ask_first_name": {"text": "Maya"},
    "ask_preferred_name": {"skip": True},
    "ask_pronouns": {"skip": True},
    "ask_dob": {"text": "07/14/1986"},
    "ask_contact_method": {"choice": "email"},
    "ask_email": {"text": "maya@example.org"},
    "ask_phone": {"text": "+1 617 555 0142"},
    "ask_voicemail": {"choice": "yes"},
    "ask_state": {"choice": "MA"},
    "ask_session_format": {"choice": "telehealth"},
    "ask_insurance": {"choice": "self_pay"},
    "ask_availability": {"choices": ["weekday_evenings"]},
    "ask_therapist_prefs": {"skip": True},
    "ask_reason": {"text": "Trouble sleeping since the move"},
    "ask_referral_source": {"choice": "friend_family"},
    "checkin_offer": {"choice": "no"},
    "review": {"choice": "confirm"},
}


class Counter:
    def __init__(self) -> None:
        self.statements = 0

    def __call__(self, *_args: Any) -> None:
        self.statements += 1


@contextmanager
def database_url(given: str, tmp: Path) -> Iterator[str]:
    """A SQLite file in ``tmp``, or a new schema of the PostgreSQL database given (dropped after)"""
    if not given:
        yield f"sqlite:///{tmp / 'bench.sqlite3'}"
        return
    schema = f"bench_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(given, poolclass=sa.pool.NullPool)
    with admin.begin() as conn:
        conn.exec_driver_sql(f"CREATE SCHEMA {schema}")
    joiner = "&" if "?" in given else "?"
    try:
        yield f"{given}{joiner}options=-csearch_path%3D{schema}"
    finally:
        with admin.begin() as conn:
            conn.exec_driver_sql(f"DROP SCHEMA IF EXISTS {schema} CASCADE")
        admin.dispose()


def conversation(service: Service, times: list[float]) -> int:
    """One visitor from start to the referral; each turn's time appended; returns turns."""
    started = time.perf_counter()
    outcome = service.handle(None, json.dumps({"type": "start"}), client="bench")
    times.append(time.perf_counter() - started)
    token, events, turns = outcome.token, outcome.events, 1
    while events[-1]["type"] == "ask":
        frame = json.dumps({"type": "reply", **ANSWERS[events[-1]["node"]]})
        started = time.perf_counter()
        events = service.handle(token, frame, client="bench").events
        times.append(time.perf_counter() - started)
        turns += 1
    assert events[-1]["type"] == "handoff", events[-1]
    return turns


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--conversations", type=int, default=40)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp, database_url(args.database_url, Path(tmp)) as url:
        db = Database(url)
        db.migrate()
        config = Config.from_env(
            {},
            data_dir=Path(tmp),
            secret_key="bench",
            testing=True,
            rate_limit_per_session=0,
            rate_limit_per_address=0,
        )
        flow = load_flow(ROOT / "flows" / "intake.json")
        rules = detection.load_rules(ROOT / "flows" / "safety.json")
        service = Service(db, {flow.id: flow}, config, safety=safety_from_rules(rules))
        counter = Counter()
        spent: list[float] = []
        record = service._record_funnel

        def timed(*args: Any) -> None:
            started = time.perf_counter()
            record(*args)
            spent.append(time.perf_counter() - started)

        service._record_funnel = timed  # type: ignore[method-assign]
        event.listen(db.engine, "before_cursor_execute", counter)
        per_conversation = conversation(service, [])  # warms caches (flow, statements, pool)
        results: dict[bool, list[float]] = {False: [], True: []}
        statements: dict[bool, list[float]] = {False: [], True: []}
        ratios = []
        for round_number in range(args.rounds):
            medians = {}
            # Alternate which setting goes first: the database grows through the run.
            for setting in (False, True) if round_number % 2 == 0 else (True, False):
                service.record_funnel = setting
                times: list[float] = []
                counter.statements, turns = 0, 0
                for _ in range(args.conversations):
                    turns += conversation(service, times)
                results[setting].extend(times)
                statements[setting].append(counter.statements / turns)
                medians[setting] = statistics.median(times)
            ratios.append(medians[True] / medians[False])
        db.dispose()
    backend = url.split(":", 1)[0]
    print(
        f"{backend}, {args.rounds} rounds × {args.conversations} conversations per setting, "
        f"{per_conversation} turns each"
    )
    for setting, label in ((False, "analytics off"), (True, "analytics on ")):
        times = sorted(results[setting])
        p90 = times[int(len(times) * 0.9)]
        print(
            f"{label}: median {statistics.median(times) * 1e6:7.0f} µs/turn, "
            f"p90 {p90 * 1e6:7.0f} µs, {statistics.mean(statements[setting]):.2f} statements/turn"
        )
    added = statistics.mean(statements[True]) - statistics.mean(statements[False])
    share = sum(spent) / sum(results[True])
    print(
        f"funnel step inside the turns: median {statistics.median(spent) * 1e6:.0f} µs, "
        f"{share:.1%} of the turns' time"
    )
    print(
        f"on/off: median of round ratios {statistics.median(ratios):.3f} "
        f"(rounds: {', '.join(f'{r:.3f}' for r in ratios)}); +{added:.2f} statements/turn"
    )


if __name__ == "__main__":
    main()
