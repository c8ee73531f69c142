"""The server's secret, and the keys derived from it: the PII vault's, PII tokens' and the
signing key of erasure receipts.

One secret (``RAPPORT_SECRET_KEY``, else ``RAPPORT_HOME/secret.key``, made at first use with
mode 0600) and a key per purpose derived from it with HMAC-SHA256, so a key leaked for one
purpose says nothing of another. The database never sees any of them: a dump of it holds
the vault's ciphertext and the receipts' signatures, not what opens or makes them.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from functools import cache
from pathlib import Path

from cryptography.fernet import Fernet
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

from rapport.config import Settings, get_settings

_configured: list[Settings] = []  # the settings configure() was last given


def configure(settings: Settings) -> None:
    """Use ``settings`` (the server's, the worker's, the in-process SDK's) for the secret."""
    _configured[:] = [settings]
    _secret.cache_clear()


@cache
def _secret() -> bytes:
    settings = _configured[0] if _configured else get_settings()
    if settings.secret_key is not None:
        given = settings.secret_key.get_secret_value().encode()
        if len(given) < 32:
            raise ValueError("RAPPORT_SECRET_KEY must be at least 32 characters")
        return given
    return _from_file(settings.home / "secret.key")


def _from_file(path: Path) -> bytes:
    """The secret kept in ``path``, made there now if it is not (exclusively, so two
    processes starting at once agree on one)."""
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return path.read_bytes().strip()
    made = secrets.token_urlsafe(48).encode()
    with os.fdopen(fd, "wb") as out:
        out.write(made + b"\n")
    return made


def derive(purpose: str) -> bytes:
    """32 bytes for one purpose."""
    return hmac.new(_secret(), purpose.encode(), hashlib.sha256).digest()


def vault() -> Fernet:
    """What encrypts and decrypts the PII vault."""
    return Fernet(base64.urlsafe_b64encode(derive("pii-vault")))


def token_of(scope: str, kind: str, original: str) -> str:
    """The token of one piece of PII in one conversation (``scope``): the same value there
    always gets the same token, so a tokenised text still shows it is the same number."""
    mac = hmac.new(derive("pii-tokens"), f"{scope}\0{kind}\0{original}".encode(), hashlib.sha256)
    return mac.hexdigest()[:16]


def signer() -> Ed25519PrivateKey:
    """The key that signs erasure receipts."""
    return Ed25519PrivateKey.from_private_bytes(derive("erasure-receipts"))


def public_key() -> str:
    """The receipts' public key (raw Ed25519, base64url), for anyone to verify them with."""
    raw = signer().public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.urlsafe_b64encode(raw).decode()
