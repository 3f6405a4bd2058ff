"""A bare Starlette broadcast endpoint: the ceiling the forum's /ws fan-out is measured against.

Every text frame a client sends goes, as received (encoded once), to every connected client,
the sender included. No authentication, rooms, storage or queues: one loop of sends.
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route, WebSocketRoute
from starlette.websockets import WebSocket, WebSocketDisconnect

clients: set[WebSocket] = set()


async def alive(request: Request) -> PlainTextResponse:
    return PlainTextResponse("ok")


async def broadcast(websocket: WebSocket) -> None:
    await websocket.accept()
    clients.add(websocket)
    try:
        while True:
            text = await websocket.receive_text()
            for peer in list(clients):
                try:
                    await peer.send_text(text)
                except (WebSocketDisconnect, RuntimeError, OSError):
                    clients.discard(peer)
    except WebSocketDisconnect:
        pass
    finally:
        clients.discard(websocket)


app = Starlette(routes=[Route("/", alive), WebSocketRoute("/ws", broadcast)])
