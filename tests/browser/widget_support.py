"""Helpers for the widget's browser tests: the second origin's host pages, the per-test browser
visit, axe-core, and the timings kept in test-artifacts/."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import BrowserContext, Frame, FrameLocator, Page
from server import LiveServer
from werkzeug.serving import make_server

from intake_chat import Config, create_app

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "test-artifacts"
FRAME_URL = re.compile(r"/widget/frame")


# --- a second origin: a plain "practice website" on another loopback port ----------------------

HOST_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><header><h1>{title}</h1></header>
<main><p>A page of the practice's own website, on another origin than the chat server.</p>
<p><a href="/about">About us</a></p>{extra}</main>
<script src="{intake}/static/widget.js" defer data-intake-chat {attrs}></script>
</body></html>"""

NEUTRAL_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Weather</title></head><body><main><h1>Local weather</h1>
<p>Sunny, light wind.</p></main></body></html>"""


class HostSite:
    """A threading HTTP server for the host pages; ``pages`` maps a path to its HTML."""

    def __init__(self, port: int, intake: str) -> None:
        self.port = port
        self.origin = f"http://127.0.0.1:{port}"
        self.intake = intake
        self.pages: dict[str, str] = {"/neutral": NEUTRAL_PAGE}
        self.add("/", 'data-greeting="Questions? Chat with us" data-color="#6b2d5c"')
        self.add("/left", 'data-position="left" data-locale="es"')
        self.add("/local", 'data-storage="local"')
        self.add("/http", 'data-transport="http"')
        self.add(
            "/inline",
            'data-mode="inline" data-target="#chat-here"',
            extra='<section aria-label="Chat"><div id="chat-here" class="box"></div></section>',
        )
        self._server: ThreadingHTTPServer | None = None

    def add(self, path: str, attrs: str, extra: str = "", title: str = "Practice website") -> None:
        self.pages[path] = HOST_PAGE.format(
            title=title, intake=self.intake, attrs=attrs, extra=extra
        )

    def start(self) -> HostSite:
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 (http.server's name)
                body = pages.get(self.path.split("?")[0])
                if body is None:
                    self.send_error(404)
                    return
                data = body.encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *_args: Any) -> None:
                pass

        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


@dataclass
class Site:
    intake: str  # the chat server's origin (also serves the demo page at /)
    host: str  # an allowed second origin
    foreign: str  # the same host pages under a name that is not on the allow-list
    server: LiveServer
    pages: HostSite


@dataclass
class Visit:
    """One test's browser context and page, with every URL the page asked for."""

    context: BrowserContext
    page: Page
    requests: list[str] = field(default_factory=list)

    @property
    def chat(self) -> FrameLocator:
        return self.page.frame_locator("iframe[src*='/widget/frame']")

    def frame(self) -> Frame:
        for frame in self.page.frames:
            if FRAME_URL.search(frame.url):
                return frame
        raise AssertionError(f"no chat frame among {[f.url for f in self.page.frames]}")


def record_timing(name: str, milliseconds: float) -> None:
    """Kept in test-artifacts/timings.json (merged across tests) and printed; never asserted."""
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / "timings.json"
    data = json.loads(path.read_text()) if path.exists() else {}
    data[name] = round(milliseconds, 1)
    path.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    print(f"{name}: {milliseconds:.1f} ms")


def axe_violations(frame: Frame) -> list[dict[str, Any]]:
    """Run axe-core in one frame. It is evaluated rather than added as a <script> tag because the
    chat frame and the demo page forbid inline scripts (their CSP is part of what is tested)."""
    if not AXE.exists():
        pytest.fail(f"{AXE} is missing: run `npm install --no-save axe-core@4` (scripts/test does)")
    if not frame.evaluate("() => typeof window.axe === 'object'"):
        frame.evaluate(AXE.read_text() + "\n;0")
    result: list[dict[str, Any]] = frame.evaluate(
        """async () => {
            const r = await axe.run(document, {iframes: false, resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.slice(0, 5)
                    .map(n => n.target.join(' ') + ' :: ' + n.failureSummary)}));
        }"""
    )
    return result


# --- the app in this process, for tests that must reach the service itself ---------------------
@contextmanager
def running_app(data_dir: Path, **settings: Any) -> Iterator[tuple[str, Any]]:
    """Yields the base URL and the app's conversation service."""
    config = Config.from_env(
        {}, data_dir=data_dir, secret_key="test-secret", testing=True, **settings
    )
    app = create_app(config)
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}", app.extensions["intake_chat"].service
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
