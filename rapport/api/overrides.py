"""Where REST runs a verb differently from calling its service: the front end's own duties.

- ``conversations.append_message`` goes through the append batcher, so concurrent appends
  of one organization share statements (``rapport.api.batching``);
"""

from __future__ import annotations

from typing import Any

from rapport.api.deps import Context
from rapport.api.verb_routes import Override
from rapport.conversations import messages
from rapport.resources.verbs import Written
from rapport.tenancy.principal import Principal


async def _append(ctx: Context, principal: Principal, arguments: dict[str, Any]) -> Any:
    item = messages.addressed(principal, arguments["id"], arguments["message"])
    doc, created = await ctx.appender.append(principal, item)
    return Written(doc, created)


OVERRIDES: dict[str, Override] = {
    "conversations.append_message": _append,
}
