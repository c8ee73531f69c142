"""The PII vault: what ``tokenize`` took out of messages, encrypted with the server's vault
key (``rapport.privacy.keys``), and revealed to admins only, each reveal audited (by the
dispatcher, as every admin verb is).

The database holds ciphertext; the application's role can read it for its org (row-level
security), but without the key, which never enters the database, it is noise.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from typing import Annotated, Any

from cryptography.fernet import InvalidToken
from pydantic import Field

from rapport import errors
from rapport.db.operation import Query, Steps, operation
from rapport.privacy import QUERIES, keys, policy
from rapport.privacy.scrub import TOKEN, Secret, tokens_in
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

MAX_TOKENS = 1000


def put(org_id: str, secrets: Sequence[tuple[Any, Secret]]) -> Steps[None]:
    """Vault each (conversation id, secret)."""
    box = keys.vault()
    rows = [
        {"token": s.token, "conversation_id": str(conversation), "kind": s.kind,
         "secret": base64.b64encode(box.encrypt(s.original.encode())).decode()}
        for conversation, s in secrets
    ]  # fmt: skip
    yield Query(QUERIES["vault_put"], {"org": org_id, "secrets": json_text(rows)},
                fetch="rowcount")  # fmt: skip


@operation
def reveal(
    principal: Principal,
    text: Annotated[
        str | None,
        Field(max_length=100_000, description="A scrubbed text: returned with its tokens revealed"),
    ] = None,
    tokens: Annotated[
        list[Annotated[str, Field(pattern=r"^[0-9a-f]{16}$")]] | None,
        Field(max_length=MAX_TOKENS, description="Tokens to reveal"),
    ] = None,
) -> Steps[dict[str, Any]]:
    """Reveal what tokenising scrubbing replaced (admins; audited): give a scrubbed
    ``text`` (its ``[EMAIL:3f9a...]`` tokens are put back), ``tokens``, or both (neither
    reveals nothing). Tokens not in your vault are listed in ``unknown``."""
    principal.require("admin", "reveal personal data")
    wanted = list(dict.fromkeys([*(tokens or ()), *tokens_in(text or "")]))
    if len(wanted) > MAX_TOKENS:
        raise errors.BadRequest(f"at most {MAX_TOKENS} tokens per reveal", field="tokens")
    rows = yield Query(QUERIES["vault_get"], {"org": principal.org_id, "tokens": wanted},
                       fetch="all")  # fmt: skip
    box = keys.vault()
    found: dict[str, dict[str, str]] = {}
    for token, kind, secret in rows:
        try:
            original = box.decrypt(bytes(secret)).decode()
        except InvalidToken:
            raise errors.Conflict(
                f"token {token} was vaulted under another server key; set RAPPORT_SECRET_KEY "
                "to the key it was written with"
            ) from None
        found[token] = {"kind": kind, "value": original}
    answer: dict[str, Any] = {
        "tokens": found, "unknown": [t for t in wanted if t not in found],
    }  # fmt: skip
    if text is not None:
        answer["text"] = TOKEN.sub(
            lambda m: found[m.group(2)]["value"] if m.group(2) in found else m.group(0), text
        )
    return answer


@operation
def status(principal: Principal) -> Steps[dict[str, Any]]:
    """Your scrubbing policy and how far it has got: messages, those not yet scrubbed, and
    the completion rate (null when scrubbing is off)."""
    principal.require("viewer", "read the scrubbing status")
    rule = yield from policy.policy(principal.org_id, fresh=True)  # a report: as stored now
    messages, pending, vaulted = yield Query(QUERIES["status"], {"org": principal.org_id})
    return {
        "policy": {"when": rule.when, "mode": rule.mode},
        "messages": messages,
        "scrubbed": messages - pending,
        "pending": pending,
        "completion": (1.0 if not messages else round((messages - pending) / messages, 4))
        if rule.on else None,
        "vaulted": vaulted,
    }  # fmt: skip
