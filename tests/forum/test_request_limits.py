"""A real `porchlight serve` bounds the request line and headers before the app runs."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from urllib.parse import urlsplit

import httpx
import pytest

from forum.server import MAX_HEAD_BYTES, MAX_TARGET_BYTES
from tests import servers


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    with servers.started(tmp_path_factory.mktemp("limits")) as url:
        yield url


def _exchange(url: str, head: bytes, *, chunk: int = 64 * 1024) -> bytes:
    """Send a raw request head in chunks; the start of the answer, or b"" if the server hung up.

    A server that refuses a huge head closes while it is still arriving, so sending can fail
    with a reset: that too is "not served".
    """
    parts = urlsplit(url)
    with socket.create_connection((parts.hostname, parts.port), timeout=10) as connection:
        try:
            for start in range(0, len(head), chunk):
                connection.sendall(head[start : start + chunk])
        except OSError:
            pass
        answer = b""
        try:
            while b"\r\n\r\n" not in answer:
                received = connection.recv(65536)
                if not received:
                    break
                answer += received
        except OSError:
            pass
        return answer


def _request(target: str = "/healthz", *headers: str) -> bytes:
    lines = [f"GET {target} HTTP/1.1", "Host: 127.0.0.1", *headers, "", ""]
    return "\r\n".join(lines).encode("latin-1")


def _status(answer: bytes) -> int | None:
    if not answer.startswith(b"HTTP/1.1 "):
        return None
    return int(answer[9:12])


def test_an_8_mb_header_is_not_served(server: str) -> None:
    answer = _exchange(server, _request("/healthz", "X-Padding: " + "a" * 8 * 1024 * 1024))
    # Refused while it is still arriving: a 431, or (if the reset overtakes it) nothing at all.
    assert _status(answer) in (431, None), answer[:200]
    assert b"200 OK" not in answer
    assert httpx.get(f"{server}/healthz").status_code == 200


def test_headers_past_the_limit_are_431(server: str) -> None:
    answer = _exchange(server, _request("/healthz", "X-Padding: " + "a" * MAX_HEAD_BYTES))
    assert _status(answer) == 431, answer[:200]


def test_many_small_headers_past_the_limit_are_431(server: str) -> None:
    many = [f"X-Header-{i}: {'v' * 40}" for i in range(MAX_HEAD_BYTES // 40)]
    assert _status(_exchange(server, _request("/healthz", *many))) == 431


def test_a_request_target_past_the_limit_is_414(server: str) -> None:
    answer = _exchange(server, _request("/healthz?q=" + "q" * MAX_TARGET_BYTES))
    assert _status(answer) == 414, answer[:200]


def test_a_4_kib_cookie_still_works(server: str) -> None:
    response = httpx.get(f"{server}/", headers={"Cookie": "crumbs=" + "c" * 4096})
    assert response.status_code == 200


def test_a_long_but_reasonable_address_still_works(server: str) -> None:
    response = httpx.get(f"{server}/healthz", params={"q": "q" * 4000})
    assert response.status_code == 200


def test_a_kept_alive_connection_serves_one_request_after_another(server: str) -> None:
    with httpx.Client(base_url=server) as http:
        for _ in range(5):
            assert http.get("/healthz", headers={"Cookie": "c=" + "c" * 4096}).status_code == 200


def _handshake(*headers: str) -> bytes:
    return _request(
        "/ws",
        "Upgrade: websocket",
        "Connection: Upgrade",
        "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==",
        "Sec-WebSocket-Version: 13",
        *headers,
    )


def test_a_websocket_handshake_gets_the_same_bound(server: str) -> None:
    answer = _exchange(server, _handshake("Cookie: c=" + "c" * MAX_HEAD_BYTES))
    assert _status(answer) == 431, answer[:200]


def test_a_websocket_handshake_of_a_usual_size_reaches_the_app(server: str) -> None:
    # No /ws endpoint yet: the app's router turns the handshake away (403), which shows that
    # the handshake got past the bound and into the app.
    answer = _exchange(server, _handshake("Cookie: c=" + "c" * 4096))
    assert _status(answer) == 403, answer[:200]
