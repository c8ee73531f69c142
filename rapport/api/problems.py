"""Every error leaves the API as an RFC 9457 problem document naming the offending field."""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from starlette.exceptions import HTTPException
from starlette.routing import Match

from rapport import errors
from rapport.api.responses import problem_response
from rapport.db.health import RETRY_AFTER
from rapport.validation import failure, problems_of

log = logging.getLogger(__name__)


async def rapport_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, errors.RapportError)
    headers = None
    if isinstance(error, errors.Unavailable | errors.TooManyRequests):  # when to come back
        headers = {"Retry-After": str(error.extra.get("retry_after", RETRY_AFTER))}
    elif isinstance(error, errors.Unauthorized):  # RFC 6750: how to authenticate, and why not
        headers = {"WWW-Authenticate": challenge(error)}
    return problem_response(error.to_problem(), headers=headers)


def challenge(error: errors.Unauthorized) -> str:
    """The ``WWW-Authenticate`` value: a bearer token is expected; when one was sent, it is
    an invalid token, with the reason (in ASCII, as headers must be)."""
    reason = error.detail.encode("ascii", "replace").decode().replace('"', "'")
    if error.presented:
        return f'Bearer realm="rapport", error="invalid_token", error_description="{reason}"'
    return 'Bearer realm="rapport"'


async def invalid_request(request: Request, error: Exception) -> Response:
    """pydantic's complaints, as 400 (malformed JSON, bad query) or 422 (bad body values)."""
    assert isinstance(error, RequestValidationError)
    raw = list(error.errors())
    for item in raw:
        if item.get("type") == "json_invalid":
            position = item.get("loc", ("body", "?"))[-1]
            reason = item.get("ctx", {}).get("error", "malformed JSON")
            return problem_response(
                errors.BadRequest(
                    f"body: not valid JSON ({reason} at character {position})", field="body"
                ).to_problem()
            )
    if all(item.get("loc", ("",))[0] in ("query", "path", "header") for item in raw):
        first = raw[0]
        where = str(tuple(first.get("loc", ("", "")))[1])  # the parameter, not its item
        return problem_response(
            errors.BadRequest(
                f"{where}: {first.get('msg', 'invalid')}",
                field=where,
                errors=problems_of(raw[:1], request=True),
            ).to_problem()
        )
    body_errors = [item for item in raw if item.get("loc", ("",))[0] == "body"]
    if any(len(item.get("loc", ())) == 1 for item in body_errors) and any(
        item.get("type") in ("missing", "model_attributes_type", "dict_type")
        for item in body_errors
    ):
        return problem_response(
            errors.BadRequest("body: expected a JSON object", field="body").to_problem()
        )
    return problem_response(failure(problems_of(body_errors or raw, request=True)).to_problem())


async def http_error(request: Request, error: Exception) -> Response:
    assert isinstance(error, HTTPException)
    if isinstance(error.__cause__, errors.RapportError):
        # FastAPI reports any failure to read the body as a 400 "error parsing the body";
        # the cause says what it was (a streamed body over the limit is a 413).
        return problem_response(error.__cause__.to_problem())
    kinds = {404: errors.NotFound, 401: errors.Unauthorized}
    error_class = kinds.get(error.status_code, errors.BadRequest)
    problem = error_class(str(error.detail)).to_problem()
    problem["status"] = error.status_code
    headers = error.headers
    if error.status_code == 405:
        allowed = _allowed(request)
        problem["type"] = "https://rapport.dev/problems/method-not-allowed"
        problem["title"] = "Method not allowed"
        problem["detail"] = (
            f"{request.method} is not allowed here; use {', '.join(allowed)} (see /docs)"
        )
        headers = {"Allow": ", ".join(allowed)}
    return problem_response(problem, headers=headers)


def _allowed(request: Request) -> list[str]:
    """Every method of the request's path, as the schema lists them. Each verb is a route of
    its own, so the route Starlette matched knows only its own method: the path is the
    first route whose template matches (``/v1/contacts/top`` comes before
    ``/v1/contacts/{id}``, as in routing), and its methods are those of every route with
    that template."""
    routes = [r for r in request.app.router.routes if hasattr(r, "path")]  # not the index
    scope = {**request.scope, "method": "GET"}
    path = next((r.path for r in routes if r.matches(scope)[0] != Match.NONE), None)
    methods: set[str] = set()
    for route in routes:
        if path is not None and getattr(route, "path", None) == path:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


async def unexpected(request: Request, error: Exception) -> Response:
    log.exception("unhandled error on %s %s", request.method, request.url.path)
    return problem_response(
        errors.RapportError("an unexpected error occurred; it has been logged").to_problem()
    )


def install(app: FastAPI) -> None:
    app.add_exception_handler(errors.RapportError, rapport_error)
    app.add_exception_handler(RequestValidationError, invalid_request)
    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(Exception, unexpected)
