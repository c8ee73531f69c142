"""Rapport's settings: one typed object, read from ``RAPPORT_*`` environment variables.

Nothing else in the package reads the environment; front ends build a ``Settings`` (or take
the default one) and hand it down.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every knob Rapport has, with the environment variable that sets it."""

    model_config = SettingsConfigDict(env_prefix="RAPPORT_", extra="ignore")

    home: Path = Field(
        default=Path(".rapport"),
        description="Folder for the embedded database and other local state (RAPPORT_HOME).",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "PostgreSQL (>= 15, with pgvector) to use instead of the embedded one "
            "(RAPPORT_DATABASE_URL), e.g. postgresql://user:pass@host:5432/rapport."
        ),
    )
    app_database_url: str | None = Field(
        default=None,
        description=(
            "The URL the application logs in with, as a role that owns no table "
            "(RAPPORT_APP_DATABASE_URL; a member of rapport_app, which the migrations create). "
            "Unset: RAPPORT_DATABASE_URL, acting as rapport_app with SET ROLE. Migrations "
            "always use RAPPORT_DATABASE_URL, the owner's."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address `rapport serve` binds.")
    port: int = Field(default=8000, description="Port `rapport serve` listens on.")
    pool_min: int = Field(default=1, ge=1, description="Connections kept open per process.")
    pool_max: int = Field(default=10, ge=1, description="Most connections per process.")
    max_body_bytes: int = Field(
        default=8 * 1024 * 1024,
        ge=1024,
        description="Largest request body the API accepts; larger ones get 413.",
    )
    phone_region: str | None = Field(
        default=None,
        description=(
            "Region (ISO 3166 alpha-2, e.g. SG) assumed for phone numbers written without "
            "a leading + and country code, in orgs whose calls.default_region is unset. "
            "Unset: US."
        ),
    )
    model_cache: Path = Field(
        default=Path.home() / ".cache" / "rapport",
        description=(
            "Folder for the embedding model's ONNX export, made on first use "
            "(RAPPORT_MODEL_CACHE); shared by every RAPPORT_HOME of this user."
        ),
    )
    enrich: Literal["auto", "inline", "background", "off"] = Field(
        default="auto",
        description=(
            "When extraction and embeddings run (RAPPORT_ENRICH): inline (after each write, "
            "before it returns), background (a thread drains the backlog in batches), or off "
            "(`rapport embed --backfill` later). auto: background in the server, inline in "
            "the in-process SDK."
        ),
    )
    settle_seconds: float = Field(
        default=10.0,
        gt=0,
        description=(
            "Longest a read that must see earlier writes (routing, a conversation's "
            "document, a contact's memories) waits for another worker still enriching them "
            "before it answers 503 (RAPPORT_SETTLE_SECONDS)."
        ),
    )
    auth_failures_per_minute: int = Field(
        default=20,
        ge=1,
        description=(
            "Failed authentications allowed per client address, and per key prefix, in any "
            "minute (per server process); past it: 429 with Retry-After "
            "(RAPPORT_AUTH_FAILURES_PER_MINUTE)."
        ),
    )
    jwt_issuer: str | None = Field(
        default=None,
        description=(
            "Accept bearer tokens (RS256 JWTs) from this identity provider issuer, e.g. "
            "https://clerk.example.com (RAPPORT_JWT_ISSUER); with RAPPORT_JWT_JWKS_URL or "
            "RAPPORT_JWT_JWKS_FILE. Unset: API keys only."
        ),
    )
    jwt_jwks_url: str | None = Field(
        default=None,
        description="The provider's JWKS, e.g. https://clerk.example.com/.well-known/jwks.json",
    )
    jwt_jwks_refresh_seconds: float = Field(
        default=30.0,
        ge=0,
        description=(
            "Least time between fetches of the JWKS for tokens naming an unknown key id (a "
            "provider's key rotation), so forged key ids cannot flood the provider."
        ),
    )
    jwt_jwks_file: Path | None = Field(
        default=None, description="The provider's JWKS as a file, for machines with no way out."
    )
    jwt_audience: str | None = Field(
        default=None, description="The audience tokens must name (unset: not checked)."
    )
    jwt_roles: dict[str, str] = Field(
        default_factory=dict,
        description=(
            'Provider roles to Rapport roles (RAPPORT_JWT_ROLES, JSON: {"org:billing": '
            '"viewer"}), over the defaults org:admin -> admin, org:member -> operator.'
        ),
    )
    clerk_webhook_secret: str | None = Field(
        default=None,
        description=(
            "The signing secret (whsec_...) of the Clerk webhook endpoint "
            "POST /v1/identity/webhooks/clerk (RAPPORT_CLERK_WEBHOOK_SECRET)."
        ),
    )
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "The server's own secret (RAPPORT_SECRET_KEY, at least 32 characters): it encrypts "
            "the PII vault, makes PII tokens and signs erasure receipts. Unset: one is made at "
            "first start in RAPPORT_HOME/secret.key. Every process of a deployment needs the "
            "same one; losing it makes vaulted PII unreadable."
        ),
    )
    cors_origins: list[str] = Field(
        default_factory=list,
        description=(
            "Browser origins allowed to call the API (RAPPORT_CORS_ORIGINS, a JSON list, e.g. "
            '["https://app.example.com"]). Empty: no cross-origin requests.'
        ),
    )

    worker: Literal["auto", "inprocess", "off"] = Field(
        default="auto",
        description=(
            "Whether `rapport serve` runs the job worker in its own process (RAPPORT_WORKER): "
            "inprocess, or off (run `rapport worker` beside it); auto: in-process on the "
            "embedded database."
        ),
    )
    job_attempts: int = Field(
        default=5, ge=1, le=50, description="Runs a failing job gets before it stays failed."
    )
    job_backoff: int = Field(
        default=5,
        ge=0,
        le=60,
        description="A failed job waits job_backoff ** attempt seconds before its next run.",
    )
    job_concurrency: int = Field(
        default=2, ge=1, le=64, description="Jobs `rapport worker` runs at once."
    )
    job_sweeps: bool = Field(
        default=True,
        description=(
            "Whether the worker queues the periodic sweeps (retention hourly, scrubbing every "
            "15 minutes, term statistics hourly); off, it runs only what is queued."
        ),
    )

    @property
    def embedded(self) -> bool:
        """True when Rapport runs its own PostgreSQL under ``home``."""
        return not self.database_url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
