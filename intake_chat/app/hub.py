"""Wake-ups after a commit: a socket, a long-poll or the staff console subscribes to a key (a
session id, or ``STAFF_CHANNEL``) and is called when a turn for that key has committed.

``Hub`` wakes listeners in this process; ``SharedHub`` also tells the other instances on the same
PostgreSQL (LISTEN/NOTIFY), so a staff member on one instance can talk to a visitor connected to
another. The database is the record; the hub only says "look again". Imports nothing from Flask.
"""

from __future__ import annotations

import logging
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

    ``publish`` wakes local listeners at once, then sends ``<instance>:<key>`` with NOTIFY; the
    listener thread turns other instances' notifications into local wake-ups (its own are
    skipped: they were delivered already)."""

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.instance = uuid.uuid4().hex[:16]
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self.ready = threading.Event()

    def publish(self, key: str, *, source: object = None) -> None:
        super().publish(key, source=source)
        try:
            signals.signal(self.db, f"{self.instance}:{key}")
        except Exception:  # the turn has committed; other instances catch up on their own
            log.warning("could not tell other instances about %s", key, exc_info=True)

    def start(self) -> SharedHub:
        if self._thread is None:
            self._thread = threading.Thread(
                target=signals.listen,
                args=(self.db, self._heard, self._stop),
                kwargs={"ready": self.ready},
                name="intake-hub",
                daemon=True,
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)

    def _heard(self, payload: str) -> None:
        instance, _, key = payload.partition(":")
        if key and instance != self.instance:
            super().publish(key)
