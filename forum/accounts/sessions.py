"""Sessions and tokens: started at sign-in, found on every request, ended on demand."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from datetime import timedelta
from typing import TypeVar

from forum import clock, database, readcache
from forum.accounts import forms
from forum.accounts.models import Session, User, UserStatus
from forum.errors import NotFound
from forum.pagination import Page, cursor_id, decode_cursor, page_of
from forum.validation import FieldErrors

M = TypeVar("M", User, Session)

SESSION_IDLE = timedelta(days=30)
# Refreshing last_seen_at on every request would turn every read into a write.
SESSION_TOUCH_EVERY = timedelta(hours=1)

# Read on every signed-in request: written by hand, the query builder would cost more than it.
_SESSION_COLUMNS = ("id", "key_hash", "user_id", "kind", "label", "created_at", "last_seen_at")
_SESSION_SQL = (
    "SELECT s.id AS session_id, s.key_hash AS session_key_hash, s.user_id AS session_user_id, "
    "s.kind AS session_kind, s.label AS session_label, s.created_at AS session_created_at, "
    "s.last_seen_at AS session_last_seen_at, u.* "
    "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.key_hash = ?"
)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8", "surrogatepass")).hexdigest()


async def start_session(
    user: User, *, kind: str = "cookie", label: str = ""
) -> tuple[str, Session]:
    """A new session or token: the secret goes to the client once, only its hash is kept."""
    key = secrets.token_urlsafe(32)
    session = await Session.create(
        key_hash=digest(key), user=user, kind=kind, label=label[:80], last_seen_at=clock.now()
    )
    return key, session


async def sign_in(user: User, *, replacing: Session | None = None) -> tuple[str, Session]:
    """Start a new session for a successful sign-in, ending the one it replaces.

    A session id is never carried across a sign-in (no session fixation).
    """
    if replacing is not None:
        await end_session(replacing)
    return await start_session(user)


async def authenticate(key: str) -> tuple[User, Session] | None:
    """The live session for a cookie or bearer secret, touching it at most hourly.

    Within a request of the app the pair may come from its sessions cache: at most a second
    old, and forgotten at once by everything here that ends a session or changes its person.
    Each caller gets its own copies of the User and Session, never the cached instances.
    """
    if not key or len(key) > 100:
        return None
    key_hash = digest(key)
    cache = readcache.active(readcache.SESSIONS)
    if cache is None:
        found = await _session_pair(key_hash)
    else:
        found = await cache.load(key_hash, lambda: _session_pair(key_hash))
    if found is None:
        return None
    # Shallow copies (every field is an immutable value): a handler may change its own.
    user, session = _copied(found[0]), _copied(found[1])
    now = clock.now()
    suspended = user.suspended_until is not None and user.suspended_until > now
    if now - session.last_seen_at > SESSION_IDLE or user.status != UserStatus.ACTIVE or suspended:
        await Session.filter(id=session.id).delete()
        _forget(lambda pair: pair[1].id == session.id)
        return None
    if now - session.last_seen_at > SESSION_TOUCH_EVERY:
        session.last_seen_at = now
        await Session.filter(id=session.id).update(last_seen_at=now)
        _forget(lambda pair: pair[1].id == session.id)
    return user, session


def _copied(model: M) -> M:
    """What copy.copy makes of a model (its fields are its __dict__), without copy's dispatch."""
    twin = object.__new__(type(model))
    twin.__dict__.update(model.__dict__)
    return twin


async def _session_pair(key_hash: str) -> tuple[User, Session] | None:
    rows = await database.fetch(_SESSION_SQL, (key_hash,))
    if not rows:
        return None
    row = rows[0]
    session = database.model_from_row(
        Session, {name: row.pop(f"session_{name}") for name in _SESSION_COLUMNS}
    )
    return database.model_from_row(User, row), session


def _forget(wanted: Callable[[tuple[User, Session]], bool]) -> None:
    cache = readcache.active(readcache.SESSIONS)
    if cache is not None:
        cache.forget(lambda _, pair: wanted(pair))


def forget_user(user_id: int) -> None:
    """Drop this person's cached sessions: call after ending them or changing the person."""
    _forget(lambda pair: pair[0].id == user_id)


async def end_session(session: Session) -> None:
    await Session.filter(id=session.id).delete()
    _forget(lambda pair: pair[1].id == session.id)


async def list_sessions(actor: User) -> list[Session]:
    return await Session.filter(user_id=actor.id).order_by("-last_seen_at")


async def session_listing(
    actor: User, *, cursor: str | None = None, limit: int = 20
) -> Page[Session]:
    """One page of this person's sessions and tokens, newest first."""
    after = decode_cursor(cursor, 1)
    query = Session.filter(user_id=actor.id)
    if after is not None:
        query = query.filter(id__lt=cursor_id(after[0]))
    rows = await query.order_by("-id").limit(limit + 1)
    return page_of(rows, limit, lambda s: (s.id,))


async def revoke_session(actor: User, session_id: int) -> None:
    deleted = await Session.filter(id=session_id, user_id=actor.id).delete()
    if not deleted:
        raise NotFound("That session does not exist.")
    _forget(lambda pair: pair[1].id == session_id)


async def create_token(actor: User, label: object) -> tuple[str, Session]:
    """A named bearer token for scripts and apps; its secret is shown once."""
    errors = FieldErrors()
    values = forms.TOKEN.read({"label": label}, errors)
    errors.raise_if_any()
    return await start_session(actor, kind="token", label=values["label"])
