"""Fuzz the API against its own OpenAPI document: `python -m tests.fuzz.run` (make fuzz).

Starts the real server (`porchlight serve` on a free loopback port, a temporary data folder,
rate limits off), seeds an admin, a member, a board, a topic and a reply, then runs
schemathesis, stateful phase included, once as a visitor, once as the member and once as the
admin, each with a fixed seed and a bounded number of examples. Exits non-zero on any failure.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

PORCHLIGHT = [sys.executable, "-m", "forum"]
SCHEMATHESIS = [sys.executable, "-m", "schemathesis.cli"]
PASSWORD = "fuzzing the neighbourhood api"
CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "response_headers_conformance",
        "negative_data_rejection",
        "unsupported_method",
        "allow_header_conformance",
        "missing_required_header",
        "use_after_free",
        "ensure_resource_availability",
        "ignored_auth",
        # Not positive_data_acceptance: text the schema allows may still be refused for rules
        # JSON Schema cannot say (nothing visible, disguising characters, a common password, a
        # name already taken, a locked topic); the document may be looser, never stricter.
    ]
)
MAX_EXAMPLES = os.environ.get("PORCHLIGHT_FUZZ_EXAMPLES", "10")
SEED = os.environ.get("PORCHLIGHT_FUZZ_SEED", "20261124")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _seed(url: str) -> None:
    """A member and some content, made through the API as any client would."""
    with httpx.Client(base_url=url, timeout=30) as http:
        member = {"username": "fuzzmember", "email": "fuzz@example.org", "password": PASSWORD}
        http.post("/api/v1/auth/register", json=member).raise_for_status()
        admin = http.post(
            "/api/v1/auth/login", json={"username": "fuzzadmin", "password": PASSWORD}
        )
        admin.raise_for_status()
        http.cookies.clear()  # bearer from here on: a session cookie would ask for CSRF tokens
        as_admin = {"Authorization": f"Bearer {admin.json()['token']}"}
        board = {"slug": "general", "name": "General", "description": "Anything."}
        http.post("/api/v1/boards", json=board, headers=as_admin).raise_for_status()
        # A member of standing (trust level 1): a new account's first posts would wait for
        # review, and the fuzzer needs content everyone can read.
        http.patch(
            "/api/v1/users/fuzzmember", json={"trust_level": 1}, headers=as_admin
        ).raise_for_status()
        login = http.post(
            "/api/v1/auth/login", json={"username": "fuzzmember", "password": PASSWORD}
        )
        login.raise_for_status()
        http.cookies.clear()
        as_member = {"Authorization": f"Bearer {login.json()['token']}"}
        topic = http.post(
            "/api/v1/boards/general/topics",
            json={"title": "Hello neighbours", "body": "Glad to be here."},
            headers=as_member,
        )
        topic.raise_for_status()
        reply = {"body": "Welcome!"}
        http.post(
            f"/api/v1/topics/{topic.json()['id']}/posts", json=reply, headers=as_admin
        ).raise_for_status()


def _schemathesis(url: str, persona: str | None, env: dict[str, str], reports: Path) -> int:
    print(f"\n== schemathesis as {persona or 'a visitor'}", flush=True)
    run_env = {**env, "PORCHLIGHT_FUZZ_URL": url}
    if persona is not None:
        run_env.update(
            SCHEMATHESIS_HOOKS="tests.fuzz.hooks",
            PORCHLIGHT_FUZZ_USERNAME=persona,
            PORCHLIGHT_FUZZ_PASSWORD=PASSWORD,
        )
    command = [
        *SCHEMATHESIS,
        "run",
        f"{url}/api/v1/openapi.json",
        "--url",
        url,
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        MAX_EXAMPLES,
        "--seed",
        SEED,
        "--workers",
        "1",
        "--request-timeout",
        "20",
        "--max-failures",
        "50",
        "--generation-database",
        "none",
        "--report",
        "junit",
        "--report-junit-path",
        str(reports / f"{persona or 'visitor'}.xml"),
        "--no-color",
    ]
    return subprocess.run(command, env=run_env, check=False, timeout=900).returncode


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="porchlight-fuzz-") as folder:
        root = Path(folder)
        env = {k: v for k, v in os.environ.items() if not k.startswith("PORCHLIGHT_")}
        env.update(
            PORCHLIGHT_DATA_DIR=str(root / "data"),
            PORCHLIGHT_RATE_LIMITS="off",
            PORCHLIGHT_ADMIN_PASSWORD=PASSWORD,
            PYTHONPATH=str(Path(__file__).resolve().parents[2]),
        )
        subprocess.run([*PORCHLIGHT, "migrate"], env=env, cwd=root, check=True)
        subprocess.run(
            [*PORCHLIGHT, "create-admin", "fuzzadmin", "--email", "admin@example.org"],
            env=env,
            cwd=root,
            check=True,
        )
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        log = (root / "server.log").open("w")
        server = subprocess.Popen(
            [*PORCHLIGHT, "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=root,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        try:
            _wait_until_up(url)
            _seed(url)
            reports = Path(os.environ.get("PORCHLIGHT_FUZZ_REPORTS", root / "reports"))
            reports.mkdir(parents=True, exist_ok=True)
            codes = [_schemathesis(url, p, env, reports) for p in (None, "fuzzmember", "fuzzadmin")]
        finally:
            server.terminate()
            server.wait(timeout=30)
            log.close()
            log_text = (root / "server.log").read_text()
        errors = [line for line in log_text.splitlines() if line.startswith(("ERROR", "Traceback"))]
        if errors:
            print("\nThe server logged errors:\n" + log_text[-5000:])
    failed = sum(1 for code in codes if code != 0) + (1 if errors else 0)
    # The plain closing line CI reads: one run per persona, and the server's clean log.
    print(f"fuzz: {len(codes) + 1 - failed} passed, {failed} failed")
    return 1 if failed else 0


def _wait_until_up(url: str) -> None:
    for _ in range(100):
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise SystemExit("the server did not start")


if __name__ == "__main__":
    sys.exit(main())
