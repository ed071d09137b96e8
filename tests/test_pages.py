"""The demo page and the chat frame page: strict CSP, frame-ancestors from the allow-list, the
parent origin checked exactly, no inline script anywhere, escaped query values, readable colours."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask.testing import FlaskClient
from hypothesis import given
from hypothesis import strategies as st

from intake_chat import Config, create_app
from intake_chat.core.widget_text import STRINGS
from intake_chat.safety import detection as safety
from intake_chat.web.pages import contrast, theme

ALLOWED = ("https://practice.example", "http://127.0.0.1:8081")


class Tags(HTMLParser):
    """Every start tag with its attributes, in order."""

    def __init__(self, html: str) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def all(self, tag: str) -> list[dict[str, str | None]]:
        return [attrs for name, attrs in self.tags if name == tag]


def make_client(tmp_path: Path, **settings: object) -> FlaskClient:
    config = Config.from_env(
        {}, data_dir=tmp_path, secret_key="test-secret", testing=True, **settings
    )
    return create_app(config).test_client()


@pytest.fixture
def web(tmp_path: Path) -> FlaskClient:
    return make_client(tmp_path, allowed_origins=ALLOWED)


def csp(response: object) -> dict[str, list[str]]:
    header = response.headers["Content-Security-Policy"]  # type: ignore[attr-defined]
    parts = [p.split() for p in header.split(";") if p.strip()]
    return {p[0]: p[1:] for p in parts}


# --- the demo page ----------------------------------------------------------------------------


def test_the_demo_page_embeds_the_widget_with_one_tag(web: FlaskClient) -> None:
    response = web.get("/")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    tags = [a for a in Tags(html).all("script") if "data-intake-chat" in a]
    assert len(tags) == 1
    assert tags[0]["src"] == "/static/widget.js"
    assert "defer" in tags[0]
    assert "Compassionate Counseling Company" in html
    assert "774-218-5440" in html


def test_the_demo_page_runs_under_a_strict_policy(web: FlaskClient) -> None:
    policy = csp(web.get("/"))
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["frame-src"] == ["'self'"]


@pytest.mark.parametrize("path", ["/", "/widget/frame", "/widget/frame?parent=http://localhost"])
def test_pages_carry_no_inline_script_or_style(web: FlaskClient, path: str) -> None:
    tags = Tags(web.get(path).get_data(as_text=True)).tags
    for name, attrs in tags:
        assert not any(key.startswith("on") for key in attrs), (name, attrs)
        assert "style" not in attrs, (name, attrs)
        if name == "script":
            assert attrs.get("src", "").startswith("/static/"), attrs  # type: ignore[union-attr]
    assert "style" not in [name for name, _ in tags]


def test_static_assets_are_served_from_the_intake_server(web: FlaskClient) -> None:
    for path in ("/static/widget.js", "/static/chat/chat.js", "/static/chat/chat.css"):
        response = web.get(path)
        assert response.status_code == 200, path
        response.close()


# --- the frame page ---------------------------------------------------------------------------


def test_the_frame_has_a_strict_content_security_policy(web: FlaskClient) -> None:
    response = web.get("/widget/frame?parent=http://localhost")
    assert response.status_code == 200
    policy = csp(response)
    assert policy["default-src"] == ["'self'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["img-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'", "ws://localhost", "wss://localhost"]
    assert policy["object-src"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert "'unsafe-inline'" not in response.headers["Content-Security-Policy"]
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["Referrer-Policy"] == "no-referrer"


def test_frame_ancestors_are_self_and_the_allow_list(web: FlaskClient) -> None:
    assert csp(web.get("/widget/frame"))["frame-ancestors"] == ["'self'", *ALLOWED]


def test_frame_ancestors_leave_out_entries_that_are_not_origins(tmp_path: Path) -> None:
    client = make_client(
        tmp_path, allowed_origins=("https://ok.example", "*", "not an origin", "https://x.example;")
    )
    assert csp(client.get("/widget/frame"))["frame-ancestors"] == ["'self'", "https://ok.example"]


def test_a_public_url_sets_the_socket_origin(tmp_path: Path) -> None:
    client = make_client(tmp_path, public_url="https://intake.example.org/")
    policy = csp(client.get("/widget/frame"))
    assert policy["connect-src"] == [
        "'self'",
        "ws://intake.example.org",
        "wss://intake.example.org",
    ]


@pytest.mark.parametrize("parent", [*ALLOWED, "http://localhost"])
def test_the_frame_takes_its_own_or_an_allowed_parent(web: FlaskClient, parent: str) -> None:
    response = web.get("/widget/frame", query_string={"parent": parent, "mode": "launcher"})
    assert response.status_code == 200
    html = Tags(response.get_data(as_text=True)).all("html")[0]
    assert html["data-parent"] == parent
    assert html["data-mode"] == "launcher"


@pytest.mark.parametrize(
    "parent",
    [
        "https://evil.example",
        "https://practice.example.evil.example",
        "https://practice.example/",
        "https://practice.example:443",
        "http://practice.example",
        "HTTPS://PRACTICE.EXAMPLE",
        "null",
        "*",
        "javascript:alert(1)",
        '"><script>alert(1)</script>',
    ],
)
def test_the_frame_refuses_any_other_parent(web: FlaskClient, parent: str) -> None:
    response = web.get("/widget/frame", query_string={"parent": parent})
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "<script>alert(1)" not in html
    assert "data-parent" not in html
    assert csp(response)["frame-ancestors"] == ["'self'", *ALLOWED]


def test_without_a_parent_the_frame_is_a_page_of_its_own(web: FlaskClient) -> None:
    html = Tags(web.get("/widget/frame").get_data(as_text=True)).all("html")[0]
    assert html["data-parent"] == ""
    assert html["data-mode"] == "page"


def test_crisis_help_is_in_the_page_before_any_connection(web: FlaskClient) -> None:
    tags = Tags(web.get("/widget/frame").get_data(as_text=True))
    hrefs = [a.get("href") for a in tags.all("a")]
    assert {"tel:988", "sms:988", "tel:911"} <= set(hrefs)
    assert any(h and h.startswith("sms:741741") for h in hrefs)
    link = [b for b in tags.all("button") if b.get("id") == "crisis-link"][0]
    assert link["aria-controls"] == "crisis"


def test_the_frame_has_a_live_transcript_and_labelled_landmarks(web: FlaskClient) -> None:
    tags = Tags(web.get("/widget/frame").get_data(as_text=True))
    log = [d for d in tags.all("div") if d.get("id") == "log"][0]
    assert log["role"] == "log"
    assert log["aria-label"]
    assert [t for t, _ in tags.tags].count("main") == 1
    assert tags.all("html")[0]["lang"] == "en"


def test_query_values_are_shown_as_text(web: FlaskClient) -> None:
    evil = '<img src=x onerror="alert(1)">'
    response = web.get("/widget/frame", query_string={"title": evil, "greeting": evil})
    html = response.get_data(as_text=True)
    assert "<img src=x" not in html
    assert "&lt;img src=x" in html


def test_a_logo_from_another_origin_is_dropped(web: FlaskClient) -> None:
    html = web.get("/widget/frame?logo=https://tracker.example/pixel.gif").get_data(as_text=True)
    assert "tracker.example" not in html
    html = web.get("/widget/frame?logo=/static/demo/logo.svg").get_data(as_text=True)
    assert 'src="/static/demo/logo.svg"' in html


def test_the_locale_picks_the_words_and_falls_back_to_english(web: FlaskClient) -> None:
    spanish = web.get("/widget/frame?locale=es-MX").get_data(as_text=True)
    assert "Salida rápida" in spanish
    assert 'lang="es"' in spanish
    unknown = web.get("/widget/frame?locale=xx").get_data(as_text=True)
    assert "Quick exit" in unknown


def test_the_quick_exit_goes_to_the_configured_site(tmp_path: Path) -> None:
    client = make_client(tmp_path / "a", quick_exit_url="https://news.example/")
    html = Tags(client.get("/widget/frame").get_data(as_text=True)).all("html")[0]
    assert html["data-exit"] == "https://news.example/"
    client = make_client(tmp_path / "b", quick_exit_url="javascript:alert(1)")
    html = Tags(client.get("/widget/frame").get_data(as_text=True)).all("html")[0]
    assert html["data-exit"] == "about:blank"


def test_every_locale_has_every_word() -> None:
    assert set(STRINGS["es"]) == set(STRINGS["en"])
    assert all(text.strip() for words in STRINGS.values() for text in words.values())


@pytest.mark.parametrize("locale", ["en", "es"])
def test_the_built_in_crisis_links_are_the_safety_layers(web: FlaskClient, locale: str) -> None:
    tags = Tags(web.get(f"/widget/frame?locale={locale}").get_data(as_text=True))
    shown = [a["href"] for a in tags.all("a")]
    crisis = safety.Detection(level="crisis", category="default")
    sent = safety.response_events(crisis, locale, safety.default_rules())[0]["resources"]
    assert shown == [r["href"] for r in sent]


# --- theme colours ----------------------------------------------------------------------------


def test_a_bad_colour_falls_back_to_the_default(web: FlaskClient) -> None:
    html = Tags(web.get("/widget/frame?color=red;x").get_data(as_text=True)).all("html")[0]
    assert html["data-accent"] == theme(None)["accent"]


@given(st.from_regex(r"#[0-9a-f]{6}", fullmatch=True))
def test_any_accent_colour_gives_readable_text(colour: str) -> None:
    chosen = theme(colour)
    assert chosen["accent"] == colour
    assert contrast(chosen["accent"], chosen["on_accent"]) >= 4.5
    assert contrast(chosen["ink"], "#ffffff") >= 4.5


def test_short_hex_colours_are_expanded() -> None:
    assert theme("#fc0")["accent"] == "#ffcc00"
    assert theme("#fc0")["on_accent"] == "#000000"
