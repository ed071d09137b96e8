"""Blueprint `pages`: the demo practice home page `/` and the chat iframe page `/widget/frame`.

The frame page is where a visitor types, so it carries the strict CSP and learns its parent's origin
only through an allow-list check here. No database access.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, current_app, render_template, request

from ..core.config import Config
from ..core.errors import FlowError
from ..core.widget_text import STRINGS
from ..safety import detection as safety
from .context import runtime

bp = Blueprint("pages", __name__)

DEFAULT_ACCENT = "#2f5d62"
_HEX = re.compile(r"#(?:[0-9a-fA-F]{3}){1,2}")
_ORIGIN = re.compile(
    r"https?://[A-Za-z0-9.-]+(?::[0-9]{1,5})?|https?://\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?"
)
_HOST = re.compile(r"[A-Za-z0-9.-]+(?::[0-9]{1,5})?|\[[0-9A-Fa-f:.]+\](?::[0-9]{1,5})?")
_FLOW = re.compile(r"[a-z][a-z0-9_-]{0,63}")
# The flow editor's preview (editor.py): the frame talks to a sandbox under this path instead.
_PREVIEW_BASE = re.compile(r"/staff/flows/preview/[A-Za-z0-9_-]{20,100}")
_TITLE_MAX = 80
_GREETING_MAX = 160


def _config() -> Config:
    config: Config = current_app.config["INTAKE"]
    return config


def own_origin() -> str:
    """The intake server's origin as the browser sees it (the public URL wins behind a proxy)."""
    public = _config().public_url.strip()
    if public:
        parts = urlsplit(public)
        return f"{parts.scheme}://{parts.netloc}"
    return request.host_url.rstrip("/")


def allowed_ancestors(config: Config) -> list[str]:
    """Well-formed origins from INTAKE_ALLOWED_ORIGINS; anything else is left out of the CSP."""
    return [o for o in config.allowed_origins if _ORIGIN.fullmatch(o)]


def is_allowed_parent(origin: str, config: Config) -> bool:
    """Exact match only: the parent origin becomes the frame's postMessage target."""
    return bool(_ORIGIN.fullmatch(origin)) and (
        origin == own_origin() or origin in allowed_ancestors(config)
    )


def frame_csp(config: Config) -> str:
    """The frame's policy: nothing but this server, framed only by itself and the allow-list."""
    own = own_origin()
    host = urlsplit(own).netloc
    sockets = f" ws://{host} wss://{host}" if _HOST.fullmatch(host) else ""
    ancestors = " ".join(["'self'", *allowed_ancestors(config)])
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        f"connect-src 'self'{sockets}; frame-ancestors {ancestors}; base-uri 'none'; "
        "form-action 'none'; object-src 'none'"
    )


def demo_csp() -> str:
    """The demo home page is strict too, which shows the loader needs no inline script or style."""
    return (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "frame-src 'self'; connect-src 'self'; base-uri 'none'; form-action 'none'; "
        "object-src 'none'; frame-ancestors 'self'"
    )


def _channel(value: float) -> float:
    value /= 255
    return value / 12.92 if value <= 0.03928 else float(((value + 0.055) / 1.055) ** 2.4)


def _rgb(color: str) -> tuple[int, int, int]:
    digits = color[1:]
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    return int(digits[0:2], 16), int(digits[2:4], 16), int(digits[4:6], 16)


def luminance(color: str) -> float:
    r, g, b = (_channel(c) for c in _rgb(color))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio between two #rgb / #rrggbb colours."""
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def theme(color: str | None) -> dict[str, str]:
    """Accent colour plus a text colour on it and a darker 'ink' for use on white, both ≥ 4.5:1."""
    accent = color if color and _HEX.fullmatch(color) else DEFAULT_ACCENT
    accent = "#" + "".join(f"{c:02x}" for c in _rgb(accent))
    on_accent = (
        "#ffffff" if contrast(accent, "#ffffff") >= contrast(accent, "#000000") else "#000000"
    )
    r, g, b = _rgb(accent)
    ink = accent
    while contrast(ink, "#ffffff") < 5.0:
        r, g, b = int(r * 0.9), int(g * 0.9), int(b * 0.9)
        ink = f"#{r:02x}{g:02x}{b:02x}"
    return {"accent": accent, "on_accent": on_accent, "ink": ink}


def _local_path(path: str) -> str:
    """``path`` when it stays on this server. Browsers read ``/\\host`` and ``//host`` as another
    host, and drop tabs and newlines before parsing, so those never pass."""
    if not path.startswith("/") or path[1:2] in ("/", "\\") or "\\" in path:
        return ""
    if any(ord(c) < 0x21 or ord(c) == 0x7F for c in path):
        return ""
    return path


def _logo(raw: str) -> str:
    """A logo is shown only from this server (the CSP allows images from 'self' alone)."""
    if not raw:
        return ""
    if raw.startswith("/"):
        return _local_path(raw)
    parts = urlsplit(raw)
    origin = f"{parts.scheme}://{parts.netloc}"
    if parts.scheme in {"http", "https"} and origin == own_origin():
        return _local_path(parts.path + (f"?{parts.query}" if parts.query else ""))
    return ""


def _locale(raw: str) -> str:
    for candidate in (raw[:2].lower(), _config().default_locale[:2]):
        if candidate in STRINGS:
            return candidate
    return "en"


def crisis_resources(config: Config, locale: str) -> list[dict[str, str]]:
    """The call/text links a `crisis` event would carry (the safety floor plus the practice's rules
    file), built into the page so that "In crisis?" works before, or without, a connection."""
    try:
        rules = safety.practice_rules(config.flows_dir)
    except FlowError:  # a broken file is reported by `flow check`; the floor still stands
        rules = safety.floor_rules()
    crisis = safety.Detection(level="crisis", category="default")
    events = safety.response_events(crisis, locale, rules)
    links = events[0]["resources"] if events else []
    return [
        {"label": str(r["label"]), "href": str(r["href"])}
        for r in links
        if str(r.get("href", "")).startswith(("tel:", "sms:", "https://"))
    ]


def _exit_url(config: Config) -> str:
    url = config.quick_exit_url
    return url if urlsplit(url).scheme in {"http", "https"} else "about:blank"


def _secure(response: Response, csp: str) -> Response:
    response.headers["Content-Security-Policy"] = csp
    response.headers["Referrer-Policy"] = "no-referrer"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


@bp.get("/")
def home() -> Response:
    response = Response(render_template("pages/home.html"), mimetype="text/html")
    return _secure(response, demo_csp())


def languages(flow_id: str, locale: str, accepted: Any) -> dict[str, Any]:
    """The other languages of the flow the widget can speak (for its language control), and the
    browser's preferred one when it differs from the page's (offered first)."""
    flow = runtime().flows.get(flow_id or _config().default_flow)
    codes = [c for c in (flow.locales if flow else ()) if c in STRINGS]
    others = [
        {
            "code": c,
            "name": STRINGS[c]["language"],
            "prefer": STRINGS[c]["prefer"],
            "switch": STRINGS[c]["switch"],
        }
        for c in codes
        if c != locale
    ]
    best = accepted.best_match(codes) if codes else None
    return {"languages": others, "offer": best if best != locale else None}


@bp.get("/widget/frame")
def frame() -> tuple[Response, int] | Response:
    config = _config()
    args = request.args
    parent = args.get("parent", "").strip()
    locale = _locale(args.get("locale", ""))
    text = STRINGS[locale]
    if parent and not is_allowed_parent(parent, config):
        page = render_template("pages/frame_refused.html", locale=locale, parent=parent)
        return _secure(Response(page, mimetype="text/html"), frame_csp(config)), 400
    flow = args.get("flow", "")
    context: dict[str, Any] = {
        "locale": locale,
        "t": text,
        "parent": parent,
        "mode": args.get("mode") if args.get("mode") in {"launcher", "inline"} else "page",
        "storage": "local" if args.get("storage") == "local" else "session",
        "flow": flow if _FLOW.fullmatch(flow) else "",
        "base": args["base"] if _PREVIEW_BASE.fullmatch(args.get("base", "")) else "",
        "transport": "http" if args.get("transport") == "http" else "auto",
        "title": args.get("title", "")[:_TITLE_MAX] or text["title"],
        "greeting": args.get("greeting", "")[:_GREETING_MAX],
        "logo": _logo(args.get("logo", "")),
        "exit_url": _exit_url(config),
        "theme": theme(args.get("color")),
        "resources": crisis_resources(config, locale),
        **languages(flow if _FLOW.fullmatch(flow) else "", locale, request.accept_languages),
    }
    response = Response(render_template("pages/frame.html", **context), mimetype="text/html")
    response.headers["Cache-Control"] = "no-store"
    return _secure(response, frame_csp(config))
