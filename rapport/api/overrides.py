"""Where REST runs a verb differently from calling its service: the front end's own duties.

- ``conversations.append_message`` goes through the append batcher, so concurrent appends
  of one organization share statements (``rapport.api.batching``);
- ``keys.revoke`` also drops the key from this server's cache of verified keys, so the
  revoked key stops working here at once (other servers: within RAPPORT_KEY_CACHE_SECONDS).
"""

from __future__ import annotations

from typing import Any

from rapport.api.deps import Context
from rapport.api.verb_routes import Override
from rapport.conversations import messages
from rapport.resources.verbs import Written
from rapport.tenancy import api_keys
from rapport.tenancy.principal import Principal


async def _append(ctx: Context, principal: Principal, arguments: dict[str, Any]) -> Any:
    item = messages.addressed(principal, arguments["id"], arguments["message"])
    doc, created = await ctx.appender.append(principal, item)
    return Written(doc, created)


async def _revoke(ctx: Context, principal: Principal, arguments: dict[str, Any]) -> Any:
    record = await ctx.run(api_keys.revoke_key(principal, arguments["id"]))
    ctx.key_cache.forget_key(record["id"])
    return record


OVERRIDES: dict[str, Override] = {
    "conversations.append_message": _append,
    "keys.revoke": _revoke,
}
