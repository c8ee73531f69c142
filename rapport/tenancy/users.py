"""Operator users: the people who run an organization's agents, with their roles."""

from __future__ import annotations

import datetime
import uuid
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from rapport.conversations.contacts import Email
from rapport.resources.resource import Resource
from rapport.tenancy.principal import Role


class User(BaseModel):
    """An operator of the organization."""

    id: uuid.UUID
    external_id: str | None = Field(description="The identity provider's id (e.g. Clerk).")
    email: str
    name: str | None
    role: Role
    is_active: bool
    created_at: datetime.datetime
    updated_at: datetime.datetime


class UserCreate(BaseModel):
    """A new operator. Creating one whose email exists returns the stored user."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"email": "kevin@example.com", "name": "Kevin", "role": "operator"}]
        },
    )

    external_id: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    email: Email
    name: Annotated[str, Field(max_length=200)] | None = None
    role: Role = "operator"
    is_active: bool = True


USERS = Resource(
    name="users",
    table="users",
    singular="user",
    model=User,
    create_model=UserCreate,
    default_order="email",
    conflict_columns=("email",),
    write_role="admin",
    description="Operator users and their roles (owner, admin, operator, viewer).",
)
