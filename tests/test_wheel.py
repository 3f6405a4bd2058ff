"""The wheel on its own: built, installed in a fresh venv, migrated and served from an empty folder.

`make check-wheel` (and so CI) runs these; the suite leaves them out (`-m 'not wheel'`), so that
they run once per CI run and not again with each database engine.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import sysconfig
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.wheel

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("forum/", "moderation/", "realtime/")


def run(args: list[str | Path], *, cwd: Path, env: dict[str, str] | None = None) -> str:
    result = subprocess.run(
        [str(arg) for arg in args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, f"{args} failed:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def checkout_files() -> list[str]:
    """The files of the working tree that git would commit (tracked or new, not ignored)."""
    listed = run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"], cwd=ROOT)
    present = [name for name in set(listed.split("\0")) if name]
    # Deleted but not yet committed: not in the tree, so not to be built.
    return sorted(name for name in present if (ROOT / name).is_symlink() or (ROOT / name).is_file())


@pytest.fixture(scope="module")
def workdir() -> Iterator[Path]:
    # Not tmp_path: pytest keeps those after the run, and this one holds a venv and a database.
    with tempfile.TemporaryDirectory(prefix="porchlight-wheel-") as folder:
        yield Path(folder)


@pytest.fixture(scope="module")
def wheel(workdir: Path) -> Path:
    """Build from a copy of the checkout, sdist first and the wheel from it, as a packager would.

    A copy, because building in the checkout leaves build/ behind, and setuptools packs whatever
    build/lib still holds: a file deleted since, or missing from package-data, would go unseen.
    """
    source = workdir / "source"
    for name in checkout_files():
        target = source / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(ROOT / name, target, follow_symlinks=False)  # forum/static stays a link
    # No build isolation: the dev venv has setuptools (the same bound as [build-system]), so the
    # build needs no network and no fresh download of setuptools each run.
    run(
        [sys.executable, "-m", "build", "--no-isolation", "--outdir", workdir / "dist", source],
        cwd=workdir,
    )
    (built,) = (workdir / "dist").glob("porchlight-*.whl")
    return built


@pytest.fixture(scope="module")
def venv(workdir: Path, wheel: Path) -> Path:
    """A fresh venv holding the wheel, really installed by pip, with its console script.

    The third-party dependencies are the dev venv's, reached through a .pth file, rather than
    installed again: that needs the package index on every run, takes longer than all the rest
    (about 15 s more with a warm pip cache), and would try the newest releases instead of the
    ones the suite passes with. What this checks is our wheel: its files and its entry point.
    """
    home = workdir / "venv"
    run([sys.executable, "-m", "venv", "--without-pip", home], cwd=workdir)
    python = home / "bin" / "python"
    install = ["install", "--quiet", "--no-deps", "--no-index", wheel]
    run([sys.executable, "-m", "pip", "--python", python, *install], cwd=workdir)
    # Only now, so that pip saw a bare venv (not the dev venv's editable porchlight to replace).
    # A plain path line appends the folder without running its .pth files (the editable hook).
    site = Path(
        run(
            [python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=workdir
        ).strip()
    )
    borrowed = {sysconfig.get_path("purelib"), sysconfig.get_path("platlib")}
    (site / "porchlight-check-deps.pth").write_text("\n".join(sorted(borrowed)) + "\n")
    return home


def test_the_wheel_carries_every_package_file_static_files_and_licences(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    files = checkout_files()
    static = [name for name in files if name.startswith("static/")]
    assert "static/css/site.css" in static
    expected = {f"forum/{name}" for name in static}
    expected |= {name for name in files if name.startswith(PACKAGES) and name != "forum/static"}
    assert expected - names == set()
    licences = {name.rpartition("/")[2] for name in names if "/licenses/" in name}
    assert {"LICENSE", "NOTICE"} <= licences


@pytest.fixture(scope="module")
def environment(workdir: Path) -> dict[str, str]:
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_") and k != "PYTHONPATH"
    }
    env["PORCHLIGHT_DATA_DIR"] = str(workdir / "data")
    return env


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def server(workdir: Path, venv: Path, environment: dict[str, str]) -> Iterator[str]:
    """`porchlight migrate`, then `porchlight serve` from an empty folder; always stopped."""
    empty = workdir / "empty"
    empty.mkdir()
    where = run([venv / "bin" / "python", "-c", "import forum; print(forum.__file__)"], cwd=empty)
    assert where.startswith(str(venv)), f"forum came from {where}, not the installed wheel"
    porchlight = venv / "bin" / "porchlight"
    assert "up to date" in run([porchlight, "migrate"], cwd=empty, env=environment)
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    log_path = workdir / "server.log"
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [porchlight, "serve", "--host", "127.0.0.1", "--port", str(port)],
            cwd=empty,
            env=environment,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 30
            while process.poll() is None and time.monotonic() < deadline:
                try:
                    if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    time.sleep(0.2)
            else:
                raise AssertionError(f"the server did not come up:\n{log_path.read_text()}")
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def test_the_installed_wheel_serves_its_pages_stylesheet_and_readiness(server: str) -> None:
    with httpx.Client(base_url=server, timeout=10) as http:
        home = http.get("/")
        assert home.status_code == 200, home.text[:500]
        stylesheet = re.search(r'<link rel="stylesheet" href="(/static/[^"]+)">', home.text)
        assert stylesheet, "the home page links no stylesheet"
        css = http.get(stylesheet.group(1))
        assert css.status_code == 200
        assert css.headers["content-type"].startswith("text/css")
        assert css.headers["cache-control"].endswith("immutable")
        assert css.content == (ROOT / "static" / "css" / "site.css").read_bytes()
        for link in set(re.findall(r'(?:href|src)="(/static/[^"]+)"', home.text)):
            assert http.get(link).status_code == 200, link
        ready = http.get("/readyz")
        assert ready.status_code == 200
        assert ready.json()["status"] == "ok"
