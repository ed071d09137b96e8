"""The widget's budget and hygiene: the loader under 3 KB gzipped, the chat UI's JS + CSS under
15 KB gzipped, no absolute URLs (nothing fetched from another origin), no HTML built from text."""

from __future__ import annotations

import gzip
import re
from pathlib import Path

import pytest

STATIC = Path(__file__).resolve().parent.parent / "static"
LOADER = STATIC / "widget.js"
APP = (STATIC / "chat" / "chat.js", STATIC / "chat" / "chat.css")
LOADER_BUDGET = 3 * 1024
APP_BUDGET = 15 * 1024


def gzipped(path: Path) -> int:
    return len(gzip.compress(path.read_bytes(), compresslevel=9))


def test_the_loader_stays_under_3_kb_gzipped() -> None:
    size = gzipped(LOADER)
    print(f"widget.js: {LOADER.stat().st_size} bytes, {size} gzipped (budget {LOADER_BUDGET})")
    assert size < LOADER_BUDGET, f"static/widget.js is {size} bytes gzipped, over {LOADER_BUDGET}"


def test_the_chat_ui_js_and_css_stay_under_15_kb_gzipped() -> None:
    sizes = {path.name: gzipped(path) for path in APP}
    print(f"chat UI gzipped: {sizes} (budget {APP_BUDGET} together)")
    assert sum(sizes.values()) < APP_BUDGET, f"chat.js + chat.css gzipped: {sizes}"


@pytest.mark.parametrize("path", [LOADER, *APP], ids=lambda p: p.name)
def test_it_names_no_other_origin(path: Path) -> None:
    """Every request goes to the intake server: no CDN, font, analytics or any absolute URL."""
    text = path.read_text()
    urls = re.findall(r"(?:https?:|wss?:)?//[\w.-]+\.[a-z]{2,}[^\s'\")]*", text)
    assert urls == [], f"{path.name} names {urls}"
    assert "@import" not in text
    assert "url(" not in text
    assert "@font-face" not in text


def test_the_chat_ui_never_builds_html_from_text() -> None:
    js = APP[0].read_text()
    assert "innerHTML" not in js
    assert "insertAdjacentHTML" not in js
    assert "outerHTML" not in js
    assert "document.write" not in js


def test_the_loader_uses_markup_only_from_a_constant() -> None:
    js = LOADER.read_text()
    uses = re.findall(r"innerHTML\s*=\s*([^;]+);", js)
    assert len(uses) == 1
    assert re.fullmatch(r"'[^'+]*'", uses[0].strip()), "innerHTML gets a plain string literal only"
    assert "insertAdjacentHTML" not in js and "document.write" not in js


@pytest.mark.parametrize("path", [LOADER, APP[0]], ids=lambda p: p.name)
def test_messages_to_other_windows_name_their_target_origin(path: Path) -> None:
    js = path.read_text()
    calls = re.findall(r"postMessage\(([^)]*)\)", js)
    assert calls, "expected postMessage calls"
    for args in calls:
        assert "'*'" not in args and '"*"' not in args
        assert "," in args, f"postMessage({args}) has no target origin"
