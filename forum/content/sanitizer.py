"""Turn members' Markdown and untrusted HTML into HTML that is safe to show anyone."""

# This is the only module in Porchlight allowed to import bleach. Bleach 6.4 is
# its final release, so every call to it stays behind the two public functions
# below, where it can be swapped for another sanitizer without touching callers.
#
# Link policy, decided here once:
#   * Allowed schemes are http, https and mailto.
#   * Relative links (``/boards/x``, ``#reply-3``, ``page?x=1``) are kept: they
#     resolve against our own origin.
#   * Protocol-relative links (``//example.org``) are kept as bleach keeps them:
#     they inherit the page's http/https scheme, so they can never run script.
#   * Any value that spells a scheme we do not allow, after undoing HTML
#     entities and percent-encoding and dropping whitespace, control and
#     non-ASCII characters, is refused, both by markdown-it (the link stays as
#     plain text) and by the HTML cleaner (the ``<a>`` loses its href).
#   * Any destination holding a character that hides or reorders what a reader
#     sees (controls, format characters such as zero-width spaces, joiners,
#     the soft hyphen and every bidi control from U+200E/F, U+202A-U+202E,
#     U+2066-U+2069 and U+061C, line and paragraph separators), raw, as an
#     entity or percent-encoded, is refused the same way: Markdown leaves the
#     link as plain text, the HTML cleaner drops the href (keeping the text),
#     and a bare URL in text is not turned into a link. "https://bank.example/
#     \u202egpj.exe" would otherwise show one address and lead to another.
#   * Every ``<a>`` that comes out carries exactly ``rel="nofollow ugc noopener
#     noreferrer"``; any rel the author wrote is replaced, not merged.
#   * Bare http(s) URLs in text become links too (not inside ``pre``/``code``),
#     through the same rel rule.
#
# Other tags are stripped and their text kept (so headings become plain text),
# except <script> and <style>, which go together with their content.

from __future__ import annotations

import re
import threading
import unicodedata
from collections.abc import Iterable, Iterator
from functools import partial
from html import unescape
from typing import Any
from urllib.parse import unquote

from bleach.linkifier import LinkifyFilter
from bleach.sanitizer import Cleaner
from markdown_it import MarkdownIt

__all__ = ["render_markdown", "sanitize_html"]

_ALLOWED_TAGS = frozenset(
    {
        "p",
        "br",
        "em",
        "strong",
        "ul",
        "ol",
        "li",
        "blockquote",
        "code",
        "pre",
        "a",
        "hr",
    }
)
_ALLOWED_ATTRIBUTES: dict[str, frozenset[str]] = {
    "a": frozenset({"href", "title", "rel"}),
    "ol": frozenset({"start"}),
}
# Elements removed together with everything inside them. Their text is code, never
# prose: without this, CSS from a pasted e-mail or the body of a script would show
# up as visible text. The cleaner lets them through its own filter (without any
# attribute) only so that _DropWithContent can find where they end.
_DROPPED_WITH_CONTENT = frozenset({"script", "style"})
_ALLOWED_PROTOCOLS = frozenset({"http", "https", "mailto"})
_LINK_REL = "nofollow ugc noopener noreferrer"

_REL_KEY = (None, "rel")

# A URL scheme as browsers read one: an ASCII letter, then letters, digits, "+",
# "-" or ".", then a colon.
_SCHEME_RE = re.compile(r"([a-z][a-z0-9+.\-]*):")
# Everything that is not visible, non-space ASCII. Browsers skip some of these
# characters inside a scheme (tab, newline) or in front of it (controls, space),
# so they are removed before the scheme is read. Removing more than a browser
# would can only make the check refuse more, never less.
_URL_NOISE_RE = re.compile(r"[^\x21-\x7e]|`")
# Unicode categories no link may hold: controls, format characters (zero-width, bidi, soft
# hyphen, BOM), line and paragraph separators. Unlike single-line fields (forum.validation),
# joiners get no exception: a destination has no script that needs them.
_HIDING_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})
# What Markdown's normalizeLink hands on for a destination with hidden characters: itself
# a control character, so the validation that follows refuses it whatever the scheme.
_REFUSED_DESTINATION = "\x00"
# Enough rounds to undo any encoding a browser would undo, and then some.
_MAX_DECODE_ROUNDS = 4
_OL_START_RE = re.compile(r"[0-9]{1,9}")

# Bare URLs to turn into links: http or https only. Parentheses count only in
# balanced pairs, so "(see https://example.org/x)" keeps its ")" outside while
# "https://en.wikipedia.org/wiki/Foo_(bar)" keeps it inside; the URL may not end
# on a character that is more likely sentence punctuation than part of the URL.
_URL_CHAR = r"[^\s<>\"`{}|\\^()]"
_URL_LAST_CHAR = r"[^\s<>\"`{}|\\^().,;:!?'*_~]"
_BARE_URL_RE = re.compile(
    rf"\bhttps?://(?:{_URL_CHAR}|\({_URL_CHAR}*\))*(?:{_URL_LAST_CHAR}|\({_URL_CHAR}*\))",
    re.IGNORECASE,
)
_LINKIFY_SKIP_TAGS = frozenset({"pre", "code"})


def _hides_characters(text: str) -> bool:
    return any(unicodedata.category(char) in _HIDING_CATEGORIES for char in text)


def _is_allowed_url(url: str) -> bool:
    """Tell whether a link destination may be kept: allowed scheme or none, nothing hidden."""
    candidate = url
    if _hides_characters(candidate):
        return False
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(unescape(candidate))
        if decoded == candidate:
            break
        candidate = decoded
        if _hides_characters(candidate):
            return False
    compact = _URL_NOISE_RE.sub("", candidate).lower()
    scheme = _SCHEME_RE.match(compact)
    return scheme is None or scheme.group(1) in _ALLOWED_PROTOCOLS


def _allow_attribute(tag: str, name: str, value: str) -> bool:
    """Attribute allow-list for the cleaner, with a stricter href check than bleach's."""
    if name not in _ALLOWED_ATTRIBUTES.get(tag, frozenset()):
        return False
    if name == "href":
        return _is_allowed_url(value)
    if name == "start":
        return _OL_START_RE.fullmatch(value.strip()) is not None
    return True


def _set_link_rel(
    attrs: dict[tuple[str | None, str] | str, str], new: bool = False
) -> dict[tuple[str | None, str] | str, str] | None:
    """Linkify callback: give every <a>, old or new, exactly our rel; refuse hidden characters."""
    href = attrs.get((None, "href"))
    if href is not None and not _is_allowed_url(href):
        return None  # a bare URL stays text; an <a> (whose href is checked already) its text
    attrs.pop(_REL_KEY, None)  # so that rel always comes last, after href and title
    attrs[_REL_KEY] = _LINK_REL
    return attrs


class _LinkFilter(LinkifyFilter):  # type: ignore[misc]  # bleach ships no type hints
    """Bleach's LinkifyFilter, fixed for running after the cleaner's own filter.

    By the time this filter runs, the sanitizer has already split every real
    character reference into its own token, so an "&" left in text is a literal
    ampersand. Stock LinkifyFilter re-reads "&" followed by "lt;" as a character
    reference, which turns text the author wrote as "&lt;" into "<" on screen.
    """

    def extract_entities(self, token: dict[str, str]) -> Iterator[dict[str, str]]:
        yield token


class _DropWithContent:
    """Cleaner filter: remove <script> and <style> elements along with their text."""

    def __init__(self, source: Iterable[dict[str, Any]]) -> None:
        self.source = source

    def __iter__(self) -> Iterator[dict[str, Any]]:
        depth = 0
        for token in self.source:
            if token.get("name") in _DROPPED_WITH_CONTENT:
                if token["type"] == "StartTag":
                    depth += 1
                elif token["type"] == "EndTag":
                    depth = max(depth - 1, 0)
                continue
            if depth == 0:
                yield token


class _MemberMarkdown(MarkdownIt):
    """CommonMark that refuses link destinations outside our scheme allow-list."""

    def normalizeLink(self, url: str) -> str:
        # Checked before normalizing: it percent-encodes the path and punycodes the host
        # ("xn--..."), where a hidden character no longer shows.
        if not _is_allowed_url(url):
            return _REFUSED_DESTINATION
        normalized: str = super().normalizeLink(url)
        return normalized

    def validateLink(self, url: str) -> bool:
        return _is_allowed_url(url) and super().validateLink(url)


def _build_markdown() -> MarkdownIt:
    md = _MemberMarkdown(
        "commonmark",
        {"html": False, "linkify": False, "typographer": False, "breaks": True},
    )
    # No images yet: "![alt](src)" renders as "!" followed by an ordinary link.
    md.disable("image")
    return md


def _build_cleaner() -> Cleaner:
    return Cleaner(
        tags=_ALLOWED_TAGS | _DROPPED_WITH_CONTENT,
        attributes=_allow_attribute,
        protocols=_ALLOWED_PROTOCOLS,
        strip=True,
        strip_comments=True,
        filters=[
            _DropWithContent,
            partial(
                _LinkFilter,
                callbacks=[_set_link_rel],
                skip_tags=_LINKIFY_SKIP_TAGS,
                parse_email=False,
                url_re=_BARE_URL_RE,
            ),
        ],
    )


class _PerThreadCleaner(threading.local):
    """One Cleaner per thread: bleach's parser keeps state while it cleans."""

    def __init__(self) -> None:
        self.cleaner = _build_cleaner()


_MARKDOWN = _build_markdown()
_CLEANERS = _PerThreadCleaner()


def render_markdown(source: str) -> str:
    """Render a member's Markdown (CommonMark) to HTML that is safe to show anyone."""
    if not source.strip():
        return ""
    rendered: str = _MARKDOWN.render(source)
    return sanitize_html(rendered).strip()


def sanitize_html(html: str) -> str:
    """Clean HTML from any source down to the allowed tags and attributes."""
    if not html.strip():
        return ""
    cleaned: str = _CLEANERS.cleaner.clean(html)
    # What cleans down to blank space is blank, as blank input is: cleaning twice changes nothing.
    return cleaned if cleaned.strip() else ""
