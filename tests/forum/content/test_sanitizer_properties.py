"""Properties of the sanitizer over generated hostile HTML and Markdown (Hypothesis).

Whatever the input, the output holds only allowed elements and attributes (as a browser parses
it), no link with a refused scheme or a hidden character, and sanitizing it again changes
nothing. The strategy mixes tags that change how browsers parse (svg, math, raw-text elements,
template, select), event handlers, URLs with dangerous schemes in every encoding, entities,
Unicode controls and Markdown's link syntax.

The examples are the same on every run (the suite's "porchlight" Hypothesis profile, loaded in
tests/conftest.py); `--hypothesis-profile=explore` draws fresh ones.
"""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from forum.content.sanitizer import render_markdown, sanitize_html
from tests.forum.content.sanitizer_checks import assert_safe

TAGS = (
    "a", "p", "em", "strong", "ol", "li", "ul", "code", "pre", "blockquote", "br", "hr",
    "script", "style", "svg", "math", "mglyph", "mtext", "mi", "annotation-xml", "foreignObject",
    "desc", "template", "select", "option", "textarea", "noscript", "xmp", "iframe", "title",
    "noembed", "noframes", "plaintext", "img", "table", "td", "form", "div", "b", "image",
    "object", "base", "meta", "details", "input", "A", "ScRiPt", "SVG",
)  # fmt: skip
ATTRIBUTES = (
    "href", "HREF", "src", "title", "rel", "start", "onerror", "onclick", "OnLoad", "style",
    "xlink:href", "srcdoc", "formaction", "action", "id", "class", "data-x", "encoding",
    "attributeName", "values", "to",
)  # fmt: skip
SCHEMES = (
    "javascript", "JaVaScRiPt", "vbscript", "data", "livescript", "http", "https", "mailto",
    "file", "",
)  # fmt: skip
COLONS = (":", "&colon;", "&#58;", "&#x3a", "&#0000058;", "%3A", "%253A", ":", ":")
HIDDEN = (
    "\t", "\n", "\r", "\x00", "\x01", "\x7f", "\x85", "\u00ad", "\u200b", "\u200d", "\u200e",
    "\u202e", "\u2066", "\u2069", "\u061c", "\u2028", "\u2029", "\ufeff",
)  # fmt: skip
ENTITIES = (
    "&amp;", "&lt;", "&gt;", "&quot;", "&#39;", "&#x3c;", "&#60", "&colon;", "&Tab;",
    "&NewLine;", "&#0000106", "&#x6A", "&", "&#", "&#x", "&lt", "&amp;lt;", "&#x202E;",
    "&#8232;",
)  # fmt: skip
MARKUP = (
    "<", ">", "</", "/>", "<!--", "-->", "--!>", "<![CDATA[", "]]>", '"', "'", "`", "=", " ",
    "[", "]", "(", ")", "![", "*", "_", "`", "```\n", "\n\n", "\n", "> ", "- ", "1. ", "    ",
    "\\", "[x]: ", "[x]", "<>",
)  # fmt: skip


def _encode_char(char: str, how: int) -> str:
    if how == 1:
        return f"&#{ord(char)};"
    if how == 2:
        return f"&#x{ord(char):x}"
    if how == 3:
        return "".join(f"%{byte:02X}" for byte in char.encode())
    return char


@st.composite
def _scheme(draw: st.DrawFn) -> str:
    """A scheme with some letters encoded and hidden characters slipped in."""
    letters = []
    for char in draw(st.sampled_from(SCHEMES)):
        letters.append(_encode_char(char, draw(st.integers(0, 6))))
        if draw(st.integers(0, 7)) == 0:
            letters.append(draw(st.sampled_from(HIDDEN)))
    return "".join(letters)


@st.composite
def urls(draw: st.DrawFn) -> str:
    lead = draw(st.sampled_from(("", "", " ", "\x01", "&#1;", "\u200b", "%20")))
    scheme = draw(_scheme())
    colon = draw(st.sampled_from(COLONS)) if scheme else ""
    rest = draw(
        st.sampled_from(
            ("alert(1)", "//ok.example/", "//evil.example/x", "text/html,<script>", "x@ok.example")
        )
    )
    tail = draw(st.lists(st.sampled_from(HIDDEN + ENTITIES + ("/", "?a=1", "#f")), max_size=3))
    return lead + scheme + colon + rest + "".join(tail)


@st.composite
def open_tags(draw: st.DrawFn) -> str:
    tag = draw(st.sampled_from(TAGS))
    parts = [f"<{tag}"]
    for _ in range(draw(st.integers(0, 3))):
        name = draw(st.sampled_from(ATTRIBUTES))
        value = draw(st.one_of(urls(), st.sampled_from(("alert(1)", "1", "x", "")), st.text()))
        quote = draw(st.sampled_from(('"', "'", "", "`")))
        parts.append(draw(st.sampled_from((" ", "/", "\n", "\t"))))
        parts.append(f"{name}={quote}{value}{quote}")
    parts.append(draw(st.sampled_from((">", "/>", " >", ""))))
    return "".join(parts)


close_tags = st.sampled_from(TAGS).map(lambda tag: f"</{tag}>")
markdown_links = st.one_of(
    st.builds(lambda text, url: f"[{text}]({url})", st.text(max_size=5), urls()),
    st.builds(lambda url: f"[x](<{url}>)", urls()),
    st.builds(lambda url: f"<{url}>", urls()),
    st.builds(lambda url: f"![x]({url})", urls()),
    st.builds(lambda url: f"[x][r]\n\n[r]: {url}", urls()),
    st.builds(lambda url: f"[[x]({url})](https://ok.example)", urls()),
)
pieces = st.one_of(
    open_tags(),
    close_tags,
    urls(),
    markdown_links,
    st.sampled_from(ENTITIES),
    st.sampled_from(HIDDEN),
    st.sampled_from(MARKUP),
    st.text(max_size=8),
)
documents = st.lists(pieces, max_size=30).map("".join)


@given(documents)
def test_sanitized_html_is_safe_and_stable(source: str) -> None:
    out = sanitize_html(source)
    assert_safe(out)
    assert sanitize_html(out) == out


@given(documents)
def test_rendered_markdown_is_safe_and_stable(source: str) -> None:
    out = render_markdown(source)
    assert_safe(out)
    assert sanitize_html(out) == out


def _drawn(profile: settings) -> list[str]:
    seen: list[str] = []

    @profile
    @given(documents)
    def draw(source: str) -> None:
        seen.append(source)

    draw()
    return seen


def test_the_property_tests_draw_the_same_examples_on_every_run() -> None:
    profile = settings.get_profile("porchlight")
    first, second = _drawn(profile), _drawn(profile)
    assert first == second
    assert len(first) >= 400  # Hypothesis may skip a duplicate draw, not a fifth of them


def test_the_suite_loads_the_fixed_profile_unless_told_otherwise(
    pytestconfig: pytest.Config,
) -> None:
    asked = pytestconfig.getoption("hypothesis_profile")
    assert settings.default == settings.get_profile(asked or "porchlight")
