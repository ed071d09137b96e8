"""gunicorn's gevent worker with the chat's graceful stop (``serve_command.begin_shutdown``).

Imported only by a worker of a process that gevent patched first (``serve_command.GREEN_ENTRY``).
"""

from __future__ import annotations

from typing import Any

import gevent
from gunicorn.workers.ggevent import GeventWorker

from .serve_command import begin_shutdown


class GreenChatWorker(GeventWorker):  # type: ignore[misc]
    """Cooperative worker: one greenlet per connection."""

    def handle_exit(self, sig: int, frame: Any) -> None:
        # Out of the signal handler: waking the sockets reads the database, which may switch.
        gevent.spawn(begin_shutdown, self.wsgi)
        super().handle_exit(sig, frame)
