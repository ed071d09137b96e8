"""In-process limits: token buckets for frames per minute per session and per client address,
and ``Slots`` for how many long-lived requests (sockets, long-polls) may be open at once.

One process serves SQLite installs, so in-process state is the whole truth there; with several
PostgreSQL workers each enforces its own share. Imports nothing from Flask or the database.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class _Bucket:
    tokens: float
    stamp: float


class TokenBuckets:
    """``per_minute`` frames a minute per key, bursts up to ``per_minute``; 0 means unlimited."""

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        max_keys: int = 100_000,
    ) -> None:
        self.per_minute = per_minute
        self.rate = per_minute / 60.0
        self.clock = clock
        self.max_keys = max_keys
        self._buckets: dict[str, _Bucket] = {}
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Spend one token; returns 0 when allowed, else the seconds until a token is due."""
        if self.per_minute <= 0:
            return 0.0
        now = self.clock()
        with self._lock:
            bucket = self._buckets.get(key)
            if bucket is None:
                if len(self._buckets) >= self.max_keys:
                    self._forget_full(now)
                bucket = self._buckets[key] = _Bucket(float(self.per_minute), now)
            else:
                bucket.tokens = min(
                    float(self.per_minute), bucket.tokens + (now - bucket.stamp) * self.rate
                )
                bucket.stamp = now
            if bucket.tokens >= 1.0:
                bucket.tokens -= 1.0
                return 0.0
            return (1.0 - bucket.tokens) / self.rate

    def _forget_full(self, now: float) -> None:
        # A bucket that has refilled completely holds no information: dropping it changes nothing.
        refill = self.per_minute / self.rate
        stale = [k for k, b in self._buckets.items() if now - b.stamp >= refill]
        for key in stale:
            del self._buckets[key]
        if len(self._buckets) >= self.max_keys:  # still full under a flood: forget the oldest half
            oldest = sorted(self._buckets, key=lambda k: self._buckets[k].stamp)
            for key in oldest[: len(oldest) // 2]:
                del self._buckets[key]


class Slots:
    """Counts requests that hold a worker thread for long (sockets, long-polls) so that new ones are
    refused with 503 instead of hanging in the handshake when every thread is taken.

    ``per_address`` (0: no cap) keeps one client address from taking every slot: without it a
    single machine opening idle sockets shuts the chat for everyone else.
    """

    def __init__(self, capacity: int, per_address: int = 0) -> None:
        self.capacity = capacity
        self.per_address = per_address
        self.used = 0
        self._held: dict[str, int] = {}
        self._lock = threading.Lock()

    def try_acquire(self, address: str = "") -> bool:
        return self.acquire(address) == "ok"

    def acquire(self, address: str = "") -> str:
        """One of: ok; busy (every slot taken); address (this address holds its share)."""
        with self._lock:
            if self.used >= self.capacity:
                return "busy"
            held = self._held.get(address, 0)
            if address and self.per_address and held >= self.per_address:
                return "address"
            self.used += 1
            if address:
                self._held[address] = held + 1
            return "ok"

    def release(self, address: str = "") -> None:
        with self._lock:
            self.used = max(0, self.used - 1)
            left = self._held.pop(address, 0) - 1
            if address and left > 0:
                self._held[address] = left
