"""The safety figures through the real chat protocol: each labelled line typed at a random step of
the shipped intake flow (its own language) by a fresh visitor of the real Service on SQLite.

    python bench/safety_protocol.py [FILE.jsonl ...] [--seed N]

Each line is typed twice: in the flow of its own language and in the other one. Prints only the
summary tables (recall per level and family, precision, false alarms, advice
deflected), never a line: it is meant for the blind sets under tests/eval/, which nobody may read.
Default files: tests/eval/safety/*.jsonl.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# The tests' helpers (no pytest in them): the protocol runner and how a visitor answers the flow.
sys.path.insert(0, str(ROOT / "tests"))
from safety_protocol import score_protocol  # noqa: E402

from intake_chat.safety.evaluation import load_corpus, summary_lines  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="*", type=Path)
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    files = args.files or sorted((ROOT / "tests" / "eval" / "safety").glob("*.jsonl"))
    examples = [e for path in files for e in load_corpus(path)]
    for swap in (False, True):
        started = time.perf_counter()
        with tempfile.TemporaryDirectory() as tmp:
            report = score_protocol(examples, Path(tmp), seed=args.seed, swap=swap)
        seconds = time.perf_counter() - started
        flow = "the other language's flow" if swap else "the flow of its own language"
        print(f"\n{len(examples)} lines typed in {flow} (seed {args.seed}, {seconds:.0f} s)\n")
        print("\n".join(summary_lines(report)))


if __name__ == "__main__":
    main()
