"""The parameters many verbs share (filter, order, page), typed once with their limits.

A verb's service annotates its parameters with these; REST declares them from the same
annotations (``filter`` travels as a JSON query parameter) and in-process calls are checked
against them, so ``limit=5000`` is the same 400 whichever way it arrives.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any, TypeAlias, TypeVar, Union

from pydantic import BaseModel, Field

from rapport.resources import paging
from rapport.validation import MOMENT_PATTERN, Moment

FILTER_HELP = (
    'Mongo-style JSON, e.g. {"status": "active", "updated_at": {"$gte": "2025-01-01"}}. '
    "Operators: $eq $ne $gt $gte $lt $lte $in $nin $exists $contains, $and, $or."
)
ORDER_HELP = "Comma-separated fields, '-' for descending, e.g. -updated_at,name"

Filter = Annotated[Mapping[str, Any] | None, Field(description=FILTER_HELP)]
OrderBy = Annotated[str | list[str] | None, Field(description=ORDER_HELP)]
Limit = Annotated[int | None, Field(ge=1, le=paging.MAX_LIMIT, description="1-1000, default 50")]
Cursor = Annotated[str | None, Field(description="next_cursor of the previous page")]
# A moment: an ISO 8601 date or date-time (naive ones are UTC) with a year from 1900 to
# 2199, or a datetime in-process. REST declares it as a string with that pattern.
MomentText = Annotated[str, Field(pattern=MOMENT_PATTERN)]
When = Moment | MomentText | None

M = TypeVar("M")
if TYPE_CHECKING:
    # What an SDK caller may pass where a model is validated: the model, or a plain mapping.
    Input: TypeAlias = Union[M, Mapping[str, Any]]  # noqa: UP007 (a generic alias)
else:

    class Input:
        """``Input[Model]``: to type checkers, the model or a mapping (what SDK callers
        pass); at run time the model itself, which is what REST declares and both
        transports validate against."""

        def __class_getitem__(cls, model: Any) -> Any:
            return model


if TYPE_CHECKING:
    # A bulk request's items: to type checkers any sequence of Input[Model].
    Batch: TypeAlias = Sequence[Input[M]]
else:

    class Batch:
        """``Batch[Model]``: to type checkers a sequence of ``Input[Model]``; at run time
        ``list[Model]``, which pydantic validates in Rust (a ``Sequence`` is validated item
        by item in Python: 18 ms of a 1,000-event batch's 100, bench/learning.py). A tuple
        is accepted as a list is."""

        def __class_getitem__(cls, model: Any) -> Any:
            return list[model]


class Page(BaseModel):
    """One page of records, and where the next one starts."""

    items: list[dict[str, Any]]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page; null at end")


class Items(BaseModel):
    items: list[dict[str, Any]]


class Count(BaseModel):
    count: int


class Ids(BaseModel):
    ids: list[str]


class Updated(BaseModel):
    updated: int
