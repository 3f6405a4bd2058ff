"""Chat through real sockets: order, no loss, idempotent retries, catch-up and refusals."""

from __future__ import annotations

import asyncio
import json
import socket
import uuid
from typing import Any

import pytest
import websockets
from websockets.exceptions import ConnectionClosed, InvalidStatus

from forum import ratelimits, wsprotocol
from forum.accounts.models import User
from forum.chat import rooms as chat_rooms
from forum.chat import services as chat
from forum.chat.models import Message
from forum.notifications import services as notifications
from realtime import socket as realtime_socket
from realtime.hub import OUTGOING_MAX
from tests import factories
from tests.forum.chat.conftest import LiveServer, frames_until, next_frame, serving

SEND_LIMIT = ratelimits.LIMITS["chat_send"].per_person


async def _subscribe(socket: Any, room_id: int, since: int | None = None) -> list[dict[str, Any]]:
    frame: dict[str, Any] = {"type": "subscribe", "room": room_id}
    if since is not None:
        frame["since"] = since
    await socket.send(json.dumps(frame))
    return await frames_until(socket, "subscribed")


async def _send(socket: Any, room_id: int, body: str, client_id: str | None = None) -> str:
    cid = client_id or uuid.uuid4().hex
    await socket.send(json.dumps({"type": "send", "room": room_id, "body": body, "client_id": cid}))
    return cid


async def test_a_message_reaches_the_room_and_its_sender_gets_the_ack(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(other_member) as sam,
    ):
        await _subscribe(maria, lounge["id"])
        await _subscribe(sam, lounge["id"])
        cid = await _send(maria, lounge["id"], "Hello **porch**")
        ack = (await frames_until(maria, "ack"))[-1]
        heard = (await frames_until(sam, "message"))[-1]
    assert ack["client_id"] == cid
    assert ack["message"]["seq"] == 1
    assert ack["message"]["body_html"] == "<p>Hello <strong>porch</strong></p>"
    assert heard["message"] == ack["message"]


async def test_concurrent_senders_get_contiguous_seqs_without_duplicates(
    live_server: LiveServer, lounge: dict[str, Any], db: None
) -> None:
    ratelimits.configure(ratelimits.RateLimiter(ratelimits.MemoryCounter(), enabled=False))
    people = [await factories.user(username=f"sender{i}") for i in range(10)]

    async def send_fifty(person: User) -> list[int]:
        async with await live_server.connect(person) as socket:
            await _subscribe(socket, lounge["id"])
            acked = []
            for n in range(50):
                await _send(socket, lounge["id"], f"{person.username} says {n}")
                acked.append((await frames_until(socket, "ack"))[-1]["message"]["seq"])
            return acked

    results = await asyncio.gather(*(send_fifty(p) for p in people))
    seqs = sorted(seq for acked in results for seq in acked)
    assert seqs == list(range(1, 501))
    stored = (
        await Message.filter(room_id=lounge["id"]).order_by("seq").values_list("seq", flat=True)
    )
    assert list(stored) == list(range(1, 501))
    for acked in results:
        assert acked == sorted(acked)  # each sender sees its own messages in order


async def test_a_retry_with_the_same_client_id_returns_the_original_and_stores_nothing(
    live_server: LiveServer, lounge: dict[str, Any], member: User
) -> None:
    async with await live_server.connect(member) as socket:
        await _subscribe(socket, lounge["id"])
        cid = await _send(socket, lounge["id"], "Only once, please")
        first = (await frames_until(socket, "ack"))[-1]
        await _send(socket, lounge["id"], "Only once, please", client_id=cid)
        again = (await frames_until(socket, "ack"))[-1]
    assert again["message"] == first["message"]
    assert await Message.filter(room_id=lounge["id"]).count() == 1


@pytest.mark.parametrize(
    ("gap", "replayed", "limited"),
    [
        (0, 0, False),
        (1, 1, False),
        (199, 199, False),
        (200, 200, False),
        (201, 200, True),
    ],
)
async def test_subscribe_with_since_replays_what_was_missed(
    live_server: LiveServer,
    lounge: dict[str, Any],
    member: User,
    gap: int,
    replayed: int,
    limited: bool,
) -> None:
    ratelimits.configure(ratelimits.RateLimiter(ratelimits.MemoryCounter(), enabled=False))
    total = 210
    for n in range(total):
        await chat.send_message(member, lounge["id"], f"message {n + 1}")
    async with await live_server.connect(member) as socket:
        frames = await _subscribe(socket, lounge["id"], since=total - gap)
        missed = []
        # The subscribed frame comes first, then the missed messages.
        for _ in range(replayed):
            missed.append(await next_frame(socket))
    subscribed = frames[-1]
    assert subscribed == {
        "type": "subscribed",
        "room": lounge["id"],
        "last_seq": total,
        "limited": limited,
    }
    seqs = [m["message"]["seq"] for m in missed]
    assert seqs == list(range(total - replayed + 1, total + 1))


async def test_deleted_messages_replay_as_tombstones(
    live_server: LiveServer, lounge: dict[str, Any], member: User
) -> None:
    message, _ = await chat.send_message(member, lounge["id"], "my phone number is 555 0100")
    await chat.delete_message(member, message["id"])
    async with await live_server.connect(member) as socket:
        await _subscribe(socket, lounge["id"], since=0)
        replayed = await next_frame(socket)
    assert replayed["message"]["deleted"] is True
    assert replayed["message"]["body"] == replayed["message"]["body_html"] == ""
    assert "555" not in json.dumps(replayed)


async def test_a_non_member_cannot_subscribe_send_or_read_a_private_room(
    live_server: LiveServer, moderator: User, member: User, other_member: User, client: Any
) -> None:
    room = await chat_rooms.create_room(moderator, {"name": "Volunteers", "kind": "private"})
    await chat_rooms.add_member(moderator, room["id"], member.username)
    await chat.send_message(member, room["id"], "volunteer rota")
    async with await live_server.connect(other_member) as socket:
        await socket.send(json.dumps({"type": "subscribe", "room": room["id"], "since": 0}))
        refused = await next_frame(socket)
        cid = await _send(socket, room["id"], "let me in")
        refused_send = await next_frame(socket)
    assert refused["type"] == "error"
    assert refused["code"] == "not_found"
    assert refused_send == {**refused_send, "type": "error", "code": "not_found", "ref": cid}
    http = await factories.bearer(client, other_member)
    assert (await http.get(f"/api/v1/rooms/{room['id']}/messages")).status_code == 404
    assert await Message.filter(room_id=room["id"]).count() == 1


async def test_a_foreign_origin_is_refused_before_accept(
    live_server: LiveServer, member: User
) -> None:
    token = await factories.token_for(member)
    with pytest.raises(InvalidStatus) as refused:
        await websockets.connect(
            live_server.url,
            additional_headers={"Authorization": f"Bearer {token}"},
            origin="https://evil.example",
        )
    assert refused.value.response.status_code == 403


async def test_a_cookie_without_origin_and_an_anonymous_socket_are_refused(
    live_server: LiveServer, member: User
) -> None:
    token = await factories.token_for(member)
    with pytest.raises(InvalidStatus):
        await websockets.connect(
            live_server.url, additional_headers={"Cookie": f"porchlight_session={token}"}
        )
    with pytest.raises(InvalidStatus):
        await websockets.connect(live_server.url, origin=live_server.origin)
    cookie = await websockets.connect(
        live_server.url,
        additional_headers={"Cookie": f"porchlight_session={token}"},
        origin=live_server.origin,
    )
    await cookie.send('{"type":"ping"}')
    assert await next_frame(cookie) == {"type": "pong"}
    await cookie.close()


async def test_an_oversize_frame_closes_the_socket(
    live_server: LiveServer, lounge: dict[str, Any], member: User
) -> None:
    async with await live_server.connect(member, max_size=None) as socket:
        await socket.send(json.dumps({"type": "send", "room": lounge["id"], "body": "x" * 70_000}))
        with pytest.raises(ConnectionClosed) as closed:
            await next_frame(socket)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == 1009
    assert await Message.filter(room_id=lounge["id"]).count() == 0


async def test_a_flood_of_sends_gets_rate_limited_frames(
    live_server: LiveServer, lounge: dict[str, Any], member: User
) -> None:
    async with await live_server.connect(member) as socket:
        await _subscribe(socket, lounge["id"])
        refused = None
        for n in range(SEND_LIMIT + 5):
            cid = await _send(socket, lounge["id"], f"spam {n}")
            frame = (
                (await frames_until(socket, "ack"))
                if n < SEND_LIMIT
                else [await next_frame(socket)]
            )
            if frame[-1]["type"] == "error":
                refused = (frame[-1], cid)
                break
    assert refused is not None
    assert refused[0]["code"] == "rate_limited"
    assert refused[0]["ref"] == refused[1]
    assert await Message.filter(room_id=lounge["id"]).count() == SEND_LIMIT


@pytest.mark.parametrize(
    "raw",
    [
        "not json",
        "[1, 2]",
        '{"no": "type"}',
        '{"type": "dance"}',
        '{"type": "subscribe", "room": "x"}',
        '{"type": "send", "room": 1, "body": ""}',
        '{"type": "subscribe", "room": 1, "since": -3}',
    ],
)
async def test_malformed_frames_get_an_error_frame_and_the_socket_stays_open(
    live_server: LiveServer, lounge: dict[str, Any], member: User, raw: str
) -> None:
    async with await live_server.connect(member) as socket:
        await socket.send(raw)
        answer = await next_frame(socket)
        await socket.send('{"type":"ping"}')
        assert await next_frame(socket) == {"type": "pong"}
    assert answer["type"] == "error"
    assert answer["code"] in {"bad_frame", "unknown_frame", "invalid"}


async def test_typing_and_presence_reach_the_others_in_the_room(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    async with (
        await live_server.connect(member) as maria,
        await live_server.connect(other_member) as sam,
    ):
        await _subscribe(maria, lounge["id"])
        await frames_until(maria, "presence")
        await _subscribe(sam, lounge["id"])
        presence = (await frames_until(maria, "presence"))[-1]
        await sam.send(json.dumps({"type": "typing", "room": lounge["id"]}))
        typing = (await frames_until(maria, "typing"))[-1]
    assert {u["username"] for u in presence["users"]} == {"maria", "sam"}
    assert typing["user"]["username"] == "sam"


async def test_a_client_that_stops_reading_is_let_go_while_the_others_still_hear_everything(
    app: Any, live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    live = app.state.live
    room = f"room:{lounge['id']}"
    # A small receive buffer, and a client that holds one frame and then pauses reading.
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", live_server.port))
    sock.setblocking(False)
    stalled = await live_server.connect(member, sock=sock, max_queue=1, close_timeout=1)
    async with stalled, await live_server.connect(other_member) as listener:
        await _subscribe(stalled, lounge["id"])
        await _subscribe(listener, lounge["id"])
        await frames_until(listener, "presence")
        heard, frame = 0, {"type": "typing", "room": lounge["id"], "pad": "x" * 4000}
        presence: list[dict[str, Any]] = []
        for _ in range(OUTGOING_MAX * 8):
            if all(c.user_id != member.id for c in live.hub.connections(room)):
                break
            await live.send_to_room(lounge["id"], frame)
            while (got := await next_frame(listener))["type"] != "typing":
                presence += [got] if got["type"] == "presence" else []
            heard += 1
        if not presence:
            presence = await frames_until(listener, "presence")
    assert all(c.user_id != member.id for c in live.hub.connections(room))
    assert [u["username"] for u in presence[-1]["users"]] == [other_member.username]
    assert OUTGOING_MAX < heard < OUTGOING_MAX * 8


async def test_a_stopped_reader_holds_little_below_the_queue_and_is_reset_not_left_to_linger(
    app: Any, live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    # Linux grows a socket's send buffer by itself to megabytes: left alone, a stopped reader
    # took thousands of frames before its queue even began to fill, and once cut off its
    # socket waited, full, for a reader that never came (forum.wsprotocol).
    live = app.state.live
    room = f"room:{lounge['id']}"
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", live_server.port))
    sock.setblocking(False)
    stalled = await live_server.connect(member, sock=sock, max_queue=1, close_timeout=1)
    size = 4000
    async with await live_server.connect(other_member) as listener:
        await _subscribe(stalled, lounge["id"])
        await _subscribe(listener, lounge["id"])
        await frames_until(listener, "presence")
        heard, frame = 0, {"type": "typing", "room": lounge["id"], "pad": "x" * size}
        while any(c.user_id == member.id for c in live.hub.connections(room)):
            assert heard < OUTGOING_MAX * 8, "the stopped reader was never let go"
            await live.send_to_room(lounge["id"], frame)
            while (await next_frame(listener))["type"] != "typing":
                pass
            heard += 1
    # Below the queue: the kernel's send buffer (twice SEND_BUFFER), the transport's (64 KiB
    # before it pauses), the client's small receive buffer and the frame its library holds.
    below = (2 * wsprotocol.SEND_BUFFER + 64 * 1024 + 4 * 4096) // size + 8
    assert OUTGOING_MAX < heard <= OUTGOING_MAX + below
    # The server reset the socket rather than wait for it to be read: reading now finds only
    # what was already in flight, and the end comes at once.
    received: list[int] = []
    with pytest.raises(ConnectionClosed):
        await asyncio.wait_for(_read_counting(stalled, received), 5)
    assert sum(received) < 2 * wsprotocol.SEND_BUFFER + 2 * 64 * 1024


async def test_a_silent_client_closed_by_the_keepalive_is_reset_once_its_data_stays_unread(
    app: Any, lounge: dict[str, Any], member: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    # uvicorn's keepalive closes a client that does not answer its pings by closing the
    # transport, which, holding unsent data, then waits for a read that never comes. That
    # happens before the queue fills when the frames are few: the reset after the app ends
    # is what ends it.
    monkeypatch.setattr(wsprotocol, "ABANDON_AFTER", 0.3)
    live = app.state.live
    async with serving(app, ws_ping_interval=0.3, ws_ping_timeout=0.3) as server:
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        sock.connect(("127.0.0.1", server.port))
        sock.setblocking(False)
        stalled = await server.connect(member, sock=sock, max_queue=1, close_timeout=1)
        await _subscribe(stalled, lounge["id"])
        frame = {"type": "typing", "room": lounge["id"], "pad": "x" * 1000}
        # More than the kernel's buffers take (about 94 KB here), less than then pauses the
        # transport (64 KiB more) or fills the queue.
        for _ in range(120):
            await live.send_to_room(lounge["id"], frame)
        await asyncio.sleep(1.0)  # the keepalive gives up on it
        await live.send_to_room(lounge["id"], frame)  # the app learns it is gone, and ends
        room = f"room:{lounge['id']}"
        await asyncio.sleep(0.1)
        assert all(c.user_id != member.id for c in live.hub.connections(room))
        await asyncio.sleep(1.0)  # past ABANDON_AFTER
        received: list[int] = []
        with pytest.raises(ConnectionClosed):
            await asyncio.wait_for(_read_counting(stalled, received), 5)
    # Only what was already in the client's own buffers: the rest went with the reset.
    assert sum(received) < 64 * 1024


async def _read_counting(socket: Any, sizes: list[int]) -> None:
    while True:
        sizes.append(len(await socket.recv()))


@pytest.fixture
def short_idle_timeout(monkeypatch: pytest.MonkeyPatch) -> float:
    """Before the server starts, so that its idle sweep runs at the short timeout's pace."""
    monkeypatch.setattr(realtime_socket, "IDLE_TIMEOUT", 0.6)
    return 0.6


async def _ping_until_other_closes(pinging: Any, silent: Any, seconds: float) -> ConnectionClosed:
    """Ping on one socket (each answered) while reading the other, until the other closes."""
    async with asyncio.timeout(seconds):
        while True:
            await pinging.send('{"type":"ping"}')
            assert (await next_frame(pinging))["type"] == "pong"
            try:
                await asyncio.wait_for(silent.recv(), seconds / 32)
            except TimeoutError:
                continue
            except ConnectionClosed as closed:
                return closed


async def test_a_silent_socket_is_closed_as_idle_and_a_pinging_one_is_not(
    short_idle_timeout: float, live_server: LiveServer, member: User, other_member: User
) -> None:
    async with (
        await live_server.connect(member) as silent,
        await live_server.connect(other_member) as pinging,
    ):
        closed = await _ping_until_other_closes(pinging, silent, short_idle_timeout * 8)
        await pinging.send('{"type":"ping"}')
        assert (await next_frame(pinging))["type"] == "pong"
    assert closed.rcvd is not None
    assert (closed.rcvd.code, closed.rcvd.reason) == (1008, "idle")


async def _told(person: User, kind: str) -> list[str]:
    page = await notifications.list_notifications(person)
    return [n["url"] for n in page.items if n["kind"] == kind]


async def _until_present(socket: Any, username: str) -> None:
    while True:
        presence = (await frames_until(socket, "presence"))[-1]
        if username in {u["username"] for u in presence["users"]}:
            return


async def test_a_direct_message_notifies_its_recipient_only_while_they_are_away(
    live_server: LiveServer, lounge: dict[str, Any], member: User, other_member: User
) -> None:
    direct = await chat_rooms.direct_room(member, other_member.username)
    async with await live_server.connect(member) as maria:
        await _subscribe(maria, direct["id"])
        await _subscribe(maria, lounge["id"])
        await _send(maria, direct["id"], "Are you there?")
        away = (await frames_until(maria, "ack"))[-1]["message"]["seq"]
        await _send(maria, lounge["id"], "Anyone in the lounge?")  # a public room tells nobody
        await frames_until(maria, "ack")
        async with await live_server.connect(other_member) as sam:
            await _subscribe(sam, direct["id"])
            await _until_present(maria, other_member.username)
            await _send(maria, direct["id"], "There you are")
            await frames_until(maria, "ack")
            await frames_until(sam, "message")
    assert await _told(other_member, "chat.direct_message") == [f"/chat/{direct['id']}#m-{away}"]
