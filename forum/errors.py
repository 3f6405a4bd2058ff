"""The one error hierarchy: services raise these, the app maps them to pages and JSON."""

from __future__ import annotations

from collections.abc import Mapping


class PorchlightError(Exception):
    status_code = 400
    code = "bad_request"
    default_message = "The request could not be understood."

    def __init__(
        self,
        message: str | None = None,
        *,
        code: str | None = None,
        fields: Mapping[str, str] | None = None,
    ) -> None:
        self.message = message or self.default_message
        if code:
            self.code = code
        self.fields = dict(fields or {})
        super().__init__(self.message)


class BadRequest(PorchlightError):
    pass


class NotAuthenticated(PorchlightError):
    status_code = 401
    code = "not_authenticated"
    default_message = "Please sign in first."


class PermissionDenied(PorchlightError):
    status_code = 403
    code = "forbidden"
    default_message = "You are not allowed to do that."


class WriteRefused(PermissionDenied):
    """A write refused for who is writing (silenced, a new member's limits), not for what:
    pages give the form back with the draft kept."""


class NotFound(PorchlightError):
    status_code = 404
    code = "not_found"
    default_message = "That page or item does not exist."


class Conflict(PorchlightError):
    status_code = 409
    code = "conflict"
    default_message = "That conflicts with the current state."


class PayloadTooLarge(PorchlightError):
    status_code = 413
    code = "too_large"
    default_message = "The request is too large."


class UnsupportedMediaType(PorchlightError):
    status_code = 415
    code = "unsupported_media_type"
    default_message = "Send JSON with Content-Type: application/json."


class InvalidInput(PorchlightError):
    status_code = 422
    code = "invalid"
    default_message = "Some fields need attention."


class RateLimited(PorchlightError):
    status_code = 429
    code = "rate_limited"
    default_message = "Too many attempts; please wait a moment and try again."

    def __init__(self, retry_after: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after = max(1, retry_after)


class ServiceUnavailable(PorchlightError):
    status_code = 503
    code = "unavailable"
    default_message = "A backing service is down; please try again shortly."
