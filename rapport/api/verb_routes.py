"""REST routes generated from verb declarations: one ``APIRoute`` per verb.

For a verb, the route's endpoint takes the request context (the caller's key), the verb's
path and query parameters, and its body, each declared to FastAPI from the service's own
annotations (``rapport.resources.signatures``), so OpenAPI documents exactly what the service
takes. The endpoint hands them to ``dispatch.run_async`` and answers by the verb's kind:
its JSON (optionally under one key), 201/200 for a write, 204, or 200/404 for a HEAD.

Request bodies are parsed strictly: ``NaN``, ``Infinity`` and numbers too large for a double
(``1e400``) are not JSON numbers, and are refused as malformed JSON (400), where the standard
library would have read them as floats that PostgreSQL then stores as null.
"""

from __future__ import annotations

import inspect
import json
import math
from collections.abc import Awaitable, Callable, Coroutine
from typing import Annotated, Any

from fastapi import Body, Path, Query, Request, Response
from fastapi.routing import APIRoute
from pydantic import BaseModel
from pydantic.fields import FieldInfo

from rapport.api.deps import Context, Ctx
from rapport.api.responses import json_response
from rapport.resources import dispatch, signatures
from rapport.resources.filters import parse_filter_param
from rapport.resources.signatures import Parameter
from rapport.resources.verbs import Download, Verb, Written
from rapport.tenancy.principal import Principal

Override = Callable[[Context, Principal, dict[str, Any]], Awaitable[Any]]
_CONSTRAINTS = ("ge", "le", "gt", "lt", "min_length", "max_length", "pattern")


def _not_a_number(text: str) -> float:
    raise json.JSONDecodeError(f"{text} is not a JSON number", text, 0)


def _finite(text: str) -> float:
    value = float(text)
    if math.isinf(value):
        raise json.JSONDecodeError(f"{text} is too large for a number", text, 0)
    return value


def strict_json(body: bytes) -> Any:
    """JSON as RFC 8259 defines it: no NaN or Infinity, and every number finite."""
    return json.loads(body, parse_constant=_not_a_number, parse_float=_finite)


class StrictRequest(Request):
    async def json(self) -> Any:
        if not hasattr(self, "_json"):
            self._json = strict_json(await self.body())
        return self._json


class StrictRoute(APIRoute):
    """An APIRoute whose handler reads bodies with ``strict_json``."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def strict(request: Request) -> Response:
            return await handler(StrictRequest(request.scope, request.receive))

        return strict


def _query_info(parameter: Parameter) -> Any:
    metadata = signatures.query_metadata(parameter)
    options: dict[str, Any] = {"alias": parameter.alias}
    for item in metadata:
        if isinstance(item, FieldInfo):
            if item.description:
                options["description"] = item.description
            if item.examples:
                options["examples"] = item.examples
            if isinstance(item.json_schema_extra, dict):
                options["json_schema_extra"] = item.json_schema_extra
            for constraint in item.metadata:
                for name in _CONSTRAINTS:
                    value = getattr(constraint, name, None)
                    if value is not None:
                        options[name] = value
    return Query(**options)


def _endpoint_parameters(verb: Verb[..., Any]) -> list[inspect.Parameter]:
    keyword = inspect.Parameter.KEYWORD_ONLY
    found = [inspect.Parameter("ctx", keyword, annotation=Ctx)]
    for parameter in signatures.parameters(verb):
        if parameter.kind == "path":
            found.append(
                inspect.Parameter(parameter.name, keyword, annotation=Annotated[str, Path()])
            )
        elif parameter.kind == "query":
            default = None if parameter.required else parameter.default
            annotation: Any = Annotated[
                signatures.rest_query_type(parameter), _query_info(parameter)
            ]
            found.append(inspect.Parameter(
                parameter.name, keyword, annotation=annotation,
                default=inspect.Parameter.empty if parameter.required else default,
            ))  # fmt: skip
    model = signatures.model_body(verb) or signatures.flat_body(verb)
    if model is not None:
        members = signatures.of_kind(verb, "body")
        optional = verb.body == "*" and not any(p.required for p in members)
        if optional:
            found.append(inspect.Parameter("body", keyword, annotation=Annotated[
                model | None, Body()], default=None))  # fmt: skip
        else:
            found.append(inspect.Parameter("body", keyword, annotation=Annotated[model, Body()]))
    return found


def _arguments(verb: Verb[..., Any], given: dict[str, Any]) -> dict[str, Any]:
    """The service's arguments from what FastAPI validated."""
    arguments: dict[str, Any] = {}
    body: BaseModel | None = given.get("body")
    for parameter in signatures.parameters(verb):
        if parameter.kind in ("path", "query"):
            value = given[parameter.name]
            if parameter.kind == "query" and signatures.is_json_query(parameter):
                value = parse_filter_param(value)
            arguments[parameter.name] = value
        elif parameter.kind == "body" and verb.body == "*":
            arguments[parameter.name] = (
                parameter.default if body is None else getattr(body, parameter.name)
            )
        elif parameter.kind == "body":
            arguments[parameter.name] = body
    return arguments


def respond(verb: Verb[..., Any], result: Any) -> Response:
    if verb.answer == "written":
        assert isinstance(result, Written)
        return json_response(result.value, 201 if result.created else 200)
    if verb.answer == "empty":
        return Response(status_code=204)
    if verb.answer == "exists":
        return Response(status_code=200 if result else 404)
    if isinstance(result, Download):
        disposition = f'attachment; filename="{result.filename}"'
        return Response(str(result), verb.status, {"Content-Disposition": disposition},
                        media_type=result.media_type)  # fmt: skip
    return json_response({verb.wrap: result} if verb.wrap else result, verb.status)


def route(verb: Verb[..., Any], override: Override | None = None) -> APIRoute:
    """The REST route of ``verb`` (``override`` runs instead of the service, e.g. the
    append batcher; it gets the context, the principal and the service's arguments)."""

    async def endpoint(**given: Any) -> Response:
        ctx: Context = given.pop("ctx")
        bound: dispatch.Override | None = None
        if override is not None:

            async def bound(principal: Principal, arguments: dict[str, Any]) -> Any:
                return await override(ctx, principal, arguments)

        result = await dispatch.run_async(
            verb, ctx.database, ctx.enrichment, ctx.principal, _arguments(verb, given), bound
        )
        return respond(verb, result)

    endpoint.__dict__["__signature__"] = inspect.Signature(_endpoint_parameters(verb))
    endpoint.__name__ = verb.name.replace(".", "_")
    return StrictRoute(
        verb.path,
        endpoint,
        methods=[verb.method],
        response_model=verb.response if verb.answer not in ("empty", "exists") else None,
        status_code=verb.status,
        summary=verb.summary,
        description=_description(verb),
        tags=[verb.tag],
        operation_id=verb.name,
        responses=_responses(verb),
    )


def _description(verb: Verb[..., Any]) -> str:
    role = f"Needs the **{verb.role}** role (or a stronger one)."
    return f"{verb.description}\n\n{role}" if verb.description else role


def _responses(verb: Verb[..., Any]) -> dict[int | str, dict[str, Any]]:
    from rapport.api.responses import PROBLEMS

    found: dict[int | str, dict[str, Any]] = dict(PROBLEMS)
    if verb.answer == "written":
        found[200] = {"model": verb.response, "description": "A retry: what was stored first"}
    if verb.files:
        found[200] = {"content": {media: {"schema": {"type": "string"}} for media in verb.files}}
    if verb.answer == "exists":
        found[200] = {"description": "It exists"}
        found[404] = {"description": "No such record in your organization"}
    return found
