"""Scrubbing a text: each piece of personal data ``detect`` finds, redacted, masked or
replaced by a token whose original goes to the vault.

Scrubbing is idempotent: what it writes (``[EMAIL]``, ``j***@example.com``,
``[PHONE:9f2c...]``) is not personal data to the detectors, so a scrubbed text scrubbed
again is unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from rapport.privacy import detect, keys
from rapport.privacy.settings import Mode

TOKEN = re.compile(r"\[(EMAIL|PHONE|CARD|IBAN|IP|NATIONAL_ID):([0-9a-f]{16})\]")


@dataclass(frozen=True, slots=True)
class Secret:
    """What a token stands for."""

    token: str
    kind: str
    original: str


@dataclass(slots=True)
class Scrubbed:
    text: str
    found: int = 0
    secrets: list[Secret] = field(default_factory=list)


def scrub(text: str, mode: Mode, region: str, scope: str) -> Scrubbed:
    """``text`` with its personal data replaced; ``scope`` (org and conversation) keys the
    tokens of ``tokenize``."""
    found = detect.find(text, region)
    if not found:
        return Scrubbed(text)
    out = Scrubbed("", len(found))
    parts: list[str] = []
    at = 0
    for item in found:
        parts.append(text[at : item.start])
        label = item.kind.upper()
        if mode == "redact":
            parts.append(f"[{label}]")
        elif mode == "mask":
            parts.append(detect.mask(item.kind, item.text))
        else:
            token = keys.token_of(scope, item.kind, item.text)
            out.secrets.append(Secret(token, item.kind, item.text))
            parts.append(f"[{label}:{token}]")
        at = item.end
    parts.append(text[at:])
    out.text = "".join(parts)
    return out


def scrub_value(value: Any, mode: Mode, region: str, scope: str, into: Scrubbed) -> Any:
    """A JSON value with every string in it scrubbed (a memory's ``value``); what was found
    is added to ``into``."""
    if isinstance(value, str):
        done = scrub(value, mode, region, scope)
        into.found += done.found
        into.secrets.extend(done.secrets)
        return done.text
    if isinstance(value, list):
        return [scrub_value(v, mode, region, scope, into) for v in value]
    if isinstance(value, dict):
        return {k: scrub_value(v, mode, region, scope, into) for k, v in value.items()}
    return value


def tokens_in(text: str) -> Iterator[str]:
    """The vault tokens in a scrubbed text."""
    for match in TOKEN.finditer(text):
        yield match.group(2)
