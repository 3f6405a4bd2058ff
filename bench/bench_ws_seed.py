"""The WebSocket benchmark's people: members with bearer tokens, written straight into SQLite."""

import hashlib
import json
import secrets
import sqlite3
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench_servers import http_call
from bench_settings import BenchError


def _stamp(moment: datetime) -> str:
    """Exactly what Tortoise's SQLite adapter writes for a datetime."""
    return moment.isoformat(" ")


def seed_people(db_path: Path, users: int) -> list[str]:
    """`users` active accounts (the first an admin), each with a bearer token: their tokens."""
    now = datetime.now(UTC)
    joined = _stamp(now - timedelta(days=30))
    tokens = [secrets.token_urlsafe(32) for _ in range(users)]
    people, sessions = [], []
    for n, token in enumerate(tokens, start=1):
        name = f"wsbench{n:04d}"
        role = "admin" if n == 1 else "member"
        people.append(
            (
                n,
                name,
                name,
                f"{name}@example.org",
                f"{name}@example.org",
                f"Bench {n}",
                "",
                role,
                2,
                "active",
                "",
                "",
                joined,
                None,
            )
        )
        digest = hashlib.sha256(token.encode()).hexdigest()
        sessions.append((digest, "token", "wsbench", _stamp(now), _stamp(now), n))
    with sqlite3.connect(db_path) as db:
        db.executemany(
            "INSERT INTO users (id, username, username_key, email, email_key, display_name, "
            "password_hash, role, trust_level, status, area, bio, created_at, deleted_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            people,
        )
        db.executemany(
            "INSERT INTO sessions (key_hash, kind, label, created_at, last_seen_at, user_id) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            sessions,
        )
    return tokens


def create_room(port: int, admin_token: str, name: str) -> int:
    """A public room, made through the API as a moderator would."""
    body = json.dumps({"name": name, "kind": "public"}).encode()
    headers = {"Authorization": f"Bearer {admin_token}", "Content-Type": "application/json"}
    status, raw = http_call(port, "POST", "/api/v1/rooms", headers, body)
    if status != 201:
        raise BenchError(f"POST /api/v1/rooms answered {status}: {raw[:300]!r}")
    return int(json.loads(raw)["id"])
