"""OpenTofu's ``encryption`` block: parsed from ``TF_ENCRYPTION`` or from a root module's
``terraform { encryption { ... } }``, and merged the way OpenTofu merges them.

What this follows (OpenTofu 1.7-1.10, ``internal/encryption/config`` and the state encryption
documentation): ``TF_ENCRYPTION`` holds the body of the block, in JSON when its first
non-blank character is ``{`` and in HCL otherwise. The environment's configuration is merged
over the code's: key providers and methods with the same type and name have their attributes
merged (the environment's win, and a nested block type given there replaces the code's), others
are added; the ``state`` target takes the environment's ``method`` and ``fallback`` where given,
and ``enforced`` is set if either sets it. ``plan`` and ``remote_state_data_sources`` describe
files cloudrift never reads and are accepted unread.

Values stay unevaluated here (``Expression`` for references and templates); ``tofu_values``
evaluates them when a state is opened.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

import orjson

from cloudrift.errors import ConfigError
from cloudrift.sources.tfblocks import Expression, hcl_value, json_value

ENV_VAR = "TF_ENCRYPTION"

_NAME = re.compile(r"[A-Za-z0-9_-]+\Z")
_TOP_LEVEL = frozenset({"key_provider", "method", "state", "plan", "remote_state_data_sources"})
_TARGET_KEYS = frozenset({"method", "fallback"})


@dataclass(frozen=True)
class Declared:
    """A ``key_provider`` or ``method`` block: its type, name and unevaluated body."""

    kind: str
    type: str
    name: str
    body: Mapping[str, Any] = field(default_factory=dict, repr=False)
    origin: str = ""

    @property
    def address(self) -> str:
        return f"{self.kind}.{self.type}.{self.name}"


@dataclass(frozen=True)
class Target:
    """The ``state`` block: the method that wrote the state, then the fallbacks, in order."""

    method: Any = None
    fallback: Target | None = None
    enforced: bool = False


@dataclass(frozen=True)
class EncryptionConfig:
    key_providers: tuple[Declared, ...] = ()
    methods: tuple[Declared, ...] = ()
    state: Target | None = None
    origin: str = ENV_VAR

    def key_provider(self, type_: str, name: str) -> Declared | None:
        return next((k for k in self.key_providers if (k.type, k.name) == (type_, name)), None)

    def method(self, type_: str, name: str) -> Declared | None:
        return next((m for m in self.methods if (m.type, m.name) == (type_, name)), None)


# --- reading ----------------------------------------------------------------------------------


def parse_text(text: str, origin: str = ENV_VAR) -> EncryptionConfig:
    """The configuration in ``TF_ENCRYPTION``'s form: the body of an ``encryption`` block."""
    stripped = text.strip()
    if stripped.startswith("{"):
        try:
            document = orjson.loads(stripped)
        except orjson.JSONDecodeError as exc:
            raise ConfigError(f"{origin}: not valid JSON ({exc.msg} at line {exc.lineno})",
                              hint="TF_ENCRYPTION holds JSON when it starts with '{', HCL "
                              "otherwise") from None
        if not isinstance(document, dict):
            raise ConfigError(f"{origin}: the JSON is not an object")
        return from_body(json_value(document), origin)
    import hcl2

    try:
        document = hcl2.loads(stripped + "\n")
    except Exception as exc:  # lark raises many types; any of them means "cannot parse"
        line = getattr(exc, "line", None)
        where = f" at line {line}" if isinstance(line, int) and line > 0 else ""
        # the message of a lark error quotes the text it stopped at: a passphrase, maybe
        raise ConfigError(f"{origin}: HCL syntax error{where}",
                          hint="TF_ENCRYPTION holds the body of an encryption block") from None
    return from_body(hcl_value(document), origin)


def _blocks(value: Any) -> Iterator[Mapping[str, Any]]:
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, Mapping):
            yield item


def _labelled(value: Any, origin: str, kind: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """``key_provider "TYPE" "NAME" {}`` in either syntax, as (type, name, body)."""
    for by_type in _blocks(value):
        for type_, by_name in by_type.items():
            for named in _blocks(by_name):
                for name, bodies in named.items():
                    for body in _blocks(bodies):
                        if not (_NAME.match(type_) and _NAME.match(name)):
                            raise ConfigError(f"{origin}: invalid {kind} address "
                                              f"{kind}.{type_}.{name}")
                        yield type_, name, body


def _target(value: Any, origin: str, where: str, enforceable: bool) -> Target | None:
    bodies = list(_blocks(value))
    if not bodies:
        return None
    if len(bodies) > 1:
        raise ConfigError(f"{origin}: more than one {where} block")
    body = bodies[0]
    allowed = _TARGET_KEYS | ({"enforced"} if enforceable else set())
    unknown = sorted(set(body) - allowed)
    if unknown:
        raise ConfigError(f"{origin}: unsupported argument {unknown[0]!r} in {where}")
    enforced = body.get("enforced", False)
    if not isinstance(enforced, bool):
        raise ConfigError(f"{origin}: {where}.enforced must be true or false")
    return Target(
        method=body.get("method"),
        fallback=_target(body.get("fallback"), origin, f"{where}.fallback", False),
        enforced=enforced,
    )


def from_body(body: Mapping[str, Any], origin: str) -> EncryptionConfig:
    """An ``encryption`` block's body, already converted (``tfblocks.hcl_value`` or
    ``json_value``), into a configuration."""
    unknown = sorted(set(body) - _TOP_LEVEL - {"//"})
    if unknown:
        raise ConfigError(f"{origin}: unsupported block or argument {unknown[0]!r} in the "
                          "encryption configuration")
    providers: list[Declared] = []
    methods: list[Declared] = []
    for kind, found in (("key_provider", providers), ("method", methods)):
        for type_, name, block in _labelled(body.get(kind), origin, kind):
            if any((d.type, d.name) == (type_, name) for d in found):
                raise ConfigError(f"{origin}: {kind}.{type_}.{name} is declared twice")
            found.append(Declared(kind, type_, name, dict(block), origin))
    return EncryptionConfig(tuple(providers), tuple(methods),
                            _target(body.get("state"), origin, "state", True), origin)


# --- merging ----------------------------------------------------------------------------------


def _merge_declared(base: tuple[Declared, ...], override: tuple[Declared, ...]
                    ) -> tuple[Declared, ...]:
    merged = list(base)
    for new in override:
        for position, old in enumerate(merged):
            if (old.type, old.name) == (new.type, new.name):
                # attribute by attribute; a nested block type given again replaces the old ones
                merged[position] = replace(old, body={**old.body, **new.body},
                                           origin=f"{old.origin} and {new.origin}")
                break
        else:
            merged.append(new)
    return tuple(merged)


def _merge_target(base: Target | None, override: Target | None) -> Target | None:
    if base is None or override is None:
        return override or base
    return Target(
        method=override.method if override.method is not None else base.method,
        fallback=override.fallback if override.fallback is not None else base.fallback,
        enforced=base.enforced or override.enforced,
    )


def merge(base: EncryptionConfig | None, override: EncryptionConfig | None
          ) -> EncryptionConfig | None:
    """``override`` (the environment's) over ``base`` (the code's), as OpenTofu merges them."""
    if base is None or override is None:
        return override or base
    return EncryptionConfig(
        key_providers=_merge_declared(base.key_providers, override.key_providers),
        methods=_merge_declared(base.methods, override.methods),
        state=_merge_target(base.state, override.state),
        origin=f"{base.origin} and {override.origin}",
    )


def code_config(blocks: list[tuple[str, Mapping[str, Any], bool]]) -> EncryptionConfig | None:
    """One root module's ``encryption`` blocks, as (file, body, from an override file): one
    in the ordinary files at most, the override files' merged over it in order."""
    ordinary = [(path, body) for path, body, override in blocks if not override]
    if len(ordinary) > 1:
        files = ", ".join(path for path, _ in ordinary)
        raise ConfigError(f"more than one encryption block ({files}): a module may have only "
                          "one encryption configuration")
    config = from_body(ordinary[0][1], ordinary[0][0]) if ordinary else None
    for path, body, override in blocks:
        if override:
            config = merge(config, from_body(body, path))
    return config


def methods_of(config: EncryptionConfig) -> list[tuple[Declared, str]]:
    """The state's methods in the order they are tried, each with where it is named
    (``state``, ``state.fallback``, ...)."""
    chain: list[tuple[Declared, str]] = []
    target, where = config.state, "state"
    while target is not None:
        if target.method is None:
            raise ConfigError(f"{config.origin}: {where} names no method",
                              hint="e.g. method = method.aes_gcm.NAME")
        type_, name = method_reference(target.method, config.origin, where)
        declared = config.method(type_, name)
        if declared is None:
            raise ConfigError(f"{config.origin}: {where} refers to method.{type_}.{name}, "
                              "which is not declared")
        chain.append((declared, where))
        target, where = target.fallback, f"{where}.fallback"
    if config.state is not None and config.state.enforced:
        for declared, _ in chain:
            if declared.type == "unencrypted":
                raise ConfigError(f"{config.origin}: state is enforced, so it may not use "
                                  f"{declared.address}")
    return chain


_REFERENCE = re.compile(r"\s*(method|key_provider)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\s*\Z")


def reference(value: Any, kind: str) -> tuple[str, str] | None:
    """(type, name) when ``value`` refers to a ``kind`` block: a reference expression, or
    (as OpenTofu reads them from JSON) a string that spells one."""
    text = value.text if isinstance(value, Expression) else value
    if not isinstance(text, str):
        return None
    if text.startswith('"${') and text.endswith('}"'):
        text = text[3:-2]
    elif text.startswith("${") and text.endswith("}"):
        text = text[2:-1]
    match = _REFERENCE.match(text)
    if match is None or match.group(1) != kind:
        return None
    return match.group(2), match.group(3)


def method_reference(value: Any, origin: str, where: str) -> tuple[str, str]:
    found = reference(value, "method")
    if found is None:
        raise ConfigError(f"{origin}: {where}.method is not a reference to a method",
                          hint="e.g. method = method.aes_gcm.NAME")
    return found
