"""In-process wake-ups after a commit: a socket, a long-poll or the staff console subscribes to a
key (a session id, or ``STAFF_CHANNEL``) and is called when a turn for that key has committed.

The database is the record; the hub only says "look again". Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

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
