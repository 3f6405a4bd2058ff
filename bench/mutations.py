"""Mutation run over the access, visibility, session and page-cache rules: is each one tested?

Applies the mutants of bench/mutants.py one at a time to the source, runs the suite with -x
(the tests that pin these rules first, then all of them) and reports which test killed each
mutant, or that it survived. The source is restored after each mutant, on Ctrl-C and on
SIGTERM; a run killed harder is undone at the start of the next one.

    .venv/bin/python bench/mutations.py                  # every mutant
    .venv/bin/python bench/mutations.py -k may_read_body # those whose name contains this
    .venv/bin/python bench/mutations.py --list
    .venv/bin/python bench/mutations.py -k "hidden readable" --tests tests/...::test_name
"""

import argparse
import ast
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path
from types import FrameType

from mutants import MUTANTS, Mutant

ROOT = Path(__file__).resolve().parent.parent
# The tests written for these rules run first, so that the first failure names one of them.
FIRST = [
    "tests/forum/boards/test_post_rules.py",
    "tests/forum/accounts/test_sessions.py",
    "tests/forum/test_pagecache.py",
    "tests/forum/boards/test_permissions.py",
    "tests/forum/boards/test_visibility.py",
]
TIMEOUT = 600
FAILED_RE = re.compile(r"^(?:FAILED|ERROR) (.+?)(?: - .*)?$", re.MULTILINE)


class MutationError(Exception):
    pass


def backup_file() -> Path:
    """Where the originals wait while a mutant is on disk: inside .git, out of every diff."""
    found = subprocess.run(
        ["git", "rev-parse", "--git-path", "porchlight-mutation-backup.json"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return (ROOT / found.stdout.strip()).resolve()


def forget_bytecode(path: Path) -> None:
    # A mutant can keep the file's size and modification second: never let a stale .pyc run.
    for cached in (path.parent / "__pycache__").glob(f"{path.stem}.*.pyc"):
        cached.unlink(missing_ok=True)


def restore_leftovers() -> None:
    backup = backup_file()
    if not backup.exists():
        return
    for name, text in json.loads(backup.read_text()).items():
        (ROOT / name).write_text(text)
        forget_bytecode(ROOT / name)
        print(f"restored {name}, left mutated by an interrupted run")
    backup.unlink()


def function_source(tree: ast.Module, source: str, qualname: str) -> tuple[int, int]:
    """The character span of the function (or method) named qualname."""
    nodes: list[ast.stmt] = tree.body
    found: ast.AST | None = None
    for part in qualname.split("."):
        found = next(
            (
                n
                for n in nodes
                if isinstance(n, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
                and n.name == part
            ),
            None,
        )
        if found is None:
            raise MutationError(f"no {qualname}")
        nodes = found.body  # type: ignore[attr-defined]
    assert isinstance(found, ast.FunctionDef | ast.AsyncFunctionDef)
    lines = source.splitlines(keepends=True)
    start = sum(len(line) for line in lines[: found.lineno - 1])
    end = sum(len(line) for line in lines[: found.end_lineno])
    return start, end


def mutated(mutant: Mutant, source: str) -> str:
    start, end = function_source(ast.parse(source), source, mutant.function)
    body = source[start:end]
    if body.count(mutant.old) != 1:
        raise MutationError(f"{mutant.name}: {mutant.old!r} is not in {mutant.function} once")
    changed = source[:start] + body.replace(mutant.old, mutant.new) + source[end:]
    ast.parse(changed)
    return changed


def run_suite(only: list[str] | None = None) -> tuple[str, str, float]:
    """(outcome, first failing test, seconds): outcome is killed, survived or timeout.

    Two runs, because pytest collects overlapping arguments in tree order: the tests written
    for these rules, then all the others. With only, just those tests.
    """
    began = time.monotonic()
    rest = [f"--ignore={path}" for path in FIRST]
    for selection in [only] if only else (FIRST, [*rest, "tests"]):
        outcome, test = _pytest(selection)
        if outcome != "survived":
            break
    return outcome, test, time.monotonic() - began


def _pytest(selection: list[str]) -> tuple[str, str]:
    env = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    command = [sys.executable, "-m", "pytest", "-x", "-q", *selection]
    # Its own process group, so that a timeout also ends the servers a test may have started.
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        output, _ = process.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        return "timeout", ""
    except BaseException:
        os.killpg(process.pid, signal.SIGKILL)
        process.communicate()
        raise
    if process.returncode == 0:
        return "survived", ""
    failed = FAILED_RE.search(output)
    if failed is None:
        tail = "\n".join(output.splitlines()[-15:])
        return "killed", f"(no test named; pytest exited {process.returncode}:\n{tail})"
    return "killed", failed.group(1)


def try_mutant(mutant: Mutant, only: list[str] | None) -> tuple[str, str, float]:
    path = ROOT / mutant.path
    original = path.read_text()
    changed = mutated(mutant, original)
    backup = backup_file()
    backup.write_text(json.dumps({mutant.path: original}))
    try:
        path.write_text(changed)
        forget_bytecode(path)
        return run_suite(only)
    finally:
        path.write_text(original)
        forget_bytecode(path)
        backup.unlink()


def _stop(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("-k", default="", help="only mutants whose name contains this")
    parser.add_argument("--list", action="store_true", help="list the mutants and stop")
    parser.add_argument(
        "--tests", nargs="+", help="run only these tests (does this one kill it on its own?)"
    )
    parser.add_argument(
        "--no-baseline", action="store_true", help="skip the unmutated run that must pass"
    )
    args = parser.parse_args()
    sys.stdout.reconfigure(line_buffering=True)  # type: ignore[union-attr]  # progress as it goes
    chosen = [m for m in MUTANTS if args.k in m.name]
    for mutant in chosen:  # every mutant must apply before any runs
        mutated(mutant, (ROOT / mutant.path).read_text())
    if args.list:
        for mutant in chosen:
            print(f"{mutant.name:55} {mutant.path}")
        return 0
    signal.signal(signal.SIGTERM, _stop)
    restore_leftovers()
    if not args.no_baseline:
        outcome, test, seconds = run_suite(args.tests)
        if outcome != "survived":
            print(f"the unmutated suite does not pass ({outcome} {test}); nothing to measure")
            return 2
        print(f"baseline: the unmutated suite passes ({seconds:.0f} s)")
    results = []
    try:
        for number, mutant in enumerate(chosen, 1):
            outcome, test, seconds = try_mutant(mutant, args.tests)
            results.append((mutant, outcome, test))
            print(f"{number:3}/{len(chosen)} {outcome:8} {seconds:5.0f} s  {mutant.name}  {test}")
    except KeyboardInterrupt:
        print("interrupted; the source is restored")
        return 130
    print("\n| mutant | file | result | first failing test |\n|---|---|---|---|")
    for mutant, outcome, test in results:
        print(f"| {mutant.name} | {mutant.path} | {outcome} | {test.replace('|', '/')} |")
    survivors = [m.name for m, outcome, _ in results if outcome == "survived"]
    print(f"\n{len(results) - len(survivors)} killed, {len(survivors)} survived")
    return 1 if survivors else 0


if __name__ == "__main__":
    sys.exit(main())
