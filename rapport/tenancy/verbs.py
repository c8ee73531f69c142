"""Tenancy's verbs: ``r.org()``, ``r.update_org(...)`` and ``r.keys``."""

from __future__ import annotations

from typing import Any

from rapport.resources.sections import ResourceSection
from rapport.resources.verbs import Section, verb
from rapport.tenancy import api_keys, orgs, settings


class Organization(Section):
    """The caller's organization (methods of the SDK's root, ``r.org()``)."""

    org = verb(
        orgs.describe, "GET", "/v1/org", response=dict[str, Any], summary="Your organization"
    )
    update_org = verb(
        settings.update, "PATCH", "/v1/org", response=dict[str, Any], role="admin", body="*",
        body_name="SettingsPatch",
        examples=[{"settings": {"pipeline": {"qualified_threshold": 60}}}],
        summary="Change your organization's settings",
    )  # fmt: skip


class Keys(Section):
    section = "keys"

    create = verb(
        api_keys.issue, "POST", "/v1/keys", response=dict[str, Any], role="admin", body="*",
        body_name="KeyCreate", status=201, summary="Create an API key",
    )  # fmt: skip
    list = verb(
        api_keys.list_keys, "GET", "/v1/keys", response=dict[str, Any], role="admin",
        wrap="items", summary="List API keys",
    )  # fmt: skip
    revoke = verb(
        api_keys.revoke_key, "DELETE", "/v1/keys/{id}", response=dict[str, Any], role="admin",
        summary="Revoke an API key",
    )  # fmt: skip
    rotate = verb(
        api_keys.rotate, "POST", "/v1/keys/{id}/rotate", response=dict[str, Any], role="admin",
        body="*", body_name="KeyRotate", status=201, summary="Rotate an API key",
        examples=[{"overlap_seconds": 3600}],
    )  # fmt: skip


class Users(ResourceSection):
    section = resource = "users"
