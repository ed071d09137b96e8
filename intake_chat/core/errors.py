"""The one exception tree of intake-chat; every module raises from here.

IntakeError
├── ConfigError          a bad INTAKE_* variable (names the variable)
├── FlowError            a flow or safety file that cannot be used (carries every problem found)
├── ProtocolError        a client frame that breaks the chat protocol (carries a stable ``code``)
├── StorageError         the database refused a write (disk full, locked, gone)
│   └── WriteConflict    another writer changed the row first; nothing was written, try again
├── EncryptionError      a missing, wrong or unusable encryption key (names the setting)
└── EditRefused          a flow editor step the rules forbid (carries a stable ``code``)
"""

from __future__ import annotations

from dataclasses import dataclass


class IntakeError(Exception):
    """Base of every error this package raises on purpose."""


class ConfigError(IntakeError):
    """Start-up stops here; the message names the variable and the expected form."""


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a file, phrased so a person can fix it."""

    file: str
    path: str  # JSON path like ``$.sections.main.nodes[3].next``, or ``line 4, column 9``
    message: str
    fix: str = ""

    def __str__(self) -> str:
        tail = f" Fix: {self.fix}" if self.fix else ""
        return f"{self.file}: {self.path}: {self.message}.{tail}"


class FlowError(IntakeError):
    """A flow or safety file could not be loaded; ``problems`` lists all of them, not the first."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class ProtocolError(IntakeError):
    """A client frame the service refuses; ``code`` is stable and documented in docs/protocol.md."""

    def __init__(self, code: str, text: str) -> None:
        self.code = code
        self.text = text
        super().__init__(f"{code}: {text}")


class StorageError(IntakeError):
    """A database write failed; the visitor is told to retry and nothing half-written remains."""


class WriteConflict(StorageError):
    """Optimistic concurrency lost: the row moved on since it was read. Nothing was written."""


class EncryptionError(IntakeError):
    """The encryption key is missing, wrong or unusable, or a sealed value does not open:
    start-up stops, and nothing is read or written in clear instead."""


class EditRefused(IntakeError):
    """A draft save, review, publish or rollback that the rules forbid (stale revision, own review,
    errors left, warnings not acknowledged …); ``message`` is worded for the editor."""

    def __init__(self, code: str, message: str, **detail: object) -> None:
        self.code = code
        self.message = message
        self.detail = detail
        super().__init__(f"{code}: {message}")
