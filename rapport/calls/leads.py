"""Leads: contacts found by phone, the voice agent's first question when a call connects.

The lookup is one statement answered by the ``UNIQUE (org_id, phone)`` index (and the orgs
primary key, for the region national numbers are read in), so an agent can ask on every
ring. The upsert keeps the lead's first source and campaign (where they came from) and takes
the latest name and email.
"""

from __future__ import annotations

from typing import Any

from rapport import errors
from rapport.calls.models import LeadIn
from rapport.conversations import phones
from rapport.conversations.contacts import CONTACTS
from rapport.db.operation import Query, Steps, operation
from rapport.resources.crud import new_id
from rapport.tenancy.principal import Principal
from rapport.validation import json_text

_LOOKUP = (
    "SELECT (SELECT settings FROM orgs WHERE org_id = %s),"
    f" (SELECT {CONTACTS.json_sql} FROM contacts AS t WHERE t.org_id = %s AND t.phone = %s)"
)
_FIND = f"SELECT {CONTACTS.json_sql} FROM contacts AS t WHERE t.org_id = %s AND t.phone = %s"


def _guess(phone: str) -> str | None:
    """The number as most orgs would read it (E.164, or a US national number), if it reads."""
    try:
        return phones.normalise(phone, phones.DEFAULT_REGION, "phone")
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
    settings, found = yield Query(_LOOKUP, [principal.org_id, principal.org_id, guess])
    region = phones.region_of(settings)
    exact = phones.normalise(phone, region, "phone")
    if exact != guess:
        found = yield Query(_FIND, [principal.org_id, exact], fetch="scalar")
    if found is None:
        raise errors.NotFound(f"no lead with phone {exact}", field="phone")
    return dict(found)


_UPSERT = f"""
INSERT INTO contacts AS t (org_id, id, name, email, phone, source, campaign, tags, metadata)
VALUES (%s, %s::uuid, %s, %s, %s, %s, %s, %s::jsonb, %s::jsonb)
ON CONFLICT (org_id, phone) DO UPDATE SET
  name = excluded.name,
  email = coalesce(excluded.email, t.email),
  source = coalesce(t.source, excluded.source),
  campaign = coalesce(t.campaign, excluded.campaign),
  tags = t.tags || (SELECT coalesce(jsonb_agg(x), '[]') FROM jsonb_array_elements(excluded.tags)
                    AS x WHERE NOT t.tags @> jsonb_build_array(x)),
  metadata = t.metadata || excluded.metadata,
  updated_at = now()
RETURNING {CONTACTS.json_sql}, (xmax = 0)
"""


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
        [
            principal.org_id,
            new_id(),
            f"{lead.first_name} {lead.last_name}",
            lead.email,
            phone,
            lead.source,
            lead.campaign,
            json_text(lead.tags),
            json_text(metadata),
        ],
    )
    return dict(doc), bool(created)
