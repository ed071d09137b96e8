"""Wake-ups after a commit: a socket, a long-poll or the staff console subscribes to a key (a
session id, or ``STAFF_CHANNEL``) and is called when a turn for that key has committed.

``Hub`` wakes listeners in this process; ``SharedHub`` also tells the other instances on the same
PostgreSQL (LISTEN/NOTIFY), so a staff member on one instance can talk to a visitor connected to
another. The database is the record; the hub only says "look again". Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import queue
import threading
import uuid
from collections.abc import Callable

from ..storage import Database, signals

log = logging.getLogger(__name__)

STAFF_CHANNEL = "staff"  # the key staff consoles listen on: new referrals, crises, live requests


class Hub:
    """In-process wake-ups after a commit: WebSockets, long-polls and the staff console subscribe
    by session id (or ``STAFF_CHANNEL``). Callbacks run in the publisher's thread: keep them
    short."""

    def __init__(self) -> None:
        self._subscribers: dict[str, dict[int, tuple[Callable[[str], None], object]]] = {}
        self._lock = threading.Lock()
        self._next = 0

    def subscribe(
        self, key: str, callback: Callable[[str], None], *, owner: object = None
    ) -> Callable[[], None]:
        with self._lock:
            self._next += 1
            handle = self._next
            self._subscribers.setdefault(key, {})[handle] = (callback, owner)

        def unsubscribe() -> None:
            with self._lock:
                subscribers = self._subscribers.get(key, {})
                subscribers.pop(handle, None)
                if not subscribers:
                    self._subscribers.pop(key, None)

        return unsubscribe

    def publish(self, key: str, *, source: object = None) -> None:
        """Wake every subscriber of ``key`` except the one whose owner is ``source``."""
        with self._lock:
            targets = [
                cb
                for cb, owner in self._subscribers.get(key, {}).values()
                if source is None or owner is not source
            ]
        for callback in targets:
            try:
                callback(key)
            except Exception:  # a broken listener must not break the turn that already committed
                log.exception("hub subscriber failed")

    def wake_all(self) -> None:
        with self._lock:
            targets = [
                (key, cb) for key, subs in self._subscribers.items() for cb, _ in subs.values()
            ]
        for key, callback in targets:
            try:
                callback(key)
            except Exception:
                log.exception("hub subscriber failed")


class SharedHub(Hub):
    """A ``Hub`` whose publications also reach every other instance on one PostgreSQL database.

    ``publish`` wakes local listeners at once and queues ``<instance>:<key>``; a sender thread
    sends what has queued up with one NOTIFY statement (a turn then waits for no extra round
    trip or pooled connection), and the listener thread turns other instances' notifications
    into local wake-ups (its own are skipped: they were delivered already)."""

    MAX_BATCH = 200

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.instance = uuid.uuid4().hex[:16]
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._outgoing: queue.SimpleQueue[str | None] = queue.SimpleQueue()
        self.ready = threading.Event()

    def publish(self, key: str, *, source: object = None) -> None:
        super().publish(key, source=source)
        if self._threads:
            self._outgoing.put(f"{self.instance}:{key}")
        else:  # not started (a tool or a test using the service alone): say it now
            self._send([f"{self.instance}:{key}"])

    def start(self) -> SharedHub:
        if not self._threads:
            listener = threading.Thread(
                target=signals.listen,
                args=(self.db, self._heard, self._stop),
                kwargs={"ready": self.ready},
                name="intake-hub",
                daemon=True,
            )
            sender = threading.Thread(target=self._send_queued, name="intake-hub-send", daemon=True)
            self._threads = [listener, sender]
            for thread in self._threads:
                thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        self._outgoing.put(None)
        for thread in self._threads:
            thread.join(timeout)

    def _send_queued(self) -> None:
        while True:
            first = self._outgoing.get()
            batch = [] if first is None else [first]
            while first is not None and len(batch) < self.MAX_BATCH:
                try:
                    item = self._outgoing.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    first = None
                    break
                batch.append(item)
            if batch:
                self._send(list(dict.fromkeys(batch)))  # a key woken twice is said once
            if first is None:
                return

    def _send(self, payloads: list[str]) -> None:
        try:
            signals.signal_many(self.db, payloads)
        except Exception:  # the turns have committed; other instances catch up on their own
            log.warning(
                "could not tell other instances about %d keys", len(payloads), exc_info=True
            )

    def _heard(self, payload: str) -> None:
        instance, _, key = payload.partition(":")
        if key and instance != self.instance:
            super().publish(key)
