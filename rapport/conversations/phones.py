"""Phone numbers: E.164, read in the organization's own region. The one normaliser.

A dialer or a CRM often sends national numbers (``(415) 555-0100``); which country they
belong to is the org's setting ``calls.default_region`` (default RAPPORT_PHONE_REGION, else
US), not the server's, so two organizations in different countries can both send local
numbers. Every path that takes a phone (contacts created, updated or imported; calls
learned; leads looked up) normalises it here, so ``+1 415-555-0100`` and ``4155550100`` are
the same person everywhere.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import phonenumbers

from rapport import errors
from rapport.config import get_settings
from rapport.db.operation import Steps
from rapport.tenancy.principal import Principal

if TYPE_CHECKING:
    from rapport.tenancy.settings import OrgSettings

FALLBACK_REGION = "US"


def normalise(
    value: str, region: str, field: str, error: type[errors.RapportError] = errors.ValidationFailed
) -> str:
    """``value`` in E.164, or ``error`` naming ``field`` that says what to send instead."""
    text = value.strip()
    try:
        number = phonenumbers.parse(text, None if text.startswith("+") else region)
    except phonenumbers.NumberParseException:
        raise error(
            f"{field}: {value!r} is not a phone number; send it in E.164 (e.g. +14155550100)"
            f" or as a {region} number (the org's calls.default_region)",
            field=field,
        ) from None
    if not phonenumbers.is_valid_number(number):
        raise error(
            f"{field}: {value!r} is not a valid phone number for its country"
            f" (read as {phonenumbers.region_code_for_number(number) or region});"
            " check the digits and the country code",
            field=field,
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def region(settings: OrgSettings) -> str:
    """The region national numbers of this org are read in."""
    return region_of(settings.calls.default_region)


def region_of(default_region: str | None) -> str:
    """The region for an org whose ``calls.default_region`` is ``default_region``."""
    return default_region or get_settings().phone_region or FALLBACK_REGION


def load_region(principal: Principal) -> Steps[str]:
    """The org's region, read with its settings."""
    from rapport.tenancy.settings import load  # settings' models import this package

    return region((yield from load(principal)))
