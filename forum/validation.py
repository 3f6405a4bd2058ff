"""Shape checks that every form and JSON body share: text, flags, numbers, errors by field."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
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
    # The limit counts the text as sent, before trimming, as a form's maxlength and the
    # OpenAPI document's maxLength do: what the document calls too long is always refused.
    sent_length = len(value)
    if strip:
        value = value.strip(_STRIPPED)
    if required and not value:
        errors.add(name, "This field is required.")
    if _refused_character(value, multiline=multiline):
        errors.add(name, "Contains characters that are not allowed.")
    elif value and not multiline and not has_visible_text(value):
        errors.add(name, "This would show as nothing; use letters or digits.")
    if max_length is not None and sent_length > max_length:
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


# Declarative fields: each one validates a value and describes, as JSON Schema, exactly what it
# accepts. Bodies group them per operation; forms validate with them and forum.openapi
# publishes them, so the document and the checks cannot drift apart. A schema may be looser
# than the checks (visible text, common passwords), never stricter: anything the document
# refuses, the server refuses.


@dataclass(frozen=True)
class Text:
    """A line (or, multiline, a passage) of text; see text()."""

    max_length: int | None = None
    min_length: int = 0
    required: bool = True
    multiline: bool = False
    # strip=False keeps leading spaces (Markdown's indented code); trailing blank space goes.
    strip: bool = True
    pattern: re.Pattern[str] | None = None
    pattern_message: str = ""
    description: str = ""

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> str:
        value = text(
            data,
            name,
            errors,
            required=self.required,
            max_length=self.max_length,
            multiline=self.multiline,
            strip=self.strip,
        )
        if not self.strip:
            if value and not value.strip() and self.required:
                errors.add(name, "This field is required.")
            value = value.rstrip()
        if value and len(value) < self.min_length:
            errors.add(name, f"Use at least {self.min_length} characters.")
        if value and self.pattern is not None and not self.pattern.fullmatch(value):
            errors.add(name, self.pattern_message)
        return value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string" if self.required else ["string", "null"]}
        if self.required:
            schema["minLength"] = max(1, self.min_length)
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.pattern is not None:
            # Checked after trimming: blank space around the value is allowed.
            pad = r"\s*" if self.strip else ""
            schema["pattern"] = f"^{pad}(?:{self.pattern.pattern}){pad}$"
        return _described(schema, self.description)


@dataclass(frozen=True)
class Secret:
    """A password (or a sign-in name): taken exactly as typed, never trimmed or screened."""

    min_length: int = 0
    max_length: int | None = None
    required_message: str = "This field is required."
    # None: a value that is not text gets required_message (sign-in does not say which).
    type_message: str | None = None
    min_message: str = ""
    max_message: str = ""
    description: str = ""
    hidden: bool = True
    required = True

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> str:
        value = data.get(name)
        if value is None or value == "":
            errors.add(name, self.required_message)
            return ""
        if not isinstance(value, str):
            errors.add(name, self.type_message or self.required_message)
            return ""
        if len(value) < self.min_length:
            errors.add(name, self.min_message)
        elif self.max_length is not None and len(value) > self.max_length:
            errors.add(name, self.max_message)
        return value

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "minLength": max(1, self.min_length)}
        if self.max_length is not None:
            schema["maxLength"] = self.max_length
        if self.hidden:
            schema.update(format="password", writeOnly=True)
        return _described(schema, self.description)


@dataclass(frozen=True)
class Choice:
    """One of a fixed set of strings; see choice()."""

    choices: tuple[str, ...]
    message: str
    default: str | None = None
    description: str = ""

    @property
    def required(self) -> bool:
        return self.default is None

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> str:
        return choice(data, name, self.choices, errors, self.message, default=self.default)

    def schema(self) -> dict[str, Any]:
        schema: dict[str, Any] = {"type": "string", "enum": list(self.choices)}
        if self.default is not None:
            schema["default"] = self.default
        return _described(schema, self.description)


_CHECKBOX = {"true": True, "on": True, "false": False}


@dataclass(frozen=True)
class Flag:
    """A JSON true or false; absent leaves things as they are."""

    description: str = ""
    # Forms send a checkbox as text: a field shared with a form reads "true", "on", "false" too.
    checkbox: bool = False
    required = False

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> bool | None:
        raw = data.get(name)
        if self.checkbox and isinstance(raw, str) and raw in _CHECKBOX:
            return _CHECKBOX[raw]
        return flag(data, name, errors)

    def schema(self) -> dict[str, Any]:
        if not self.checkbox:
            return _described({"type": "boolean"}, self.description)
        text_forms = {"type": "string", "enum": list(_CHECKBOX)}
        schema = {"anyOf": [{"type": "boolean"}, text_forms]}
        return _described(schema, self.description or "true or false (or a checkbox's text).")


@dataclass(frozen=True)
class WholeNumber:
    """A whole number within bounds; absent leaves things as they are."""

    minimum: int
    maximum: int
    message: str
    # Forms send numbers as text: a field shared with a form reads "12" as 12 too.
    digit_strings: bool = False
    description: str = ""
    required = False

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> int | None:
        if name not in data:
            return None
        raw = data[name]
        if self.digit_strings:
            value = whole_number(raw)
        else:
            value = raw if isinstance(raw, int) and not isinstance(raw, bool) else None
        if value is None or not self.minimum <= value <= self.maximum:
            errors.add(name, self.message)
            return None
        return value

    def schema(self) -> dict[str, Any]:
        bounds = {"minimum": self.minimum, "maximum": self.maximum}
        if not self.digit_strings:
            return _described({"type": "integer", **bounds}, self.description)
        digits = {"type": "string", "pattern": r"^\s*-?[0-9]{1,9}\s*$"}
        schema = {"oneOf": [{"type": "integer", **bounds}, digits]}
        return _described(schema, self.description or "A whole number (or its digits as text).")


@dataclass(frozen=True)
class IdList:
    """A JSON list of ids (1 to max_items of them); absent leaves things as they are."""

    max_items: int
    message: str
    description: str = ""
    required = False

    def read(self, data: Mapping[str, Any], name: str, errors: FieldErrors) -> list[int] | None:
        if name not in data:
            return None
        raw = data[name]
        if (
            not isinstance(raw, list)
            or not 1 <= len(raw) <= self.max_items
            or not all(
                isinstance(i, int) and not isinstance(i, bool) and 0 < i < 2**31 for i in raw
            )
        ):
            errors.add(name, self.message)
            return None
        return raw

    def schema(self) -> dict[str, Any]:
        item = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
        schema = {"type": "array", "items": item, "minItems": 1, "maxItems": self.max_items}
        return _described(schema, self.description)


Field = Text | Secret | Choice | Flag | WholeNumber | IdList


@dataclass(frozen=True)
class Body:
    """The fields of one request body; partial (PATCH) reads and changes only those sent."""

    fields: Mapping[str, Field]
    partial: bool = False

    def read(self, data: Mapping[str, Any], errors: FieldErrors) -> dict[str, Any]:
        values: dict[str, Any] = {}
        for name, field in self.fields.items():
            if self.partial and name not in data:
                continue
            value = field.read(data, name, errors)
            if value is not None:
                values[name] = value
        return values

    def schema(self) -> dict[str, Any]:
        required = [] if self.partial else [n for n, f in self.fields.items() if f.required]
        schema: dict[str, Any] = {
            "type": "object",
            "properties": {name: field.schema() for name, field in self.fields.items()},
            # Names the server does not know are ignored, not refused.
            "additionalProperties": True,
        }
        if required:
            schema["required"] = required
        return schema


def _described(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {**schema, "description": description} if description else schema
