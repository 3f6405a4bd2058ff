"""Validation of what people type into account forms: shape only, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forum.accounts import passwords
from forum.validation import FieldErrors, text

USERNAME_RE = re.compile(r"[A-Za-z0-9_-]{3,30}")
# Deliberately simple: one @, a dot in the domain, no spaces. Delivery is the real test.
EMAIL_RE = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]{2,}")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
DISPLAY_NAME_MAX, AREA_MAX, BIO_MAX = 60, 80, 500


def username(data: Mapping[str, Any], errors: FieldErrors, name: str = "username") -> str:
    value = text(data, name, errors)
    if value and not USERNAME_RE.fullmatch(value):
        errors.add(name, "Use 3 to 30 letters, digits, _ or -.")
    return value


def email(data: Mapping[str, Any], errors: FieldErrors, name: str = "email") -> str:
    value = text(data, name, errors, max_length=254)
    if value and not EMAIL_RE.fullmatch(value):
        errors.add(name, "Enter an e-mail address like name@example.org.")
    return value


def new_password(
    data: Mapping[str, Any],
    errors: FieldErrors,
    name: str = "password",
    *,
    user_words: tuple[str, ...] = (),
) -> str:
    value = data.get(name)
    if value is None or value == "":
        errors.add(name, "This field is required.")
        return ""
    if not isinstance(value, str):
        errors.add(name, "Must be text.")
        return ""
    if len(value) < PASSWORD_MIN:
        errors.add(name, f"Use at least {PASSWORD_MIN} characters; a short sentence works well.")
    elif len(value) > PASSWORD_MAX:
        errors.add(name, f"Use at most {PASSWORD_MAX} characters.")
    elif "\x00" in value:
        errors.add(name, "Contains characters that are not allowed.")
    elif passwords.is_common(value) or value.casefold() in {w.casefold() for w in user_words}:
        errors.add(name, "That password is too common and easy to guess; choose another.")
    return value


def profile(
    data: Mapping[str, Any], errors: FieldErrors, *, partial: bool = False
) -> dict[str, str]:
    """The profile fields; partial (the API's PATCH) checks only those present."""
    values: dict[str, str] = {}
    if not partial or "display_name" in data:
        values["display_name"] = text(
            data, "display_name", errors, required=False, max_length=DISPLAY_NAME_MAX
        )
    if not partial or "area" in data:
        values["area"] = text(data, "area", errors, required=False, max_length=AREA_MAX)
    if not partial or "bio" in data:
        values["bio"] = text(
            data, "bio", errors, required=False, max_length=BIO_MAX, multiline=True
        )
    return values
