"""Awkward input: NUL and control characters, blank, very long, reused, from many threads."""

from __future__ import annotations

import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from forum.content import sanitizer as sanitizing
from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.sanitizer_checks import REL, assert_safe, link

# --- NUL, control characters, empty input ---------------------------------------------------

CONTROL_CHARACTERS = [
    pytest.param("a\x00b", "<p>a\ufffdb</p>", id="nul-in-text"),
    pytest.param("\x00", "<p>\ufffd</p>", id="only-nul"),
    pytest.param("\x00" * 50, "<p>" + "\ufffd" * 50 + "</p>", id="many-nuls"),
    pytest.param("a\x01\x07b", "<p>a??b</p>", id="other-controls-replaced"),
    pytest.param("*a\x00*", "<p><em>a\ufffd</em></p>", id="nul-in-emphasis"),
]


@pytest.mark.parametrize(("source", "expected"), CONTROL_CHARACTERS)
def test_markdown_control_characters_do_not_crash(source: str, expected: str) -> None:
    assert render_markdown(source) == expected


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        pytest.param("a\x00b", "ab", id="nul-dropped"),
        pytest.param("<p>\x00</p>", "<p></p>", id="nul-only-paragraph"),
        pytest.param('<a href="https://example.org/\x00">x</a>', None, id="nul-in-href"),
        pytest.param("<scr\x00ipt>alert(1)</script>", None, id="nul-in-tag-name"),
    ],
)
def test_sanitize_html_nul_does_not_crash(html: str, expected: str | None) -> None:
    out = sanitize_html(html)
    assert_safe(out)
    if expected is not None:
        assert out == expected


@pytest.mark.parametrize("function", [render_markdown, sanitize_html])
@pytest.mark.parametrize("blank", ["", " ", "\n", "\t\n  \r\n"])
def test_blank_input_gives_empty_string(function: object, blank: str) -> None:
    assert callable(function)
    assert function(blank) == ""


# --- size, reuse, threads ---------------------------------------------------------------------


def test_twenty_thousand_characters_of_plain_text_render() -> None:
    source = "a" * 20_000
    assert render_markdown(source) == f"<p>{source}</p>"


def test_long_mixed_document_renders_every_link() -> None:
    paragraph = "Hello *neighbour*, see [the board](/boards/x) or https://example.org/p.\n\n"
    source = paragraph * 300
    assert len(source) > 20_000
    out = render_markdown(source)
    assert out.count("<p>") == 300
    assert out.count("<em>neighbour</em>") == 300
    assert out.count(REL) == 600
    assert_safe(out)


@pytest.mark.parametrize(
    "source",
    [
        pytest.param("[" * 20_000, id="brackets"),
        pytest.param("*a" * 10_000, id="emphasis-markers"),
        pytest.param("<" * 20_000, id="angle-brackets"),
        pytest.param(">" * 20_000, id="deep-blockquote"),
        pytest.param("http://a" + "." * 20_000, id="url-then-dots"),
        pytest.param("http://a(" + "a" * 20_000, id="url-unclosed-paren"),
        pytest.param("[x](javascript:alert(1)) " * 800, id="many-javascript-links"),
    ],
)
def test_pathological_long_input_renders_safely(source: str) -> None:
    out = render_markdown(source)
    assert out
    assert_safe(out)


@pytest.mark.parametrize(
    "source",
    [
        "[x](https://example.org/?a=1&b=2) &amp;lt; AT&T",
        "> quote with https://example.org\n\n1. one\n2. two",
        "`&lt;b&gt;` and <https://example.org>",
    ],
)
def test_sanitizing_rendered_output_again_changes_nothing(source: str) -> None:
    once = render_markdown(source)
    assert sanitize_html(once) == once


def test_no_objects_are_built_per_call(monkeypatch: pytest.MonkeyPatch) -> None:
    def forbidden(*args: object, **kwargs: object) -> None:
        raise AssertionError("built per call")

    render_markdown("warm up this thread")
    monkeypatch.setattr(sanitizing, "Cleaner", forbidden)
    monkeypatch.setattr(sanitizing, "MarkdownIt", forbidden)
    assert render_markdown("*still* works") == "<p><em>still</em> works</p>"
    assert sanitize_html("<em>ok</em>") == "<em>ok</em>"


def test_concurrent_threads_get_correct_output() -> None:
    def source(n: int) -> str:
        return f"**{n}** [link](https://example.org/{n}) <b>{n}</b> " * 20

    def expected(n: int) -> str:
        anchor = link(f"https://example.org/{n}", "link")
        piece = f"<strong>{n}</strong> {anchor} &lt;b&gt;{n}&lt;/b&gt;"
        return "<p>" + " ".join([piece] * 20) + "</p>"

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so shared parser state would show
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(render_markdown, map(source, range(80))))
    finally:
        sys.setswitchinterval(previous)
    assert results == [expected(n) for n in range(80)]
