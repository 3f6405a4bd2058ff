"""How `porchlight serve` runs uvicorn: its HTTP protocol with the request head bounded.

uvicorn's httptools protocol keeps every byte of a request line and headers until they end: an
8 MB header was read whole and served. Here a request target over MAX_TARGET_BYTES answers 414
and a head over MAX_HEAD_BYTES answers 431, both before the app runs and before the connection
holds more than the limit and one read. WebSocket handshakes are parsed by the same protocol
before the upgrade, so a /ws endpoint gets the same bound.
"""

from __future__ import annotations

import http
from typing import Any

# Browsers send a few KiB (cookies included); nginx allows 8 KiB per line, Node 16 KiB in all.
MAX_HEAD_BYTES = 16 * 1024
MAX_TARGET_BYTES = 8 * 1024


def uvicorn_options() -> dict[str, Any]:
    """The protocol options for uvicorn.run: uvicorn's own httptools and WebSocket protocols,
    bounded.

    httptools is a dependency of its own rather than a choice uvicorn makes when it is there:
    the h11 fallback bounds only a head that is still arriving, not one sent whole.
    """
    # Strings, not the classes: each worker process imports them for itself. The WebSocket
    # protocol bounds what a client that stops reading can hold (forum.wsprotocol).
    return {
        "http": "forum.httpprotocol:BoundedHttpToolsProtocol",
        "ws": "forum.wsprotocol:BoundedWebSocketProtocol",
    }


def refusal(status: http.HTTPStatus) -> bytes:
    """The whole response sent for a refused head: short, plain, and closing the connection."""
    body = f"{status.phrase}.\n".encode("ascii")
    return (
        f"HTTP/1.1 {status.value} {status.phrase}\r\n"
        "content-type: text/plain; charset=utf-8\r\n"
        f"content-length: {len(body)}\r\n"
        "connection: close\r\n\r\n"
    ).encode("ascii") + body
