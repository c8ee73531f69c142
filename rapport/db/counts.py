"""Counts kept as signed rows: what a capability counts as its rows change (an experiment's
funnel, 0018; patterns per outcome, 0020; contacts per facet value, 0021; calls per day,
0023), appended by statement triggers without locking anything, so concurrent writers never
wait for each other; the sum per key is the count. Each capability declares its table here
(``Counts``) and the worker folds every one the same way (``fold``), so a reader sums a few
rows per key however many statements changed them.
"""

from __future__ import annotations

from dataclasses import dataclass

from rapport.db import sql
from rapport.db.operation import Query, Steps, operation

QUERIES = sql.Queries("rapport.db")  # rapport/db/queries.sql


@dataclass(frozen=True)
class Counts:
    """A table of signed counts: its key columns (after ``org_id``) and its summed columns,
    the first of which is the count (a key whose count sums to 0 is folded away)."""

    table: str
    keys: tuple[str, ...]
    sums: tuple[str, ...]

    @property
    def folding(self) -> str:
        keys, sums = ", ".join(self.keys), ", ".join(self.sums)
        return sql.fill(
            QUERIES["fold"], table=self.table, keys=keys, sums=sums,
            summed=", ".join(f"sum({column})" for column in self.sums), count=self.sums[0],
        )  # fmt: skip


@operation
def fold(counts: Counts, org_id: str) -> Steps[int]:
    """The org's rows of ``counts`` folded into one per key; how many remain."""
    return int((yield Query(counts.folding, {"org": org_id}, fetch="rowcount")))
