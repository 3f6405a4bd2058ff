"""Account rules: sign-up, sign-in, sessions and tokens, profiles, roles, deletion."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from tortoise.exceptions import IntegrityError
from tortoise.transactions import in_transaction

from forum import clock
from forum.accounts import forms, passwords
from forum.accounts.models import ROLES, Invite, Session, User
from forum.accounts.sessions import digest, forget_user
from forum.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from moderation import ratelimits
from realtime import events

INVITE_LIFETIME = timedelta(days=14)
TRUST_LEVELS = range(0, 5)
DELETED_NAME = "deleted user"


async def _check_unique(errors: forms.FieldErrors, username: str, email: str) -> None:
    # Only well-formed values are looked up: a malformed one already has its message.
    if (
        username
        and "username" not in errors.errors
        and await User.filter(username_key=username.casefold()).exists()
    ):
        errors.add("username", "That username is taken; try another.")
    if (
        email
        and "email" not in errors.errors
        and await User.filter(email_key=email.casefold()).exists()
    ):
        errors.add("email", "An account already uses that e-mail address.")


async def _create_user(
    data: Mapping[str, Any],
    *,
    role: str = "member",
    status: str = "active",
    invite: Invite | None = None,
) -> User:
    errors = forms.FieldErrors()
    username = forms.username(data, errors)
    email = forms.email(data, errors)
    display_name = forms.text(
        data, "display_name", errors, required=False, max_length=forms.DISPLAY_NAME_MAX
    )
    password = forms.new_password(data, errors, user_words=(username, email))
    await _check_unique(errors, username, email)
    errors.raise_if_any()
    # Hashed before the transaction: on SQLite a transaction holds the only connection.
    password_hash = await passwords.hash_password(password)
    try:
        async with in_transaction():
            user = await User.create(
                username=username,
                username_key=username.casefold(),
                email=email,
                email_key=email.casefold(),
                display_name=display_name or username,
                password_hash=password_hash,
                role=role,
                status=status,
            )
            if invite is not None:
                await _claim(invite, user)
    except IntegrityError:
        # Two sign-ups raced for the same name or address: once the transaction has rolled
        # back, answer as if the second had been checked first.
        errors = forms.FieldErrors()
        await _check_unique(errors, username, email)
        errors.raise_if_any()
        raise
    return user


async def _claim(invite: Invite, user: User) -> None:
    claimed = await Invite.filter(id=invite.id, used_by_id=None).update(
        used_by_id=user.id, used_at=clock.now()
    )
    if not claimed:
        raise InvalidInput(fields={"invite": "That invitation has already been used."})


async def register(data: Mapping[str, Any], *, signup: str, client: str = "") -> User:
    """Create an account under the community's sign-up mode; status "pending" awaits approval."""
    await ratelimits.check(f"register:{client}", limit=10, window=3600)
    invite = None
    if signup == "invite":
        invite = await _usable_invite(data.get("invite"))
    status = "pending" if signup == "approval" else "active"
    return await _create_user(data, status=status, invite=invite)


async def _usable_invite(code: object) -> Invite:
    if not isinstance(code, str) or not code:
        raise InvalidInput(
            "Sign-up here is by invitation.", fields={"invite": "An invitation code is required."}
        )
    invite = await Invite.get_or_none(code_hash=digest(code))
    if invite is None or invite.used_by_id is not None or invite.expires_at < clock.now():
        raise InvalidInput(fields={"invite": "That invitation is not valid or has been used."})
    return invite


async def anyone_registered() -> bool:
    return await User.exists()


async def create_admin(username: str, email: str, password: str) -> User:
    """Create an administrator (from the command line)."""
    return await _create_user(
        {"username": username, "email": email, "password": password}, role="admin"
    )


async def check_credentials(identifier: object, password: object, *, client: str = "") -> User:
    """The user these credentials belong to; unknown user and wrong password look the same."""
    ident = identifier.strip() if isinstance(identifier, str) else ""
    secret = password if isinstance(password, str) else ""
    errors = forms.FieldErrors()
    if not ident:
        errors.add("username", "Enter your username or e-mail address.")
    if not secret:
        errors.add("password", "Enter your password.")
    errors.raise_if_any()
    key = ident.casefold()
    # Failures are counted per account from this address, and per account from anywhere with a
    # far higher limit: a stranger's wrong guesses cannot lock a neighbour out of her account.
    failures = [
        (f"login-fail:{client}:{digest(key)}", 10, 300),
        (f"login-fail:{digest(key)}", 100, 3600),
    ]
    await ratelimits.check(f"login:{client}", limit=30, window=300)
    for name, limit, _ in failures:
        await ratelimits.refuse_if_over(name, limit=limit)
    user = None
    if forms.EMAIL_RE.fullmatch(key) and len(key) <= 254:
        user = await User.get_or_none(email_key=key)
    elif forms.USERNAME_RE.fullmatch(key):
        user = await User.get_or_none(username_key=key)
    secret = secret[: forms.PASSWORD_MAX]
    ok = await passwords.verify_password(user.password_hash if user else None, secret)
    if user is None or not ok or user.status == "deleted":
        for name, _, window in failures:
            await ratelimits.record(name, window=window)
        raise NotAuthenticated(
            "That username and password do not match.", code="invalid_credentials"
        )
    if user.status == "pending":
        raise PermissionDenied(
            "Your account is waiting for a moderator's approval.", code="pending_approval"
        )
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(secret)
        await user.save(update_fields=["password_hash"])
    return user


async def update_profile(actor: User, data: Mapping[str, Any]) -> User:
    errors = forms.FieldErrors()
    values = forms.profile(data, errors)
    errors.raise_if_any()
    values["display_name"] = values["display_name"] or actor.username
    await User.filter(id=actor.id).update(**values)
    forget_user(actor.id)
    for name, value in values.items():
        setattr(actor, name, value)
    events.publish("accounts.profile_updated", user_id=actor.id)
    return actor


async def change_password(
    actor: User, current_session: Session | None, data: Mapping[str, Any]
) -> None:
    """Set a new password and end every other session and token of this person."""
    errors = forms.FieldErrors()
    current = data.get("current_password")
    if not isinstance(current, str) or not current:
        errors.add("current_password", "Enter your current password.")
    new = forms.new_password(
        data, errors, "new_password", user_words=(actor.username, actor.email or "")
    )
    errors.raise_if_any()
    assert isinstance(current, str)
    if not await passwords.verify_password(actor.password_hash, current[: forms.PASSWORD_MAX]):
        raise InvalidInput(fields={"current_password": "That is not your current password."})
    actor.password_hash = await passwords.hash_password(new)
    async with in_transaction():
        await actor.save(update_fields=["password_hash"])
        others = Session.filter(user_id=actor.id)
        if current_session is not None:
            others = others.exclude(id=current_session.id)
        await others.delete()
    forget_user(actor.id)


async def delete_account(actor: User, password: object) -> None:
    """Erase personal data; posts stay, shown as written by a deleted user."""
    if not isinstance(password, str) or not await passwords.verify_password(
        actor.password_hash, password[: forms.PASSWORD_MAX]
    ):
        raise InvalidInput(fields={"password": "Enter your password to confirm."})
    # "~" is outside the username alphabet: nobody can take this name, or pose as it.
    placeholder = f"~deleted-{actor.id}"
    async with in_transaction():
        await Session.filter(user_id=actor.id).delete()
        await User.filter(id=actor.id).update(
            username=placeholder,
            username_key=placeholder,
            email=None,
            email_key=None,
            display_name=DELETED_NAME,
            password_hash="",
            area="",
            bio="",
            status="deleted",
            role="member",
            deleted_at=clock.now(),
        )
    forget_user(actor.id)
    events.publish("accounts.account_deleted", user_id=actor.id)


async def get_user(username: str) -> User:
    """A visible (active) account by username, case-insensitively."""
    user = None
    if forms.USERNAME_RE.fullmatch(username):
        user = await User.get_or_none(username_key=username.casefold(), status="active")
    if user is None:
        raise NotFound("There is no one here by that name.")
    return user


def require_admin(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can do that.")
    return actor


async def update_user(actor: User | None, username: str, data: Mapping[str, Any]) -> User:
    """Change someone's role or trust level (administrators only)."""
    require_admin(actor)
    user = await get_user(username)
    errors = forms.FieldErrors()
    changes: dict[str, Any] = {}
    if "role" in data:
        if data["role"] not in ROLES:
            errors.add("role", f"Must be one of {', '.join(ROLES)}.")
        else:
            changes["role"] = data["role"]
    if "trust_level" in data:
        level = data["trust_level"]
        if isinstance(level, bool) or not isinstance(level, int) or level not in TRUST_LEVELS:
            errors.add("trust_level", "Must be a whole number from 0 to 4.")
        else:
            changes["trust_level"] = level
    errors.raise_if_any()
    assert actor is not None
    if user.id == actor.id and changes.get("role", "admin") != "admin":
        raise Conflict("You cannot remove your own administrator role.", code="last_admin")
    if changes:
        await User.filter(id=user.id).update(**changes)
        forget_user(user.id)
        for name, value in changes.items():
            setattr(user, name, value)
    return user


async def pending_signups(actor: User | None) -> list[User]:
    require_admin(actor)
    return await User.filter(status="pending").order_by("created_at")


async def decide_signup(actor: User | None, user_id: int, *, approve: bool) -> None:
    """Approve a pending sign-up, or refuse it (which removes it)."""
    require_admin(actor)
    user = await User.get_or_none(id=user_id, status="pending")
    if user is None:
        raise NotFound("That sign-up is no longer waiting.")
    if approve:
        await User.filter(id=user.id).update(status="active")
    else:
        await user.delete()


async def create_invite(actor: User | None, note: str = "") -> str:
    """A single-use invitation code, valid for two weeks; shown once."""
    require_admin(actor)
    assert actor is not None
    errors = forms.FieldErrors()
    note = forms.text({"note": note}, "note", errors, required=False, max_length=120)
    errors.raise_if_any()
    code = secrets.token_urlsafe(16)
    await Invite.create(
        code_hash=digest(code),
        created_by=actor,
        note=note,
        expires_at=clock.now() + INVITE_LIFETIME,
    )
    return code


async def list_invites(actor: User | None) -> list[Invite]:
    require_admin(actor)
    return await Invite.all().order_by("-created_at").limit(50).select_related("used_by")
