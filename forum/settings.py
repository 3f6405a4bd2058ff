"""Settings: one frozen dataclass built from the environment (and an optional .env file)."""

from __future__ import annotations

import os
import secrets
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from dotenv import dotenv_values

SIGNUP_MODES = ("open", "approval", "invite")
_MIN_SECRET_LENGTH = 32
DEFAULT_REDIS_PREFIX = "porchlight:"
# Redis pattern characters: the broker subscribes to "<prefix>rt:*"; the prefix must match itself.
_REDIS_PATTERN_CHARACTERS = frozenset("*?[]\\")
_WEAK_SECRETS = {"secret", "changeme", "change-me", "password", "porchlight", "development"}


class SettingsError(ValueError):
    """A setting has a value Porchlight refuses to run with."""


@dataclass(frozen=True)
class Settings:
    data_dir: Path
    database_url: str
    secret_key: str
    redis_url: str | None = None
    # Every Redis key and pub/sub channel Porchlight uses starts with this. Pub/sub channels are
    # shared by every database number of a Redis server: two communities (or test runs) on one
    # server keep apart only by their prefixes.
    redis_prefix: str = DEFAULT_REDIS_PREFIX
    allowed_origins: tuple[str, ...] = ()
    signup: str = "open"
    rate_limits: bool = True
    debug: bool = False
    port: int = 8000
    # The community's time zone, for times shown on pages; the API stays in UTC.
    timezone: ZoneInfo = field(default_factory=lambda: ZoneInfo("UTC"))
    # A text file of the community's crisis and local resources (moderation/crisis.py).
    crisis_resources: Path | None = None

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str] | None = None, *, cwd: Path | None = None, port: int = 8000
    ) -> Settings:
        """Read PORCHLIGHT_* from the environment, falling back to ./.env, then to defaults."""
        cwd = cwd or Path.cwd()
        env: dict[str, str] = {}
        dotenv = cwd / ".env"
        if dotenv.is_file():
            env.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        env.update(os.environ if environ is None else environ)

        data_dir = (cwd / env.get("PORCHLIGHT_DATA_DIR", "./data")).resolve()
        debug = env.get("PORCHLIGHT_DEBUG", "") in {"1", "true", "on", "yes"}
        try:
            port = int(env.get("PORCHLIGHT_PORT", str(port)))
        except ValueError:
            raise SettingsError("PORCHLIGHT_PORT must be a port number") from None
        database_url = (
            env.get("PORCHLIGHT_DATABASE_URL") or f"sqlite://{data_dir / 'porchlight.db'}"
        )
        signup = env.get("PORCHLIGHT_SIGNUP", "open")
        if signup not in SIGNUP_MODES:
            raise SettingsError(f"PORCHLIGHT_SIGNUP must be one of {', '.join(SIGNUP_MODES)}")
        rate_limits = env.get("PORCHLIGHT_RATE_LIMITS", "on")
        if rate_limits not in {"on", "off"}:
            raise SettingsError("PORCHLIGHT_RATE_LIMITS must be 'on' or 'off'")
        timezone = _zone(env.get("PORCHLIGHT_TIMEZONE") or "UTC")
        crisis_resources = _optional_file(env.get("PORCHLIGHT_CRISIS_RESOURCES"), cwd)
        redis_prefix = _redis_prefix(env.get("PORCHLIGHT_REDIS_PREFIX"))
        secret = env.get("PORCHLIGHT_SECRET_KEY") or _stored_secret(data_dir)
        if not debug:
            _refuse_weak_secret(secret)
        return cls(
            data_dir=data_dir,
            database_url=_resolve_sqlite_path(database_url, cwd),
            secret_key=secret,
            redis_url=env.get("PORCHLIGHT_REDIS_URL") or None,
            redis_prefix=redis_prefix,
            allowed_origins=_origins(env.get("PORCHLIGHT_ALLOWED_ORIGINS"), port),
            signup=signup,
            rate_limits=rate_limits == "on",
            debug=debug,
            port=port,
            timezone=timezone,
            crisis_resources=crisis_resources,
        )

    @property
    def is_sqlite(self) -> bool:
        return self.database_url.startswith("sqlite:")


def _zone(name: str) -> ZoneInfo:
    # tzdata is a dependency: the names work on a machine without a system time zone database.
    try:
        return ZoneInfo(name.strip())
    except (ZoneInfoNotFoundError, ValueError):
        raise SettingsError(
            f"PORCHLIGHT_TIMEZONE must be an IANA time zone name such as Europe/London or "
            f"America/New_York; {name!r} is not one"
        ) from None


def _redis_prefix(raw: str | None) -> str:
    if raw is None or raw == "":
        return DEFAULT_REDIS_PREFIX
    if any(c.isspace() or c in _REDIS_PATTERN_CHARACTERS for c in raw) or len(raw) > 64:
        raise SettingsError(
            "PORCHLIGHT_REDIS_PREFIX must be at most 64 characters without spaces or any of "
            f"* ? [ ] \\ (such as 'porchlight:' or 'elm-street:'); {raw!r} is not one"
        )
    return raw


def _optional_file(raw: str | None, cwd: Path) -> Path | None:
    if not raw:
        return None
    path = (cwd / raw).resolve()
    if not path.is_file():
        raise SettingsError(f"PORCHLIGHT_CRISIS_RESOURCES must name a text file; {path} is not one")
    return path


def _origins(raw: str | None, port: int) -> tuple[str, ...]:
    if not raw:
        return (f"http://127.0.0.1:{port}", f"http://localhost:{port}")
    return tuple(o.strip().rstrip("/") for o in raw.split(",") if o.strip())


def _resolve_sqlite_path(url: str, cwd: Path) -> str:
    # Relative SQLite paths resolve against the folder porchlight was started from.
    if not url.startswith("sqlite://"):
        return url
    path, _, query = url.removeprefix("sqlite://").partition("?")
    if path == ":memory:" or Path(path).is_absolute():
        return url
    resolved = f"sqlite://{(cwd / path).resolve()}"
    return f"{resolved}?{query}" if query else resolved


def _stored_secret(data_dir: Path) -> str:
    """Generate the secret once into the data folder, readable by its owner only."""
    path = data_dir / "secret_key"
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    make_private_folder(data_dir)
    secret = secrets.token_urlsafe(48)
    # Written whole to a private temporary file, then linked into place: a second worker
    # starting at the same moment either wins the link or reads the complete winner.
    fd, temporary = tempfile.mkstemp(dir=data_dir, prefix=".secret-")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(secret)
        try:
            os.link(temporary, path)
        except FileExistsError:
            return path.read_text(encoding="utf-8").strip()
    finally:
        os.unlink(temporary)
    return secret


def make_private_folder(folder: Path) -> None:
    """The data folder holds the database and the secret: its owner alone may look inside."""
    if not folder.exists():
        folder.mkdir(parents=True, mode=0o700)


def _refuse_weak_secret(secret: str) -> None:
    if len(secret) < _MIN_SECRET_LENGTH or secret.lower() in _WEAK_SECRETS:
        raise SettingsError(
            f"PORCHLIGHT_SECRET_KEY must be at least {_MIN_SECRET_LENGTH} random characters; "
            "unset it to have one generated into the data folder"
        )
