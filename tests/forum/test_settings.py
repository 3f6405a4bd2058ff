"""Settings come from the environment and .env; the secret is generated once, mode 600."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest

from forum.settings import Settings, SettingsError


def test_defaults_put_sqlite_and_secret_in_the_data_folder(tmp_path: Path) -> None:
    settings = Settings.from_environ({}, cwd=tmp_path)
    assert settings.data_dir == tmp_path / "data"
    assert settings.database_url == f"sqlite://{tmp_path}/data/porchlight.db"
    assert settings.allowed_origins == ("http://127.0.0.1:8000", "http://localhost:8000")
    assert settings.signup == "open"
    assert settings.rate_limits is True
    assert settings.redis_url is None
    secret_file = tmp_path / "data" / "secret_key"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    assert stat.S_IMODE((tmp_path / "data").stat().st_mode) == 0o700
    assert [p.name for p in (tmp_path / "data").iterdir()] == ["secret_key"]
    assert secret_file.read_text() == settings.secret_key
    assert len(settings.secret_key) >= 32


def test_secret_is_generated_once(tmp_path: Path) -> None:
    first = Settings.from_environ({}, cwd=tmp_path).secret_key
    assert Settings.from_environ({}, cwd=tmp_path).secret_key == first


def test_dotenv_is_read_and_environment_wins(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("PORCHLIGHT_SIGNUP=invite\nPORCHLIGHT_DATA_DIR=store\n")
    settings = Settings.from_environ({"PORCHLIGHT_SIGNUP": "approval"}, cwd=tmp_path)
    assert settings.signup == "approval"
    assert settings.data_dir == tmp_path / "store"


def test_relative_sqlite_url_resolves_against_the_working_folder(tmp_path: Path) -> None:
    settings = Settings.from_environ({"PORCHLIGHT_DATABASE_URL": "sqlite://db/x.db"}, cwd=tmp_path)
    assert settings.database_url == f"sqlite://{tmp_path}/db/x.db"


def test_origins_follow_the_port_and_can_be_listed(tmp_path: Path) -> None:
    settings = Settings.from_environ({"PORCHLIGHT_PORT": "9000"}, cwd=tmp_path)
    assert settings.allowed_origins == ("http://127.0.0.1:9000", "http://localhost:9000")
    listed = Settings.from_environ(
        {"PORCHLIGHT_ALLOWED_ORIGINS": "https://porch.example, https://b.example/"}, cwd=tmp_path
    )
    assert listed.allowed_origins == ("https://porch.example", "https://b.example")


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"PORCHLIGHT_SIGNUP": "sometimes"}, "PORCHLIGHT_SIGNUP"),
        ({"PORCHLIGHT_PORT": "eighty"}, "PORCHLIGHT_PORT"),
        ({"PORCHLIGHT_RATE_LIMITS": "maybe"}, "PORCHLIGHT_RATE_LIMITS"),
        ({"PORCHLIGHT_SECRET_KEY": "changeme"}, "PORCHLIGHT_SECRET_KEY"),
        ({"PORCHLIGHT_SECRET_KEY": "short-secret"}, "PORCHLIGHT_SECRET_KEY"),
    ],
)
def test_bad_settings_are_refused_with_the_variable_named(
    tmp_path: Path, env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_environ(env, cwd=tmp_path)


def test_weak_secret_is_allowed_in_debug(tmp_path: Path) -> None:
    settings = Settings.from_environ(
        {"PORCHLIGHT_SECRET_KEY": "dev", "PORCHLIGHT_DEBUG": "1"}, cwd=tmp_path
    )
    assert settings.secret_key == "dev"


def test_the_redis_prefix_defaults_to_the_names_production_has_always_used(tmp_path: Path) -> None:
    assert Settings.from_environ({}, cwd=tmp_path).redis_prefix == "porchlight:"
    assert Settings.from_environ({"PORCHLIGHT_REDIS_PREFIX": ""}, cwd=tmp_path).redis_prefix == (
        "porchlight:"
    )
    chosen = Settings.from_environ({"PORCHLIGHT_REDIS_PREFIX": "elm-street:"}, cwd=tmp_path)
    assert chosen.redis_prefix == "elm-street:"


@pytest.mark.parametrize("prefix", ["elm*", "a b:", "x?", "[rt]", "back\\slash", "p" * 65])
def test_a_redis_prefix_that_would_match_other_channels_is_refused(
    tmp_path: Path, prefix: str
) -> None:
    with pytest.raises(SettingsError, match="PORCHLIGHT_REDIS_PREFIX"):
        Settings.from_environ({"PORCHLIGHT_REDIS_PREFIX": prefix}, cwd=tmp_path)
