"""Terraform state (format version 4) into flat resource instances.

Addresses are built exactly as Terraform prints them: ``module.net.aws_subnet.s[1]``,
``aws_s3_bucket.b["logs"]``, ``data.aws_ami.x``. Deposed objects are ignored: they are on their
way out and Terraform itself does not refresh them into the plan's drift.
"""

from __future__ import annotations

import gc
import os
import re
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any, BinaryIO

import orjson

from cloudrift.errors import ConfigError, SourceError, StateFormatError
from cloudrift.sources import _split

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

SUPPORTED_VERSION = 4

MAX_STATE_BYTES_VAR = "CLOUDRIFT_MAX_STATE_BYTES"
# the parsed document takes over twice a state's size in memory (more for a state not laid out
# as Terraform writes it, which is parsed whole): past this a scan would sooner be killed by the
# OOM killer than finish
DEFAULT_MAX_STATE_BYTES = 2 * 1024**3
_SIZE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}
_SIZE_RE = re.compile(r"^\s*(\d+)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)

_PROVIDER_RE = re.compile(r'provider\["(?P<source>[^"]+)"\]')


# slots: a state of 100,000 instances keeps 100,000 of these, and a __dict__ each is a tenth of
# the file's size again
@dataclass(frozen=True, slots=True)
class StateInstance:
    """One managed (or data) resource instance as recorded in a state file."""

    address: str
    mode: str
    type: str
    name: str
    provider: str
    provider_source: str
    attributes: Mapping[str, Any]
    sensitive_paths: frozenset[str] = frozenset()
    source: str = ""
    schema_version: int = 0

    @property
    def managed(self) -> bool:
        return self.mode == "managed"


@dataclass(frozen=True)
class SourceFailure:
    """A state that a source found but could not read: the scan goes on and says so."""

    source: str
    message: str


@dataclass(frozen=True)
class StateDocument:
    source: str
    terraform_version: str
    serial: int
    lineage: str
    instances: tuple[StateInstance, ...] = field(default_factory=tuple)

    @property
    def managed(self) -> tuple[StateInstance, ...]:
        return tuple(i for i in self.instances if i.managed)


_HCL_ESCAPES = {"\n": "\\n", "\r": "\\r", "\t": "\\t", '"': '\\"', "\\": "\\\\"}


_PLAIN_KEY = re.compile(r'[^"\\$%\x00-\x1f\x7f-\U0010ffff]*\Z')


def _hcl_quoted(text: str) -> str:
    # Terraform quotes keys as HCL string templates, not as JSON: "${" and "%{" are doubled so
    # the address can be pasted back into HCL, and what Go's unicode.IsPrint rejects (the same
    # set str.isprintable rejects) becomes \uXXXX, or \UXXXXXXXX above the BMP.
    if _PLAIN_KEY.match(text):
        # printable ASCII with nothing to escape: nearly every key there is
        return f'"{text}"'
    out = ['"']
    for position, char in enumerate(text):
        if char in _HCL_ESCAPES:
            out.append(_HCL_ESCAPES[char])
        elif char in "$%" and text.startswith("{", position + 1):
            out.append(char * 2)
        elif char.isprintable():
            out.append(char)
        elif ord(char) < 0x10000:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(f"\\U{ord(char):08x}")
    out.append('"')
    return "".join(out)


def _describe(value: Any) -> str:
    """A wrong value named by its kind; small numbers are shown, text never is (a corrupt
    state may put a secret where a number belongs)."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) < 10**6:
        return str(value)
    return f"(a {type(value).__name__})"


def format_index(key: Any) -> str:
    """``[1]`` for a count index, ``["logs"]`` for a for_each key, as Terraform prints them."""
    if key is None:
        return ""
    if isinstance(key, bool) or not isinstance(key, (int, str)):
        # the value itself may be anything, a secret included: name its kind, never quote it
        raise StateFormatError(f"invalid instance key (a {type(key).__name__})")
    if isinstance(key, int):
        return f"[{key}]"
    return f"[{_hcl_quoted(key)}]"


@lru_cache(maxsize=1024)
def provider_short_name(provider: str) -> tuple[str, str]:
    """``provider["registry.terraform.io/hashicorp/aws"].west`` -> ("aws", "hashicorp/aws")."""
    match = _PROVIDER_RE.search(provider)
    if match:
        source = match.group("source")
        parts = source.split("/")
        return parts[-1], "/".join(parts[-2:])
    # Terraform 0.12 wrote "provider.aws", "provider.aws.alias", and for a provider configured
    # inside a module "module.net.provider.aws"
    legacy = provider.split(".")
    for position in range(0, len(legacy) - 1, 2):
        if legacy[position] == "provider":
            name = legacy[position + 1]
            return name, f"hashicorp/{name}"
        if legacy[position] != "module":
            break
    return provider, provider


def _path_to_dotted(steps: Sequence[Any]) -> str | None:
    parts: list[str] = []
    for step in steps:
        if not isinstance(step, Mapping):
            return None
        value = step.get("value")
        if step.get("type") == "index" and isinstance(value, Mapping):
            value = value.get("value")
        if value is None:
            return None
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        parts.append(str(value))
    return ".".join(parts) if parts else None


_NO_PATHS: frozenset[str] = frozenset()


def sensitive_paths(raw: Any) -> frozenset[str]:
    """Dotted attribute paths from an instance's ``sensitive_attributes``."""
    if not raw:
        return _NO_PATHS
    paths: set[str] = set()
    if isinstance(raw, list):
        for entry in raw:
            if isinstance(entry, list):
                dotted = _path_to_dotted(entry)
            elif isinstance(entry, Mapping) and isinstance(entry.get("path"), list):
                dotted = _path_to_dotted(entry["path"])
            else:
                dotted = None
            if dotted:
                paths.add(dotted)
    return frozenset(paths)


_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _decode(data: bytes, source: str) -> Mapping[str, Any]:
    # `terraform state pull > file` in Windows PowerShell 5 writes UTF-16 with a BOM, and some
    # editors add a UTF-8 BOM; the content is still the state, so read it rather than refuse it.
    if data.startswith(_UTF16_BOMS):
        try:
            data = data.decode("utf-16").encode()
        except UnicodeError:
            raise StateFormatError(f"{source}: not a Terraform state (bad UTF-16 text)") from None
    elif data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if not data.strip():
        raise StateFormatError(f"{source}: state file is empty")
    if b"\x00" in data[:4096]:
        raise StateFormatError(f"{source}: not a Terraform state (binary data)")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError as exc:
        raise StateFormatError(
            f"{source}: not valid JSON ({exc.msg} at line {exc.lineno} column {exc.colno})"
        ) from None
    if not isinstance(document, Mapping):
        raise StateFormatError(f"{source}: not a Terraform state (top level is not an object)")
    return document


def _check_version(document: Mapping[str, Any], source: str) -> None:
    if "encrypted_data" in document or "encryption_version" in document:
        raise StateFormatError(
            f"{source}: state is encrypted (OpenTofu state encryption) and no key "
            "configuration is given",
            hint="set TF_ENCRYPTION to the encryption block OpenTofu uses (see "
            "docs/opentofu.md), or scan the output of `tofu state pull`",
        )
    version = document.get("version")
    if "backend" in document and "resources" not in document and "modules" not in document:
        # .terraform/terraform.tfstate: format version 3 too, but it only says where the state is
        raise StateFormatError(
            f"{source}: this is Terraform's backend settings file, not a state",
            hint="scan the state itself, e.g. the output of `terraform state pull`",
        )
    if version is None:
        hint = None
        if "format_version" in document:
            hint = "this looks like `terraform show -json` output; scan the state file instead"
        raise StateFormatError(
            f"{source}: not a Terraform state (no \"version\" field)", hint=hint
        )
    if isinstance(version, bool):
        raise StateFormatError(
            f"{source}: unsupported state format version {_describe(version)}"
        )
    if version != SUPPORTED_VERSION:
        if isinstance(version, int) and version < SUPPORTED_VERSION:
            raise StateFormatError(
                f"{source}: state format version {version} is from Terraform before 0.12",
                hint="run any terraform >= 0.12 command (e.g. `terraform refresh`) to upgrade it",
            )
        raise StateFormatError(
            f"{source}: unsupported state format version {_describe(version)}"
        )


def _as_int(value: Any, what: str, source: str) -> int:
    if value is None:
        return 0
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise StateFormatError(f"{source}: {what} is not a whole number {_describe(value)}")


def _as_list(value: Any, what: str, source: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise StateFormatError(f"{source}: {what} is not a list")
    return value


def _instances(document: Mapping[str, Any], source: str) -> Iterator[StateInstance]:
    resources = _as_list(document.get("resources"), '"resources"', source)
    for position, resource in enumerate(resources):
        yield from _resource_instances(resource, position, source)


def _resource_instances(resource: Any, position: int, source: str) -> Iterator[StateInstance]:
    # the document comes from orjson, so objects are plain dicts: checking for dict rather than
    # the Mapping ABC is a tenth of the cost, paid several times for each of 100,000 instances
    if not isinstance(resource, dict):
        raise StateFormatError(f"{source}: resources[{position}] is not an object")
    try:
        mode = resource["mode"]
        rtype = resource["type"]
        name = resource["name"]
    except KeyError as exc:
        raise StateFormatError(
            f"{source}: resources[{position}] has no {exc.args[0]!r}"
        ) from None
    module = resource.get("module") or ""
    if not isinstance(module, str):
        raise StateFormatError(f"{source}: resources[{position}].module is not a string")
    provider_field = str(resource.get("provider") or "")
    short, provider_source = provider_short_name(provider_field)
    prefix = f"{module}." if module else ""
    mode_prefix = "data." if mode == "data" else ""
    where = f"{prefix}{mode_prefix}{rtype}.{name}"
    for instance in _as_list(resource.get("instances"), f"{where} instances", source):
        if not isinstance(instance, dict):
            raise StateFormatError(f"{source}: an instance of {where} is not an object")
        if instance.get("deposed"):
            continue
        instance_short, instance_source = short, provider_source
        if not provider_field:
            # OpenTofu 1.9+ with a provider's for_each names the provider instance on each
            # resource instance (provider["..."].alias["key"]) and none on the resource
            instance_short, instance_source = provider_short_name(
                str(instance.get("provider") or ""))
        if not instance_short:
            # every resource Terraform writes names its provider; without it nothing can
            # compare the resource, and silently skipping it would hide it from the scan
            raise StateFormatError(
                f"{source}: resources[{position}] ({rtype}.{name}) has no provider"
            )
        attributes = instance.get("attributes")
        if attributes is None and "attributes_flat" in instance:
            raise StateFormatError(
                f"{source}: {rtype}.{name} uses flat attributes from an old provider",
                hint="refresh the state with a current provider",
            )
        if attributes is not None and not isinstance(attributes, dict):
            raise StateFormatError(f"{source}: attributes of {where} are not an object")
        try:
            index = format_index(instance.get("index_key"))
        except StateFormatError as exc:
            raise StateFormatError(f"{source}: {where}: {exc.message}") from None
        yield StateInstance(
            address=f"{where}{index}",
            mode=str(mode),
            type=str(rtype),
            name=str(name),
            provider=instance_short,
            provider_source=instance_source,
            attributes=attributes or {},
            sensitive_paths=sensitive_paths(instance.get("sensitive_attributes")),
            source=source,
            schema_version=_as_int(
                instance.get("schema_version"), f"{where} schema_version", source
            ),
        )


def max_state_bytes() -> int:
    """The largest state cloudrift reads: ``CLOUDRIFT_MAX_STATE_BYTES`` (bytes, or with a K, M,
    G or T suffix, binary), else 2 GiB."""
    raw = os.environ.get(MAX_STATE_BYTES_VAR)
    if raw is None or not raw.strip():
        return DEFAULT_MAX_STATE_BYTES
    match = _SIZE_RE.match(raw)
    if not match or int(match.group(1)) == 0:
        raise ConfigError(
            f"{MAX_STATE_BYTES_VAR}={raw!r} is not a size",
            hint="give a number of bytes, e.g. 4294967296 or 4G",
        )
    return int(match.group(1)) * _SIZE_UNITS[match.group(2).lower()]


def _human(size: int) -> str:
    for unit, factor in (("TiB", 1024**4), ("GiB", 1024**3), ("MiB", 1024**2), ("KiB", 1024)):
        if size >= factor:
            return f"{size / factor:.1f} {unit} ({size} bytes)"
    return f"{size} bytes"


def check_state_size(size: int, source: str, limit: int | None = None) -> None:
    """Refuse a state larger than the limit before reading it. Backends call this with the
    size the store reports (``os.stat``, an object's Content-Length) before any download."""
    limit = max_state_bytes() if limit is None else limit
    if size > limit:
        raise SourceError(
            f"{source}: state is {_human(size)}, over the limit of {_human(limit)}",
            hint=f"raise the limit with {MAX_STATE_BYTES_VAR}=<bytes> (e.g. {size}) if the "
            "machine has the memory for it",
        )


def _opened(document: Mapping[str, Any], source: str, keys: StateKeys | None
            ) -> Mapping[str, Any]:
    if keys is None:
        return document
    plaintext = keys.open(document, source)
    if plaintext is None:
        return document
    opened = _decode(plaintext, source)
    if "encrypted_data" in opened or "encryption_version" in opened:
        raise StateFormatError(f"{source}: the decrypted state is itself encrypted")
    return opened


def parse_state(data: bytes, source: str, keys: StateKeys | None = None) -> StateDocument:
    """Parse the bytes of one state file; raise ``StateFormatError`` naming ``source``.

    With ``keys`` (an OpenTofu key configuration) an encrypted state is decrypted first, and a
    state in clear is read only if the configuration allows it; ``StateDecryptionError`` says
    why one cannot be opened."""
    check_state_size(len(data), source)
    with _collector_paused():
        if keys is None:
            split = _parse_split(data, None, source, None)
            if split is not None:
                return split
        return _parse_whole(data, source, keys)


def read_state(handle: BinaryIO, source: str, keys: StateKeys | None = None,
               limit: int | None = None) -> StateDocument:
    """Parse the state in an open file, read in chunks and resource by resource: the whole
    text is never held, nor the whole parse tree. A file not laid out as Terraform writes it
    (or not valid) is read again whole and parsed as ``parse_state`` does."""
    limit = max_state_bytes() if limit is None else limit
    if keys is None:
        with _collector_paused():
            split = _parse_split(handle.read(_split.CHUNK), handle.read, source, limit)
        if split is not None:
            return split
        handle.seek(0)
    data = handle.read(limit + 1)
    check_state_size(len(data), source, limit)
    return parse_state(data, source, keys)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a state is parsed: it makes millions of objects, none
    of them in a cycle, and each collection of the older generations walks all made so far (half
    the time of a large state's parse). Restored only by whoever paused it, so parses on several
    threads, or a caller that keeps the collector off, are left as they were."""
    paused = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if paused:
            gc.enable()


def _parse_split(first: bytes, read: Callable[[int], bytes] | None, source: str,
                 limit: int | None) -> StateDocument | None:
    """The state parsed resource by resource (``cloudrift.sources._split``), or None where
    that does not apply and the whole text is to be parsed (which words any error: a state
    whose parse fails here is parsed again whole, so both ways fail alike)."""
    if first.startswith(b"\xef\xbb\xbf"):
        first = first[3:]
    if b"\x00" in first[:4096]:
        return None
    try:
        splitter = _split.Splitter(first, read, limit)
        instances: list[StateInstance] = []
        for position, resource in enumerate(splitter.resources()):
            instances.extend(_resource_instances(resource, position, source))
        document = splitter.document()
        _check_version(document, source)
        return _state_document(document, source, instances)
    except (_split.SplitError, StateFormatError):
        return None


def _parse_whole(data: bytes, source: str, keys: StateKeys | None) -> StateDocument:
    document = _opened(_decode(data, source), source, keys)
    _check_version(document, source)
    return _state_document(document, source, _instances(document, source))


def _state_document(document: Mapping[str, Any], source: str,
                    instances: Iterable[StateInstance]) -> StateDocument:
    return StateDocument(
        source=source,
        terraform_version=str(document.get("terraform_version") or ""),
        serial=_as_int(document.get("serial"), '"serial"', source),
        lineage=str(document.get("lineage") or ""),
        instances=tuple(instances),
    )
