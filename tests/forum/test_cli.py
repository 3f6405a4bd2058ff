"""The command line: serve's options, as API.md fixes them, and the access log's default."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
import uvicorn

from forum import cli


def test_serve_keeps_its_documented_options_and_logs_no_access_by_default() -> None:
    args = cli.build_parser().parse_args(
        ["serve", "--host", "0.0.0.0", "--port", "9000", "--workers", "3"]  # noqa: S104
    )
    assert (args.host, args.port, args.workers, args.access_log) == ("0.0.0.0", 9000, 3, False)  # noqa: S104
    assert cli.build_parser().parse_args(["serve", "--access-log"]).access_log is True


@pytest.mark.parametrize(("flag", "expected"), [([], False), (["--access-log"], True)])
def test_serve_hands_the_access_log_choice_to_uvicorn(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, flag: list[str], expected: bool
) -> None:
    seen: dict[str, Any] = {}
    # uvicorn itself is replaced (no server starts); the migration before it runs for real.
    monkeypatch.setattr(uvicorn, "run", lambda app, **options: seen.update(options))
    for name in [n for n in os.environ if n.startswith("PORCHLIGHT_")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("PORCHLIGHT_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("PORCHLIGHT_PORT", "")  # serve sets it; monkeypatch then removes it
    assert cli.main(["serve", "--port", "8123", *flag]) == 0
    assert seen["access_log"] is expected
    assert seen["log_level"] == "info"
