"""Opening OpenTofu-encrypted states (OpenTofu 1.7+ state encryption).

The format, as OpenTofu writes it (``internal/encryption``: ``base.go``, ``state.go``, the
``aes_gcm`` method, and the state encryption documentation) is a JSON envelope::

    {"serial": 3, "lineage": "...",
     "meta": {"key_provider.pbkdf2.main": "<base64 of the key provider's JSON metadata>"},
     "encrypted_data": "<base64>", "encryption_version": "v0"}

``serial`` and ``lineage`` are copied from the state in clear, and must match the decrypted
state's. ``encrypted_data`` is the ``aes_gcm`` method's output: a 12-byte random nonce followed
by the AES-GCM ciphertext and its 16-byte tag, under a 16-, 24- or 32-byte key from the key
provider the method's ``keys`` names, with the method's ``aad`` (a list of bytes, default none)
as additional data. A state is tried with the ``state`` target's method, then each ``fallback``
in turn; an ``unencrypted`` method in that chain lets a state in clear be read (a migration),
and without one a state in clear is refused, as OpenTofu refuses it.

``StateKeys`` is one key configuration (``TF_ENCRYPTION``, merged over a root module's
``encryption`` block when one is known) and opens states for ``tfstate.parse_state``; the
cryptography package (the ``tofu`` extra) is imported when the first state is opened.
"""

from __future__ import annotations

import base64
import binascii
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from cloudrift.errors import ConfigError, StateDecryptionError
from cloudrift.sources.files import FileTree
from cloudrift.sources.tofu_config import (
    ENV_VAR,
    Declared,
    EncryptionConfig,
    code_config,
    merge,
    methods_of,
    parse_text,
)
from cloudrift.sources.tofu_keys import (
    KeyContext,
    KmsClients,
    UndecryptableError,
    decryption_key,
    provider_named,
)
from cloudrift.sources.tofu_values import Variables, evaluate

ENCRYPTION_VERSION = "v0"
NONCE_BYTES = 12
TAG_BYTES = 16
AES_KEY_LENGTHS = frozenset({16, 24, 32})

__all__ = ["ENV_VAR", "StateKeys", "env_keys", "is_encrypted", "root_keys"]


def is_encrypted(document: Mapping[str, Any]) -> bool:
    """OpenTofu's own test: an envelope is a document with a non-empty encryption_version."""
    return bool(document.get("encryption_version"))


def _aes_gcm() -> tuple[Any, type[Exception]]:
    try:
        from cryptography.exceptions import InvalidTag
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM
    except ImportError:
        raise ConfigError("reading OpenTofu-encrypted states needs the cryptography package",
                          hint="pip install 'cloudrift-scanner[tofu]'") from None
    return AESGCM, InvalidTag


class StateKeys:
    """One key configuration, and the states it opens."""

    def __init__(self, config: EncryptionConfig, variables: Variables) -> None:
        self.config = config
        self.variables = variables
        # checked now: a configuration OpenTofu would refuse is an error before any state is read
        self.chain = methods_of(config) if config.state is not None else []
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._kms = KmsClients()

    @property
    def origin(self) -> str:
        return self.config.origin

    def secrets(self) -> set[str]:
        """Every passphrase and credential met while opening states, for the redactor."""
        with self._lock:
            return set(self._secrets)

    def open(self, document: Mapping[str, Any], source: str) -> bytes | None:
        """The plaintext of an encrypted state, or None for a state in clear that may be read
        as it is. Raises ``StateDecryptionError`` (one line: the state, the methods and key
        providers tried, why each failed) when it cannot be opened."""
        if not is_encrypted(document):
            if not self.chain or any(m.type == "unencrypted" for m, _ in self.chain):
                return None
            raise StateDecryptionError(
                f"{source}: state is not encrypted, but the key configuration ({self.origin}) "
                "reads encrypted states only, as OpenTofu does",
                hint='while migrating to encryption, add a method "unencrypted" as a fallback')
        if not self.chain:
            raise StateDecryptionError(
                f"{source}: state is encrypted (OpenTofu state encryption) and the key "
                f"configuration ({self.origin}) has no state block",
                hint="add state { method = method.aes_gcm.NAME }")
        version = document.get("encryption_version")
        if version != ENCRYPTION_VERSION:
            raise StateDecryptionError(f"{source}: unknown OpenTofu encryption version "
                                       f"{str(version)[:16]!r}")
        meta, data = self._envelope(document, source)
        failures: list[str] = []
        for method, where in self.chain:
            if method.type == "unencrypted":
                continue
            context = KeyContext(self.config, self.variables, meta, kms=self._kms)
            try:
                plaintext = self._decrypt(method, context, data)
            except UndecryptableError as exc:
                failures.append(f"{where} {method.address}: {exc}")
                continue
            finally:
                with self._lock:
                    self._secrets.update(context.secrets)
            self._check_header(document, plaintext, source)
            return plaintext
        raise StateDecryptionError(
            f"{source}: cannot decrypt the OpenTofu state with the key configuration "
            f"({self.origin}): " + "; ".join(failures),
            hint="check the passphrase or key, or add the old configuration as a fallback")

    @staticmethod
    def _envelope(document: Mapping[str, Any], source: str) -> tuple[dict[str, bytes], bytes]:
        raw_meta = document.get("meta") or {}
        encrypted = document.get("encrypted_data")
        if not isinstance(raw_meta, Mapping) or not isinstance(encrypted, str):
            raise StateDecryptionError(f"{source}: malformed OpenTofu encrypted state "
                                       "(meta or encrypted_data)")
        try:
            meta = {str(k): base64.b64decode(v, validate=True) for k, v in raw_meta.items()
                    if isinstance(v, str)}
            data = base64.b64decode(encrypted, validate=True)
        except (binascii.Error, ValueError):
            raise StateDecryptionError(f"{source}: malformed OpenTofu encrypted state "
                                       "(not base64)") from None
        return meta, data

    def _decrypt(self, method: Declared, context: KeyContext, data: bytes) -> bytes:
        if method.type != "aes_gcm":
            raise ConfigError(f"{method.origin}: encryption method type {method.type!r} "
                              f"({method.address}) is not supported by cloudrift",
                              hint="supported: aes_gcm, unencrypted")
        unknown = sorted(set(method.body) - {"keys", "aad"})
        if unknown:
            raise ConfigError(f"{method.origin}: unsupported argument {unknown[0]!r} in "
                              f"{method.address}")
        if method.body.get("keys") is None:
            raise ConfigError(f"{method.origin}: {method.address} has no keys")
        provider = provider_named(method.body["keys"], self.config, f"{method.address}.keys")
        aad = self._aad(method)
        key = decryption_key(provider, context)
        if len(key) not in AES_KEY_LENGTHS:
            raise ConfigError(f"{method.origin}: {provider.address} gives a {len(key)}-byte "
                              f"key; {method.address} needs 16, 24 or 32 bytes")
        if len(data) <= NONCE_BYTES:
            raise UndecryptableError("the encrypted data is too short (corrupt state?)")
        aesgcm, invalid_tag = _aes_gcm()
        try:
            plaintext: bytes = aesgcm(key).decrypt(data[:NONCE_BYTES], data[NONCE_BYTES:],
                                                   aad or None)
        except invalid_tag:
            raise UndecryptableError(f"{provider.address}: wrong passphrase or key (the "
                                     "data does not authenticate)") from None
        return plaintext

    def _aad(self, method: Declared) -> bytes:
        raw = method.body.get("aad")
        if raw is None:
            return b""
        value = evaluate(raw, self.variables, method.origin, f"{method.address}.aad")
        if not isinstance(value, list) or not all(
                isinstance(b, int) and not isinstance(b, bool) and 0 <= b <= 255 for b in value):
            raise ConfigError(f"{method.origin}: {method.address}.aad must be a list of bytes")
        return bytes(value)

    @staticmethod
    def _check_header(document: Mapping[str, Any], plaintext: bytes, source: str) -> None:
        import orjson

        try:
            state = orjson.loads(plaintext)
        except orjson.JSONDecodeError:
            raise StateDecryptionError(f"{source}: the decrypted OpenTofu state is not "
                                       "JSON") from None
        if not isinstance(state, dict):
            return
        serial, lineage = document.get("serial"), document.get("lineage")
        if serial is not None and state.get("serial") is not None and serial != state["serial"]:
            raise StateDecryptionError(f"{source}: the encrypted state's serial does not match "
                                       "the serial inside it (tampered with?)")
        if lineage and state.get("lineage") != lineage:
            raise StateDecryptionError(f"{source}: the encrypted state's lineage does not "
                                       "match the lineage inside it (tampered with?)")


def env_keys(env: Mapping[str, str]) -> StateKeys | None:
    """The keys ``TF_ENCRYPTION`` gives on its own (``--from`` without a root module)."""
    text = env.get(ENV_VAR, "")
    if not text.strip():
        return None
    return StateKeys(parse_text(text), Variables(env))


def root_keys(tree: FileTree, directory: str,
              blocks: Sequence[tuple[str, Mapping[str, Any], bool]],
              env: Mapping[str, str]) -> StateKeys | None:
    """The keys for one root module: its ``encryption`` block (``blocks``: file, body, whether
    from an override file), with ``TF_ENCRYPTION`` merged over it."""
    text = env.get(ENV_VAR, "")
    from_env = parse_text(text) if text.strip() else None
    config = merge(code_config(list(blocks)), from_env)
    if config is None:
        return None
    return StateKeys(config, Variables(env, tree, directory))
