"""The key providers cloudrift opens OpenTofu-encrypted states with: ``pbkdf2`` and ``aws_kms``.

Each provider stored metadata in the state (the envelope's ``meta``, under
``key_provider.TYPE.NAME`` or the provider's ``encrypted_metadata_alias``: base64 of a JSON
object) and turns it back into the decryption key:

- ``pbkdf2``: ``{"salt": base64, "iterations": N, "hash_function": "sha256"|"sha512",
  "key_length": N}``; the key is PBKDF2-HMAC of the passphrase (or of the decryption key of the
  provider named in ``chain``) with the state's salt and parameters, whatever the configuration
  says about them today (the configuration's own values must still be valid, as OpenTofu checks
  them: passphrase of 16 characters or more, at least 200,000 iterations).
- ``aws_kms``: ``{"ciphertext_blob": base64, "encryption_context": {...}}``; the key is what
  KMS ``Decrypt`` returns for the blob, with the stored encryption context. Decrypt is the one
  call a scan makes that is not a List/Describe/Get: it only reads the data key. (OpenTofu also
  calls ``GenerateDataKey`` on every read, to have a key for its next write; cloudrift never
  writes, so it does not.)

Only decryption happens here; keys are never logged and never part of a message.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import orjson

from cloudrift.errors import ConfigError
from cloudrift.sources.tofu_config import Declared, EncryptionConfig, reference
from cloudrift.sources.tofu_values import Variables, evaluate

MIN_PASSPHRASE = 16
MIN_ITERATIONS = 200_000
HASHES = {"sha256": "sha256", "sha512": "sha512"}
# a state's metadata is not trusted to make a scan compute for hours
MAX_ITERATIONS = 50_000_000
MAX_KEY_LENGTH = 1024
KEY_SPECS = frozenset({"AES_256", "AES_128"})

_PBKDF2_ARGS = frozenset({"passphrase", "chain", "key_length", "iterations", "hash_function",
                          "salt_length", "encrypted_metadata_alias"})
# the aws_kms arguments that change how Decrypt is called; the others that OpenTofu takes
# (account checks, IMDS and STS settings, proxies) are about writing or about discovery
_KMS_USED = frozenset({"kms_key_id", "key_spec", "region", "profile", "access_key", "secret_key",
                       "token", "encryption_context", "assume_role", "max_retries", "retry_mode",
                       "insecure", "custom_ca_bundle", "use_fips_endpoint",
                       "use_dualstack_endpoint", "encrypted_metadata_alias"})
_KMS_IGNORED = frozenset({"skip_credentials_validation", "skip_requesting_account_id",
                          "skip_metadata_api_check", "sts_region", "endpoints", "http_proxy",
                          "https_proxy", "no_proxy", "allowed_account_ids",
                          "forbidden_account_ids", "ec2_metadata_service_endpoint",
                          "ec2_metadata_service_endpoint_mode"})


class UndecryptableError(Exception):
    """This state cannot be opened this way; the message says why and holds no key material."""


@dataclass
class KeyContext:
    """What opening one state needs: the configuration, its variables, the state's metadata,
    and where the secrets met on the way are collected for the redactor."""

    config: EncryptionConfig
    variables: Variables
    meta: Mapping[str, bytes]
    secrets: set[str] = field(default_factory=set)
    kms: KmsClients | None = None


def meta_key(provider: Declared, context: KeyContext) -> str:
    alias = evaluate(provider.body.get("encrypted_metadata_alias"), context.variables,
                     provider.origin, f"{provider.address}.encrypted_metadata_alias")
    if alias is not None and not isinstance(alias, str):
        raise ConfigError(f"{provider.origin}: {provider.address}.encrypted_metadata_alias "
                          "is not a string")
    return alias or provider.address


def _metadata(provider: Declared, context: KeyContext) -> dict[str, Any] | None:
    raw = context.meta.get(meta_key(provider, context))
    if raw is None:
        return None
    try:
        document = orjson.loads(raw)
    except orjson.JSONDecodeError:
        raise UndecryptableError(f"the state's metadata for {provider.address} is not "
                                 "JSON") from None
    if not isinstance(document, dict):
        raise UndecryptableError(f"the state's metadata for {provider.address} is not an object")
    return document


def _b64(value: Any, what: str) -> bytes:
    if not isinstance(value, str):
        raise UndecryptableError(f"{what} is not base64 text")
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        raise UndecryptableError(f"{what} is not valid base64") from None


def _setting(provider: Declared, context: KeyContext, name: str, default: Any = None) -> Any:
    value = provider.body.get(name)
    if value is None:
        return default
    return evaluate(value, context.variables, provider.origin, f"{provider.address}.{name}")


def _whole(provider: Declared, context: KeyContext, name: str, default: int) -> int:
    value = _setting(provider, context, name, default)
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value)
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int) or isinstance(value, bool):
        raise ConfigError(f"{provider.origin}: {provider.address}.{name} is not a whole number")
    return value


def decryption_key(provider: Declared, context: KeyContext,
                   stack: tuple[str, ...] = ()) -> bytes:
    """The key this provider gives for opening the state in ``context``."""
    if provider.address in stack:
        chain = " -> ".join((*stack, provider.address))
        raise ConfigError(f"{provider.origin}: circular reference between key providers "
                          f"({chain})")
    if provider.type == "pbkdf2":
        return _pbkdf2(provider, context, (*stack, provider.address))
    if provider.type == "aws_kms":
        return _aws_kms(provider, context)
    raise ConfigError(f"{provider.origin}: key provider type {provider.type!r} "
                      f"({provider.address}) is not supported by cloudrift",
                      hint="supported: pbkdf2, aws_kms; or scan the output of "
                      "`tofu state pull`")


def provider_named(value: Any, config: EncryptionConfig, where: str) -> Declared:
    """The key provider a ``keys`` or ``chain`` argument refers to."""
    found = reference(value, "key_provider")
    if found is None:
        raise ConfigError(f"{config.origin}: {where} is not a reference to a key provider",
                          hint="e.g. keys = key_provider.pbkdf2.NAME")
    provider = config.key_provider(*found)
    if provider is None:
        raise ConfigError(f"{config.origin}: {where} refers to key_provider.{found[0]}."
                          f"{found[1]}, which is not declared")
    return provider


# --- pbkdf2 -----------------------------------------------------------------------------------


def _pbkdf2(provider: Declared, context: KeyContext, stack: tuple[str, ...]) -> bytes:
    where = provider.address
    unknown = sorted(set(provider.body) - _PBKDF2_ARGS)
    if unknown:
        raise ConfigError(f"{provider.origin}: unsupported argument {unknown[0]!r} in {where}")
    has_chain = provider.body.get("chain") is not None
    passphrase = _setting(provider, context, "passphrase")
    if has_chain == (passphrase is not None and passphrase != ""):
        raise ConfigError(f"{provider.origin}: {where} needs either passphrase or chain")
    if has_chain:
        upstream = provider_named(provider.body["chain"], context.config, f"{where}.chain")
        secret = decryption_key(upstream, context, stack)
        if len(secret) < MIN_PASSPHRASE:
            raise ConfigError(f"{provider.origin}: {upstream.address} gives {where} a key "
                              f"shorter than {MIN_PASSPHRASE} bytes")
    else:
        if not isinstance(passphrase, str):
            raise ConfigError(f"{provider.origin}: {where}.passphrase is not a string")
        context.secrets.add(passphrase)
        secret = passphrase.encode()
        if len(secret) < MIN_PASSPHRASE:
            raise ConfigError(f"{provider.origin}: {where}.passphrase is shorter than "
                              f"{MIN_PASSPHRASE} characters; OpenTofu refuses it too")
    if _whole(provider, context, "iterations", 600_000) < MIN_ITERATIONS:
        raise ConfigError(f"{provider.origin}: {where}.iterations is below {MIN_ITERATIONS}")
    if (_whole(provider, context, "key_length", 32) <= 0
            or _whole(provider, context, "salt_length", 32) <= 0):
        raise ConfigError(f"{provider.origin}: {where}: key_length and salt_length must be "
                          "larger than zero")
    if _setting(provider, context, "hash_function", "sha512") not in HASHES:
        raise ConfigError(f"{provider.origin}: {where}.hash_function must be sha256 or sha512")

    meta = _metadata(provider, context)
    if not meta or not (meta.get("salt") and meta.get("iterations") and meta.get("hash_function")
                        and meta.get("key_length")):
        raise UndecryptableError(f"the state holds no pbkdf2 metadata for {where}")
    salt = _b64(meta["salt"], f"the salt of {where}")
    iterations, length, hash_name = meta["iterations"], meta["key_length"], meta["hash_function"]
    if hash_name not in HASHES:
        raise UndecryptableError(f"the state's metadata for {where} names an unknown hash "
                                 "function")
    for number in (iterations, length):
        if not isinstance(number, int) or isinstance(number, bool) or number <= 0:
            raise UndecryptableError(f"the state's metadata for {where} is malformed")
    if iterations > MAX_ITERATIONS or length > MAX_KEY_LENGTH:
        raise UndecryptableError(f"the state's metadata for {where} asks for more key "
                                 "derivation work than cloudrift does")
    return hashlib.pbkdf2_hmac(HASHES[hash_name], secret, salt, iterations, length)


# --- aws_kms ----------------------------------------------------------------------------------


class KmsClients:
    """One KMS client per key provider configuration, shared by the threads reading states."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._clients: dict[str, Any] = {}

    def get(self, key: str, make: Any) -> Any:
        with self._lock:
            if key not in self._clients:
                self._clients[key] = make()
            return self._clients[key]


def _kms_settings(provider: Declared, context: KeyContext) -> dict[str, Any]:
    where = provider.address
    unknown = sorted(set(provider.body) - _KMS_USED - _KMS_IGNORED)
    if unknown:
        raise ConfigError(f"{provider.origin}: argument {unknown[0]!r} of {where} is not "
                          "supported by cloudrift")
    settings = {name: _setting(provider, context, name) for name in _KMS_USED}
    for name in ("kms_key_id", "key_spec"):
        if not settings[name]:
            raise ConfigError(f"{provider.origin}: {where} has no {name}")
    if settings["key_spec"] not in KEY_SPECS:
        raise ConfigError(f"{provider.origin}: {where}.key_spec must be one of "
                          + ", ".join(sorted(KEY_SPECS)))
    for name in ("secret_key", "token"):
        if isinstance(settings[name], str):
            context.secrets.add(settings[name])
    return settings


def _kms_client(settings: Mapping[str, Any], provider: Declared) -> Any:
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise ConfigError(f"{provider.origin}: {provider.address} needs boto3",
                          hint="pip install 'cloudrift-scanner[aws]'") from None
    region = (settings["region"] or os.environ.get("AWS_REGION")
              or os.environ.get("AWS_DEFAULT_REGION"))
    if not region:
        raise ConfigError(f"{provider.origin}: {provider.address} has no region",
                          hint="set region, or AWS_REGION")
    session = boto3.session.Session(
        profile_name=settings["profile"] or None,
        aws_access_key_id=settings["access_key"] or None,
        aws_secret_access_key=settings["secret_key"] or None,
        aws_session_token=settings["token"] or None,
        region_name=region,
    )
    role = settings["assume_role"]
    if isinstance(role, list):
        role = role[0] if role else None
    if isinstance(role, Mapping) and role.get("role_arn"):
        # assuming a role to reach the key is, as for --aws-role, a read of credentials
        request = {"RoleArn": role["role_arn"],
                   "RoleSessionName": role.get("session_name") or "cloudrift"}
        if role.get("external_id"):
            request["ExternalId"] = role["external_id"]
        granted = session.client("sts").assume_role(**request)["Credentials"]
        session = boto3.session.Session(
            aws_access_key_id=granted["AccessKeyId"],
            aws_secret_access_key=granted["SecretAccessKey"],
            aws_session_token=granted["SessionToken"], region_name=region)
    retries: dict[str, Any] = {"max_attempts": int(settings["max_retries"] or 5)}
    retries["mode"] = settings["retry_mode"] or "standard"
    config = Config(retries=retries, use_fips_endpoint=bool(settings["use_fips_endpoint"]),
                    use_dualstack_endpoint=bool(settings["use_dualstack_endpoint"]))
    verify: bool | str | None = None
    if settings["insecure"]:
        verify = False
    elif settings["custom_ca_bundle"] or os.environ.get("AWS_CA_BUNDLE"):
        verify = settings["custom_ca_bundle"] or os.environ["AWS_CA_BUNDLE"]
    return session.client("kms", config=config, verify=verify)


def _aws_kms(provider: Declared, context: KeyContext) -> bytes:
    settings = _kms_settings(provider, context)
    meta = _metadata(provider, context)
    if not meta or not meta.get("ciphertext_blob"):
        raise UndecryptableError(f"the state holds no aws_kms metadata for {provider.address}")
    blob = _b64(meta["ciphertext_blob"], f"the data key of {provider.address}")
    request: dict[str, Any] = {"KeyId": settings["kms_key_id"], "CiphertextBlob": blob}
    encryption_context = meta.get("encryption_context")
    if encryption_context:
        if not isinstance(encryption_context, dict):
            raise UndecryptableError(f"the encryption context of {provider.address} is "
                                     "malformed")
        request["EncryptionContext"] = encryption_context
    clients = context.kms or KmsClients()
    try:
        from botocore.exceptions import BotoCoreError, ClientError
    except ImportError:
        raise ConfigError(f"{provider.origin}: {provider.address} needs boto3",
                          hint="pip install 'cloudrift-scanner[aws]'") from None
    try:
        client = clients.get(orjson.dumps(settings, default=str).decode(),
                             lambda: _kms_client(settings, provider))
        plaintext = client.decrypt(**request)["Plaintext"]
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "error")
        raise UndecryptableError(f"AWS KMS refused to decrypt the data key ({code})") from None
    except BotoCoreError as exc:
        raise UndecryptableError(f"AWS KMS could not be asked ({type(exc).__name__})") from None
    if not isinstance(plaintext, bytes):
        raise UndecryptableError("AWS KMS returned no data key")
    return plaintext
