"""Rapport: the memory, pipeline and learning store for AI agents that talk to people.

    import rapport
    r = rapport.Rapport()                       # in-process, on the embedded database
    c = rapport.Client("http://127.0.0.1:8000", api_key="rk_...")   # over HTTP

Both offer the same methods (``r.conversations.create(...)``, ``.get``, ``.list`` ...).
``rapport.Memory`` is Mem0's ``Memory`` API on Rapport (``rapport.mem0``).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

__all__ = ["Client", "Memory", "Rapport", "RapportError", "__version__"]

if TYPE_CHECKING:
    from rapport.errors import RapportError
    from rapport.mem0 import Memory
    from rapport.sdk import Client, Rapport


def __getattr__(name: str) -> Any:
    # Imported lazily so `import rapport` stays cheap for the CLI and for tools.
    if name in ("Rapport", "Client"):
        from rapport import sdk

        return getattr(sdk, name)
    if name == "Memory":
        from rapport.mem0 import Memory

        return Memory
    if name == "RapportError":
        from rapport.errors import RapportError

        return RapportError
    raise AttributeError(name)
