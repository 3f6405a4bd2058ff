"""Members' Markdown and untrusted HTML come out of moderation.sanitizing safe to show anyone."""

from __future__ import annotations

import re
import sys
from concurrent.futures import ThreadPoolExecutor
from html import unescape
from html.parser import HTMLParser
from urllib.parse import unquote

import pytest

from moderation import sanitizing
from moderation.sanitizing import render_markdown, sanitize_html

REL_VALUE = "nofollow ugc noopener noreferrer"
REL = f'rel="{REL_VALUE}"'

ALLOWED_TAGS = {
    "p", "br", "em", "strong", "ul", "ol", "li", "blockquote", "code", "pre", "a", "hr",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title", "rel"}, "ol": {"start"}}
ALLOWED_SCHEMES = {"http", "https", "mailto"}

# Opening sequences that are only ever markup: as text they would be escaped to "&lt;...".
DANGEROUS_TAG_OPENINGS = (
    "<script", "<img", "<iframe", "<svg", "<math", "<object", "<embed", "<style", "<form",
    "<input", "<button", "<meta", "<link", "<base", "<body", "<video", "<audio", "<source",
    "<template", "<textarea", "<details", "<marquee", "<frame", "<isindex", "<div", "<span",
)  # fmt: skip
# Substrings that must not appear anywhere once hostile HTML has been cleaned.
DANGEROUS_SUBSTRINGS = ("javascript:", "vbscript:", "onerror", "onload", "style=", "srcdoc")


class _StartTags(HTMLParser):
    """Collect every start tag of a fragment, the way a browser would read its attributes."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))


def _start_tags(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _StartTags()
    parser.feed(markup)
    parser.close()
    return parser.tags


def _scheme(url: str) -> str | None:
    """The scheme a browser could find in url, undoing every encoding we can think of."""
    for _ in range(5):
        decoded = unquote(unescape(url))
        if decoded == url:
            break
        url = decoded
    compact = "".join(ch for ch in url if "\x21" <= ch <= "\x7e").lower()
    found = re.match(r"([a-z][a-z0-9+.\-]*):", compact)
    return found.group(1) if found else None


def _assert_safe(markup: str) -> None:
    """Every tag and attribute is allowed, every href harmless, every link has our rel."""
    assert isinstance(markup, str)
    lowered = markup.lower()
    for opening in DANGEROUS_TAG_OPENINGS:
        assert opening not in lowered, opening
    assert "\x00" not in markup
    for tag, attrs in _start_tags(markup):
        assert tag in ALLOWED_TAGS, tag
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), names
        assert set(names) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, names)
        values = dict(attrs)
        if "href" in values:
            assert values["href"] is not None
            assert _scheme(values["href"]) in ALLOWED_SCHEMES | {None}, values["href"]
        if tag == "a":
            assert values.get("rel") == REL_VALUE, attrs
        if "start" in values:
            assert values["start"] is not None
            assert values["start"].isdigit()


def _assert_no_dangerous_substrings(markup: str) -> None:
    lowered = markup.lower()
    for needle in DANGEROUS_SUBSTRINGS:
        assert needle not in lowered, needle


def _link(href: str, text: str, title: str | None = None) -> str:
    title_attr = f' title="{title}"' if title is not None else ""
    return f'<a href="{href}"{title_attr} {REL}>{text}</a>'


# --- javascript: links in Markdown, in every disguise --------------------------------------

JAVASCRIPT_MARKDOWN = [
    pytest.param("[x](javascript:alert(1))", id="inline"),
    pytest.param("[x](JAVASCRIPT:alert(1))", id="upper-case"),
    pytest.param("[x](JaVaScRiPt:alert(1))", id="mixed-case"),
    pytest.param("[x](<javascript:alert(1)>)", id="angle-bracket-destination"),
    pytest.param("[x](  javascript:alert(1)  )", id="padded-with-spaces"),
    pytest.param("[x](\njavascript:alert(1))", id="destination-on-next-line"),
    pytest.param('[x](javascript:alert(1) "title")', id="with-title"),
    pytest.param("*[x](javascript:alert(1))*", id="inside-emphasis"),
    pytest.param("[x](&#106;avascript:alert(1))", id="decimal-entity"),
    pytest.param("[x](&#0000106;avascript:alert(1))", id="zero-padded-decimal-entity"),
    pytest.param("[x](&#x6A;avascript:alert(1))", id="hex-entity"),
    pytest.param("[x](&#X6a;AVASCRIPT:alert(1))", id="upper-hex-entity"),
    pytest.param("[x](javascript&colon;alert(1))", id="named-colon-entity"),
    pytest.param("[x](javascript&#58;alert(1))", id="numeric-colon-entity"),
    pytest.param("[x](java&#x09;script:alert(1))", id="tab-entity-inside"),
    pytest.param("[x](java&#x0A;script:alert(1))", id="newline-entity-inside"),
    pytest.param("[x](java&Tab;script:alert(1))", id="named-tab-entity-inside"),
    pytest.param("[x](&#x20;javascript:alert(1))", id="leading-space-entity"),
    pytest.param("[x](&#x01;javascript:alert(1))", id="leading-control-entity"),
    pytest.param("[x](%6Aavascript:alert(1))", id="percent-encoded-letter"),
    pytest.param("[x](javascript%3Aalert(1))", id="percent-encoded-colon"),
    pytest.param("[x](%256Aavascript:alert(1))", id="double-percent-encoded"),
    pytest.param("[x](java%09script:alert(1))", id="percent-encoded-tab"),
    pytest.param("[x](java%00script:alert(1))", id="percent-encoded-nul"),
    pytest.param("[x](java\x00script:alert(1))", id="raw-nul"),
    pytest.param("[x](\u200bjavascript:alert(1))", id="zero-width-space"),
    pytest.param("[x](\ufeffjavascript:alert(1))", id="byte-order-mark"),
    pytest.param("[x](java\u00adscript:alert(1))", id="soft-hyphen"),
    pytest.param("[x][r]\n\n[r]: javascript:alert(1)", id="reference"),
    pytest.param('[x][]\n\n[x]: &#106;avascript:alert(1) "t"', id="collapsed-reference-entity"),
    pytest.param("[x]\n\n[x]: <JavaScript:alert(1)>", id="shortcut-reference-angle"),
    pytest.param("<javascript:alert(1)>", id="autolink"),
    pytest.param("<JAVASCRIPT:alert(1)>", id="autolink-upper-case"),
    pytest.param("<javascript:alert%281%29>", id="autolink-percent-encoded"),
    pytest.param("![x](javascript:alert(1))", id="image-syntax"),
]


@pytest.mark.parametrize("source", JAVASCRIPT_MARKDOWN)
def test_markdown_javascript_link_never_becomes_a_link(source: str) -> None:
    out = render_markdown(source)
    assert "<a" not in out
    assert "href" not in out
    assert out.startswith("<p>")
    _assert_safe(out)


def test_refused_markdown_link_is_left_as_literal_text() -> None:
    assert render_markdown("[x](javascript:alert(1))") == "<p>[x](javascript:alert(1))</p>"


def test_refused_autolink_is_left_as_escaped_text() -> None:
    assert render_markdown("<javascript:alert(1)>") == "<p>&lt;javascript:alert(1)&gt;</p>"


# --- other schemes ----------------------------------------------------------------------------

OTHER_SCHEMES_MARKDOWN = [
    pytest.param("[x](vbscript:msgbox(1))", id="vbscript"),
    pytest.param("[x](VBScript:msgbox(1))", id="vbscript-mixed-case"),
    pytest.param("[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)", id="data-html"),
    pytest.param("[x](data:image/png;base64,iVBORw0KGgo=)", id="data-png-markdown-it-allows"),
    pytest.param("[x](data:image/svg+xml,%3Csvg%20onload=alert(1)%3E)", id="data-svg"),
    pytest.param("[x](file:///etc/passwd)", id="file"),
    pytest.param("<file:///etc/passwd>", id="file-autolink"),
    pytest.param("<vbscript:msgbox(1)>", id="vbscript-autolink"),
    pytest.param("[x](ftp://example.org/f)", id="ftp-not-in-allow-list"),
    pytest.param("[x](livescript:alert(1))", id="livescript"),
]


@pytest.mark.parametrize("source", OTHER_SCHEMES_MARKDOWN)
def test_markdown_link_with_disallowed_scheme_is_not_a_link(source: str) -> None:
    out = render_markdown(source)
    assert "<a" not in out
    _assert_safe(out)


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
    _assert_safe(out)


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_raw_html_in_markdown_is_escaped_inside_a_sentence(payload: str) -> None:
    out = render_markdown(f"Hello *there* {payload} bye")
    assert out.startswith("<p>Hello <em>there</em> &lt;")
    assert out.endswith(" bye</p>")
    _assert_safe(out)


@pytest.mark.parametrize("payload", HOSTILE_HTML)
def test_sanitize_html_strips_hostile_markup(payload: str) -> None:
    out = sanitize_html(payload)
    _assert_safe(out)
    _assert_no_dangerous_substrings(out)


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
        _link("https://example.org", "y"),
        id="link-onclick-dropped",
    ),
    pytest.param(
        '<a href="https://example.org" style="position:fixed;top:0">y</a>',
        _link("https://example.org", "y"),
        id="link-style-dropped",
    ),
    pytest.param(
        '<a href="https://example.org" target="_blank">y</a>',
        _link("https://example.org", "y"),
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
        _link("mailto:someone@example.org", "m"),
        id="mailto-kept",
    ),
    pytest.param(
        '<a href="/boards/tools" title="Tools">t</a>',
        _link("/boards/tools", "t", title="Tools"),
        id="relative-kept",
    ),
    pytest.param(
        '<a href="//example.org/x">x</a>',
        _link("//example.org/x", "x"),
        id="protocol-relative-kept",
    ),
    pytest.param('<hr class="x"><br id="y">', "<hr><br>", id="void-elements"),
    pytest.param(
        '<a rel="me" href="https://example.org">x</a>',
        _link("https://example.org", "x"),
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


SANITIZE_BAD_HREFS = [
    pytest.param("javascript:alert(1)", id="plain"),
    pytest.param("JAVASCRIPT:alert(1)", id="upper-case"),
    pytest.param(" javascript:alert(1)", id="leading-space"),
    pytest.param("\tjavascript:alert(1)", id="leading-tab"),
    pytest.param("\x01javascript:alert(1)", id="leading-control"),
    pytest.param("java\tscript:alert(1)", id="embedded-tab"),
    pytest.param("java\nscript:alert(1)", id="embedded-newline"),
    pytest.param("jav\x00ascript:alert(1)", id="embedded-nul"),
    pytest.param("java&#x09;script:alert(1)", id="tab-entity"),
    pytest.param("java&Tab;script:alert(1)", id="named-tab-entity"),
    pytest.param("&#106;avascript:alert(1)", id="decimal-entity"),
    pytest.param(
        "&#x6A&#x61&#x76&#x61&#x73&#x63&#x72&#x69&#x70&#x74&#x3A;alert(1)",
        id="hex-entities-without-semicolons",
    ),
    pytest.param("javascript&colon;alert(1)", id="named-colon-entity"),
    pytest.param("%6Aavascript:alert(1)", id="percent-encoded"),
    pytest.param("java%09script:alert(1)", id="percent-encoded-tab"),
    pytest.param("%256Aavascript:alert(1)", id="double-percent-encoded"),
    pytest.param("\u200bjavascript:alert(1)", id="zero-width-space"),
    pytest.param("vbscript:msgbox(1)", id="vbscript"),
    pytest.param("data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", id="data"),
    pytest.param("file:///etc/passwd", id="file"),
]


@pytest.mark.parametrize("href", SANITIZE_BAD_HREFS)
def test_sanitize_html_drops_href_with_disallowed_scheme(href: str) -> None:
    out = sanitize_html(f'<a href="{href}">x</a>')
    assert out == f"<a {REL}>x</a>"


# --- links that are allowed --------------------------------------------------------------

ALLOWED_LINKS_MARKDOWN = [
    pytest.param(
        "[x](https://example.org/a)", f"<p>{_link('https://example.org/a', 'x')}</p>", id="https"
    ),
    pytest.param(
        "[x](http://example.org)", f"<p>{_link('http://example.org', 'x')}</p>", id="http"
    ),
    pytest.param(
        "[mail me](mailto:someone@example.org)",
        f"<p>{_link('mailto:someone@example.org', 'mail me')}</p>",
        id="mailto",
    ),
    pytest.param(
        "<https://example.org>",
        f"<p>{_link('https://example.org', 'https://example.org')}</p>",
        id="autolink",
    ),
    pytest.param(
        "<someone@example.org>",
        f"<p>{_link('mailto:someone@example.org', 'someone@example.org')}</p>",
        id="email-autolink",
    ),
    pytest.param("[x](/boards/tools)", f"<p>{_link('/boards/tools', 'x')}</p>", id="relative"),
    pytest.param("[x](#reply-3)", f"<p>{_link('#reply-3', 'x')}</p>", id="fragment"),
    pytest.param(
        "[x](//example.org/p)", f"<p>{_link('//example.org/p', 'x')}</p>", id="protocol-relative"
    ),
    pytest.param(
        '[x](https://example.org "say \\"hi\\"")',
        f"<p>{_link('https://example.org', 'x', title='say &quot;hi&quot;')}</p>",
        id="title-with-escaped-quotes",
    ),
    pytest.param(
        "[x](https://example.org 'it\\'s')",
        f"<p>{_link('https://example.org', 'x', title=chr(39).join(['it', 's']))}</p>",
        id="title-single-quoted",
    ),
    pytest.param(
        '[x](https://example.org "\\" onmouseover=\\"alert(1)")',
        f"<p>{_link('https://example.org', 'x', title='&quot; onmouseover=&quot;alert(1)')}</p>",
        id="title-cannot-break-out",
    ),
    pytest.param(
        "[a [b] c](https://example.org)",
        f"<p>{_link('https://example.org', 'a [b] c')}</p>",
        id="nested-brackets",
    ),
    pytest.param(
        "[x](<https://example.org/a b>)",
        f"<p>{_link('https://example.org/a%20b', 'x')}</p>",
        id="angle-bracket-destination",
    ),
    pytest.param(
        '[x][ref]\n\n[ref]: https://example.org "T"',
        f"<p>{_link('https://example.org', 'x', title='T')}</p>",
        id="reference",
    ),
    pytest.param(
        "[x](https://example.org/?a=1&b=2)",
        f"<p>{_link('https://example.org/?a=1&amp;b=2', 'x')}</p>",
        id="ampersand-in-query",
    ),
]


@pytest.mark.parametrize(("source", "expected"), ALLOWED_LINKS_MARKDOWN)
def test_markdown_allowed_link_renders_exactly(source: str, expected: str) -> None:
    out = render_markdown(source)
    assert out == expected
    _assert_safe(out)


def test_markdown_link_cannot_smuggle_attributes_after_title() -> None:
    out = render_markdown('[x](https://example.org "t" onmouseover="alert(1)")')
    _assert_safe(out)
    assert [attrs for tag, attrs in _start_tags(out) if tag == "a"] == [
        [("href", "https://example.org"), ("rel", REL_VALUE)]
    ]


def test_image_syntax_yields_a_plain_link_and_no_img() -> None:
    out = render_markdown("![a cat](https://example.org/cat.png)")
    assert out == f"<p>!{_link('https://example.org/cat.png', 'a cat')}</p>"
    assert "<img" not in out


def test_link_inside_code_span_stays_literal() -> None:
    out = render_markdown("`[x](https://example.org)`")
    assert out == "<p><code>[x](https://example.org)</code></p>"


def test_link_inside_fenced_code_block_stays_literal() -> None:
    out = render_markdown("```\n[x](https://example.org) https://example.org\n```")
    assert out == "<pre><code>[x](https://example.org) https://example.org\n</code></pre>"


# --- rel ----------------------------------------------------------------------------------

REL_REPLACED = [
    pytest.param('rel="follow"', id="other-value"),
    pytest.param('rel="nofollow"', id="already-nofollow-not-duplicated"),
    pytest.param('rel="opener"', id="opener-removed"),
    pytest.param('rel="NOFOLLOW UGC"', id="upper-case"),
    pytest.param('REL="me"', id="upper-case-name"),
    pytest.param('rel="nofollow ugc noopener noreferrer me"', id="superset"),
    pytest.param('rel=""', id="empty"),
]


@pytest.mark.parametrize("rel", REL_REPLACED)
def test_existing_rel_is_replaced_not_merged(rel: str) -> None:
    out = sanitize_html(f'<a href="https://example.org" {rel}>x</a>')
    assert out == _link("https://example.org", "x")


LINK_SOURCES = [
    pytest.param("[a](https://example.org) and [b](/x) and <c@example.org>", 3, id="mixed"),
    pytest.param("see https://example.org and http://example.net/x", 2, id="bare"),
    pytest.param("[a][1] [b][1]\n\n[1]: https://example.org", 2, id="references"),
    pytest.param("- <https://example.org>\n- [m](mailto:m@example.org)", 2, id="in-list"),
]


@pytest.mark.parametrize(("source", "links"), LINK_SOURCES)
def test_every_link_gets_exactly_the_ugc_rel(source: str, links: int) -> None:
    out = render_markdown(source)
    anchors = [attrs for tag, attrs in _start_tags(out) if tag == "a"]
    assert len(anchors) == links
    assert all(dict(attrs)["rel"] == REL_VALUE for attrs in anchors)
    assert out.count("rel=") == links
    _assert_safe(out)


# --- bare URLs ------------------------------------------------------------------------------

BARE_URLS = [
    pytest.param(
        "see https://example.org/a.",
        f"<p>see {_link('https://example.org/a', 'https://example.org/a')}.</p>",
        id="trailing-period-outside",
    ),
    pytest.param(
        "http://example.org/path?q=1#frag!",
        f"<p>{_link('http://example.org/path?q=1#frag', 'http://example.org/path?q=1#frag')}!</p>",
        id="trailing-exclamation-outside",
    ),
    pytest.param(
        "(see https://example.org/x)",
        f"<p>(see {_link('https://example.org/x', 'https://example.org/x')})</p>",
        id="closing-paren-outside",
    ),
    pytest.param(
        "(see https://en.wikipedia.org/wiki/Foo_(bar))",
        "<p>(see "
        + _link(
            "https://en.wikipedia.org/wiki/Foo_(bar)", "https://en.wikipedia.org/wiki/Foo_(bar)"
        )
        + ")</p>",
        id="balanced-paren-inside",
    ),
    pytest.param(
        "https://example.org/?a=1&b=2",
        f"<p>{_link('https://example.org/?a=1&amp;b=2', 'https://example.org/?a=1&amp;b=2')}</p>",
        id="ampersand",
    ),
    pytest.param(
        'http://a.example/"onmouseover="alert(1)',
        f"<p>{_link('http://a.example/', 'http://a.example/')}&quot;onmouseover=&quot;alert(1)</p>",
        id="quote-ends-url",
    ),
]


@pytest.mark.parametrize(("source", "expected"), BARE_URLS)
def test_bare_http_url_is_linkified(source: str, expected: str) -> None:
    out = render_markdown(source)
    assert out == expected
    _assert_safe(out)


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
    assert out == f"<p>go to {_link('https://example.org', 'https://example.org')} now</p>"


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
    _assert_safe(out)


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
    _assert_safe(out)
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
    _assert_safe(out)


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
    _assert_safe(out)


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
        link = _link(f"https://example.org/{n}", "link")
        piece = f"<strong>{n}</strong> {link} &lt;b&gt;{n}&lt;/b&gt;"
        return "<p>" + " ".join([piece] * 20) + "</p>"

    previous = sys.getswitchinterval()
    sys.setswitchinterval(1e-5)  # switch threads often, so shared parser state would show
    try:
        with ThreadPoolExecutor(max_workers=8) as pool:
            results = list(pool.map(render_markdown, map(source, range(80))))
    finally:
        sys.setswitchinterval(previous)
    assert results == [expected(n) for n in range(80)]
