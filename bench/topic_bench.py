"""Cost of matching one typed message against the topics: the matcher against a baseline.

    python bench/topic_bench.py [--rounds N] [--topics 60] [--examples 30]

Builds a synthetic flow of N topics × M examples × 2 locales from the shipped flow's own examples
(reshuffled into more topics, so the vocabulary is real), then times ``topics.match`` on the
held-out-free dev set's texts. The baseline, in the same run and interleaved round by round, is a
plain substring scan over the same examples (what exact-phrase intents did), so the ratio holds on
a busy machine. Prints the index build time and median, p95 and p99 per message in microseconds;
exits 1 if the matcher's p99 is 1 ms or more.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

from intake_chat.core import topics
from intake_chat.core.flows import Flow, load_flow, parse_flow

ROOT = Path(__file__).resolve().parent.parent
BOUND_US = 1000.0


def synthetic_flow(n_topics: int, n_examples: int) -> Flow:
    """The shipped flow with its examples dealt out, cycling, into ``n_topics`` topics of
    ``n_examples`` each (a flow's size, with real vocabulary)."""
    shipped = load_flow(ROOT / "flows" / "intake.json")
    pools = {
        loc: [e for t in shipped.topics.values() for e in t["examples"][loc]]
        for loc in shipped.locales
    }
    data = json.loads(json.dumps(shipped.data))
    made = []
    for n in range(n_topics):
        examples = {
            loc: [pool[(n * n_examples + k) % len(pool)] for k in range(n_examples)]
            for loc, pool in pools.items()
        }
        made.append(
            {
                "id": f"topic_{n}",
                "label": {"en": f"Topic {n}", "es": f"Tema {n}"},
                "answer": [{"en": "Our team can tell you.", "es": "Nuestro equipo puede decirle."}],
                "examples": examples,
            }
        )
    data["topics"] = made
    data["settings"].pop("topic_menu", None)
    return parse_flow(data, "synthetic.json")


def _quantile(samples: list[float], q: float) -> float:
    return samples[min(len(samples) - 1, int(q * len(samples)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--topics", type=int, default=60)
    parser.add_argument("--examples", type=int, default=30)
    args = parser.parse_args()

    flow = synthetic_flow(args.topics, args.examples)
    started = time.perf_counter()
    indexes = topics.index_for(flow)
    build_ms = (time.perf_counter() - started) * 1000
    lines = (ROOT / "tests" / "dev" / "topics" / "dev.jsonl").read_text(encoding="utf-8")
    cases = [(row["text"], row["locale"]) for row in map(json.loads, lines.splitlines())]
    phrases = {
        loc: [topics.normalize(e, loc) for t in flow.topics.values() for e in t["examples"][loc]]
        for loc in indexes
    }

    def baseline(text: str, locale: str) -> object:
        said = topics.normalize(text, locale)
        return next((p for p in phrases[locale] if p in said), None)

    def matcher(text: str, locale: str) -> object:
        return topics.match(flow, text, locale)

    timed: dict[str, Callable[[str, str], object]] = {"baseline": baseline, "matcher": matcher}
    samples: dict[str, list[float]] = {name: [] for name in timed}
    clock = time.perf_counter_ns
    for text, locale in cases:  # one warm-up pass, as a running server has had
        matcher(text, locale)
    gc.collect()
    gc.disable()  # a collection lands on whichever call is running: noise, not matching cost
    for _ in range(args.rounds):
        for name, fn in timed.items():
            for text, locale in cases:
                start = clock()
                fn(text, locale)
                samples[name].append((clock() - start) / 1000)
    gc.enable()
    print(
        f"{args.topics} topics x {args.examples} examples x {len(indexes)} locales; "
        f"{len(cases)} messages x {args.rounds} rounds; index built in {build_ms:.0f} ms"
    )
    for name, got in samples.items():
        got.sort()
        print(
            f"  {name:<9} median {statistics.median(got):7.1f} us   p95 "
            f"{_quantile(got, 0.95):7.1f} us   p99 {_quantile(got, 0.99):7.1f} us"
        )
    p99 = _quantile(samples["matcher"], 0.99)
    if p99 >= BOUND_US:
        print(f"FAIL: matcher p99 {p99:.0f} us is not under {BOUND_US:.0f} us")
        sys.exit(1)


if __name__ == "__main__":
    main()
