"""SDK sections of resources: the nine operations, typed, on any resource.

``r.contacts`` is a ``ResourceSection`` for ``contacts`` (plus the contact verbs its
capability declares). Each method runs the resource's generic verb (``generic.verbs_of``)
through the section's transport, in-process or over HTTP alike.
"""

from __future__ import annotations

import builtins
from collections.abc import Iterator, Mapping
from typing import Any, cast

from rapport.resources import generic
from rapport.resources.params import Filter
from rapport.resources.verbs import Section, Verb


class ResourceSection(Section):
    """The nine operations on one resource.

    >>> r.conversations.create(contact_id=c["id"], channel="instagram_dm")
    >>> r.conversations.list(filter={"status": "active"}, order_by="-updated_at", limit=20)
    """

    resource = ""

    def _verb(self, kind: str) -> Verb[..., Any]:
        return generic.verbs_of(self.resource)[kind]

    def create(self, data: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Store one record; with an existing ``external_id`` returns the stored one."""
        return cast(dict[str, Any], self._verb("create").call(self._transport, data, **fields))

    def get(self, id: Any) -> dict[str, Any]:
        return cast(dict[str, Any], self._verb("get").call(self._transport, id))

    def update(self, id: Any, data: Any = None, /, **fields: Any) -> dict[str, Any]:
        """Change the named fields (nested objects merge); returns the stored record."""
        return cast(dict[str, Any], self._verb("update").call(self._transport, id, data, **fields))

    def delete(self, id: Any) -> None:
        self._verb("delete").call(self._transport, id)

    def exists(self, id: Any) -> bool:
        return bool(self._verb("exists").call(self._transport, id))

    def list(
        self,
        filter: Filter = None,
        order_by: str | builtins.list[str] | None = None,
        limit: int | None = None,
        cursor: str | None = None,
    ) -> dict[str, Any]:
        """One page: ``{"items": [...], "next_cursor": str | None}``."""
        page = self._verb("list").call(
            self._transport, filter=filter, order_by=order_by, limit=limit, cursor=cursor
        )
        return cast(dict[str, Any], page)

    def iterate(
        self,
        filter: Filter = None,
        order_by: str | builtins.list[str] | None = None,
        page_size: int = 500,
    ) -> Iterator[dict[str, Any]]:
        """Every matching record, page after page."""
        cursor = None
        while True:
            page = self.list(filter, order_by, page_size, cursor)
            yield from page["items"]
            cursor = page["next_cursor"]
            if cursor is None:
                return

    def count(self, filter: Filter = None) -> int:
        return int(self._verb("count").call(self._transport, filter=filter))

    def bulk_create(self, items: builtins.list[Any]) -> builtins.list[str]:
        """Store all items or none; their ids, in order."""
        return builtins.list(self._verb("bulk_create").call(self._transport, items))

    def bulk_update(self, filter: Mapping[str, Any], set: Any) -> int:
        """Apply ``set`` to every record matching ``filter``; how many changed."""
        return int(self._verb("bulk_update").call(self._transport, filter, set))
