"""OpenTofu-encrypted states for tests, written from OpenTofu's specification of the format.

No ``tofu`` binary is involved: these writers follow what OpenTofu 1.7-1.10 documents and does
(state encryption docs; ``internal/encryption``: the envelope of ``base.go``/``state.go``, the
``pbkdf2`` and ``aws_kms`` key providers' metadata, the ``aes_gcm`` method), so a state they
write is what ``tofu`` writes, byte layout included:

- the envelope is Go's ``encoding/json`` of ``{serial, lineage, meta, encrypted_data,
  encryption_version}`` in that order, compact; ``[]byte`` values are standard base64 with
  padding; ``meta`` maps ``key_provider.TYPE.NAME`` (or an ``encrypted_metadata_alias``) to
  the base64 of the provider's metadata JSON, keys sorted as Go sorts map keys;
- ``pbkdf2`` metadata is ``{"salt", "iterations", "hash_function", "key_length"}`` and the key
  is PBKDF2-HMAC(passphrase, salt, iterations, key_length, sha256|sha512);
- ``aws_kms`` metadata is ``{"ciphertext_blob", "encryption_context"}`` (the context left out
  when empty), the key being ``GenerateDataKey``'s plaintext;
- ``aes_gcm`` output is a 12-byte nonce, then the ciphertext with its 16-byte tag, with the
  method's ``aad`` as additional data.

Needs the ``cryptography`` package (the ``tofu`` extra).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

# OpenTofu's own defaults for the pbkdf2 key provider
DEFAULT_ITERATIONS = 600_000
DEFAULT_SALT_LENGTH = 32


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def go_json(value: Any) -> bytes:
    """Compact JSON as Go's encoding/json writes it (keys in the order given: sort a map's
    keys first, as Go does), with <, > and & escaped."""
    text = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026").encode()


@dataclass(frozen=True)
class Pbkdf2Provider:
    """A ``key_provider "pbkdf2" NAME`` and the metadata one encryption stored."""

    passphrase: str | bytes  # bytes: the key of a provider chained into this one
    name: str = "main"
    salt: bytes = field(default_factory=lambda: os.urandom(DEFAULT_SALT_LENGTH))
    iterations: int = DEFAULT_ITERATIONS
    hash_function: str = "sha512"
    key_length: int = 32
    alias: str | None = None

    @property
    def meta_key(self) -> str:
        return self.alias or f"key_provider.pbkdf2.{self.name}"

    def key(self) -> bytes:
        secret = self.passphrase if isinstance(self.passphrase, bytes) else (
            self.passphrase.encode())
        return hashlib.pbkdf2_hmac(self.hash_function, secret, self.salt, self.iterations,
                                   self.key_length)

    def metadata(self) -> dict[str, Any]:
        # the field order of OpenTofu's pbkdf2 Metadata struct
        return {"salt": _b64(self.salt), "iterations": self.iterations,
                "hash_function": self.hash_function, "key_length": self.key_length}


def seal(state: Mapping[str, Any] | bytes, key: bytes, meta: Mapping[str, Mapping[str, Any]],
         *, nonce: bytes | None = None, aad: bytes = b"") -> bytes:
    """The envelope of ``state`` encrypted with ``aes_gcm`` under ``key``; ``meta`` maps each
    metadata key to the key provider's metadata."""
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    # OpenTofu 1.8 and later write states as compact JSON
    plain = state if isinstance(state, bytes) else go_json(state)
    header = json.loads(plain)
    nonce = os.urandom(12) if nonce is None else nonce
    assert len(nonce) == 12
    encrypted = nonce + AESGCM(key).encrypt(nonce, plain, aad or None)
    envelope = {
        "serial": header.get("serial"),
        "lineage": header.get("lineage", ""),
        "meta": {name: _b64(go_json(dict(meta[name]))) for name in sorted(meta)},
        "encrypted_data": _b64(encrypted),
        "encryption_version": "v0",
    }
    return go_json(envelope)


def pbkdf2_encrypted(state: Mapping[str, Any] | bytes, provider: Pbkdf2Provider, *,
                     nonce: bytes | None = None, aad: bytes = b"") -> bytes:
    """``state`` as OpenTofu writes it with ``pbkdf2`` + ``aes_gcm``."""
    return seal(state, provider.key(), {provider.meta_key: provider.metadata()}, nonce=nonce,
                aad=aad)


def kms_encrypted(state: Mapping[str, Any] | bytes, client: Any, kms_key_id: str, *,
                  name: str = "main", key_spec: str = "AES_256",
                  encryption_context: Mapping[str, str] | None = None) -> bytes:
    """``state`` as OpenTofu writes it with ``aws_kms`` + ``aes_gcm``: a fresh data key from
    ``GenerateDataKey`` (called with ``client``, a boto3 KMS client), its wrapped form stored."""
    request: dict[str, Any] = {"KeyId": kms_key_id, "KeySpec": key_spec}
    if encryption_context:
        request["EncryptionContext"] = dict(encryption_context)
    generated = client.generate_data_key(**request)
    metadata: dict[str, Any] = {"ciphertext_blob": _b64(generated["CiphertextBlob"])}
    if encryption_context:
        metadata["encryption_context"] = dict(encryption_context)
    return seal(state, generated["Plaintext"], {f"key_provider.aws_kms.{name}": metadata})
