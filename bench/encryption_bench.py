"""Cost of encryption at rest per chat turn: the same turns on a database with a key and on one
without, and the inbox search that opens sealed answers against the SQL search on clear ones.

    python bench/encryption_bench.py [--turns 300] [--rounds 3] [--referrals 2000]
                                     [--database-url postgresql+psycopg://…]

A turn is a visitor's typed answer through the whole service (safety check, engine, state and
events stored in one transaction), on two fresh SQLite files (or two PostgreSQL schemas of
``--database-url``), interleaved round by round so the ratio holds on a busy machine even when
the absolute figures move. Prints medians and p95 in milliseconds and the ratio of medians.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # server.fresh_pg_schema for --database-url

import sqlalchemy as sa  # noqa: E402

from intake_chat.app.service import RuleSafety, Service  # noqa: E402
from intake_chat.core import sealing  # noqa: E402
from intake_chat.core.config import Config  # noqa: E402
from intake_chat.core.flows import parse_flow  # noqa: E402
from intake_chat.core.sealing import Key, Keyring  # noqa: E402
from intake_chat.safety import detection  # noqa: E402
from intake_chat.storage import Database, utcnow  # noqa: E402
from intake_chat.storage import accounts as staff_store  # noqa: E402
from intake_chat.storage import conversations as store  # noqa: E402

FLOW = {
    "$schema": "./schema/flow.schema.json",
    "id": "bench",
    "title": {"en": "Bench"},
    "locales": ["en"],
    "start": "ask",
    "sections": {
        "main": {
            "nodes": [
                {
                    "id": "ask",
                    "type": "question",
                    "input": "text",
                    "var": "note",
                    "text": {"en": "Tell me a little more about what brings you here."},
                },
                {"id": "again", "type": "goto", "target": "ask"},
            ]
        }
    },
}
TEXT = "I have been feeling anxious at work for a few months and would like to talk to someone"


@contextmanager
def database(
    url_base: str | None, folder: Path, name: str, keyring: Keyring | None
) -> Iterator[Database]:
    with ExitStack() as stack:
        if url_base:
            from server import fresh_pg_schema

            url = stack.enter_context(fresh_pg_schema(url_base))
        else:
            url = f"sqlite:///{folder / (name + '.sqlite3')}"
        db = Database(url, keyring=keyring)
        db.migrate()
        try:
            yield db
        finally:
            db.dispose()


def turn_timer(service: Service, sessions: int) -> Callable[[int], list[float]]:
    """``run(n)``: n typed answers spread over ``sessions`` conversations; ms per turn."""
    tokens = []
    for _ in range(sessions):
        outcome = service.handle(None, json.dumps({"type": "start"}), client="10.0.0.1")
        tokens.append(outcome.token)
    count = [0]

    def run(n: int) -> list[float]:
        """Wall-clock ms of each turn; the last item appended is the CPU ms per turn of the
        whole process (every thread: the SQLite writer's too), steadier on a busy machine."""
        times = []
        cpu = time.process_time()
        for _ in range(n):
            count[0] += 1
            frame = json.dumps({"type": "reply", "text": f"{TEXT} ({count[0]})"})
            start = time.perf_counter()
            service.handle(tokens[count[0] % sessions], frame, client="10.0.0.1")
            times.append((time.perf_counter() - start) * 1000)
        times.append((time.process_time() - cpu) * 1000 / n)
        return times

    return run


def seed_referrals(db: Database, n: int) -> None:
    now = utcnow()
    with db.transaction() as conn:
        session = store.create_session(
            conn,
            token_hash="b" * 64,
            flow_id="bench",
            flow_version=1,
            flow_digest="d" * 64,
            locale="en",
            now=now,
            expires_at=now,
        )
        for i in range(n):
            answers = {"first_name": f"Person{i}", "email": f"p{i}@example.org", "note": TEXT}
            store.insert_referral(conn, session=session, mode="queued", answers=answers, now=now)


def search_ms(db: Database) -> float:
    start = time.perf_counter()
    with db.read() as conn:
        found = staff_store.list_referrals(conn, staff_store.InboxFilter(query="person1999"))
    assert len(found) <= 1
    return (time.perf_counter() - start) * 1000


def seal_cost(keyring: Keyring, state: object, n: int = 2000) -> str:
    """The cryptography alone, on a session state of this run: sealing and opening it."""
    text = json.dumps(state).encode()
    start, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        keyring.open(keyring.seal(text, "sessions.state"), "sessions.state")
    wall_us = (time.perf_counter() - start) / n * 1e6
    cpu_us = (time.process_time() - cpu) / n * 1e6
    return f"seal + open of one {len(text)}-byte session state: {wall_us:.1f} us ({cpu_us:.1f} CPU)"


def describe(label: str, samples: list[float]) -> str:
    ordered = sorted(samples)
    p95 = ordered[min(len(ordered) - 1, int(0.95 * len(ordered)))]
    return f"{label:<12} median {statistics.median(ordered):7.3f} ms   p95 {p95:7.3f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--turns", type=int, default=300, help="turns per mode per round")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--referrals", type=int, default=2000, help="for the search figure")
    parser.add_argument("--database-url", default="", help="PostgreSQL base URL (else SQLite)")
    args = parser.parse_args()

    flow = parse_flow(json.loads(json.dumps(FLOW)), "bench.json")
    safety = RuleSafety(detection.practice_rules(ROOT / "flows"))
    keyring = Keyring(Key.parse(sealing.new_key(), "bench"))
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        folder = Path(tmp)
        config = Config.from_env(
            {},
            data_dir=folder,
            secret_key="bench",
            default_flow="bench",
            rate_limit_per_session=0,
            rate_limit_per_address=0,
            testing=True,
        )
        dbs = {
            mode: stack.enter_context(database(args.database_url or None, folder, mode, ring))
            for mode, ring in (("clear", None), ("encrypted", keyring))
        }
        runs = {
            mode: turn_timer(Service(db, {flow.id: flow}, config, safety=safety), 10)
            for mode, db in dbs.items()
        }
        for run in runs.values():
            run(20)  # warm: statements compiled, pools filled
        samples: dict[str, list[float]] = {mode: [] for mode in runs}
        medians: dict[str, list[float]] = {mode: [] for mode in runs}
        cpu: dict[str, list[float]] = {mode: [] for mode in runs}
        for _ in range(args.rounds):
            for mode, run in runs.items():
                *taken, cpu_ms = run(args.turns)
                samples[mode] += taken
                medians[mode].append(statistics.median(taken))
                cpu[mode].append(cpu_ms)
        backend = "PostgreSQL" if args.database_url else "SQLite (WAL, synchronous=FULL)"
        print(f"per turn, {backend}, {args.rounds} rounds x {args.turns} turns, interleaved")
        for mode in runs:
            print(describe(mode, samples[mode]))
        for label, figures in (("wall median", medians), ("CPU", cpu)):
            ratios = [e / c for e, c in zip(figures["encrypted"], figures["clear"], strict=True)]
            each = ", ".join(f"{mode} {statistics.median(v):.3f} ms" for mode, v in figures.items())
            print(
                f"{label} per turn: {each}; encrypted / clear by round "
                f"{min(ratios):.2f}-{max(ratios):.2f}, median {statistics.median(ratios):.2f}"
            )

        with dbs["clear"].read() as conn:
            state = conn.execute(sa.select(store.sessions.c.state).limit(1)).scalar_one()
        print(seal_cost(keyring, state))

        for db in dbs.values():
            seed_referrals(db, args.referrals)
        searches = {mode: [search_ms(db) for _ in range(5)] for mode, db in dbs.items()}
        print(f"inbox search over {args.referrals} referrals (median of 5)")
        for mode, taken in searches.items():
            how = "opened in Python" if mode == "encrypted" else "SQL on clear JSON"
            print(f"{mode:<12} {statistics.median(taken):8.2f} ms  ({how})")


if __name__ == "__main__":
    main()
