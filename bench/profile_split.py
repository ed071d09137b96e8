"""Where a server's time goes: reads ``py-spy record --format raw`` output (one line per stack:
``frame;frame;… count``) and splits the samples into the parts docs/performance.md names.

    py-spy record --pid WORKER --format raw --rate 100 --duration 30 --output stacks.txt [--gil]
    python bench/profile_split.py stacks.txt

(``bench/chat_load.py --profile DIR`` records both, for each chat worker.) Each sample counts
once, for the first part below found anywhere in its stack: a regular expression inside the
safety layer counts as safety, JSON encoding inside a database call as JSON. Time inside C code
(SQLite, libpq, the kernel) shows as the Python frame that called it, so the database driver
part holds SQLite's own work, its fsync and PostgreSQL round trips.
"""

from __future__ import annotations

import argparse
import re
from collections import Counter
from pathlib import Path

# (part, pattern on one frame "function (file:line)"), in order of precedence.
PARTS: list[tuple[str, re.Pattern[str]]] = [
    ("safety", re.compile(r"intake_chat/safety/")),
    ("JSON", re.compile(r"(^|/)json/")),
    ("pool checkout/return", re.compile(r"sqlalchemy/pool/")),
    ("commit", re.compile(r"do_commit|_commit_impl")),
    ("database driver (SQLite, libpq)", re.compile(r"do_execute|do_executemany|[Ff]etch")),
    ("SQLAlchemy statement handling", re.compile(r"sqlalchemy/")),
    ("storage (intake_chat.storage)", re.compile(r"intake_chat/storage/")),
    ("engine and flow (intake_chat.core)", re.compile(r"intake_chat/core/")),
    ("WebSocket frames (simple-websocket, wsproto)", re.compile(r"simple_websocket/|wsproto/")),
    ("sockets and polling", re.compile(r"(^|/)(socket|selectors|ssl)\.py|gevent/_socket")),
    ("locks and waits", re.compile(r"threading\.py|gevent/(lock|event|_semaphore|thread)")),
    ("service and hub (intake_chat.app)", re.compile(r"intake_chat/app/")),
    ("transport (intake_chat.web)", re.compile(r"intake_chat/web/")),
    ("gunicorn, Flask, werkzeug", re.compile(r"gunicorn/|flask/|werkzeug/|flask_sock/")),
    ("gevent hub and greenlets", re.compile(r"gevent/")),
]
IDLE = "idle sockets waking (receive timeout)"


def part_of(frames: list[str]) -> str:
    """The part one sample belongs to."""
    waiting = any(f.startswith(("Base.receive", "receive ")) for f in frames)
    if waiting and not any("Socket._turn" in f for f in frames):
        return IDLE
    for name, pattern in PARTS:
        if any(pattern.search(frame) for frame in frames):
            return name
    return "other"


def split(lines: list[str]) -> Counter[str]:
    parts: Counter[str] = Counter()
    for line in lines:
        stack, _, count = line.rstrip().rpartition(" ")
        if stack and count.isdigit():
            parts[part_of(stack.split(";"))] += int(count)
    return parts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("stacks", type=Path, nargs="+")
    args = parser.parse_args()
    for path in args.stacks:
        parts = split(path.read_text().splitlines())
        total = sum(parts.values()) or 1
        print(f"{path.name}: {total} samples")
        for name, count in parts.most_common():
            print(f"  {name:<45} {100 * count / total:5.1f} %")


if __name__ == "__main__":
    main()
