"""Leads: contacts found by phone, the voice agent's first question when a call connects.

The lookup is one statement answered by the ``UNIQUE (org_id, phone)`` index (and the orgs
primary key, for the region national numbers are read in), so an agent can ask on every
ring. The upsert keeps the lead's first source and campaign (where they came from) and takes
the latest name and email.
"""

from __future__ import annotations

from typing import Any

from rapport import errors
from rapport.calls import QUERIES
from rapport.calls.models import LeadIn
from rapport.conversations import phones
from rapport.conversations.contacts import CONTACTS
from rapport.db import sql
from rapport.db.operation import Query, Steps, operation
from rapport.resources.crud import new_id
from rapport.tenancy import settings as org_settings
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

_LOOKUP = sql.fill(QUERIES["lead_lookup"], contact=CONTACTS.json_sql)
_FIND = sql.fill(QUERIES["lead_by_phone"], contact=CONTACTS.json_sql)
_UPSERT = sql.fill(QUERIES["lead_upsert"], contact=CONTACTS.json_sql)


def _guess(phone: str) -> str | None:
    """The number as most orgs would read it (E.164, or a US national number), if it reads."""
    try:
        return phones.normalise(phone, phones.FALLBACK_REGION, "phone", errors.BadRequest)
    except errors.BadRequest:
        return None


@operation
def by_phone(principal: Principal, phone: str) -> Steps[dict[str, Any]]:
    """The lead with this phone, in any formatting of it; 404 if there is none.

    One round trip in the common case: the org's region comes back beside the lookup made
    with the default region, and only an org in another region with a national number
    costs a second (indexed) lookup.
    """
    guess = _guess(phone)
    settings, found = yield Query(_LOOKUP, {"org": principal.org_id, "phone": guess})
    region = phones.region(org_settings.parse(settings))
    exact = phones.normalise(phone, region, "phone", errors.BadRequest)
    if exact != guess:
        found = yield Query(_FIND, {"org": principal.org_id, "phone": exact}, fetch="scalar")
    if found is None:
        raise errors.NotFound(f"no lead with phone {exact}", field="phone")
    return dict(found)


def upsert(principal: Principal, lead: LeadIn, phone: str) -> Steps[tuple[dict[str, Any], bool]]:
    """Store the lead under its (normalised) phone: (contact, created).

    first_name and last_name are kept in the contact's metadata beside its ``name``; seed
    002's lead ``status`` is kept there as ``lead_status``.
    """
    metadata = {**lead.metadata, "first_name": lead.first_name, "last_name": lead.last_name}
    if lead.status is not None:
        metadata["lead_status"] = lead.status
    doc, created = yield Query(
        _UPSERT,
        {"org": principal.org_id, "id": new_id(), "name": f"{lead.first_name} {lead.last_name}",
         "email": lead.email, "phone": phone, "source": lead.source, "campaign": lead.campaign,
         "tags": json_text(lead.tags), "metadata": json_text(metadata)},
    )  # fmt: skip
    return dict(doc), bool(created)
