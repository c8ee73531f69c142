"""Phone numbers as the lead's identity: E.164, read in the organization's own region.

A dialer often sends national numbers (``(415) 555-0100``); which country they belong to is
the org's setting ``calls.default_region`` (default ``US``), not the server's, so two
organizations in different countries can both send local numbers. Every path that takes a
phone (learn, lookup) normalises it here, so ``+1 415-555-0100`` and ``4155550100`` are the
same lead.
"""

from __future__ import annotations

from typing import Any

import phonenumbers

from rapport import errors
from rapport.db.operation import Query, Steps
from rapport.tenancy.principal import Principal
from rapport.tenancy.settings import CallSettings

DEFAULT_REGION = CallSettings().default_region  # one definition: rapport.org_settings


def normalise(value: str, region: str, field: str) -> str:
    """``value`` in E.164, or a BadRequest naming ``field`` that says what to send instead."""
    text = value.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        raise errors.BadRequest(
            f"{field}: {value!r} is not a phone number; send it in E.164 (e.g. +14155550100)"
            f" or as a {region} number (the org's calls.default_region)",
            field=field,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise errors.BadRequest(
            f"{field}: {value!r} is not a valid phone number for its country"
            f" (read as {phonenumbers.region_code_for_number(number) or region});"
            " check the digits and the country code",
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region_of(settings: Any) -> str:
    """The org's ``calls.default_region`` from its raw settings, else US."""
    calls = settings.get("calls") if isinstance(settings, dict) else None
    region = calls.get("default_region") if isinstance(calls, dict) else None
    return region if isinstance(region, str) and len(region) == 2 else DEFAULT_REGION


def load_region(principal: Principal) -> Steps[str]:
    """The region national numbers of this org are read in."""
    settings = yield Query(
        "SELECT settings FROM orgs WHERE org_id = %s", [principal.org_id], fetch="scalar"
    )
    return region_of(settings)
