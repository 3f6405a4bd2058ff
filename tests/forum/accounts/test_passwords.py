"""Password hashing: argon2id, a cap on hashes at once, and the same work for unknown users."""

from __future__ import annotations

import asyncio
import threading
from typing import Any

import pytest
from argon2 import PasswordHasher

from forum.accounts import passwords


class CountingHasher(PasswordHasher):
    """The real argon2id hasher, counting how many hashes run at once and how many verify."""

    def __init__(self) -> None:
        super().__init__(time_cost=1, memory_cost=1024, parallelism=1)
        self.lock = threading.Lock()
        self.running = self.most = self.verified = 0

    def _enter(self) -> None:
        with self.lock:
            self.running += 1
            self.most = max(self.most, self.running)

    def _leave(self) -> None:
        with self.lock:
            self.running -= 1

    def hash(self, password: str | bytes, *, salt: bytes | None = None) -> str:
        self._enter()
        try:
            threading.Event().wait(0.01)  # long enough for the threads to overlap if allowed
            return super().hash(password, salt=salt)
        finally:
            self._leave()

    def verify(self, hash: str | bytes, password: str | bytes) -> bool:  # noqa: A002
        self.verified += 1
        return super().verify(hash, password)


@pytest.fixture
def hasher(monkeypatch: pytest.MonkeyPatch) -> CountingHasher:
    counting = CountingHasher()
    monkeypatch.setattr(passwords, "_hasher", counting)
    monkeypatch.setattr(passwords, "_dummy_hash", "")
    return counting


async def test_no_more_than_the_cap_of_hashes_run_at_once(hasher: CountingHasher) -> None:
    hashes = await asyncio.gather(*(passwords.hash_password(f"secret {i}") for i in range(12)))
    assert len(set(hashes)) == 12
    assert all(h.startswith("$argon2id$") for h in hashes)
    assert hasher.most == passwords.MAX_CONCURRENT_HASHES


async def test_unknown_user_costs_a_full_verification_too(hasher: CountingHasher) -> None:
    stored = await passwords.hash_password("the right one")
    outcomes: list[Any] = [
        await passwords.verify_password(stored, "the wrong one"),
        await passwords.verify_password(None, "the wrong one"),
        await passwords.verify_password(stored, "the right one"),
    ]
    assert outcomes == [False, False, True]
    assert hasher.verified == 3
