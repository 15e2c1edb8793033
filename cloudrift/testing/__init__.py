"""Helpers for testing cloudrift and its plugins, shipped like ``click.testing``.

- here: ``StateBuilder`` (a Terraform state, resource by resource), ``environment``;
- ``cloudrift.testing.servers``: the one scaffold every local server of ours is built on
  (``LocalServer``: HTTP or HTTPS on 127.0.0.1, request records, ``peak`` concurrency) and
  ``self_signed_certificate``;
- ``cloudrift.testing.faults``: a fault-injecting proxy between an SDK and an emulator;
- ``cloudrift.testing.backends``: the state backends' servers (Terraform's http backend, Cloud
  Storage, Terraform Cloud, Azurite);
- ``cloudrift.testing.terraform``: a driver for real ``terraform`` against an emulator, and
  ``plan -refresh-only`` as the drift oracle;
- ``cloudrift.testing.tofu``: OpenTofu-encrypted states, written from OpenTofu's
  specification of the format (pbkdf2 or aws_kms keys, aes_gcm).
- ``cloudrift.testing.postgres``: a throw-away PostgreSQL server (``initdb`` in a temporary
  directory, run as an unprivileged user when we are root) for the history's tests.

Each cloud's emulator lives with its provider: ``cloudrift_aws.testing`` (moto's server),
``cloudrift_gcp.testing`` (Cloud Asset Inventory), ``cloudrift_azure.testing`` (Resource
Manager). Nothing here is imported by the scanner itself.
"""

from __future__ import annotations

import json
import os
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

FAKE_CREDENTIALS = {
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
}


@contextmanager
def environment(values: Mapping[str, str]) -> Iterator[None]:
    """Set environment variables for the duration of a block, then restore them."""
    saved = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for key, old in saved.items():
            if old is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = old


@dataclass
class StateBuilder:
    """Builds a Terraform state (format version 4) document resource by resource."""

    terraform_version: str = "1.11.4"
    resources: list[dict[str, Any]] = field(default_factory=list)

    def add(
        self,
        rtype: str,
        name: str,
        attributes: Mapping[str, Any],
        *,
        module: str | None = None,
        index_key: int | str | None = None,
        mode: str = "managed",
        provider: str = "registry.terraform.io/hashicorp/aws",
        sensitive: list[list[str]] | None = None,
    ) -> StateBuilder:
        instance: dict[str, Any] = {
            "schema_version": 0,
            "attributes": dict(attributes),
            "sensitive_attributes": [
                [{"type": "get_attr", "value": step} for step in path]
                for path in (sensitive or [])
            ],
        }
        if index_key is not None:
            instance["index_key"] = index_key
        for existing in self.resources:
            if (existing["module"], existing["mode"], existing["type"], existing["name"]) == (
                module, mode, rtype, name
            ):
                existing["instances"].append(instance)
                return self
        entry: dict[str, Any] = {
            "module": module,
            "mode": mode,
            "type": rtype,
            "name": name,
            "provider": f'provider["{provider}"]',
            "instances": [instance],
        }
        self.resources.append(entry)
        return self

    def document(self) -> dict[str, Any]:
        resources = []
        for entry in self.resources:
            entry = dict(entry)
            if entry["module"] is None:
                del entry["module"]
            resources.append(entry)
        return {
            "version": 4,
            "terraform_version": self.terraform_version,
            "serial": 1,
            "lineage": str(uuid.uuid4()),
            "outputs": {},
            "resources": resources,
            "check_results": None,
        }

    def write(self, path: str | os.PathLike[str]) -> str:
        with open(path, "w", encoding="utf-8") as handle:
            json.dump(self.document(), handle, indent=2)
        return os.fspath(path)
