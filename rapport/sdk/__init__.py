"""The Python SDK: ``Rapport`` in-process, ``Client`` over HTTP, with the same methods.

- this module: the two entry points and how each finds its principal;
- ``surface``: the sections both share (``r.contacts``, ``r.pipeline``...), put together
  from each capability's ``verbs.py``;
- ``http``: the HTTP transport (a verb call becomes its request); the in-process one is
  ``rapport.resources.dispatch.LocalTransport``.
"""

from __future__ import annotations

from rapport import runtime
from rapport.config import Settings, get_settings
from rapport.db.database import Database
from rapport.memory.enricher import Runtime
from rapport.privacy import keys
from rapport.resources.dispatch import LocalTransport
from rapport.sdk.http import HttpTransport
from rapport.sdk.surface import Surface
from rapport.tenancy import api_keys, orgs
from rapport.tenancy.principal import Principal


class Rapport(Surface):
    """Rapport in this process, on the embedded database (or ``RAPPORT_DATABASE_URL``).

        r = Rapport()                      # organization "default", full rights
        r = Rapport(org="acme")            # another organization, created if needed
        r = Rapport(api_key="rk_...")      # exactly what that key may see and do

    The schema is migrated on first use. Results are JSON-shaped dicts, as over HTTP.
    ``enrich`` (default ``RAPPORT_ENRICH``, else inline): when extraction and embeddings run
    after a write; inline means before the write returns.
    """

    def __init__(
        self,
        org: str = "default",
        *,
        api_key: str | None = None,
        settings: Settings | None = None,
        database: Database | None = None,
        enrich: str | None = None,
    ) -> None:
        settings = settings or get_settings()
        keys.configure(settings)
        owns = database is None
        self._engine: runtime.Engine | None = None
        if database is None:
            self._engine = runtime.start(settings)
            database = Database(
                self._engine.url,
                min_size=settings.pool_min,
                max_size=settings.pool_max,
                health=self._engine.health,
            )
        try:
            if api_key is not None:
                principal = database.run(api_keys.authenticate(api_key))
            else:
                found = database.run(orgs.ensure_org(org))
                principal = Principal(org_id=found["id"], role="owner")
        except BaseException:
            if owns:  # a refused key must not leave a pool of connections behind
                database.close()
                self.close_engine()
            raise
        self.principal = principal
        self.database = database
        mode = enrich or (settings.enrich if settings.enrich != "auto" else "inline")
        super().__init__(LocalTransport(database, principal, owns, Runtime(database, mode)))

    def close_engine(self) -> None:
        if self._engine is not None:
            self._engine.close()
            self._engine = None

    def close(self) -> None:
        super().close()
        self.close_engine()


class Client(Surface):
    """Rapport over HTTP: ``Client("http://127.0.0.1:8000", api_key="rk_...")``."""

    def __init__(self, url: str, api_key: str, *, timeout: float = 30.0) -> None:
        super().__init__(HttpTransport(url, api_key, timeout))


__all__ = ["Client", "Rapport"]
