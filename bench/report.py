"""Rich tables in which every figure stands beside its baseline and the ratio.

A row is one measurement taken twice in the same run on the same database: Rapport's figure
and raw psycopg's. The ratio is always ours / baseline, so for latencies < 1 is better than
raw and for rates > 1 is; the unit column says which kind a row is. Targets (seed 003's, or
the tighter ones we aim for) are checked against Rapport's figure only.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field

from rich import box
from rich.console import Console
from rich.table import Table

from timing import Summary


@dataclass(frozen=True)
class Target:
    """A bound Rapport's figure should meet: ``< limit`` for latencies, ``>= limit`` for rates."""

    name: str
    limit: float
    inclusive: bool = False  # "<= limit" (e.g. "aim <= 0.3 ms") rather than "< limit"

    def met(self, value: float, higher_is_better: bool) -> bool:
        if higher_is_better:
            return value >= self.limit
        return value <= self.limit if self.inclusive else value < self.limit

    def bound(self, higher_is_better: bool) -> str:
        return ">=" if higher_is_better else "<=" if self.inclusive else "<"


@dataclass(frozen=True)
class Row:
    label: str
    ours: float
    base: float
    unit: str = "ms"
    targets: Sequence[Target] = ()

    @property
    def higher_is_better(self) -> bool:
        return self.unit.startswith("/")

    @property
    def ratio(self) -> float:
        if self.base == 0 or math.isnan(self.base) or math.isnan(self.ours):
            return math.nan
        return self.ours / self.base


@dataclass
class Section:
    title: str
    caption: str
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    baseline: str = "raw psycopg"
    subject: str = "Rapport"

    def latency(
        self, label: str, ours: Summary, base: Summary, targets: Mapping[str, Sequence[Target]]
    ) -> None:
        """Add the p50 and p95 rows of one interleaved comparison."""
        self.rows.append(Row(f"{label} p50", ours.p50, base.p50, "ms", targets.get("p50", ())))
        self.rows.append(Row(f"{label} p95", ours.p95, base.p95, "ms", targets.get("p95", ())))


def number(value: float, unit: str) -> str:
    if math.isnan(value):
        return "—"
    if unit.startswith("/") or unit == "rows" or value >= 100:
        return f"{value:,.0f} {unit}".replace(" /", "/")
    digits = 3 if value < 1 else 2 if value < 10 else 1
    return f"{value:.{digits}f} {unit}"


def _targets(row: Row) -> str:
    parts = []
    for target in row.targets:
        bound = target.bound(row.higher_is_better)
        ok = target.met(row.ours, row.higher_is_better)
        mark = "[green]✓[/green]" if ok else "[red]✗[/red]"
        parts.append(f"{target.name} {bound} {number(target.limit, row.unit)} {mark}")
    return "\n".join(parts)


def render(console: Console, section: Section) -> None:
    if not section.rows:  # a skipped section: its title and why
        console.print(f"[bold]{section.title}[/bold]")
        _notes(console, section)
        return
    table = Table(
        title=f"[bold]{section.title}[/bold]",
        caption=section.caption,
        caption_justify="left",
        box=box.SIMPLE_HEAVY,
        title_justify="left",
    )
    table.add_column("measure")
    table.add_column(section.subject, justify="right")
    table.add_column(section.baseline, justify="right")
    table.add_column("ratio", justify="right")
    table.add_column("target")
    for row in section.rows:
        ratio = "—" if math.isnan(row.ratio) else f"{row.ratio:.2f}×"
        table.add_row(
            row.label,
            number(row.ours, row.unit),
            number(row.base, row.unit),
            ratio,
            _targets(row),
        )
    console.print(table)
    _notes(console, section)


def _notes(console: Console, section: Section) -> None:
    for note in section.notes:
        console.print(f"  [dim]•[/dim] {note}")
    console.print()


def render_header(
    console: Console, facts: Iterable[tuple[str, str]], title: str = "Rapport store benchmark"
) -> None:
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold")
    grid.add_column()
    for name, value in facts:
        grid.add_row(name, value)
    console.rule(f"[bold]{title}")
    console.print(grid)
    console.print()


def _checks(sections: Iterable[Section]) -> Iterator[tuple[bool, str]]:
    """(met, description) for every target of every row."""
    for section in sections:
        for row in section.rows:
            for target in row.targets:
                bound = f"{target.bound(row.higher_is_better)} {number(target.limit, row.unit)}"
                met = target.met(row.ours, row.higher_is_better)
                yield (
                    met,
                    (
                        f"{section.title} / {row.label}: {number(row.ours, row.unit)}, "
                        f"{target.name} {bound}"
                    ),
                )


def render_verdict(console: Console, sections: Iterable[Section]) -> None:
    """One line per missed target, so a long run ends with what needs attention."""
    checks = list(_checks(sections))
    for met, description in checks:
        if not met:
            console.print(f"[red]missed[/red] {description}")
    met_count = sum(met for met, _ in checks)
    console.print(f"[bold]{met_count} of {len(checks)} targets met.[/bold]")
