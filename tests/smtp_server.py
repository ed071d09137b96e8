"""A tiny SMTP server on a loopback port for tests: just enough of RFC 5321 for smtplib.

Python 3.11's ``smtpd`` is deprecated (and pytest turns warnings into errors), so this is a small
socketserver one: EHLO/HELO, AUTH PLAIN, MAIL, RCPT, DATA, RSET, NOOP, QUIT. Received messages are
parsed with the standard ``email`` package and kept in ``messages``.
"""

from __future__ import annotations

import base64
import email
import email.policy
import socketserver
import threading
from dataclasses import dataclass, field
from email.message import EmailMessage
from types import TracebackType


@dataclass
class Received:
    """One accepted message, with the envelope the client gave."""

    mail_from: str
    rcpt_to: list[str]
    message: EmailMessage
    auth: str | None


@dataclass
class _State:
    messages: list[Received] = field(default_factory=list)
    fail_data: int = 0  # answer the next N DATA commands with a temporary failure
    user: str | None = None  # when set, AUTH is advertised and required
    password: str | None = None
    lock: threading.Lock = field(default_factory=threading.Lock)
    delivered: threading.Condition = field(init=False)

    def __post_init__(self) -> None:
        self.delivered = threading.Condition(self.lock)


class _Handler(socketserver.StreamRequestHandler):
    server: _Server

    def reply(self, line: str) -> None:
        self.wfile.write(line.encode("ascii") + b"\r\n")
        self.wfile.flush()

    def handle(self) -> None:
        state = self.server.state
        self.reply("220 localhost test SMTP ready")
        mail_from: str | None = None
        rcpt: list[str] = []
        auth: str | None = None
        while True:
            raw = self.rfile.readline(4096)
            if not raw:
                return
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            if verb == "EHLO":
                extra = ["250-AUTH PLAIN"] if state.user else []
                for text in ["250-localhost", *extra, "250-8BITMIME", "250 SMTPUTF8"]:
                    self.reply(text)
            elif verb == "HELO":
                self.reply("250 localhost")
            elif verb == "AUTH":
                auth = self._auth(arg)
            elif verb == "MAIL":
                if state.user and auth is None:
                    self.reply("530 5.7.0 Authentication required")
                    continue
                mail_from = _address(arg)
                rcpt = []
                self.reply("250 OK")
            elif verb == "RCPT":
                if mail_from is None:
                    self.reply("503 need MAIL first")
                    continue
                rcpt.append(_address(arg))
                self.reply("250 OK")
            elif verb == "DATA":
                if mail_from is None or not rcpt:
                    self.reply("503 need RCPT first")
                    continue
                self.reply("354 end with <CRLF>.<CRLF>")
                body = self._read_data()
                with state.lock:
                    if state.fail_data > 0:
                        state.fail_data -= 1
                        self.reply("451 4.3.0 try again later")
                    else:
                        message = email.message_from_bytes(
                            body.replace(b"\r\n", b"\n"), policy=email.policy.default
                        )
                        assert isinstance(message, EmailMessage)
                        state.messages.append(Received(mail_from, rcpt, message, auth))
                        state.delivered.notify_all()
                        self.reply("250 OK queued")
                mail_from, rcpt = None, []
            elif verb == "RSET":
                mail_from, rcpt = None, []
                self.reply("250 OK")
            elif verb == "NOOP":
                self.reply("250 OK")
            elif verb == "QUIT":
                self.reply("221 bye")
                return
            else:
                self.reply("502 command not implemented")

    def _auth(self, arg: str) -> str | None:
        state = self.server.state
        mechanism, _, initial = arg.partition(" ")
        if mechanism.upper() != "PLAIN":
            self.reply("504 only PLAIN")
            return None
        if not initial:
            self.reply("334 ")
            initial = self.rfile.readline(4096).decode("ascii", "replace").strip()
        try:
            _, user, password = base64.b64decode(initial).decode("utf-8").split("\0")
        except ValueError:
            self.reply("501 malformed AUTH")
            return None
        if (user, password) != (state.user, state.password):
            self.reply("535 5.7.8 bad credentials")
            return None
        self.reply("235 2.7.0 accepted")
        return user

    def _read_data(self) -> bytes:
        lines: list[bytes] = []
        while True:
            raw = self.rfile.readline(1 << 20)
            if raw in (b".\r\n", b".\n", b""):
                return b"".join(lines)
            lines.append(raw[1:] if raw.startswith(b"..") else raw)


def _address(arg: str) -> str:
    _, _, rest = arg.partition(":")
    return rest.strip().split(" ")[0].strip("<>")


class _Server(socketserver.ThreadingTCPServer):
    daemon_threads = True
    allow_reuse_address = True
    state: _State


class SMTPTestServer:
    """Listens on 127.0.0.1 on a free port while used as a context manager."""

    def __init__(self, *, user: str | None = None, password: str | None = None) -> None:
        self._server = _Server(("127.0.0.1", 0), _Handler)
        self._server.state = _State(user=user, password=password)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def messages(self) -> list[Received]:
        with self._server.state.lock:
            return list(self._server.state.messages)

    def fail_next(self, count: int) -> None:
        """Answer the next ``count`` DATA commands with 451 (a temporary failure)."""
        with self._server.state.lock:
            self._server.state.fail_data = count

    def wait_for(self, count: int, timeout: float = 5.0) -> list[Received]:
        """Block until ``count`` messages arrived (or the timeout passes); return them."""
        state = self._server.state
        with state.delivered:
            state.delivered.wait_for(lambda: len(state.messages) >= count, timeout)
            return list(state.messages)

    def __enter__(self) -> SMTPTestServer:
        self._thread.start()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
