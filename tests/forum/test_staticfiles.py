"""Static files: hashed names cached for a year, plain names still served, gzip once, HEAD, 304."""

from __future__ import annotations

import gzip
import hashlib
import re
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette
from starlette.types import Message

from forum.accounts.models import User
from forum.app import STATIC_DIR
from forum.staticfiles import IMMUTABLE, Assets, accepts_gzip
from forum.web import CSP
from tests.forum.pages import sign_in

SITE_CSS = (STATIC_DIR / "css" / "site.css").read_bytes()
CSS_URL = "/static/css/site." + hashlib.sha256(SITE_CSS).hexdigest()[:12] + ".css"
PLAIN = {"Accept-Encoding": "identity"}
GZIP = {"Accept-Encoding": "gzip"}


async def raw_get(
    client: httpx.AsyncClient, url: str, headers: dict[str, str]
) -> tuple[httpx.Response, bytes]:
    """The response and its body as sent, before httpx undoes any Content-Encoding."""
    async with client.stream("GET", url, headers=headers) as response:
        return response, b"".join([chunk async for chunk in response.aiter_raw()])


async def test_pages_link_the_stylesheet_and_icon_by_content_hash(
    client: httpx.AsyncClient, db: None
) -> None:
    html = (await client.get("/")).text
    assert f'<link rel="stylesheet" href="{CSS_URL}">' in html
    assert re.search(r'rel="icon" href="/static/img/favicon\.[0-9a-f]{12}\.svg"', html)
    assert 'href="/static/css/site.css"' not in html


async def test_hashed_url_is_cached_for_a_year_as_immutable(
    client: httpx.AsyncClient, db: None
) -> None:
    response = await client.get(CSS_URL, headers=PLAIN)
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-type"] == "text/css; charset=utf-8"
    assert response.content == SITE_CSS
    assert response.headers["content-length"] == str(len(SITE_CSS))


async def test_a_hash_that_is_not_the_current_one_is_not_found(
    client: httpx.AsyncClient, db: None
) -> None:
    assert (await client.get("/static/css/site.000000000000.css")).status_code == 404
    assert (await client.get("/static/css/nothing.css")).status_code == 404
    assert (await client.head("/static/css/site.000000000000.css")).status_code == 404


async def test_gzip_is_sent_when_accepted_and_unpacks_to_the_same_bytes(
    client: httpx.AsyncClient, db: None
) -> None:
    response, sent = await raw_get(client, CSS_URL, GZIP)
    assert response.headers["content-encoding"] == "gzip"
    assert response.headers["vary"] == "Accept-Encoding"
    assert response.headers["content-length"] == str(len(sent))
    assert len(sent) < len(SITE_CSS)
    assert gzip.decompress(sent) == SITE_CSS
    plain = await client.get(CSS_URL, headers=PLAIN)
    assert "content-encoding" not in plain.headers
    assert plain.headers["vary"] == "Accept-Encoding"
    # Two encodings are two representations: each has its own strong ETag.
    assert plain.headers["etag"] != response.headers["etag"]


@pytest.mark.parametrize(
    ("accept_encoding", "gzipped"),
    [
        ("gzip", True),
        ("GZIP", True),
        ("x-gzip", True),
        ("br, gzip;q=0.5", True),
        ("*", True),
        ("gzip;q=0", False),
        ("*, gzip;q=0", False),
        ("*;q=0", False),
        ("identity", False),
        ("br", False),
        ("", False),
        ("gzip;q=nonsense", False),
    ],
)
def test_accept_encoding_decides_whether_gzip_is_sent(accept_encoding: str, gzipped: bool) -> None:
    assert accepts_gzip(accept_encoding.encode()) is gzipped


async def asgi_call(app: Starlette, method: str, path: str) -> list[Message]:
    """What the app sends, message by message: httpx would hide a body sent to a HEAD."""
    scope = {
        "type": "http",
        "http_version": "1.1",
        "method": method,
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "root_path": "",
        "query_string": b"",
        "headers": [(b"host", b"127.0.0.1:8000"), (b"accept-encoding", b"gzip")],
        "client": ("127.0.0.1", 50000),
        "server": ("127.0.0.1", 8000),
    }
    sent: list[Message] = []

    async def receive() -> Message:
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message: Message) -> None:
        sent.append(message)

    await app(scope, receive, send)
    return sent


async def test_head_answers_the_headers_without_the_body(app: Starlette) -> None:
    get_start, get_body = await asgi_call(app, "GET", CSS_URL)
    head_start, head_body = await asgi_call(app, "HEAD", CSS_URL)
    assert head_start["status"] == 200
    assert head_start["headers"] == get_start["headers"]
    assert dict(head_start["headers"])[b"content-length"] == str(len(get_body["body"])).encode()
    assert head_body["body"] == b""


async def test_plain_name_is_still_served_with_a_short_cache(
    client: httpx.AsyncClient, db: None
) -> None:
    response = await client.get("/static/css/site.css", headers=PLAIN)
    assert response.status_code == 200
    assert response.content == SITE_CSS
    assert response.headers["cache-control"] == "public, max-age=300"
    assert response.headers["etag"] == (await client.get(CSS_URL, headers=PLAIN)).headers["etag"]


async def test_a_current_etag_answers_304_without_a_body(
    client: httpx.AsyncClient, db: None
) -> None:
    etag = (await client.get("/static/css/site.css", headers=GZIP)).headers["etag"]
    again = await client.get("/static/css/site.css", headers={**GZIP, "If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag
    assert "content-length" not in again.headers
    # The other encoding's tag does not match this one.
    plain = await client.get("/static/css/site.css", headers={**PLAIN, "If-None-Match": etag})
    assert plain.status_code == 200


async def test_signed_in_visitors_get_the_same_cacheable_file_with_security_headers(
    client: httpx.AsyncClient, member: User
) -> None:
    await sign_in(client, "maria")
    assert (await client.get("/api/v1/me")).status_code == 200
    for _ in range(2):  # the same headers each time: none pile up on a shared list
        response = await client.get(CSS_URL)
        assert response.status_code == 200
        assert response.headers["cache-control"] == IMMUTABLE.decode()
        assert "set-cookie" not in response.headers
        assert response.headers.get_list("content-security-policy") == [CSP]
        assert response.headers["x-content-type-options"] == "nosniff"


def test_new_files_are_found_typed_and_compressed_without_code_changes(tmp_path: Path) -> None:
    script = b"document.documentElement.classList.add('js');\n" * 40
    (tmp_path / "js").mkdir()
    (tmp_path / "js" / "site.js").write_bytes(script)
    (tmp_path / "img").mkdir()
    (tmp_path / "img" / "photo.png").write_bytes(b"\x89PNG not really" * 40)
    assets = Assets(tmp_path)
    url = assets.url("js/site.js")
    assert url == f"/static/js/site.{hashlib.sha256(script).hexdigest()[:12]}.js"
    asset, cache_control = assets.by_path[url.removeprefix("/static/")]
    assert cache_control == IMMUTABLE
    assert (b"content-type", b"text/javascript; charset=utf-8") in asset.plain.headers
    assert asset.gzipped is not None
    assert gzip.decompress(asset.gzipped.body) == script
    # Already-compressed kinds are sent as they are, and so do not vary with Accept-Encoding.
    photo, _ = assets.by_path["img/photo.png"]
    assert photo.gzipped is None
    assert (b"vary", b"Accept-Encoding") not in photo.plain.headers


def test_hidden_files_are_never_served(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("SECRET=1")
    (tmp_path / ".cache").mkdir()
    (tmp_path / ".cache" / "notes.css").write_text("body {}")
    (tmp_path / "site.css").write_text("body {}")
    assert set(Assets(tmp_path).urls) == {"site.css"}


def test_static_url_refuses_a_name_that_is_not_a_file(tmp_path: Path) -> None:
    (tmp_path / "site.css").write_text("body {}")
    with pytest.raises(LookupError, match="css/site.css"):
        Assets(tmp_path).url("css/site.css")


def test_a_missing_static_folder_stops_the_start_up(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError, match="static folder"):
        Assets(tmp_path / "static")
