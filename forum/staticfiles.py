"""Static files, read once at start-up: content-hashed URLs cached for a year, text gzipped once."""

from __future__ import annotations

import gzip
import hashlib
import mimetypes
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from starlette.types import ASGIApp, Receive, Scope, Send

PREFIX = "/static/"
# A hashed name always means the same bytes, so browsers and proxies may keep it for a year.
IMMUTABLE = b"public, max-age=31536000, immutable"
# A plain name is for old links and outside clients; what it holds changes with a release.
SHORT = b"public, max-age=300"
_SAFE = ("GET", "HEAD")
# What a 304 repeats of the 200 it stands for (RFC 9110 15.4.5).
_KEPT_ON_304 = {b"etag", b"cache-control", b"vary"}

# Fixed here rather than guessed from the host's mime.types: with nosniff, a browser refuses a
# stylesheet or script served under the wrong type. The flag says whether gzip is worth it.
_KINDS: dict[str, tuple[str, bool]] = {
    ".css": ("text/css; charset=utf-8", True),
    ".js": ("text/javascript; charset=utf-8", True),
    ".mjs": ("text/javascript; charset=utf-8", True),
    ".json": ("application/json", True),
    ".map": ("application/json", True),
    ".svg": ("image/svg+xml", True),
    ".txt": ("text/plain; charset=utf-8", True),
    ".png": ("image/png", False),
    ".jpg": ("image/jpeg", False),
    ".jpeg": ("image/jpeg", False),
    ".webp": ("image/webp", False),
    ".ico": ("image/x-icon", False),
    ".woff2": ("font/woff2", False),
}

Headers = list[tuple[bytes, bytes]]


@dataclass(frozen=True, slots=True)
class Variant:
    """One encoding of a file: its bytes and the headers that describe exactly those bytes."""

    body: bytes
    etag: bytes
    headers: Headers


@dataclass(frozen=True, slots=True)
class Asset:
    version: str
    plain: Variant
    gzipped: Variant | None


def load_asset(path: Path) -> Asset:
    body = path.read_bytes()
    version = hashlib.sha256(body).hexdigest()[:12]
    content_type, compressible = _KINDS.get(path.suffix.lower(), (_guess_type(path), False))
    squeezed = gzip.compress(body, compresslevel=9, mtime=0) if compressible else body
    # Only a file that has a gzipped twin varies with Accept-Encoding.
    vary: Headers = [(b"vary", b"Accept-Encoding")] if len(squeezed) < len(body) else []

    def variant(data: bytes, etag: str, extra: Headers) -> Variant:
        quoted = f'"{etag}"'.encode()
        headers = [
            (b"content-type", content_type.encode()),
            (b"content-length", str(len(data)).encode()),
            (b"etag", quoted),
            *extra,
            *vary,
        ]
        return Variant(data, quoted, headers)

    plain = variant(body, version, [])
    if not vary:
        return Asset(version, plain, None)
    return Asset(
        version, plain, variant(squeezed, version + "-gzip", [(b"content-encoding", b"gzip")])
    )


def _guess_type(path: Path) -> str:
    return mimetypes.guess_type(path.name)[0] or "application/octet-stream"


def hashed_name(name: str, version: str) -> str:
    """css/site.css becomes css/site.<version>.css."""
    path = PurePosixPath(name)
    return str(path.with_name(f"{path.stem}.{version}{path.suffix}"))


class Assets:
    """Every file under one folder (hidden ones aside), by plain and by hashed name."""

    def __init__(self, directory: Path) -> None:
        root = directory.resolve()
        if not root.is_dir():
            raise FileNotFoundError(f"the static folder {directory} does not exist")
        self.urls: dict[str, str] = {}
        self.by_path: dict[str, tuple[Asset, bytes]] = {}
        for path in sorted(root.rglob("*")):
            name = path.relative_to(root).as_posix()
            if not path.is_file() or any(part.startswith(".") for part in name.split("/")):
                continue
            asset = load_asset(path)
            hashed = hashed_name(name, asset.version)
            self.urls[name] = PREFIX + hashed
            self.by_path[name] = (asset, SHORT)
            self.by_path[hashed] = (asset, IMMUTABLE)

    def url(self, name: str) -> str:
        """The URL of static/NAME that changes with its content (templates call static_url)."""
        try:
            return self.urls[name]
        except KeyError:
            raise LookupError(f"there is no static file {name!r}") from None


class ServeAssets:
    """Answers GET and HEAD for known files from memory; everything else goes on to the app.

    It sits outside the authentication middleware: a file is the same for everyone, so serving
    it needs no session lookup and never gets the no-store that signed-in responses carry.
    """

    def __init__(self, app: ASGIApp, *, assets: Assets) -> None:
        self.app = app
        self.assets = assets

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope.get("path", "")
        found = None
        if scope["type"] == "http" and scope["method"] in _SAFE and path.startswith(PREFIX):
            found = self.assets.by_path.get(path.removeprefix(PREFIX))
        if found is None:  # not a file: the app answers, with its own 404 page for /static/...
            await self.app(scope, receive, send)
            return
        asset, cache_control = found
        headers = dict(scope["headers"])
        variant = asset.plain
        if asset.gzipped is not None and accepts_gzip(headers.get(b"accept-encoding", b"")):
            variant = asset.gzipped
        # A fresh list each time: middleware further out may add its headers to the one it is given.
        response: Headers = [*variant.headers, (b"cache-control", cache_control)]
        status, body = 200, variant.body
        if etag_matches(headers.get(b"if-none-match", b""), variant.etag):
            status, body = 304, b""
            response = [(k, v) for k, v in response if k in _KEPT_ON_304]
        await send({"type": "http.response.start", "status": status, "headers": response})
        await send(
            {"type": "http.response.body", "body": b"" if scope["method"] == "HEAD" else body}
        )


def accepts_gzip(accept_encoding: bytes) -> bool:
    """Whether gzip is acceptable: named, or matched by *, with a q above 0 (RFC 9110 12.5.3)."""
    qualities: dict[str, float] = {}
    for item in accept_encoding.decode("latin-1").split(","):
        coding, *params = (part.strip() for part in item.split(";"))
        quality = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        qualities[coding.lower()] = quality
    return qualities.get("gzip", qualities.get("x-gzip", qualities.get("*", 0.0))) > 0


def etag_matches(if_none_match: bytes, etag: bytes) -> bool:
    """If-None-Match compares weakly: W/"x" matches "x" (RFC 9110 13.1.2)."""
    if if_none_match.strip() == b"*":
        return True
    return etag in {tag.strip().removeprefix(b"W/") for tag in if_none_match.split(b",")}
