"""Markdown rendering: bare URLs, formatting that is kept, entities and comments."""

from __future__ import annotations

import pytest

from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.sanitizer_checks import assert_safe, link

# --- bare URLs ------------------------------------------------------------------------------

BARE_URLS = [
    pytest.param(
        "see https://example.org/a.",
        f"<p>see {link('https://example.org/a', 'https://example.org/a')}.</p>",
        id="trailing-period-outside",
    ),
    pytest.param(
        "http://example.org/path?q=1#frag!",
        f"<p>{link('http://example.org/path?q=1#frag', 'http://example.org/path?q=1#frag')}!</p>",
        id="trailing-exclamation-outside",
    ),
    pytest.param(
        "(see https://example.org/x)",
        f"<p>(see {link('https://example.org/x', 'https://example.org/x')})</p>",
        id="closing-paren-outside",
    ),
    pytest.param(
        "(see https://en.wikipedia.org/wiki/Foo_(bar))",
        "<p>(see "
        + link("https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)")
        + ")</p>",
        id="balanced-paren-inside",
    ),
    pytest.param(
        "https://example.org/?a=1&b=2",
        f"<p>{link('https://example.org/?a=1&amp;b=2', 'https://example.org/?a=1&amp;b=2')}</p>",
        id="ampersand",
    ),
    pytest.param(
        'http://a.example/"onmouseover="alert(1)',
        f"<p>{link('http://a.example/', 'http://a.example/')}&quot;onmouseover=&quot;alert(1)</p>",
        id="quote-ends-url",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BARE_URLS)
def test_bare_http_url_is_linkified(source: str, expected: str) -> None:
    out = render_markdown(source)
    assert out == expected
    assert_safe(out)


NOT_LINKIFIED = [
    pytest.param("www.example.org", id="no-scheme"),
    pytest.param("example.org", id="bare-domain"),
    pytest.param("ftp://example.org/file", id="ftp"),
    pytest.param("javascript:alert(1)", id="javascript"),
    pytest.param("data:text/html,hi", id="data"),
    pytest.param("http://", id="scheme-only"),
]


@pytest.mark.parametrize("source", NOT_LINKIFIED)
def test_text_that_is_not_an_http_url_is_not_linkified(source: str) -> None:
    assert render_markdown(source) == f"<p>{source}</p>"


def test_bare_url_inside_code_span_is_not_linkified() -> None:
    assert render_markdown("`https://example.org`") == "<p><code>https://example.org</code></p>"


def test_bare_url_inside_indented_code_is_not_linkified() -> None:
    out = render_markdown("    https://example.org")
    assert out == "<pre><code>https://example.org\n</code></pre>"


def test_bare_url_in_sanitize_html_gets_the_rel_too() -> None:
    out = sanitize_html("<p>go to https://example.org now</p>")
    assert out == f"<p>go to {link('https://example.org', 'https://example.org')} now</p>"


# --- formatting that is kept --------------------------------------------------------------

FORMATTING = [
    pytest.param("*em*", "<p><em>em</em></p>", id="emphasis-star"),
    pytest.param("_em_", "<p><em>em</em></p>", id="emphasis-underscore"),
    pytest.param("**strong**", "<p><strong>strong</strong></p>", id="strong"),
    pytest.param(
        "***both***", "<p><em><strong>both</strong></em></p>", id="strong-inside-emphasis"
    ),
    pytest.param("- a\n- b", "<ul>\n<li>a</li>\n<li>b</li>\n</ul>", id="bullet-list"),
    pytest.param("1. a\n2. b", "<ol>\n<li>a</li>\n<li>b</li>\n</ol>", id="ordered-list"),
    pytest.param(
        "7. a\n8. b", '<ol start="7">\n<li>a</li>\n<li>b</li>\n</ol>', id="ordered-list-start"
    ),
    pytest.param("> quoted", "<blockquote>\n<p>quoted</p>\n</blockquote>", id="blockquote"),
    pytest.param("`a < b`", "<p><code>a &lt; b</code></p>", id="code-span"),
    pytest.param(
        "```\n<b>bold?</b> & more\n```",
        "<pre><code>&lt;b&gt;bold?&lt;/b&gt; &amp; more\n</code></pre>",
        id="fenced-code-escaped",
    ),
    pytest.param(
        "```python\nprint('<hi>', \"x\")\n```",
        "<pre><code>print('&lt;hi&gt;', &quot;x&quot;)\n</code></pre>",
        id="fenced-code-language-class-dropped",
    ),
    pytest.param(
        "    <script>alert(1)</script>",
        "<pre><code>&lt;script&gt;alert(1)&lt;/script&gt;\n</code></pre>",
        id="indented-code-escaped",
    ),
    pytest.param("line one\nline two", "<p>line one<br>\nline two</p>", id="soft-break-is-br"),
    pytest.param("a  \nb", "<p>a<br>\nb</p>", id="hard-break"),
    pytest.param("one\n\ntwo", "<p>one</p>\n<p>two</p>", id="paragraphs"),
    pytest.param("---", "<hr>", id="thematic-break"),
    pytest.param("# Title", "Title", id="h1-unwrapped"),
    pytest.param("### Sub", "Sub", id="h3-unwrapped"),
    pytest.param("###### Six", "Six", id="h6-unwrapped"),
    pytest.param("Title\n=====", "Title", id="setext-heading-unwrapped"),
    pytest.param("# Title\n\nBody", "Title\n<p>Body</p>", id="heading-then-paragraph"),
    pytest.param("## *Big* news", "<em>Big</em> news", id="heading-keeps-inline-formatting"),
]


@pytest.mark.parametrize(("source", "expected"), FORMATTING)
def test_markdown_formatting_renders_exactly(source: str, expected: str) -> None:
    out = render_markdown(source)
    assert out == expected
    assert_safe(out)


# --- entities and comments -----------------------------------------------------------------

ENTITIES = [
    pytest.param(
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>",
        id="escaped-script-stays-escaped",
    ),
    pytest.param("5 < 6 & 7 > 3", "<p>5 &lt; 6 &amp; 7 &gt; 3</p>", id="bare-specials"),
    pytest.param("&amp;lt;", "<p>&amp;lt;</p>", id="escaped-entity-keeps-its-ampersand"),
    pytest.param("`&lt;b&gt;`", "<p><code>&amp;lt;b&amp;gt;</code></p>", id="entity-in-code"),
    pytest.param("&copy; AT&T &foo", "<p>© AT&amp;T &amp;foo</p>", id="named-and-bare"),
    pytest.param("<!-- hidden -->", "<p>&lt;!-- hidden --&gt;</p>", id="comment-shown-as-text"),
]


@pytest.mark.parametrize(("source", "expected"), ENTITIES)
def test_markdown_entities_render_exactly(source: str, expected: str) -> None:
    assert render_markdown(source) == expected
