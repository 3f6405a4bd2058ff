"""py-spy on the forum server under wrk load, summarized by package and function."""

import subprocess
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

from bench_servers import Server, pin
from bench_settings import ROOT, WRK_THREADS
from bench_wrk import Scenario, write_script


def profile_under_load(
    py_spy: str,
    server: Server,
    scenario: Scenario,
    workdir: Path,
    seconds: int,
    connections: int,
    out: Path,
) -> list[str]:
    """Sample the forum server with py-spy while wrk runs the scenario; a summary of where."""
    script = write_script(scenario, workdir)
    command = [
        *pin(1),
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{connections}",
        f"-d{seconds + 3}s",
        "-s",
        str(script),
        f"http://127.0.0.1:{server.port}",
    ]
    load = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        time.sleep(1)
        spy = subprocess.run(
            [
                py_spy,
                "record",
                "-d",
                str(seconds),
                "-p",
                str(server.process.pid),
                "--format",
                "raw",
                "--nolineno",
                "--full-filenames",
                "-o",
                str(out),
            ],
            capture_output=True,
            text=True,
            check=False,
            timeout=seconds + 60,
        )
    finally:
        load.wait(timeout=seconds + 30)
    if spy.returncode != 0 or not out.exists():
        return [f"py-spy failed: {spy.stderr.strip()[-400:]}"]
    return summarize_profile(out)


def _frame_path(frame: str) -> str:
    return frame[frame.rfind("(") + 1 : -1] if frame.endswith(")") else ""


def _is_project(path: str) -> bool:
    return path.startswith(f"{ROOT}/") and "site-packages/" not in path


def _short_frame(frame: str) -> str:
    """`func (path)` with the path relative to the repository or to site-packages."""
    path = _frame_path(frame)
    if "site-packages/" in path:
        short = path.split("site-packages/", 1)[1]
    elif _is_project(path):
        short = path.removeprefix(f"{ROOT}/")
    else:
        short = path.split("/lib/python3", 1)[-1].split("/", 1)[-1]
    return frame.replace(f"({path})", f"({short})")


def _package(frame: str) -> str:
    """Who the code belongs to: porchlight, a library by name, or the standard library."""
    path = _frame_path(frame)
    if "site-packages/" in path:
        return path.split("site-packages/", 1)[1].split("/", 1)[0].removesuffix(".py")
    if _is_project(path):
        return "porchlight: " + path.removeprefix(f"{ROOT}/").split("/", 1)[0]
    return "python stdlib / runtime"


def _stacks(raw: Path) -> Iterator[tuple[list[str], int]]:
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if count.isdigit():
            yield stack.split(";"), int(count)


def summarize_profile(raw: Path, top: int = 15) -> list[str]:
    """Where the event-loop thread spends its time, from py-spy's raw (collapsed) stacks.

    Stacks rooted in `Thread._bootstrap` are other threads (aiosqlite runs every query in
    its own thread); they are counted apart so they do not dilute the event loop's figures.
    """
    own: Counter[str] = Counter()
    packages: Counter[str] = Counter()
    project: Counter[str] = Counter()
    threads: Counter[str] = Counter()
    loop = other = 0
    for frames, samples in _stacks(raw):
        if frames[0].startswith("Thread._bootstrap"):
            other += samples
            threads[_short_frame(frames[-1])] += samples
            continue
        loop += samples
        own[_short_frame(frames[-1])] += samples
        packages[_package(frames[-1])] += samples
        for frame in {f for f in frames if _is_project(_frame_path(f))}:
            project[_short_frame(frame)] += samples
    if not loop:
        return ["py-spy recorded no samples of the event loop"]

    def rows(counter: Counter[str], total: int = loop) -> list[str]:
        return [f"  {100 * n / total:5.1f}%  {name}" for name, n in counter.most_common(top)]

    return [
        f"{loop} event-loop samples (~{loop / (loop + other):.0%} of all; the rest are "
        f"{other} samples of other threads, mostly aiosqlite's query thread)",
        "self time by package (share of event-loop samples):",
        *rows(packages),
        "self time by function (where the CPU was):",
        *rows(own),
        "inclusive time of Porchlight's own functions and templates:",
        *rows(project),
        *(
            ["other threads, self time (share of their samples):", *rows(threads, other)[:8]]
            if other
            else []
        ),
    ]
