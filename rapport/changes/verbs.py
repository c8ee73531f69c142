"""The change stream's verb: ``r.changes.list(after=...)``, ``GET /v1/changes``; the live
stream is ``GET /v1/changes/stream`` (``stream``)."""

from __future__ import annotations

from rapport.changes import feed
from rapport.resources.verbs import Section, verb


class Changes(Section):
    """The org's writes, in order, from any position.

    >>> page = r.changes.list()                    # now
    >>> page = r.changes.list(after=page["next"])  # what changed since
    """

    section = "changes"

    list = verb(
        feed.page, "GET", "/v1/changes", response=feed.Changes,
        summary="The org's changes after a position",
    )  # fmt: skip
