"""Account rules: sign-up, sign-in, sessions and tokens, profiles, roles, deletion."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from tortoise.exceptions import IntegrityError

from forum import clock, database, events, ratelimits
from forum.accounts import forms, passwords, standing
from forum.accounts.models import STAFF_ROLES, Invite, Session, User, UserStatus
from forum.accounts.sessions import digest, forget_user
from forum.content import services as content
from forum.content.lookalikes import run_skeletons, skeleton, word_skeletons
from forum.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from forum.validation import FieldErrors

TRUST_LEVELS = range(0, forms.TRUST_LEVEL_MAX + 1)
DELETED_NAME = "deleted user"
# Words only staff may wear in a name: a member called "Moderator Mo" or "Porchlight Team" could
# ask a lonely neighbour for her password. Compared as skeletons, whatever the case, accents,
# spacing or lookalike letters ("M0d3rator", "Аdmin" with a Cyrillic А). No ordinary word holds
# these, so they are refused wherever they read:
STAFF_WORDS = ("moderator", "administrator", "porchlight")
# ... these begin or end no ordinary word ("Sysadmin", "AdminJo", "the_admin"), but some words
# hold them inside ("Badminton", "Sysadmina"), which stay free:
STAFF_WORD_EDGES = ("admin",)
# ... and these are whole words of a name only ("Ask Staff", "Staffs"): names and places hold
# them ("Stafford", "Falstaff", "Flagstaff").
STAFF_WORDS_WHOLE = ("staff",)
# A staff member's name shorter than this (as a skeleton) is refused only whole: "Ann" the
# moderator must not refuse every "Joanne".
STAFF_NAME_CONTAINED_FROM = 5


async def _check_unique(errors: FieldErrors, username: str, email: str) -> None:
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


async def _refuse_staff_lookalikes(errors: FieldErrors, names: Mapping[str, str]) -> None:
    """Refuse names (by field) that pass for the site's, the staff's, or a staff member's own."""
    wanted = {
        field: skeleton(value)
        for field, value in names.items()
        if value and field not in errors.errors
    }
    if not wanted:
        return
    staff = await User.filter(role__in=STAFF_ROLES, status=UserStatus.ACTIVE).values_list(
        "username", "display_name"
    )
    staff_names = {skeleton(name) for pair in staff for name in pair if name} - {""}
    for field, folded in wanted.items():
        if _wears_staff_word(names[field]):
            errors.add(
                field, "Names like the site's or its staff's are kept for staff; choose another."
            )
        elif any(
            folded == name or (len(name) >= STAFF_NAME_CONTAINED_FROM and name in folded)
            for name in staff_names
        ):
            errors.add(field, "That name looks like one of our moderators'; choose another.")


def _wears_staff_word(name: str) -> bool:
    if any(skeleton(word) in skeleton(name) for word in STAFF_WORDS):
        return True
    # An edge is looked for in each word alone: across words, "Brad Min" would end in "admin".
    edges = [skeleton(word) + plural for word in STAFF_WORD_EDGES for plural in ("", "s")]
    if any(w.startswith(edge) or w.endswith(edge) for w in word_skeletons(name) for edge in edges):
        return True
    # A whole word may be spelt out over several: "A d m i n", "Ad-min", "Sta ff".
    whole = {
        skeleton(word) + plural
        for word in (*STAFF_WORD_EDGES, *STAFF_WORDS_WHOLE)
        for plural in ("", "s")
    }
    return not whole.isdisjoint(run_skeletons(name))


async def _create_user(
    data: Mapping[str, Any],
    *,
    role: str = "member",
    status: str = UserStatus.ACTIVE,
    invite: Invite | None = None,
) -> User:
    errors = FieldErrors()
    username = forms.username(data, errors)
    email = forms.email(data, errors)
    display_name = forms.DISPLAY_NAME.read(data, "display_name", errors)
    password = forms.new_password(data, errors, user_words=(username, email))
    await _check_unique(errors, username, email)
    if role not in STAFF_ROLES:
        await _refuse_staff_lookalikes(errors, {"username": username, "display_name": display_name})
    errors.raise_if_any()
    # Hashed before the transaction: on SQLite a transaction holds the only connection.
    password_hash = await passwords.hash_password(password)
    try:
        async with database.transaction():
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
        errors = FieldErrors()
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
    await ratelimits.check_action("register", client=client)
    invite = None
    errors = FieldErrors()
    # Read in every mode, so that the shape the document gives it holds in every mode.
    code = forms.INVITE.read(data, "invite", errors)
    errors.raise_if_any()
    if signup == "invite":
        invite = await _usable_invite(code)
    status = UserStatus.PENDING if signup == "approval" else UserStatus.ACTIVE
    return await _create_user(data, status=status, invite=invite)


async def _usable_invite(code: str) -> Invite:
    if not code:
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
    user, secret = await _verified(identifier, password, client)
    if user.status == UserStatus.PENDING:
        raise PermissionDenied(
            "Your account is waiting for a moderator's approval.", code="pending_approval"
        )
    if standing.is_suspended(user):
        raise PermissionDenied(await standing.suspension_message(user), code="suspended")
    if passwords.needs_rehash(user.password_hash):
        user.password_hash = await passwords.hash_password(secret)
        await user.save(update_fields=["password_hash"])
    return user


async def check_suspended_credentials(
    identifier: object, password: object, *, client: str = ""
) -> User:
    """A suspended person proving who they are without signing in (to appeal), under the
    same limits as sign-in; anyone else is sent to sign in instead."""
    user, _ = await _verified(identifier, password, client)
    if user.status != UserStatus.ACTIVE or not standing.is_suspended(user):
        raise PermissionDenied(
            "Your account is not suspended: sign in to see your sanctions and appeal.",
            code="not_suspended",
        )
    return user


async def _verified(identifier: object, password: object, client: str) -> tuple[User, str]:
    """The account whose password this is (and the password), or NotAuthenticated."""
    errors = FieldErrors()
    values = forms.LOGIN.read({"username": identifier, "password": password}, errors)
    ident = values.get("username", "").strip()
    secret = values.get("password", "")
    if not ident:
        errors.add("username", "Enter your username or e-mail address.")
    errors.raise_if_any()
    key = ident.casefold()
    # Failures are counted per account from this address, and per account from anywhere with a
    # far higher limit: a stranger's wrong guesses cannot lock a neighbour out of her account.
    account = digest(key)
    failures = [("login_failure", f"{account}@{client}"), ("login_failure_account", account)]
    await ratelimits.check_action("login", client=client)
    for action, subject in failures:
        await ratelimits.refuse_if_failing(action, actor_id=subject, client="")
    user = None
    if forms.EMAIL_RE.fullmatch(key) and len(key) <= 254:
        user = await User.get_or_none(email_key=key)
    elif forms.USERNAME_RE.fullmatch(key):
        user = await User.get_or_none(username_key=key)
    secret = secret[: forms.PASSWORD_MAX]
    ok = await passwords.verify_password(user.password_hash if user else None, secret)
    if user is None or not ok or user.status == UserStatus.DELETED:
        for action, subject in failures:
            await ratelimits.record_failure(action, actor_id=subject, client="")
        raise NotAuthenticated(
            "That username and password do not match.", code="invalid_credentials"
        )
    return user, secret


async def update_profile(actor: User, data: Mapping[str, Any]) -> User:
    """Change the profile fields given; an empty display name falls back to the username."""
    errors = FieldErrors()
    values = forms.profile(data, errors)
    if values.get("display_name") and not actor.is_staff:
        await _refuse_staff_lookalikes(errors, {"display_name": values["display_name"]})
    errors.raise_if_any()
    if "display_name" in values:
        values["display_name"] = values["display_name"] or actor.username
    await _screen_profile(actor, values)
    if values:
        await User.filter(id=actor.id).update(**values)
    forget_user(actor.id)
    for name, value in values.items():
        setattr(actor, name, value)
    await events.publish("accounts.profile_updated", events.EVERYONE, user_id=actor.id)
    return actor


async def _check_password(actor: User, secret: str, field: str, message: str) -> None:
    """A signed-in person's password, confirmed: guessed at like a sign-in, limited like one."""
    await ratelimits.refuse_if_failing("password_failure", actor_id=actor.id)
    if not await passwords.verify_password(actor.password_hash, secret[: forms.PASSWORD_MAX]):
        await ratelimits.record_failure("password_failure", actor_id=actor.id)
        raise InvalidInput(fields={field: message})


async def _screen_profile(actor: User, values: Mapping[str, Any]) -> None:
    """A new display name or bio is writing: refused while silenced or with a `block` word.

    Profiles have no waiting state and are shown everywhere, so only `block` words act here.
    """
    written = {
        name: values[name]
        for name in ("display_name", "bio")
        if name in values and values[name] != getattr(actor, name)
    }
    if written:
        standing.require_voice(actor)
        await content.screen(written)


async def change_password(
    actor: User, current_session: Session | None, data: Mapping[str, Any]
) -> None:
    """Set a new password and end every other session and token of this person."""
    errors = FieldErrors()
    current = forms.PASSWORD_CHANGE.fields["current_password"].read(
        data, "current_password", errors
    )
    new = forms.new_password(
        data, errors, "new_password", user_words=(actor.username, actor.email or "")
    )
    errors.raise_if_any()
    assert isinstance(current, str)
    await _check_password(actor, current, "current_password", "That is not your current password.")
    actor.password_hash = await passwords.hash_password(new)
    async with database.transaction():
        await actor.save(update_fields=["password_hash"])
        others = Session.filter(user_id=actor.id)
        if current_session is not None:
            others = others.exclude(id=current_session.id)
        await others.delete()
    forget_user(actor.id)


async def delete_account(actor: User, password: object) -> None:
    """Erase personal data; posts stay, shown as written by a deleted user."""
    errors = FieldErrors()
    secret = forms.ACCOUNT_DELETION.read({"password": password}, errors).get("password", "")
    errors.raise_if_any()
    await _check_password(actor, secret, "password", "Enter your password to confirm.")
    # "~" is outside the username alphabet: nobody can take this name, or pose as it.
    placeholder = f"~deleted-{actor.id}"
    async with database.transaction():
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
            status=UserStatus.DELETED,
            role="member",
            deleted_at=clock.now(),
        )
        await events.publish("accounts.account_deleted", events.EVERYONE, user_id=actor.id)
    forget_user(actor.id)


async def get_user(username: str) -> User:
    """A visible (active) account by username, case-insensitively."""
    user = None
    if forms.USERNAME_RE.fullmatch(username):
        user = await User.get_or_none(username_key=username.casefold(), status=UserStatus.ACTIVE)
    if user is None:
        raise NotFound("There is no one here by that name.")
    return user


def is_staff(actor: User | None) -> bool:
    """Moderators and administrators: the people who look after the community."""
    return actor is not None and actor.is_staff


def is_owner_or_staff(actor: User | None, owner_id: int) -> bool:
    """The one "author or moderator" rule every feature uses for changing a thing."""
    return actor is not None and (actor.is_staff or actor.id == owner_id)


def require_staff(actor: User | None) -> User:
    """A moderator or administrator (401 for nobody, 403 for a member)."""
    if actor is None:
        raise NotAuthenticated()
    if not is_staff(actor):
        raise PermissionDenied("Only moderators can do that.")
    return actor


def require_admin(actor: User | None) -> User:
    if actor is None:
        raise NotAuthenticated()
    if not actor.is_admin:
        raise PermissionDenied("Only administrators can do that.")
    return actor


async def update_user(actor: User | None, username: str, data: Mapping[str, Any]) -> User:
    """Change someone's trust level (moderators) or role (administrators only)."""
    if actor is None:
        raise NotAuthenticated()
    if not is_staff(actor):
        raise PermissionDenied("Only moderators can change a member's trust level or role.")
    user = await get_user(username)
    errors = FieldErrors()
    changes = forms.USER_CHANGE.read(data, errors)
    errors.raise_if_any()
    if "role" in changes:
        require_admin(actor)
    if user.id == actor.id and changes.get("role", "admin") != "admin":
        raise Conflict("You cannot remove your own administrator role.", code="last_admin")
    if changes:
        await User.filter(id=user.id).update(**changes)
        forget_user(user.id)
        for name, value in changes.items():
            setattr(user, name, value)
    return user
