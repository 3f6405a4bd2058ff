"""uvicorn's httptools protocol with the request target and head bounded (see forum.server)."""

from __future__ import annotations

import http
from typing import Any

import httptools
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from forum.server import MAX_HEAD_BYTES, MAX_TARGET_BYTES, refusal


class HeadTooLarge(Exception):
    """Raised from a parser callback to stop parsing; carries the status to answer."""

    def __init__(self, status: http.HTTPStatus) -> None:
        super().__init__(status.phrase)
        self.status = status


class BoundedHttpToolsProtocol(HttpToolsProtocol):
    """Answers 414 past MAX_TARGET_BYTES of request target and 431 past MAX_HEAD_BYTES of head.

    Two checks, because llhttp hands a header over only once it is complete: one counts what
    the head has received so far (a header that never ends is refused after one read past the
    limit), the other measures the parsed head before the app would start.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._reading_head = True
        self._head_bytes = 0

    def data_received(self, data: bytes) -> None:
        # The same steps as uvicorn's own data_received, with the head counted and refused.
        self._unset_keepalive_if_required()
        if self._reading_head:
            self._head_bytes += len(data)
        try:
            self.parser.feed_data(data)
        except httptools.HttpParserUpgrade:
            if self._should_upgrade():
                self.handle_websocket_upgrade()
            else:
                self._unsupported_upgrade_warning()
            return
        except httptools.HttpParserError as exc:
            if isinstance(exc.__context__, HeadTooLarge):
                self._refuse(exc.__context__.status)
            else:
                self.logger.warning("Invalid HTTP request received.")
                self.send_400_response("Invalid HTTP request received.")
            return
        if self._reading_head and self._head_bytes > MAX_HEAD_BYTES:
            self._refuse(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)

    def on_url(self, url: bytes) -> None:
        super().on_url(url)
        if len(self.url) > MAX_TARGET_BYTES:
            raise HeadTooLarge(http.HTTPStatus.REQUEST_URI_TOO_LONG)

    def on_headers_complete(self) -> None:
        size = len(self.url) + sum(len(name) + len(value) + 4 for name, value in self.headers)
        if size > MAX_HEAD_BYTES:
            raise HeadTooLarge(http.HTTPStatus.REQUEST_HEADER_FIELDS_TOO_LARGE)
        self._reading_head = False
        super().on_headers_complete()

    def on_message_complete(self) -> None:
        # What follows on a kept-alive connection is the next request's head.
        self._reading_head, self._head_bytes = True, 0
        super().on_message_complete()

    def _refuse(self, status: http.HTTPStatus) -> None:
        self.logger.info("Refused a request: %s.", status.phrase)
        self.transport.write(refusal(status))
        self.transport.close()
