"""uvicorn's WebSocket protocol with what a client that stops reading can hold bounded.

The live channel (realtime.hub) cuts a connection off when its outgoing queue overflows, but
ASGI can neither size a socket's buffers nor abort one, and below the queue two buffers take a
stopped reader's frames first: the kernel's send buffer, which Linux grows by itself to
megabytes (about 2.8 MB, some 8,000 chat frames, on loopback in bench/ws.py), and the
transport's. So the queue filled, and the reader was cut off, only after all of that, and the
cut-off socket then lingered: closing a transport that still holds data waits for the client
to read it, which a stopped reader never does. Here:

- each WebSocket's kernel send buffer is fixed at SEND_BUFFER (Linux doubles it for its own
  bookkeeping): far more than a chat frame or a catch-up burst needs per round trip, and all a
  stopped reader can hold below the queue and the transport's buffer;
- when the app has ended a connection whose transport still cannot take more (writing paused,
  so the close frame could not be sent either), the socket is reset rather than closed: its
  buffers are freed at once instead of waiting for a reader that is not there.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

SEND_BUFFER = 64 * 1024  # bytes; Linux reserves twice this


class BoundedWebSocketProtocol(WebSocketsSansIOProtocol):
    """WebSocketsSansIOProtocol (what uvicorn picks when `websockets` is installed), bounded."""

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        super().connection_made(transport)
        sock = transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, SEND_BUFFER)

    def on_task_complete(self, task: asyncio.Task[None]) -> None:
        super().on_task_complete(task)
        if self.disconnected or self.writable.is_set():
            return  # gone already, or its buffers drain: the ordinary close is right
        # The app is done and the client has not read what is waiting: reset, do not linger.
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()
