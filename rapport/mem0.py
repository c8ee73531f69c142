"""Mem0's ``Memory`` on Rapport, so a Mem0 user switches by changing one import.

    from rapport import Memory                  # was: from mem0 import Memory
    m = Memory()                                # or Memory(rapport=rapport.Client(url, key))
    m.add("I love spicy Thai curry", user_id="alice", infer=False)
    m.search("what food do I like", filters={"user_id": "alice"})

Written against mem0ai 2.2.1 (``mem0/memory/main.py``): the same methods, arguments and result
shapes. Mem0's ids name Rapport records: ``user_id`` the contact with that ``external_id``,
``agent_id`` the agent of that name, ``run_id`` the contact's conversation with that
``external_id`` (channel "api"); ``add`` creates them. Where Rapport behaves differently:

- Memories belong to a person. Every call needs ``user_id``; ``agent_id`` or ``run_id`` alone
  is a ValueError (Mem0 also keeps agent-only and run-only memories). A ``run_id`` is unique in
  the organization: naming another user's run is a ValueError.
- ``add(infer=True)`` runs no LLM. The messages are appended to the run's conversation (or the
  user's "mem0:<user_id>" one) and Rapport's offline extractor turns what the user said into
  memories: budget, need, authority, timeline, objections ... ``add`` returns those, as ADD (or
  UPDATE, with ``previous_memory``, when one replaced the user's earlier value). They are
  contact-wide (no ``agent_id``), ``metadata`` goes on the messages' ``context`` rather than
  on them, ``prompt`` is ignored, and ``memory_type="procedural_memory"`` is a ValueError.
- A memory's id is Rapport's ``chain_id``, so it stays the same across updates as in Mem0,
  while Rapport stores each update as a new version and keeps the old one.
- ``search``'s ``score`` is Rapport's hybrid score (reciprocal rank fusion of keyword and
  semantic ranks, about 0.01 to 0.033), not Mem0's 0 to 1; results are best first, as in Mem0.
  ``threshold`` (default 0.1) gates cosine similarity, as Mem0's gates the semantic score.
  ``top_k`` is at most 100; ``rerank`` is accepted and ignored (Mem0 without a reranker).
- ``filters``: user_id, agent_id and run_id at the top level; other keys match the memory's
  metadata, with Mem0's eq ne gt gte lt lte in nin, "*", AND and OR. contains, icontains and
  NOT are ValueErrors. As in Mem0 1.x, ``search`` and ``get_all`` also take top-level
  ``user_id``/``agent_id``/``run_id`` and ``limit`` (2.x raises on them).
- ``get_all`` and ``search`` return every memory Rapport holds about the person, including
  those its pipeline extracted, not only those written through this class.
- Nothing is erased: ``delete`` ends a memory's validity, so ``history`` and
  ``r.memories.recall(as_of=...)`` still see it. ``reset`` ends every memory of the
  organization, the sales pipeline's included; it does not drop a collection.
- ``add`` returns once the new memories are embedded, so a ``search`` right after finds them.
- Not supported: ``expiration_date``, ``timestamp``, ``show_expired``, ``explain``, graph memory.
"""

from __future__ import annotations

import hashlib
import itertools
import uuid
from collections.abc import Mapping
from typing import Any

from rapport import errors
from rapport.resources.sections import ResourceSection
from rapport.sdk import Rapport
from rapport.sdk.surface import Surface

IDS = ("user_id", "agent_id", "run_id")
IDENTITY = (*IDS, "actor_id")  # set by the call, never through metadata (as in Mem0)
OPERATORS = {op: f"${op}" for op in ("eq", "ne", "gt", "gte", "lt", "lte", "in", "nin")}
_HISTORY = uuid.UUID("9b0e3c4e-5d8a-4f27-b6c1-6a3f2e1d0c9b")  # names history rows stably
Scope = tuple[dict[str, Any], dict[str, str]]  # (Rapport filter, Rapport id -> Mem0 id)


class Memory:
    """Mem0's OSS ``Memory`` API over one Rapport organization (or any ``rapport.Client``)."""

    def __init__(
        self, config: Any = None, *, org: str = "default", rapport: Surface | None = None
    ) -> None:
        """``config`` is kept for Mem0 code that reads it back; Rapport uses none of it."""
        self.config = config
        self._owns = rapport is None
        self._r: Surface = rapport if rapport is not None else Rapport(org)

    @classmethod
    def from_config(
        cls, config_dict: Mapping[str, Any], *, org: str = "default", rapport: Surface | None = None
    ) -> Memory:
        """Takes a Mem0 config and ignores it: Rapport brings its own store (PostgreSQL, named
        by ``RAPPORT_DATABASE_URL`` or embedded), embedder and extractor, so ``llm``,
        ``embedder``, ``vector_store``, ``history_db_path``, ``reranker`` ... set nothing."""
        return cls(dict(config_dict), org=org, rapport=rapport)

    def add(
        self,
        messages: Any,
        *,
        user_id: Any = None,
        agent_id: Any = None,
        run_id: Any = None,
        metadata: Mapping[str, Any] | None = None,
        infer: bool = True,
        memory_type: str | None = None,
        prompt: str | None = None,
    ) -> dict[str, Any]:
        """Remember each message (``infer=False``) or what Rapport extracts from them."""
        if memory_type is not None:
            raise ValueError(f"memory_type {memory_type!r}: Rapport runs no LLM to write it")
        turns = [t for t in _messages(messages) if _valid(t)]
        scope, names = self._scope(user_id, agent_id, run_id, create=True)
        extra = {k: v for k, v in (metadata or {}).items() if k not in IDENTITY}
        if infer:
            return {"results": self._infer(turns, scope, names, extra)}
        kept = [t for t in turns if t["role"] != "system"]
        rows = [
            {**scope, "key": f"mem0.{uuid.uuid4().hex}", "text": t["content"],
             "extracted_by": "mem0", "metadata": {**extra, **_speaker(t)}}
            for t in kept
        ]  # fmt: skip
        ids = self._r.memories.bulk_create(rows) if rows else []
        self._r.enrichment.flush()  # embedded now, so a search right after finds them
        results = [
            {"id": id, "memory": t["content"], "event": "ADD", "actor_id": t.get("name"),
             "role": t["role"]}
            for id, t in zip(ids, kept, strict=True)
        ]  # fmt: skip
        return {"results": results}

    def _infer(
        self, turns: list[Any], scope: dict[str, Any], names: dict[str, str], context: Any
    ) -> list[dict[str, Any]]:
        """Append the turns as messages; the memories extracted from them, as Mem0 events."""
        if not turns:
            return []
        contact, agent = scope["contact_id"], names.get(scope.get("agent_id", ""))
        run = scope.get("conversation_id") or self._conversation(
            contact, f"mem0:{names[contact]}", create=True
        )
        items = [
            {"role": t["role"], "content": t["content"], "context": context}
            | ({"agent_type": agent} if agent and t["role"] == "assistant" else {})
            for t in turns
        ]
        ids = self._r.conversations.append_messages(run, items)
        self._r.enrichment.flush()
        found = self._r.memories.list({"source_message_id": {"$in": ids}}, limit=1000)["items"]
        events = []
        for memory, item in zip(found, self._items(found), strict=True):
            event = {"id": item["id"], "memory": item["memory"], "event": "ADD"}
            if memory["supersedes"] is not None:  # it replaced the user's earlier value
                previous = self._r.memories.get(memory["supersedes"])["text"]
                event |= {"event": "UPDATE", "previous_memory": previous}
            events.append(event)
        return events

    def get(self, memory_id: Any) -> dict[str, Any] | None:
        """The memory as it is now; None when there is none or it was deleted."""
        current = self._current(memory_id)
        return None if current is None else {**self._items([current])[0], "score": None}

    def get_all(
        self,
        *,
        filters: Mapping[str, Any] | None = None,
        top_k: int = 20,
        user_id: Any = None,
        agent_id: Any = None,
        run_id: Any = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """The user's current memories, newest first, at most ``top_k`` (or ``limit``)."""
        wanted = limit if limit is not None else top_k
        found = self._filter(filters, user_id, agent_id, run_id)
        if found is None or wanted < 1:
            return {"results": []}
        pages = self._r.memories.iterate(found[0], page_size=min(wanted, 1000))
        return {"results": self._items(list(itertools.islice(pages, wanted)), found[1])}

    def search(
        self,
        query: str,
        *,
        top_k: int = 20,
        filters: Mapping[str, Any] | None = None,
        threshold: float | None = 0.1,
        rerank: bool = False,
        user_id: Any = None,
        agent_id: Any = None,
        run_id: Any = None,
        limit: int | None = None,
    ) -> dict[str, Any]:
        """The user's memories nearest ``query`` by meaning and words, best first."""
        if not isinstance(query, str) or not query.strip():
            raise ValueError("Invalid query: cannot be empty or whitespace-only.")
        wanted = min(limit if limit is not None else top_k, 100)
        found = self._filter(filters, user_id, agent_id, run_id)
        if found is None or wanted < 1:
            return {"results": []}
        hits = self._r.search(query.strip(), scope=["memories"], filter=found[0], k=wanted)
        gate = 0.1 if threshold is None else threshold  # Mem0 2.x reads None as 0.1
        kept = [hit for hit in hits["results"] if (hit["similarity"] or 0.0) >= gate]
        items = self._items([hit["memory"] for hit in kept], found[1])
        scored = [item | {"score": hit["score"]} for item, hit in zip(items, kept, strict=True)]
        return {"results": scored}

    def update(
        self,
        memory_id: Any,
        text: str | None = None,
        metadata: Mapping[str, Any] | None = None,
        *,
        data: str | None = None,
    ) -> dict[str, str]:
        """A new version with the text (``data``: Mem0's old name for it) or metadata."""
        text = text if text is not None else data
        if text is None and metadata is None:
            raise ValueError("At least one of text or metadata must be provided.")
        current = self._current(memory_id)
        if current is None:
            raise ValueError(f"Memory with id {memory_id} not found.")
        patch: dict[str, Any] = {"extracted_by": "mem0"}
        if text is not None:
            patch["text"] = text
        if metadata is not None:
            kept = {k: v for k, v in metadata.items() if k not in IDENTITY}
            patch["metadata"] = {**current["metadata"], **kept}
        self._r.memories.update(current["id"], patch)
        return {"message": "Memory updated successfully!"}

    def delete(self, memory_id: Any) -> dict[str, str]:
        """End the memory's validity; its versions stay for ``history``."""
        current = self._current(memory_id)
        if current is None:
            raise ValueError(f"Memory with id {memory_id} not found")
        self._r.memories.delete(current["id"])
        return {"message": "Memory deleted successfully!"}

    def delete_all(
        self, user_id: Any = None, agent_id: Any = None, run_id: Any = None
    ) -> dict[str, str]:
        """Delete the user's current memories (or, within them, an agent's or a run's)."""
        found = self._filter(None, user_id, agent_id, run_id)
        for memory in list(self._r.memories.iterate(found[0])) if found else []:
            self._r.memories.delete(memory["id"])
        return {"message": "Memories deleted successfully!"}

    def history(self, memory_id: Any) -> list[dict[str, Any]]:
        """Each change, oldest first, as Mem0's history rows: ADD, UPDATE ..., DELETE."""
        try:
            found = self._r.memories.history(memory_id)
        except errors.NotFound:
            return []
        first = found["items"][0]["at"]
        return [
            {"id": str(uuid.uuid5(_HISTORY, f"{e['memory_id']}:{e['event']}")),
             "memory_id": found["chain_id"], "old_memory": e["old_text"],
             "new_memory": e["new_text"], "event": e["event"], "created_at": first,
             "updated_at": e["at"], "is_deleted": e["event"] == "DELETE",
             "actor_id": e["actor"], "role": None}
            for e in found["items"]
        ]  # fmt: skip

    def reset(self) -> None:
        """Delete (end) every memory of the organization, whoever wrote it. Unlike Mem0's
        reset nothing is erased: the versions stay, and ``as_of`` reads still see them."""
        for memory in list(self._r.memories.iterate()):
            self._r.memories.delete(memory["id"])

    def close(self) -> None:
        if self._owns:
            self._r.close()

    def __enter__(self) -> Memory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _current(self, memory_id: Any) -> dict[str, Any] | None:
        """The current version of the memory one of whose versions is ``memory_id``."""
        try:
            version = self._r.memories.get(memory_id)
        except errors.NotFound:
            return None
        if version["valid_to"] is None:
            return version
        return _first(self._r.memories.list({"chain_id": version["chain_id"]}, limit=1))

    def _scope(self, user_id: Any, agent_id: Any, run_id: Any, *, create: bool) -> Scope:
        """Mem0's ids as a Rapport filter, their records created when ``create``; else a
        LookupError when one names nothing yet (so nothing can match)."""
        user, agent, run = (
            _entity(v, n) for v, n in zip((user_id, agent_id, run_id), IDS, strict=True)
        )
        if user is None:
            raise ValueError(
                "Rapport keeps memories per person: pass user_id (Mem0 also allows agent_id "
                "or run_id alone; Rapport scopes them within a user)"
            )
        contact = _record(self._r.contacts, {"external_id": user}, {"name": user}, create)
        scope, names = {"contact_id": contact["id"]}, {contact["id"]: user}
        if agent is not None:
            found = _record(self._r.agents, {"name": agent}, {"role": "custom"}, create)
            scope["agent_id"], names[found["id"]] = found["id"], agent
        if run is not None:
            scope["conversation_id"] = self._conversation(contact["id"], run, create)
            names[scope["conversation_id"]] = run
        return scope, names

    def _conversation(self, contact_id: str, external_id: str, create: bool) -> str:
        rest = {"contact_id": contact_id, "channel": "api"}
        found = _record(self._r.conversations, {"external_id": external_id}, rest, create)
        if found["contact_id"] == contact_id:
            return str(found["id"])
        if create:  # a conversation's external_id is unique in the organization
            raise ValueError(f"run_id {external_id!r} is another user's run in Rapport")
        raise LookupError(external_id)

    def _filter(
        self, filters: Mapping[str, Any] | None, user_id: Any, agent_id: Any, run_id: Any
    ) -> Scope | None:
        """Rapport's filter for Mem0's ids and ``filters``; None when nothing can match."""
        given = {**(filters or {})}
        given |= {
            k: v for k, v in zip(IDS, (user_id, agent_id, run_id), strict=True) if v is not None
        }
        try:
            spec, names = self._scope(*(given.pop(key, None) for key in IDS), create=False)
        except LookupError:
            return None
        return spec | _metadata_filter(given), names

    def _items(
        self, memories: list[dict[str, Any]], names: dict[str, str] | None = None
    ) -> list[dict[str, Any]]:
        """Rapport memories as Mem0 items (without ``score``)."""
        names = dict(names or {})

        def mem0_id(client: ResourceSection, id: str, field: str) -> str:
            if id not in names:  # its external_id or name, else its Rapport id
                names[id] = client.get(id).get(field) or id
            return names[id]

        first = {m["chain_id"]: m["created_at"] for m in memories}
        later = [m["chain_id"] for m in memories if m["supersedes"] is not None]
        if later:  # Mem0's created_at is the first version's
            found = self._r.memories.recall({"id": {"$in": later}}, all_versions=True, limit=1000)
            first |= {m["id"]: m["created_at"] for m in found["items"]}
        items = []
        for m in memories:
            extra = dict(m["metadata"])
            item = {
                "id": m["chain_id"], "memory": m["text"],
                "hash": hashlib.md5(m["text"].encode()).hexdigest(), "metadata": None,
                "created_at": first[m["chain_id"]], "updated_at": m["created_at"],
                "user_id": mem0_id(self._r.contacts, m["contact_id"], "external_id"),
            }  # fmt: skip
            if m["agent_id"] is not None:
                item["agent_id"] = mem0_id(self._r.agents, m["agent_id"], "name")
            if m["conversation_id"] is not None:
                item["run_id"] = mem0_id(self._r.conversations, m["conversation_id"], "external_id")
            item |= {k: extra.pop(k) for k in ("role", "actor_id") if k in extra}
            items.append(item | {"metadata": extra or None})
        return items


def _record(
    client: ResourceSection, key: dict[str, Any], rest: dict[str, Any], create: bool
) -> dict[str, Any]:
    """The record ``key`` names: created if missing (a create with an existing external_id or
    agent name returns the stored one), or found, or a LookupError."""
    if create:
        return client.create(key | rest)
    found = _first(client.list(key, limit=1))
    if found is None:
        raise LookupError(key)
    return found


def _first(page: dict[str, Any]) -> dict[str, Any] | None:
    items: list[dict[str, Any]] = page["items"]
    return items[0] if items else None


def _messages(messages: Any) -> list[Any]:
    if isinstance(messages, str):
        return [{"role": "user", "content": messages}]
    if isinstance(messages, Mapping):
        return [messages]
    if isinstance(messages, list):
        return messages
    raise ValueError("messages must be str, dict, or list[dict]")


def _valid(t: Any) -> bool:
    """Mem0 skips messages without a role or text content."""
    return isinstance(t, Mapping) and bool(t.get("role")) and isinstance(t.get("content"), str)


def _speaker(turn: Mapping[str, Any]) -> dict[str, Any]:
    """Mem0 keeps who said it in the memory: the role, and the name when given."""
    return {"role": turn["role"]} | ({"actor_id": turn["name"]} if turn.get("name") else {})


def _entity(value: Any, name: str) -> str | None:
    """Mem0's id rules: coerced to str, trimmed, not empty, no whitespace inside."""
    if value is None:
        return None
    trimmed = str(value).strip()
    if not trimmed or any(c.isspace() for c in trimmed):
        raise ValueError(f"Invalid {name}: {value!r}; it must be non-empty, without whitespace")
    return trimmed


def _metadata_filter(spec: Mapping[str, Any]) -> dict[str, Any]:
    """Mem0's metadata filters in Rapport's filter language (``metadata.<key>``)."""
    out: dict[str, Any] = {}
    for key, condition in spec.items():
        if key in ("AND", "OR"):
            out["$" + key.lower()] = [_metadata_filter(part) for part in condition]
        elif key == "NOT" or key in IDS:
            raise ValueError(f"filters: Rapport's Memory does not support {key!r} here")
        elif isinstance(condition, Mapping):
            unknown = [op for op in condition if op not in OPERATORS]
            if unknown:
                raise ValueError(f"filters: {key}: {unknown[0]!r} is not one of {list(OPERATORS)}")
            out[f"metadata.{key}"] = {OPERATORS[op]: v for op, v in condition.items()}
        else:
            out[f"metadata.{key}"] = {"$exists": True} if condition == "*" else condition
    return out
