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
  buffers are freed at once instead of waiting for a reader that is not there; and one whose
  transport still holds unsent data ABANDON_AFTER seconds after the app ended (uvicorn's
  keepalive timeout closes a silent client that way, before its queue ever fills) is reset
  then. A client that reads closes in milliseconds and is never reset.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import struct

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol

SEND_BUFFER = 64 * 1024  # bytes; Linux reserves twice this
ABANDON_AFTER = 2.0  # seconds after the app ended that data still unread gets the socket reset


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
        if self.disconnected:
            return
        if not self.writable.is_set():
            self._reset()  # writing paused: nothing will drain, not even the close frame
        else:
            # uvicorn closes it (after its closing handshake, or at once after a keepalive
            # timeout); a transport closed with data waiting waits for the client to read it.
            self.loop.call_later(ABANDON_AFTER, self._reset_if_stuck)

    def _reset_if_stuck(self) -> None:
        if not self.disconnected and self.transport.get_write_buffer_size():
            self._reset()

    def _reset(self) -> None:
        """End the connection now: a reset frees its buffers instead of waiting on a reader."""
        sock = self.transport.get_extra_info("socket")
        if sock is not None:
            with contextlib.suppress(OSError):
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.transport.abort()
