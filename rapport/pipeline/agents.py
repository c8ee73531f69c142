"""Agents: the AI workers of a sales team (seed 004), each with a role in the pipeline.

An agent has four facets: its **persona** (display name, description, instructions, model
config), its **knowledge** (links to the org's knowledge documents), its **tasks** (quick,
pre-written prompts) and its **visibility**:

- ``public``: any organization may use it, and finds it in ``/v1/agents/available``;
- ``private``: its own organization and the ones in ``shared_with`` may use it;
- ``hidden``: like private, but never listed to other organizations (internal agents such
  as a supervisor); it is used by id.

Conversations name their handler in ``current_agent`` by the agent's ``name``, as seed 000's
document does ("qualifier", "closer"), so names are unique per organization and creating an
agent whose name exists returns the stored one (a retry is safe).
"""

from __future__ import annotations

import datetime
import uuid
from collections.abc import Callable, Mapping
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from rapport import errors
from rapport.db import sql
from rapport.db.operation import Query, Steps, atomic_operation, operation
from rapport.pipeline import QUERIES
from rapport.resources import crud
from rapport.resources.fields import JSONB
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Principal
from rapport.validation import INT4_MAX

AgentRole = Literal["supervisor", "qualifier", "objection_handler", "closer", "custom"]
Visibility = Literal["public", "private", "hidden"]
# Which role handles each stage of the pipeline.
ROLE_FOR_STAGE: dict[str, AgentRole] = {
    "qualification": "qualifier",
    "objection_handling": "objection_handler",
    "closing": "closer",
}


class ModelConfig(BaseModel):
    """The model the agent runs on; any other keys (top_p, tools ...) are kept."""

    model_config = ConfigDict(extra="allow")

    provider: Annotated[str, Field(max_length=100)] | None = None
    name: Annotated[str, Field(max_length=200)] | None = None
    temperature: Annotated[float, Field(ge=0, le=2)] | None = None
    max_tokens: Annotated[int, Field(ge=1, le=INT4_MAX)] | None = None


class Persona(BaseModel):
    """Who the agent is and how it speaks; any other keys (tone, language ...) are kept."""

    model_config = ConfigDict(extra="allow")

    display_name: Annotated[str, Field(max_length=200)] | None = None
    description: Annotated[str, Field(max_length=5000)] | None = None
    instructions: Annotated[str, Field(max_length=50_000)] | None = None
    model: ModelConfig = Field(default_factory=ModelConfig)


class QuickTask(BaseModel):
    """A pre-written prompt the agent (or an operator) can run in one click."""

    model_config = ConfigDict(extra="forbid")

    name: Annotated[str, Field(min_length=1, max_length=100)]
    prompt: Annotated[str, Field(min_length=1, max_length=20_000)]
    description: Annotated[str, Field(max_length=2000)] | None = None
    schedule: Annotated[str, Field(max_length=100)] | None = Field(
        default=None, description="When it runs by itself, e.g. a cron line '0 9 * * 1'"
    )


class Agent(BaseModel):
    """An agent and its role in the sales pipeline."""

    id: uuid.UUID
    name: str
    role: AgentRole
    status: Literal["active", "inactive"]
    visibility: Visibility
    persona: Annotated[Persona, JSONB]
    knowledge_sources: list[uuid.UUID] = Field(description="Ids of knowledge documents")
    quick_tasks: list[QuickTask]
    shared_with: list[uuid.UUID] = Field(description="Orgs that may use a private agent")
    config: dict[str, Any]
    created_at: datetime.datetime
    updated_at: datetime.datetime


class AgentCreate(BaseModel):
    """A new agent. ``name`` is what conversations put in ``current_agent``."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "qualifier",
                    "role": "qualifier",
                    "visibility": "private",
                    "persona": {
                        "description": "Finds budget, need, authority and timeline",
                        "instructions": "Ask one BANT question at a time. Be warm.",
                        "model": {"provider": "anthropic", "name": "claude", "temperature": 0.3},
                    },
                    "quick_tasks": [{"name": "recap", "prompt": "Summarise what we know."}],
                }
            ]
        },
    )

    name: Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.\- ]{0,99}$")]
    role: AgentRole
    status: Literal["active", "inactive"] = "active"
    visibility: Visibility = "private"
    persona: Persona = Field(default_factory=Persona)
    knowledge_sources: list[uuid.UUID] = Field(default_factory=list, max_length=1000)
    quick_tasks: list[QuickTask] = Field(default_factory=list, max_length=200)
    shared_with: list[uuid.UUID] = Field(default_factory=list, max_length=1000)
    config: dict[str, Any] = Field(default_factory=dict)


def _require_all(
    statement: str, params: dict[str, Any], ids: list[str], field: str, what: str
) -> Steps[None]:
    """404 naming ``field[i]`` for the first of ``ids`` that ``statement`` (returning the
    ids it finds, as one array) does not find."""
    if not ids:
        return
    found = set((yield Query(statement, {**params, "ids": ids}, fetch="scalar")) or ())
    for index, key in enumerate(ids):
        if key not in found:
            raise errors.NotFound(f"{field}[{index}]: {what} {key}", field=f"{field}[{index}]")


def _check_links(principal: Principal, data: dict[str, Any], at: str = "") -> Steps[None]:
    """Knowledge sources must be this org's documents; shared_with must name real orgs."""
    yield from _require_all(
        QUERIES["knowledge_documents_found"],
        {"org": principal.org_id},
        [str(d) for d in data.get("knowledge_sources") or []],
        f"{at}knowledge_sources",
        "no knowledge document in your organization (add it with POST /v1/knowledge) has id",
    )
    yield from _require_all(
        QUERIES["orgs_found"],
        {},
        [str(o) for o in data.get("shared_with") or []],
        f"{at}shared_with",
        "no organization has id",
    )


def require_named(principal: Principal, name: str | None, field: str = "agent") -> Steps[None]:
    """404 naming ``field`` unless ``name`` (when given) is an agent of this org."""
    if name is None:
        return
    found = yield Query(QUERIES["agent_named"], {"org": principal.org_id, "name": name})
    if found is None:
        raise errors.NotFound(
            f"{field}: no agent named {name!r} in your organization (see GET /v1/agents)",
            field=field,
        )


def _prepare(
    principal: Principal, items: list[AgentCreate], at: Callable[[int], str]
) -> Steps[list[AgentCreate]]:
    """Before an agent is created: what it links to must exist."""
    for index, item in enumerate(items):
        yield from _check_links(principal, item.model_dump(mode="json"), at(index))
    return items


def _publishing(principal: Principal, data: Mapping[str, Any]) -> None:
    """Showing an agent to other organizations (public, or shared with some) is an admin's
    decision: an operator runs the team's agents, it does not publish them."""
    if data.get("visibility") == "public" or data.get("shared_with"):
        principal.require("admin", "publish an agent to other organizations")


AGENTS = Resource(
    name="agents",
    table="agents",
    singular="agent",
    model=Agent,
    create_model=AgentCreate,
    default_order="name",
    conflict_columns=("name",),
    prepare=_prepare,
    authorize=_publishing,
    description="The agents of the sales pipeline: supervisor, qualifier, objection handler ...",
)


@atomic_operation
def update(principal: Principal, id_value: Any, data: Any) -> Steps[dict[str, Any]]:
    principal.require(AGENTS.write_role, "update agents")
    yield from _check_links(principal, crud.patch_of(AGENTS, data))
    return (yield from crud.update(AGENTS, principal, id_value, data).steps)


_USABLE = sql.fill(QUERIES["agent_usable"], agent=AGENTS.json_sql)


@operation
def resolve(principal: Principal, ref: Any) -> Steps[dict[str, Any]]:
    """The agent ``ref`` (an id, or a name in this org) if this org may use it, else 404."""
    text = str(ref)
    try:
        key: str | None = str(uuid.UUID(text))
    except ValueError:
        key = None
    found = yield Query(
        _USABLE, {"org": principal.org_id, "key": key, "name": text}, fetch="scalar"
    )
    if found is None:
        raise errors.NotFound(
            f"no agent {text!r} that your organization may use (create it with POST /v1/agents)",
            field="agent_id",
        )
    return dict(found)


_AVAILABLE = sql.fill(QUERIES["agents_available"], agent=AGENTS.json_sql)


@operation
def available(
    principal: Principal,
    role: Annotated[AgentRole | None, Field(description="Only this role")] = None,
) -> Steps[dict[str, Any]]:
    """Active agents your org may use: your own (not hidden), public ones, and private ones
    shared with you."""
    roles = get_args(AgentRole)
    if role is not None and role not in roles:
        raise errors.BadRequest(f"role: {role!r} is not one of {', '.join(roles)}", field="role")
    items = yield Query(_AVAILABLE, {"org": principal.org_id, "role": role}, fetch="scalars")
    return {"items": items}
