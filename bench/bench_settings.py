"""Paths, load settings, targets and the error shared by the HTTP benchmark's modules."""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS_DIR = ROOT / "bench" / "results"
VENV_BIN = Path(sys.executable).parent
WARMUP_SECONDS = 2
WRK_THREADS = 2
TOPIC_PAGE_SHARE = 0.20
TOPIC_PAGE_P99_MS = 50.0
# Pages and API reads that are rendered for one person each time (no shared page cache).
MEMBER_SHARE = 0.15
MEMBER_P99_MS = 50.0
POSTS_PER_SECOND = 300.0
# The response test prepares this many distinct requests for each second it runs: more than
# the server can answer on this machine (it reports any sent past the end as failures).
RESPONSES_PER_SECOND_CEILING = 1500
TARGET_CONNECTIONS = 32
SESSION_COOKIE = "porchlight_session"
# The bare app's uvicorn options: one worker, no access log, default loop and HTTP implementation.
# The forum is not started this way but as `porchlight serve` starts it, logging included.
UVICORN_OPTIONS = ("--workers", "1", "--log-level", "warning", "--no-access-log")


class BenchError(RuntimeError):
    """The benchmark could not be set up or run."""
