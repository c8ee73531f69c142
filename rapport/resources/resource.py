"""A resource: a table, the models that document it, and the SQL the nine operations run.

Defining a resource is declaring its output model, its create model, and a few facts (its
table, its parent, its idempotency key); this class derives the rest once, at import: the
public fields, the JSON the database builds for each row, the insert statement shared by
single and bulk creates, and the patch model. ``rapport.resources.crud`` runs the operations.
"""

from __future__ import annotations

import types
import typing
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, TypeAdapter, create_model

from rapport.db import failures, sql
from rapport.db.operation import Steps
from rapport.resources import QUERIES
from rapport.resources.fields import Field, computed_of, fields_of
from rapport.tenancy.principal import Role


@dataclass(frozen=True, slots=True)
class Parent:
    """The resource each row belongs to, whose id the row names and whose columns it copies.

    A message names its conversation and copies the conversation's contact_id, so one lead's
    history carries contact_id without the caller sending it.
    """

    table: str
    key: str
    copies: tuple[str, ...] = ()
    singular: str = "parent"


@dataclass
class Resource:
    name: str
    table: str
    singular: str
    model: type[BaseModel]
    create_model: type[BaseModel]
    patch_model: type[BaseModel] | None = None
    immutable: tuple[str, ...] = ()
    # Fields one patch may not set on many rows at once (messages: content, which each
    # edited message must be read again for); ``bulk_patch_model`` leaves them out.
    bulk_immutable: tuple[str, ...] = ()
    default_order: str = "-created_at"
    id_column: str = "id"
    parent: Parent | None = None
    conflict_columns: tuple[str, ...] | None = ("external_id",)  # idempotency key, after org_id
    server_defaults: Mapping[str, str] = field(default_factory=dict)
    after_insert: str = ""
    write_role: Role = "operator"
    description: str = ""
    # Its rows wait for enrichment (extraction, embeddings) once written.
    enriched: bool = False
    # Checks (and may complete) validated items before create and bulk create store them,
    # in the same transaction: ``prepare(principal, items, at)`` where ``at(i)`` is the
    # field prefix of item i in errors ("" alone, "items[3]." in a bulk). Returns the items.
    prepare: Callable[..., Steps[list[Any]]] | None = None
    # Who may write which values (beyond ``write_role``): called with each new item's fields
    # and with each patch, in create, bulk create, update and bulk update; raises Forbidden.
    authorize: Callable[[Any, Mapping[str, Any]], None] | None = None
    # What every insert path (create, bulk create, append, import) does to validated items
    # just before their statement, outside any transaction it does not already have:
    # ``before_insert(principal, items)`` returns the items to store (messages: scrubbed of
    # personal data when the org scrubs on ingest).
    before_insert: Callable[[Any, list[Any]], Steps[list[Any]]] | None = None

    bulk_patch_model: type[BaseModel] = field(init=False)
    fields: dict[str, Field] = field(init=False)
    json_sql: str = field(init=False)
    rows: TypeAdapter[list[Any]] = field(init=False)
    sql: dict[str, str] = field(init=False)

    def __post_init__(self) -> None:
        self.fields = {f.name: f for f in fields_of(self.model)}
        for f in self.fields.values():
            if f.column != f.name and f.column not in self.fields:
                failures.PUBLIC_NAMES.setdefault(f.column, f.name)
        if self.patch_model is None:
            self.patch_model = make_patch_model(self.create_model, self.immutable, self.model)
        self.bulk_patch_model = self.patch_model
        if self.bulk_immutable:
            self.bulk_patch_model = make_patch_model(
                self.create_model, (*self.immutable, *self.bulk_immutable), self.model
            )
        rows: Any = types.GenericAlias(list, (self.create_model,))  # list[create_model]
        self.rows = TypeAdapter(rows)
        self.json_sql = _json_object(self.fields, alias="t", computed=computed_of(self.model))
        self.sql = self._compile()

    @property
    def id_field(self) -> Field:
        return self.fields["id"]

    @property
    def has_updated_at(self) -> bool:
        return "updated_at" in self.fields

    def _input_plan(self) -> tuple[list[str], list[tuple[str, str]]]:
        """How a create body becomes a row.

        Returns the record definition of the body's top-level keys (as ``jsonb_to_record``
        reads them) and, per stored column, the SQL expression that
        reads its value: nested models such as ``follow_up`` arrive as one JSON object and
        are unpacked into their columns in SQL, so Python never touches each value.
        """
        record: list[str] = []
        columns: list[tuple[str, str]] = []
        for name, info in self.create_model.model_fields.items():
            annotation = info.annotation
            if name in self.fields:
                field = self.fields[name]
                record.append(f'"{name}" {field.sql_type}')
                if field.column != self.id_column:
                    columns.append((field.column, f'source."{name}"'))
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                record.append(f'"{name}" jsonb')
                columns.extend(self._unpack(annotation, f"{name}.", f'source."{name}"'))
            else:
                raise TypeError(
                    f"{self.create_model.__name__}.{name} is not a field of {self.name}"
                )
        return record, columns

    def _unpack(self, model: type[BaseModel], prefix: str, json_expr: str) -> list[tuple[str, str]]:
        columns = []
        for name, info in model.model_fields.items():
            public = f"{prefix}{name}"
            annotation = info.annotation
            if public in self.fields:
                field = self.fields[public]
                expr = (
                    f"{json_expr} -> '{name}'"
                    if field.is_json
                    else f"({json_expr} ->> '{name}')::{field.sql_type}"
                )
                columns.append((field.column, expr))
            elif isinstance(annotation, type) and issubclass(annotation, BaseModel):
                columns.extend(self._unpack(annotation, f"{public}.", f"{json_expr} -> '{name}'"))
            else:
                raise TypeError(f"{model.__name__}.{name} is not a field of {self.name}")
        return columns

    def statement(self, name: str, **holes: str) -> str:
        """A statement of ``resources/queries.sql`` for this resource."""
        return sql.fill(QUERIES[name], table=self.table, **holes)

    def _compile(self) -> dict[str, str]:
        idc = self.id_column
        return {
            "get": self.statement("get", json=self.json_sql, id=idc),
            "exists": self.statement("exists", id=idc),
            "delete": self.statement("delete", id=idc),
            "insert_ids": self._insert_sql(f"coalesce(array_agg(t.{idc}::text), '{{}}')"),
            "insert_docs": self._insert_sql(f"coalesce(json_agg({self.json_sql}), '[]')"),
            "insert_docs_lenient": self._insert_sql(
                f"coalesce(json_agg({self.json_sql}), '[]')", lenient=True
            ),
        }

    def _insert_sql(self, returning: str, *, lenient: bool = False) -> str:
        """One statement for single and bulk creates.

        Bodies arrive as one JSON array (``$2``) beside an array of row ids
        (``$3``, time-ordered, made by the caller so a batch keeps its order), read
        through ``rapport_rows`` so the planner probes parents by primary key. Rows
        whose parent is missing from the caller's org make the whole statement insert
        nothing (the service then names the offending item), or, ``lenient``, are skipped
        alone; rows whose idempotency key exists are skipped, so a retried create returns
        what the first one stored. The statement returns the row ids whose parent was
        missing, and ``returning`` over the inserted rows.
        """
        record, inputs = self._input_plan()
        parent = self.parent
        copies = parent.copies if parent else ()
        values = [
            f"coalesce({expr}, {self.server_defaults[column]})"
            if column in self.server_defaults
            else expr
            for column, expr in inputs
        ]
        columns = ", ".join([self.id_column, *(c for c, _ in inputs), *copies])
        selected = ", ".join(["source.row_id", *values, *(f"source.{c}" for c in copies)])
        if parent:
            # One index lookup per row (a scalar subquery is never turned into a hash join
            # over the whole parent table); a NULL copy marks a parent that is not there.
            looked_up = ", ".join(
                f"(SELECT p.{column} FROM {parent.table} AS p"
                f" WHERE p.org_id = %(org)s AND p.id = input.{parent.key}) AS {alias}"
                for column, alias in [(c, c) for c in copies] or [("id", "parent_id")]
            )
            source = f"SELECT input.*, {looked_up} FROM input"
            absent = f"{copies[0] if copies else 'parent_id'} IS NULL"
        else:
            source = "SELECT * FROM input"
            absent = "false"
        conflict = (
            f"ON CONFLICT (org_id, {', '.join(self.conflict_columns)}) DO NOTHING"
            if self.conflict_columns
            else ""
        )
        after = f", {self.after_insert}" if self.after_insert else ""
        keep = f"NOT ({absent})" if lenient else "(SELECT n FROM missing) = 0"
        return self.statement(
            "insert",
            record=", ".join(record),
            source=source,
            absent=absent,
            columns=columns,
            selected=selected,
            keep=keep,
            conflict=conflict,
            after=after,
            returning=returning,
        )


def _json_object(
    fields: Mapping[str, Field], alias: str, computed: Mapping[str, str] | None = None
) -> str:
    """``json_build_object(...)`` giving a row its public, nested shape, with the
    ``computed`` fields' expressions (over ``t``) at the top level."""
    tree: dict[str, Any] = {}
    for f in fields.values():
        node = tree
        *parents, leaf = f.name.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[leaf] = f

    def build(node: dict[str, Any]) -> str:
        parts = []
        for key, value in node.items():
            if isinstance(value, dict):
                expr = build(value)
            elif isinstance(value, _Expression):
                expr = value.column
            else:
                expr = f"{alias}.{value.column}"
            parts.append(f"'{key}', {expr}")
        return "json_build_object(" + ", ".join(parts) + ")"

    tree.update({key: _Expression(f"({expr})") for key, expr in (computed or {}).items()})
    return build(tree)


@dataclass(frozen=True, slots=True)
class _Expression:
    column: str  # read as ``alias.column`` would be, but already a whole expression


def make_patch_model(
    model: type[BaseModel], immutable: tuple[str, ...], stored: type[BaseModel] | None = None
) -> type[BaseModel]:
    """The PATCH body for ``model``: every field optional, nested models partial too.

    A field left out is left alone. Types are kept, so ``"status": null`` is still rejected
    for a field that cannot be null, while ``"email": null`` clears a nullable one. A field
    that is optional on create only because the database fills it (``raised_at``: now) is
    not nullable in a patch when the ``stored`` record cannot hold null there.
    """
    definitions: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in immutable:
            continue
        annotation: Any = info.annotation
        kept = stored.model_fields.get(name) if stored is not None else None
        if kept is not None and not _admits_none(kept.annotation):
            annotation = _without_none(annotation)
        if (
            isinstance(annotation, type)
            and issubclass(annotation, BaseModel)
            and annotation.model_config.get("extra") != "allow"
        ):
            annotation = make_patch_model(annotation, ())
        if info.metadata:  # a field's own checks (Moment's range, a length) stay
            annotation = Annotated[(annotation, *info.metadata)]
        definitions[name] = (annotation, _omitted(info))
    patch: type[BaseModel] = create_model(
        f"{model.__name__.removesuffix('Create')}Patch",
        __config__=ConfigDict(extra="forbid"),
        __doc__=f"Fields to change; any field left out keeps its value. ({model.__name__})",
        **definitions,
    )
    return patch


def _admits_none(annotation: Any) -> bool:
    return annotation is None or type(None) in typing.get_args(annotation)


def _without_none(annotation: Any) -> Any:
    kept = tuple(a for a in typing.get_args(annotation) if a is not type(None))
    if not _admits_none(annotation) or not kept:
        return annotation
    return kept[0] if len(kept) == 1 else typing.Union[kept]  # noqa: UP007 (built at run time)


def _omitted(info: Any) -> Any:
    from pydantic import Field as PydanticField

    return PydanticField(
        default=None,
        description=info.description,
        examples=info.examples,
        json_schema_extra=info.json_schema_extra,
        **{k: v for k, v in _constraints(info).items()},
    )


def _constraints(info: Any) -> dict[str, Any]:
    """Length, range and finiteness constraints of a field, so the patch model keeps them."""
    constraints: dict[str, Any] = {}
    names = ("min_length", "max_length", "ge", "le", "gt", "lt", "pattern", "allow_inf_nan")
    for item in info.metadata:
        for attr in names:
            value = getattr(item, attr, None)
            if value is not None:
                constraints[attr] = value
    return constraints
