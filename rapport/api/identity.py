"""The identity provider's side of the API: its tokens (``verifier``) and its webhooks.

``POST /v1/identity/webhooks/clerk`` is authenticated by its signature, not by an API key
(``rapport.tenancy.clerk`` says how), and answers 200 once the event is written, or at once
for one it has seen; Clerk (Svix) retries anything else.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response

from rapport import errors
from rapport.api.responses import json_response
from rapport.config import Settings
from rapport.db.database import AsyncDatabase
from rapport.tenancy import clerk
from rapport.tenancy.tokens import TokenVerifier, role_mapping

router = APIRouter(tags=["identity"])


def verifier(settings: Settings) -> TokenVerifier | None:
    """The token verifier the settings describe, or None when tokens are not accepted."""
    if not settings.jwt_issuer:
        return None
    if not settings.jwt_jwks_url and not settings.jwt_jwks_file:
        raise ValueError("RAPPORT_JWT_ISSUER needs RAPPORT_JWT_JWKS_URL or RAPPORT_JWT_JWKS_FILE")
    return TokenVerifier(
        settings.jwt_issuer,
        jwks_url=settings.jwt_jwks_url,
        jwks_file=None if settings.jwt_jwks_url else settings.jwt_jwks_file,
        audience=settings.jwt_audience,
        roles=settings.jwt_roles,
        refresh_seconds=settings.jwt_jwks_refresh_seconds,
    )


@router.post(
    "/v1/identity/webhooks/clerk",
    summary="Sync organizations and users from Clerk",
    responses={
        200: {
            "description": "Written, or seen before",
            "content": {"application/json": {"example": {
                "id": "msg_2b3c", "type": "organizationMembership.created",
                "duplicate": False, "done": "user user_29w8 synced in organization org_2a"}}},
        },
        400: {"description": "Signed, but not a Clerk event (no data object, no id)"},
        401: {"description": "The signature does not verify; nothing is stored"},
        404: {"description": "Clerk webhooks are not set up on this server"},
    },
)  # fmt: skip
async def clerk_webhook(request: Request) -> Response:
    """Clerk's ``organization.*``, ``organizationMembership.*`` and ``user.*`` events, as
    Svix delivers them (``svix-id``, ``svix-timestamp``, ``svix-signature``, or the
    ``webhook-*`` headers of Standard Webhooks); idempotent on the event id."""
    settings: Settings = request.app.state.settings
    if not settings.clerk_webhook_secret:
        raise errors.NotFound(
            "Clerk webhooks are not set up on this server: set RAPPORT_CLERK_WEBHOOK_SECRET "
            "to the endpoint's signing secret"
        )
    body = await request.body()
    event_id, event = clerk.verify(settings.clerk_webhook_secret, body, request.headers)
    database: AsyncDatabase = request.app.state.database
    kind = str(event.get("type", ""))
    answer: dict[str, Any] = {"id": event_id, "type": kind, "duplicate": True}
    if await database.run(clerk.seen(event_id)):
        return json_response(answer)
    roles = role_mapping(settings.jwt_roles)
    answer["done"] = await clerk.apply(database.run, event, roles)
    await database.run(clerk.done(event_id, kind))
    return json_response({**answer, "duplicate": False})
