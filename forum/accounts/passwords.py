"""Password hashing (argon2id) with a cap on hashes at once, and the common-password list."""

from __future__ import annotations

import asyncio
import gzip
import weakref
from functools import cache
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

# Each argon2id hash holds memory_cost KiB while it runs: capping how many run at once caps
# memory, so a burst of logins queues instead of exhausting the machine.
MAX_CONCURRENT_HASHES = 2
_COMMON_PASSWORDS = Path(__file__).with_name("common-passwords.txt.gz")

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile (t=3, m=64 MiB, p=4)
_dummy_hash = ""
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = (
    weakref.WeakKeyDictionary()
)


def configure(*, time_cost: int = 3, memory_cost: int = 65536, parallelism: int = 4) -> None:
    """Change the hashing cost (the test suite lowers it; production keeps the defaults)."""
    global _hasher, _dummy_hash
    _hasher = PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism)
    _dummy_hash = ""


def _gate() -> asyncio.Semaphore:
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(MAX_CONCURRENT_HASHES)
    return gate


async def hash_password(password: str) -> str:
    async with _gate():
        return await asyncio.to_thread(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """Check a password; with no hash (unknown user) spend the same time and answer False."""
    if not password_hash:
        await warm_up()
        password_hash = _dummy_hash
        known = False
    else:
        known = True
    async with _gate():
        try:
            await asyncio.to_thread(_hasher.verify, password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
    return known


async def warm_up() -> None:
    """Do the one-time work at start-up, off the event loop: the first sign-up and the first
    unknown-user sign-in then take no longer than any other."""
    global _dummy_hash
    await asyncio.to_thread(_common_passwords)
    if not _dummy_hash:
        _dummy_hash = await hash_password("not a real password, only a timing decoy")


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _common_passwords() -> frozenset[str]:
    with gzip.open(_COMMON_PASSWORDS, "rt", encoding="utf-8") as handle:
        return frozenset(line.strip().casefold() for line in handle if line.strip())


def is_common(password: str) -> bool:
    return password.casefold() in _common_passwords()


def common_password_count() -> int:
    return len(_common_passwords())
