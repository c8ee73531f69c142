"""The ``calls`` resource: call rows, with the nine operations.

``POST /v1/calls`` stores a call record without a transcript (a dialer's log, an import);
it is checked like a learned call (``checks.call_problems``) and gets its outcome factors
filled the same way. To store a call with its lead and transcript, use ``learn``.
"""

from __future__ import annotations

from collections.abc import Callable

from rapport.calls import analysis, checks
from rapport.calls.models import Call, CallCreate, Factors
from rapport.db.operation import Steps
from rapport.resources.resource import Parent, Resource
from rapport.tenancy.principal import Principal
from rapport.validation import failure, validate


def _prepare(
    principal: Principal, items: list[CallCreate], at: Callable[[int], str]
) -> Steps[list[CallCreate]]:
    """Call records checked like learned calls, with their factors filled."""
    found = [p for i, item in enumerate(items) for p in checks.call_problems(item, at(i))]
    if found:
        raise failure(found)
    return [
        item.model_copy(
            update={"factors": analysis.factors_of(
                item, validate(Factors, item.factors, prefix=f"{at(i)}factors"))}
        )
        for i, item in enumerate(items)
    ]  # fmt: skip
    yield  # pragma: no cover - a steps function that needs no query


CALLS = Resource(
    name="calls",
    table="calls",
    singular="call",
    model=Call,
    create_model=CallCreate,
    immutable=("contact_id", "start_time"),
    default_order="-start_time",
    parent=Parent("contacts", "contact_id", singular="contact"),
    conflict_columns=("external_id",),
    prepare=_prepare,
    description="Voice calls with leads (seed 002): outcome, transfer, analysis and factors.",
)
