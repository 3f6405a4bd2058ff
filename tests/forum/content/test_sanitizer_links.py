"""Links in members' text: refused schemes in every disguise, allowed links exactly, our rel."""

from __future__ import annotations

import pytest

from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.sanitizer_checks import REL, REL_VALUE, assert_safe, link, start_tags

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
    assert_safe(out)


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
    assert_safe(out)


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
        "[x](https://example.org/a)", f"<p>{link('https://example.org/a', 'x')}</p>", id="https"
    ),
    pytest.param("[x](http://example.org)", f"<p>{link('http://example.org', 'x')}</p>", id="http"),
    pytest.param(
        "[mail me](mailto:someone@example.org)",
        f"<p>{link('mailto:someone@example.org', 'mail me')}</p>",
        id="mailto",
    ),
    pytest.param(
        "<https://example.org>",
        f"<p>{link('https://example.org', 'https://example.org')}</p>",
        id="autolink",
    ),
    pytest.param(
        "<someone@example.org>",
        f"<p>{link('mailto:someone@example.org', 'someone@example.org')}</p>",
        id="email-autolink",
    ),
    pytest.param("[x](/boards/tools)", f"<p>{link('/boards/tools', 'x')}</p>", id="relative"),
    pytest.param("[x](#reply-3)", f"<p>{link('#reply-3', 'x')}</p>", id="fragment"),
    pytest.param(
        "[x](//example.org/p)", f"<p>{link('//example.org/p', 'x')}</p>", id="protocol-relative"
    ),
    pytest.param(
        '[x](https://example.org "say \\"hi\\"")',
        f"<p>{link('https://example.org', 'x', title='say &quot;hi&quot;')}</p>",
        id="title-with-escaped-quotes",
    ),
    pytest.param(
        "[x](https://example.org 'it\\'s')",
        f"<p>{link('https://example.org', 'x', title=chr(39).join(['it', 's']))}</p>",
        id="title-single-quoted",
    ),
    pytest.param(
        '[x](https://example.org "\\" onmouseover=\\"alert(1)")',
        f"<p>{link('https://example.org', 'x', title='&quot; onmouseover=&quot;alert(1)')}</p>",
        id="title-cannot-break-out",
    ),
    pytest.param(
        "[a [b] c](https://example.org)",
        f"<p>{link('https://example.org', 'a [b] c')}</p>",
        id="nested-brackets",
    ),
    pytest.param(
        "[x](<https://example.org/a b>)",
        f"<p>{link('https://example.org/a%20b', 'x')}</p>",
        id="angle-bracket-destination",
    ),
    pytest.param(
        '[x][ref]\n\n[ref]: https://example.org "T"',
        f"<p>{link('https://example.org', 'x', title='T')}</p>",
        id="reference",
    ),
    pytest.param(
        "[x](https://example.org/?a=1&b=2)",
        f"<p>{link('https://example.org/?a=1&amp;b=2', 'x')}</p>",
        id="ampersand-in-query",
    ),
]


@pytest.mark.parametrize(("source", "expected"), ALLOWED_LINKS_MARKDOWN)
def test_markdown_allowed_link_renders_exactly(source: str, expected: str) -> None:
    out = render_markdown(source)
    assert out == expected
    assert_safe(out)


def test_markdown_link_cannot_smuggle_attributes_after_title() -> None:
    out = render_markdown('[x](https://example.org "t" onmouseover="alert(1)")')
    assert_safe(out)
    assert [attrs for tag, attrs in start_tags(out) if tag == "a"] == [
        [("href", "https://example.org"), ("rel", REL_VALUE)]
    ]


def test_image_syntax_yields_a_plain_link_and_no_img() -> None:
    out = render_markdown("![a cat](https://example.org/cat.png)")
    assert out == f"<p>!{link('https://example.org/cat.png', 'a cat')}</p>"
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
    assert out == link("https://example.org", "x")


LINK_SOURCES = [
    pytest.param("[a](https://example.org) and [b](/x) and <c@example.org>", 3, id="mixed"),
    pytest.param("see https://example.org and http://example.net/x", 2, id="bare"),
    pytest.param("[a][1] [b][1]\n\n[1]: https://example.org", 2, id="references"),
    pytest.param("- <https://example.org>\n- [m](mailto:m@example.org)", 2, id="in-list"),
]


@pytest.mark.parametrize(("source", "links"), LINK_SOURCES)
def test_every_link_gets_exactly_the_ugc_rel(source: str, links: int) -> None:
    out = render_markdown(source)
    anchors = [attrs for tag, attrs in start_tags(out) if tag == "a"]
    assert len(anchors) == links
    assert all(dict(attrs)["rel"] == REL_VALUE for attrs in anchors)
    assert out.count("rel=") == links
    assert_safe(out)


# --- links hiding characters: refused like a bad scheme ---------------------------------------

HIDING_DESTINATIONS = [
    pytest.param("https://bank.example/\u202egpj.exe", id="raw-rlo"),
    pytest.param("https://bank.example/%E2%80%AEgpj.exe", id="percent-encoded-rlo"),
    pytest.param("https://bank.example/&#x202E;gpj.exe", id="entity-rlo"),
    pytest.param("https://bank.example/a\u200bb", id="zero-width-space"),
    pytest.param("https://bank.example/a\u200db", id="zero-width-joiner"),
    pytest.param("https://bank.example/\u2066x\u2069", id="isolates"),
    pytest.param("https://bank.example/\u200f", id="rlm"),
    pytest.param("https://bank.example/%D8%9C", id="arabic-letter-mark-encoded"),
    pytest.param("https://bank.example/%E2%80%A8", id="line-separator-encoded"),
    pytest.param("https://bank.example/%7F", id="del-encoded"),
]


@pytest.mark.parametrize("href", HIDING_DESTINATIONS)
def test_markdown_link_hiding_characters_stays_text(href: str) -> None:
    out = render_markdown(f"[my bank]({href})")
    assert "<a" not in out
    assert out.startswith("<p>[my bank](")
    assert_safe(out)


@pytest.mark.parametrize("href", HIDING_DESTINATIONS)
def test_html_link_hiding_characters_loses_its_href_and_keeps_its_text(href: str) -> None:
    assert sanitize_html(f'<a href="{href}">my bank</a>') == f"<a {REL}>my bank</a>"


def test_a_bare_url_hiding_characters_is_not_linked() -> None:
    out = render_markdown("See https://bank.example/\u202egpj.exe and https://ok.example")
    assert out == (
        "<p>See https://bank.example/\u202egpj.exe and "
        f"{link('https://ok.example', 'https://ok.example')}</p>"
    )


def test_a_separator_in_a_host_is_caught_before_markdown_punycodes_it() -> None:
    out = render_markdown("<https://bank\u2028.example>")
    assert "xn--" not in out
    assert_safe(out)


def test_ordinary_percent_encoded_letters_still_link() -> None:
    out = render_markdown("[café](https://ok.example/caf%C3%A9)")
    assert out == f"<p>{link('https://ok.example/caf%C3%A9', 'café')}</p>"
