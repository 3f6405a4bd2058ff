"""Shape checks that every form and JSON body share: text, flags, numbers, errors by field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from html import unescape
from typing import Any

from forum.errors import InvalidInput

# Invisible or control characters, by Unicode category: format characters (soft hyphen,
# LRM/RLM, word joiner, zero-width space, direction overrides, BOM), controls (C0 and C1),
# line and paragraph separators, private use and lone surrogates. In a name or a title they
# only serve to impersonate ("Rosa" and "Ro\u200bsa") or to hide what the text says.
_DISGUISING_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Co", "Cs", "Cn"})
# Zero-width (non-)joiners are part of how Persian, Hindi or emoji sequences are written.
_JOINERS = frozenset({"\u200c", "\u200d"})
# Letters that draw nothing: Hangul fillers, the braille blank, the combining grapheme joiner.
_FILLERS = frozenset({"\u115f", "\u1160", "\u3164", "\uffa0", "\u2800", "\u034f"})
_LAYOUT = frozenset({"\n", "\r", "\t"})
# What strip() may drop from the ends: spaces (category Zs) and layout. str.strip() alone would
# also drop C1 controls and line separators ("\u2028Rosa"), and accept what should be refused.
_SPACES = " \u00a0\u1680" + "".join(map(chr, range(0x2000, 0x200B))) + "\u202f\u205f\u3000"
_STRIPPED = _SPACES + "\t\n\r"
_ASCII_INTEGER = re.compile(r"-?[0-9]{1,9}")
_TAG = re.compile(r"<[^>]*>")


class FieldErrors:
    """Collects one message per field, then raises them together."""

    def __init__(self) -> None:
        self.errors: dict[str, str] = {}

    def add(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_if_any(self, message: str = "Some fields need attention.") -> None:
        if self.errors:
            raise InvalidInput(message, fields=self.errors)


def is_disguising(char: str) -> bool:
    """A character that shows as nothing (or as something else) and hides what text says."""
    if char in _FILLERS:
        return True
    return unicodedata.category(char) in _DISGUISING_CATEGORIES and char not in _JOINERS


def _refused_character(value: str, *, multiline: bool) -> bool:
    for char in value:
        if multiline and (
            char in _LAYOUT or char in _FILLERS or unicodedata.category(char) == "Cf"
        ):
            # Inside a post a soft hyphen or a word joiner is typography: there only controls,
            # separators, private use and unassigned code points are refused.
            continue
        if is_disguising(char):
            return True
    return False


def text(
    data: Mapping[str, Any],
    name: str,
    errors: FieldErrors,
    *,
    required: bool = True,
    max_length: int | None = None,
    multiline: bool = False,
    strip: bool = True,
) -> str:
    """A string field: present (if required), a string, within length, nothing disguising."""
    value = data.get(name)
    if value is None or value == "":
        if required:
            errors.add(name, "This field is required.")
        return ""
    if not isinstance(value, str):
        errors.add(name, "Must be text.")
        return ""
    if strip:
        value = value.strip(_STRIPPED)
    if required and not value:
        errors.add(name, "This field is required.")
    if _refused_character(value, multiline=multiline):
        errors.add(name, "Contains characters that are not allowed.")
    elif value and not multiline and not has_visible_text(value):
        errors.add(name, "This would show as nothing; use letters or digits.")
    if max_length is not None and len(value) > max_length:
        errors.add(name, f"Must be at most {max_length} characters.")
    return value


# Categories that draw nothing by themselves: format characters (joiners included: a ZWJ alone
# shows nothing), controls, separators, combining marks, surrogates, unassigned code points.
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Zl", "Zp", "Zs", "Mn", "Me", "Cs", "Cn"})


def has_visible_text(value: str) -> bool:
    """Whether text shows anything: not only spaces, format characters, marks and fillers."""
    return any(
        unicodedata.category(char) not in _INVISIBLE_CATEGORIES and char not in _FILLERS
        for char in value
    )


def html_has_visible_text(html: str) -> bool:
    """Whether rendered HTML shows any text once its tags are gone."""
    return has_visible_text(unescape(_TAG.sub("", html)))


def flag(data: Mapping[str, Any], name: str, errors: FieldErrors) -> bool | None:
    """A JSON true/false, or None when the field is absent."""
    if name not in data:
        return None
    value = data[name]
    if not isinstance(value, bool):
        errors.add(name, "Must be true or false.")
        return None
    return value


def whole_number(raw: object) -> int | None:
    """An int, or a string of ASCII digits (forms send strings); None for anything else.

    Python's int() reads any script's digits ("٣"): an id or a position must be plain ASCII.
    """
    if isinstance(raw, bool):
        return None
    if isinstance(raw, int):
        return raw
    if isinstance(raw, str) and _ASCII_INTEGER.fullmatch(raw.strip()):
        return int(raw.strip())
    return None


def choice(
    data: Mapping[str, Any],
    name: str,
    choices: tuple[str, ...],
    errors: FieldErrors,
    message: str,
    *,
    default: str | None = None,
) -> str:
    """One of a fixed set of strings; absent gives the default (if any), anything else an error."""
    if name not in data and default is not None:
        return default
    value = data.get(name)
    if not isinstance(value, str) or value not in choices:
        errors.add(name, message)
        return default or ""
    return value
