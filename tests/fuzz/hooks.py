"""Schemathesis hooks (SCHEMATHESIS_HOOKS=tests.fuzz.hooks): sign in as the fuzzed persona.

The fuzzer may log out or revoke the very token it uses; signing in again on a 401 keeps the
rest of the run signed in, instead of quietly turning it into another anonymous run.
"""

from __future__ import annotations

import os
from typing import Any

import httpx
import schemathesis


@schemathesis.auth(refresh_interval=3600, retry_on=[401])
class SignIn:
    def get(self, case: Any, context: Any) -> str:
        response = httpx.post(
            os.environ["PORCHLIGHT_FUZZ_URL"] + "/api/v1/auth/login",
            json={
                "username": os.environ["PORCHLIGHT_FUZZ_USERNAME"],
                "password": os.environ["PORCHLIGHT_FUZZ_PASSWORD"],
            },
            timeout=30,
        )
        response.raise_for_status()
        token: str = response.json()["token"]
        return token

    def set(self, case: Any, data: str, context: Any) -> None:
        case.headers = {**(case.headers or {}), "Authorization": f"Bearer {data}"}
