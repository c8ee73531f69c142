"""The voice calls' sections of an organization's settings: ``settings.transfer`` (when to
hand a lead to a closer) and ``settings.calls`` (the region national phone numbers are read
in). Read through ``rapport.tenancy.settings``, the one reader of org settings."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field


class TransferSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    min_engagement: float = Field(default=7.0, ge=0, le=10)
    min_phase: int = Field(default=3, ge=0)


class CallSettings(BaseModel):
    model_config = ConfigDict(extra="forbid")

    default_region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] | None = Field(
        default=None,
        description="Region (ISO 3166 alpha-2) of phone numbers written without a country "
        "code, for contacts and leads alike; default RAPPORT_PHONE_REGION, else US",
    )
