"""JSON responses rendered with orjson, and the problem document model for OpenAPI."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import orjson
from fastapi.responses import Response
from pydantic import BaseModel, Field


def json_response(content: Any, status_code: int = 200) -> Response:
    return Response(orjson.dumps(content), status_code=status_code, media_type="application/json")


def problem_response(problem: dict[str, Any], headers: Mapping[str, str] | None = None) -> Response:
    return Response(
        orjson.dumps(problem),
        status_code=int(problem["status"]),
        media_type="application/problem+json",
        headers=headers,
    )


class FieldProblem(BaseModel):
    field: str | None
    message: str


class Problem(BaseModel):
    """An RFC 9457 problem document: what went wrong, and which field caused it."""

    type: str = Field(examples=["https://rapport.dev/problems/validation"])
    title: str = Field(examples=["Invalid input"])
    status: int = Field(examples=[422])
    detail: str = Field(examples=["items[3].role: Input should be 'user', 'agent', ..."])
    field: str | None = Field(default=None, examples=["items[3].role"])
    errors: list[FieldProblem] = Field(default_factory=list)


PROBLEMS: dict[int | str, dict[str, Any]] = {
    code: {"model": Problem, "description": description}
    for code, description in (
        (400, "Malformed request: bad JSON, filter, cursor or query parameter"),
        (401, "Missing or unknown API key"),
        (403, "The key's role may not do this"),
        (404, "No such record in your organization"),
        (409, "Conflicts with what is stored"),
        (413, "Body too large"),
        (422, "A field's value is invalid"),
    )
}
