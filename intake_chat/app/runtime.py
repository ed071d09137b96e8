"""The running app as one object: what the conversation service, the live desk, the notifier, the
retention pass and every blueprint share (database, flows, safety, hub, clock, stop signal, staff
channel, capacity), built once by ``create_app`` or a test and handed to each of them.

No module holds any of this at module level. Imports nothing from Flask.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from ..core.config import Config
from ..core.flows import Flow, load_flows
from ..core.ratelimit import Slots
from ..safety import detection as safety_rules
from ..storage import Database, utcnow
from . import notifier, retention
from .hub import STAFF_CHANNEL, Hub, SharedHub
from .livedesk import Desk
from .service import RuleSafety, Service

log = logging.getLogger(__name__)

DEFAULT_CAPACITY = 1000  # long-lived requests when not told by ``intake-chat serve``


class Worker(Protocol):
    def stop(self, timeout: float = 10.0) -> None: ...


@dataclass
class Runtime:
    """One per app. ``stopping`` is set when the server is asked to stop: sockets finish their
    turn, then close; long-polls answer at once."""

    config: Config
    db: Database
    flows: dict[str, Flow]
    safety: RuleSafety
    hub: Hub
    service: Service
    desk: Desk
    slots: Slots
    clock: Callable[[], datetime] = utcnow
    stopping: threading.Event = field(default_factory=threading.Event)
    staff_channel: str = STAFF_CHANNEL
    workers: list[Worker] = field(default_factory=list)

    @classmethod
    def build(
        cls,
        config: Config,
        *,
        clock: Callable[[], datetime] = utcnow,
    ) -> Runtime:
        """Open and migrate the database, load the flows and compile the safety rules once."""
        db = Database(config.sqlalchemy_url, keyring=config.keyring())
        try:
            db.migrate()  # and checks the encryption key: a wrong or missing one stops here
        except Exception:
            db.dispose()
            raise
        flows = load_flows(config.flows_dir)
        safety = RuleSafety(safety_rules.practice_rules(config.flows_dir))
        hub = Hub() if db.is_sqlite else SharedHub(db)  # SQLite: one serving process
        service = Service(db, flows, config, safety=safety, hub=hub, now=clock)
        slots = Slots(DEFAULT_CAPACITY, config.sockets_per_address)
        return cls(config, db, flows, safety, hub, service, Desk(service), slots, clock)

    def start_workers(self) -> None:
        """The background threads of one serving process: other instances' wake-ups (PostgreSQL),
        the live desk's timer, staff notifications and the hourly retention pass (none under
        ``testing``: tests start the one they exercise)."""
        if isinstance(self.hub, SharedHub):
            self.workers.append(self.hub.start())
        self.desk.start()
        self.start_notifier()
        self.start_retention()

    def start_notifier(self) -> notifier.Worker:
        worker = notifier.start_worker(self.db, self.config, self.hub, self.staff_channel)
        self.workers.append(worker)
        return worker

    def start_retention(self) -> retention.Worker | None:
        """Not started when both retention settings are 0 (keep everything)."""
        if not (self.config.retention_days or self.config.referral_retention_days):
            return None
        worker = retention.Worker(self.db, self.config).start()
        self.workers.append(worker)
        return worker

    def begin_shutdown(self) -> None:
        """Within a second every socket answers the frames it already has, then closes with 1012
        (the widget reconnects and resumes); long-polls answer now."""
        self.stopping.set()
        self.hub.wake_all()

    def stop_workers(self) -> None:
        self.desk.stop()
        for worker in self.workers:
            worker.stop()
        self.workers.clear()
