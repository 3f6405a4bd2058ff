"""Validation of what people type into account forms: shape only, no database."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from forum.accounts import passwords
from forum.accounts.models import DM_POLICIES, ROLES
from forum.validation import Body, Choice, FieldErrors, Secret, Text, WholeNumber

USERNAME_RE = re.compile(r"[A-Za-z0-9_-]{3,30}")
# Deliberately simple: one @, a dot in the domain, no spaces. Delivery is the real test.
EMAIL_RE = re.compile(r"[^@\s\x00-\x1f\x7f]{1,64}@[^@\s\x00-\x1f\x7f]+\.[^@\s.\x00-\x1f\x7f]{2,}")
PASSWORD_MIN, PASSWORD_MAX = 8, 1024
DISPLAY_NAME_MAX, AREA_MAX, BIO_MAX = 60, 80, 500
TRUST_LEVEL_MAX = 4

USERNAME = Text(
    pattern=USERNAME_RE,
    pattern_message="Use 3 to 30 letters, digits, _ or -.",
    description="3 to 30 letters, digits, _ or -; unique, whatever the case.",
)
EMAIL = Text(
    max_length=254,
    pattern=EMAIL_RE,
    pattern_message="Enter an e-mail address like name@example.org.",
)
NEW_PASSWORD = Secret(
    min_length=PASSWORD_MIN,
    max_length=PASSWORD_MAX,
    type_message="Must be text.",
    min_message=f"Use at least {PASSWORD_MIN} characters; a short sentence works well.",
    max_message=f"Use at most {PASSWORD_MAX} characters.",
    description="Not a common password, nor the username or e-mail address.",
)
DISPLAY_NAME = Text(required=False, max_length=DISPLAY_NAME_MAX)
INVITE = Text(required=False, max_length=100, description="Needed when sign-up is by invitation.")
DM_POLICY = Choice(
    DM_POLICIES,
    "Choose everyone, interacted or nobody.",
    default="everyone",
    description="Who may start a direct conversation with this person.",
)

REGISTER = Body(
    {
        "username": USERNAME,
        "email": EMAIL,
        "password": NEW_PASSWORD,
        "display_name": DISPLAY_NAME,
        "invite": INVITE,
    }
)
LOGIN = Body(
    {
        # Checked only as far as the lookup needs: a malformed name is simply unknown.
        "username": Secret(
            required_message="Enter your username or e-mail address.",
            hidden=False,
            description="The username or the e-mail address.",
        ),
        "password": Secret(required_message="Enter your password."),
    }
)
# The settings page sends every field; the API may send only those it changes.
PROFILE = Body(
    {
        "display_name": DISPLAY_NAME,
        "area": Text(required=False, max_length=AREA_MAX),
        "bio": Text(required=False, max_length=BIO_MAX, multiline=True),
        "dm_policy": DM_POLICY,
    },
    partial=True,
)
PASSWORD_CHANGE = Body(
    {
        "current_password": Secret(required_message="Enter your current password."),
        "new_password": NEW_PASSWORD,
    }
)
ACCOUNT_DELETION = Body({"password": Secret(required_message="Enter your password to confirm.")})
USER_CHANGE = Body(
    {
        "role": Choice(ROLES, f"Must be one of {', '.join(ROLES)}."),
        "trust_level": WholeNumber(
            0, TRUST_LEVEL_MAX, f"Must be a whole number from 0 to {TRUST_LEVEL_MAX}."
        ),
    },
    partial=True,
)
TOKEN = Body({"label": Text(max_length=80, description="Where the token is used.")})
BLOCK = Body({"username": USERNAME})
INVITE_NOTE = Body({"note": Text(required=False, max_length=120)})


def username(data: Mapping[str, Any], errors: FieldErrors, name: str = "username") -> str:
    return USERNAME.read(data, name, errors)


def email(data: Mapping[str, Any], errors: FieldErrors, name: str = "email") -> str:
    return EMAIL.read(data, name, errors)


def new_password(
    data: Mapping[str, Any],
    errors: FieldErrors,
    name: str = "password",
    *,
    user_words: tuple[str, ...] = (),
) -> str:
    value = NEW_PASSWORD.read(data, name, errors)
    if not value or name in errors.errors:
        return value
    if "\x00" in value:
        errors.add(name, "Contains characters that are not allowed.")
    elif passwords.is_common(value) or value.casefold() in {w.casefold() for w in user_words}:
        errors.add(name, "That password is too common and easy to guess; choose another.")
    return value


def profile(data: Mapping[str, Any], errors: FieldErrors) -> dict[str, str]:
    """The profile fields sent (all of them from the settings page)."""
    return PROFILE.read(data, errors)
