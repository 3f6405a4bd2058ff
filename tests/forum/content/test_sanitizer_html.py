"""Hostile HTML: shown as escaped text in Markdown, stripped by sanitize_html."""

from __future__ import annotations

import pytest

from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.sanitizer_checks import assert_no_dangerous_substrings, assert_safe, link

# --- hostile HTML: escaped in Markdown, stripped by sanitize_html -------------------------

HOSTILE_HTML = [
    pytest.param("<script>alert(1)</script>", id="script"),
    pytest.param('<script src="https://evil.example/x.js"></script>', id="script-src"),
    pytest.param('<iframe src="javascript:alert(1)"></iframe>', id="iframe"),
    pytest.param('<iframe srcdoc="&lt;script&gt;alert(1)&lt;/script&gt;"></iframe>', id="srcdoc"),
    pytest.param("<style>body{background:url(javascript:alert(1))}</style>", id="style-block"),
    pytest.param("<img src=x onerror=alert(1)>", id="img-onerror"),
    pytest.param('<img src="javascript:alert(1)">', id="img-javascript-src"),
    pytest.param("<img src=`x`onerror=alert(1)>", id="img-backtick"),
    pytest.param("<svg onload=alert(1)>", id="svg-onload"),
    pytest.param("<svg><script>alert(1)</script></svg>", id="svg-script"),
    pytest.param('<object data="javascript:alert(1)"></object>', id="object"),
    pytest.param('<embed src="javascript:alert(1)">', id="embed"),
    pytest.param(
        '<form action="javascript:alert(1)"><input type="submit"></form>', id="form-action"
    ),
    pytest.param("<input autofocus onfocus=alert(1)>", id="input-onfocus"),
    pytest.param("<button formaction=javascript:alert(1)>go</button>", id="button-formaction"),
    pytest.param(
        '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">', id="meta-refresh"
    ),
    pytest.param('<link rel="stylesheet" href="javascript:alert(1)">', id="link-stylesheet"),
    pytest.param('<base href="javascript:alert(1)//">', id="base"),
    pytest.param("<body onload=alert(1)>", id="body-onload"),
    pytest.param("<details open ontoggle=alert(1)>", id="details-ontoggle"),
    pytest.param("<video><source onerror=alert(1)></video>", id="video-source-onerror"),
    pytest.param("<marquee onstart=alert(1)>", id="marquee"),
    pytest.param('<div style="background:url(javascript:alert(1))">', id="style-attribute"),
    pytest.param('<a href="javascript:alert(1)">x</a>', id="anchor-javascript"),
    pytest.param('<a href="&#106;avascript:alert(1)">x</a>', id="anchor-entity"),
    pytest.param("<scr<script>ipt>alert(1)</scr</script>ipt>", id="split-script"),
    pytest.param(
        '<noscript><p title="</noscript><img src=x onerror=alert(1)>">', id="noscript-mxss"
    ),
    pytest.param("<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>", id="math-mxss"),
    pytest.param("<template><script>alert(1)</script></template>", id="template"),
    pytest.param("<isindex type=image src=1 onerror=alert(1)>", id="isindex"),
]


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_raw_html_in_markdown_is_shown_as_escaped_text(payload: str) -> None:
    out = render_markdown(payload)
    assert out.startswith("<p>&lt;")
    assert_safe(out)


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_raw_html_in_markdown_is_escaped_inside_a_sentence(payload: str) -> None:
    out = render_markdown(f"Hello *there* {payload} bye")
    assert out.startswith("<p>Hello <em>there</em> &lt;")
    assert out.endswith(" bye</p>")
    assert_safe(out)


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_sanitize_html_strips_hostile_markup(payload: str) -> None:
    out = sanitize_html(payload)
    assert_safe(out)
    assert_no_dangerous_substrings(out)


def test_markdown_html_block_is_escaped_not_rendered() -> None:
    out = render_markdown("<div>\n*x*\n</div>")
    assert out == "<p>&lt;div&gt;<br>\n<em>x</em><br>\n&lt;/div&gt;</p>"


def test_markdown_inline_html_with_event_handler_is_escaped() -> None:
    out = render_markdown("hi <b onclick=steal()>there</b>")
    assert out == "<p>hi &lt;b onclick=steal()&gt;there&lt;/b&gt;</p>"


# --- sanitize_html: exact output for the simple cases -------------------------------------

SANITIZE_EXACT = [
    pytest.param('<p onclick="steal()">hi</p>', "<p>hi</p>", id="onclick-dropped"),
    pytest.param('<p style="color:red">hi</p>', "<p>hi</p>", id="style-dropped"),
    pytest.param('<strong onmouseover="x()">b</strong>', "<strong>b</strong>", id="onmouseover"),
    pytest.param(
        '<a href="https://example.org" onclick="x()">y</a>',
        link("https://example.org", "y"),
        id="link-onclick-dropped",
    ),
    pytest.param(
        '<a href="https://example.org" style="position:fixed;top:0">y</a>',
        link("https://example.org", "y"),
        id="link-style-dropped",
    ),
    pytest.param(
        '<a href="https://example.org" target="_blank">y</a>',
        link("https://example.org", "y"),
        id="link-target-dropped",
    ),
    pytest.param(
        '<blockquote cite="javascript:alert(1)">q</blockquote>',
        "<blockquote>q</blockquote>",
        id="blockquote-cite-dropped",
    ),
    pytest.param(
        '<ol start="4" type="i"><li>d</li></ol>', '<ol start="4"><li>d</li></ol>', id="ol-start"
    ),
    pytest.param(
        '<ol start="javascript:alert(1)"><li>d</li></ol>',
        "<ol><li>d</li></ol>",
        id="ol-start-not-a-number",
    ),
    pytest.param("<img src=x onerror=alert(1)>", "", id="img-removed"),
    pytest.param("<h2>Title</h2>", "Title", id="heading-unwrapped"),
    pytest.param("<div><span>x</span></div>", "x", id="div-span-unwrapped"),
    pytest.param("a<!-- secret -->b", "ab", id="comment-stripped"),
    pytest.param("<!--[if IE]><script>alert(1)</script><![endif]-->", "", id="conditional-comment"),
    pytest.param(
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        "&lt;script&gt;alert(1)&lt;/script&gt;",
        id="entities-stay-escaped",
    ),
    pytest.param("<em>a</em><i>b</i><b>c</b>", "<em>a</em>bc", id="only-em-kept"),
    pytest.param(
        '<pre><code class="language-py">x = 1</code></pre>',
        "<pre><code>x = 1</code></pre>",
        id="code-class-dropped",
    ),
    pytest.param(
        '<a href="mailto:someone@example.org">m</a>',
        link("mailto:someone@example.org", "m"),
        id="mailto-kept",
    ),
    pytest.param(
        '<a href="/boards/tools" title="Tools">t</a>',
        link("/boards/tools", "t", title="Tools"),
        id="relative-kept",
    ),
    pytest.param(
        '<a href="//example.org/x">x</a>',
        link("//example.org/x", "x"),
        id="protocol-relative-kept",
    ),
    pytest.param('<hr class="x"><br id="y">', "<hr><br>", id="void-elements"),
    pytest.param(
        '<a rel="me" href="https://example.org">x</a>',
        link("https://example.org", "x"),
        id="rel-moved-after-href",
    ),
    pytest.param("<p>a<script>alert(1)</script>b</p>", "<p>ab</p>", id="script-dropped-with-text"),
    pytest.param("<style>p{color:red}</style><p>hi</p>", "<p>hi</p>", id="style-dropped-with-css"),
    pytest.param("<p>kept</p><style>p{} <b>x</b>", "<p>kept</p>", id="unclosed-style-runs-to-end"),
    pytest.param("<SCRIPT SRC=x></SCRIPT>after", "after", id="upper-case-script"),
    pytest.param("Fish & chips <3", "Fish &amp; chips &lt;3", id="bare-specials-escaped"),
]


@pytest.mark.parametrize(("html", "expected"), SANITIZE_EXACT)
def test_sanitize_html_exact_output(html: str, expected: str) -> None:
    assert sanitize_html(html) == expected
