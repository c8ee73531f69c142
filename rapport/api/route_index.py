"""The verb routes, found by method and resource instead of one by one.

Starlette tries an app's routes in order until one matches, and Rapport has one route per
verb (about 140), literal paths first: an append (``POST /v1/conversations/{id}/messages``)
came after some 130 others, and trying them was a fifth of its CPU. ``RouteIndex`` goes
first in the app's routes and tries only the routes of the request's method under the same
``/v1/<resource>`` prefix, in their order. When none of them matches fully it declines, and
the flat list after it answers as before: its 405 with ``Allow``, its 404. The flat list
also stays what the OpenAPI schema is built from (FastAPI reads only ``APIRoute``s).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from fastapi.routing import APIRoute
from starlette.datastructures import URLPath
from starlette.routing import BaseRoute, Match, NoMatchFound
from starlette.types import Receive, Scope, Send


def _prefix(path: str) -> str:
    """``/v1/conversations`` of ``/v1/conversations/{id}/messages`` (and of a request path)."""
    return "/".join(path.split("/", 3)[:3])


class RouteIndex(BaseRoute):
    """A route that stands for the verb routes (see the module docstring)."""

    def __init__(self, routes: Sequence[BaseRoute]) -> None:
        self.candidates: dict[tuple[str, str], list[APIRoute]] = defaultdict(list)
        for route in routes:
            if isinstance(route, APIRoute) and "{" not in _prefix(route.path):
                for method in route.methods or ():
                    self.candidates[(method, _prefix(route.path))].append(route)

    def matches(self, scope: Scope) -> tuple[Match, Scope]:
        if scope["type"] == "http":
            key = (scope["method"], _prefix(scope.get("path", "")))
            for route in self.candidates.get(key, ()):
                match, child_scope = route.matches(scope)
                if match is Match.FULL:  # child_scope["route"] is that route
                    return match, child_scope
        return Match.NONE, {}

    async def handle(self, scope: Scope, receive: Receive, send: Send) -> None:
        await scope["route"].handle(scope, receive, send)

    def url_path_for(self, name: str, /, **path_params: Any) -> URLPath:
        raise NoMatchFound(name, path_params)  # the flat routes answer for themselves
