"""The one exception family every Rapport front end speaks.

Services raise these; the REST layer turns each into an RFC 9457 problem document with the
status code below, and the HTTP SDK turns such a document back into the same exception. A
caller therefore catches ``RapportError`` (or a subclass) whichever way it reaches Rapport.
"""

from __future__ import annotations

from typing import Any


class RapportError(Exception):
    """Root of every error Rapport raises on purpose."""

    status: int = 500
    kind: str = "internal"
    title: str = "Internal error"

    def __init__(
        self,
        detail: str,
        *,
        field: str | None = None,
        errors: list[dict[str, Any]] | None = None,
        **extra: Any,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.errors = errors or ([{"field": field, "message": detail}] if field else [])
        self.extra = extra

    def to_problem(self) -> dict[str, Any]:
        """The RFC 9457 problem document for this error."""
        problem: dict[str, Any] = {
            "type": f"https://rapport.dev/problems/{self.kind}",
            "title": self.title,
            "status": self.status,
            "detail": self.detail,
        }
        if self.field is not None:
            problem["field"] = self.field
        if self.errors:
            problem["errors"] = self.errors
        problem.update(self.extra)
        return problem

    @classmethod
    def from_problem(cls, problem: dict[str, Any]) -> RapportError:
        """Rebuild the exception an HTTP client received as a problem document."""
        kind = str(problem.get("type", "")).rsplit("/", 1)[-1]
        error_class = _BY_KIND.get(kind, RapportError)
        known = {"type", "title", "status", "detail", "field", "errors"}
        extra = {k: v for k, v in problem.items() if k not in known}
        error = error_class(
            str(problem.get("detail", "")),
            field=problem.get("field"),
            errors=problem.get("errors"),
            **extra,
        )
        if error_class is RapportError:
            error.status = int(problem.get("status", 500))
        return error


class BadRequest(RapportError):
    """The request itself is malformed: bad JSON, a bad filter, a bad query parameter."""

    status = 400
    kind = "bad-request"
    title = "Bad request"


class ValidationFailed(RapportError):
    """Well-formed input whose values break the schema (wrong type, unknown field, bad enum)."""

    status = 422
    kind = "validation"
    title = "Invalid input"


class Unauthorized(RapportError):
    """No credential, or one Rapport does not accept (unknown, revoked, expired, forged)."""

    status = 401
    kind = "unauthorized"
    title = "Unauthorized"
    presented = False  # a credential was sent (the WWW-Authenticate header says invalid_token)


class Forbidden(RapportError):
    """The key is valid but its role may not do this."""

    status = 403
    kind = "forbidden"
    title = "Forbidden"


class NotFound(RapportError):
    """Nothing with that id exists in the caller's organization."""

    status = 404
    kind = "not-found"
    title = "Not found"


class Conflict(RapportError):
    """The write collides with what is stored (a unique value taken, a stale version)."""

    status = 409
    kind = "conflict"
    title = "Conflict"


class PayloadTooLarge(RapportError):
    """The request body is larger than the server accepts."""

    status = 413
    kind = "payload-too-large"
    title = "Payload too large"


class HeadersTooLarge(RapportError):
    """The request's headers are larger than the server accepts."""

    status = 431
    kind = "headers-too-large"
    title = "Request header fields too large"


class TooManyRequests(RapportError):
    """Too many failed attempts from one client or on one key; retry after ``retry_after``."""

    status = 429
    kind = "too-many-requests"
    title = "Too many requests"


class Unavailable(RapportError):
    """The database cannot be reached; retrying later may work."""

    status = 503
    kind = "unavailable"
    title = "Service unavailable"


_BY_KIND: dict[str, type[RapportError]] = {
    cls.kind: cls
    for cls in (
        BadRequest,
        ValidationFailed,
        Unauthorized,
        Forbidden,
        NotFound,
        Conflict,
        PayloadTooLarge,
        HeadersTooLarge,
        TooManyRequests,
        Unavailable,
    )
}
