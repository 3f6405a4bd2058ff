"""Checks shared by the sanitizing tests: is this markup safe to show, and what a link becomes."""

from __future__ import annotations

import re
import unicodedata
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import unquote

# The parsing algorithm of the HTML standard, as browsers run it (bleach's own copy of
# html5lib): what a browser builds from the output is what matters, namespaces included.
from bleach._vendor import html5lib

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


def start_tags(markup: str) -> list[tuple[str, list[tuple[str, str | None]]]]:
    parser = _StartTags()
    parser.feed(markup)
    parser.close()
    return parser.tags


XHTML = "{http://www.w3.org/1999/xhtml}"
# Characters no kept link may hold, raw or encoded (controls, format, line/paragraph separators).
HIDING_CATEGORIES = {"Cc", "Cf", "Zl", "Zp"}


def hides_characters(url: str) -> bool:
    """Whether url holds a hidden character, raw or behind entities or percent-encoding."""
    for _ in range(5):
        if any(unicodedata.category(ch) in HIDING_CATEGORIES for ch in url):
            return True
        decoded = unquote(unescape(url))
        if decoded == url:
            return False
        url = decoded
    return any(unicodedata.category(ch) in HIDING_CATEGORIES for ch in url)


def browser_elements(markup: str) -> list[tuple[str, dict[Any, str]]]:
    """Every element a browser builds from markup placed inside a <div>: (tag, attributes).

    Tags keep their namespace ("{http://www.w3.org/2000/svg}svg"), so markup that a browser
    would move into SVG or MathML shows up as such.
    """
    fragment = html5lib.parseFragment(markup, container="div")
    return [
        (element.tag, dict(element.attrib))
        for element in fragment.iter()
        if isinstance(element.tag, str) and element.tag != "DOCUMENT_FRAGMENT"
    ]


def assert_safe_in_a_browser(markup: str) -> None:
    """What a browser builds from markup holds only allowed HTML elements and attributes."""
    for tag, attrs in browser_elements(markup):
        assert tag.startswith(XHTML), tag
        name = tag[len(XHTML) :]
        assert name in ALLOWED_TAGS, name
        assert set(attrs) <= ALLOWED_ATTRIBUTES.get(name, set()), (name, attrs)
        if "href" in attrs:
            assert _scheme(attrs["href"]) in ALLOWED_SCHEMES | {None}, attrs["href"]
            assert not hides_characters(attrs["href"]), attrs["href"]
        if name == "a":
            assert attrs.get("rel") == REL_VALUE, attrs


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


def assert_safe(markup: str) -> None:
    """Every tag and attribute is allowed, every href harmless, every link has our rel."""
    assert isinstance(markup, str)
    lowered = markup.lower()
    for opening in DANGEROUS_TAG_OPENINGS:
        assert opening not in lowered, opening
    assert "\x00" not in markup
    for tag, attrs in start_tags(markup):
        assert tag in ALLOWED_TAGS, tag
        names = [name for name, _ in attrs]
        assert len(names) == len(set(names)), names
        assert set(names) <= ALLOWED_ATTRIBUTES.get(tag, set()), (tag, names)
        values = dict(attrs)
        if "href" in values:
            assert values["href"] is not None
            assert _scheme(values["href"]) in ALLOWED_SCHEMES | {None}, values["href"]
            assert not hides_characters(values["href"]), values["href"]
        if tag == "a":
            assert values.get("rel") == REL_VALUE, attrs
        if "start" in values:
            assert values["start"] is not None
            assert values["start"].isdigit()
    assert_safe_in_a_browser(markup)


def assert_no_dangerous_substrings(markup: str) -> None:
    lowered = markup.lower()
    for needle in DANGEROUS_SUBSTRINGS:
        assert needle not in lowered, needle


def link(href: str, text: str, title: str | None = None) -> str:
    """The exact anchor a member's link comes out as: href, optional title, then our rel."""
    title_attr = f' title="{title}"' if title is not None else ""
    return f'<a href="{href}"{title_attr} {REL}>{text}</a>'
