"""Several resources of one type from a case written for one: what it costs to scan N.

A case creates its resource under fixed names (``/app/worker``, ``apps``), so creating it a
second time fails or finds the first. ``CopyClients`` hands the case boto3 clients whose
requests are renamed on the wire: each name the case gives a new resource (a top-level
``...Name`` or ``...Identifier`` parameter, an S3 ``Bucket``) gets the copy's tag, and every
later string of the copy's requests that mentions an already renamed name (an ARN the case
built, a policy document, a record below a renamed zone) is rewritten the same way.
``rename`` then does the same to the attributes the case returns for the state, so the copy's
state entry and its cloud resource agree, as Terraform's would.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from tests.providers.aws.cases import Attrs, AwsCase
from tests.providers.aws.conftest import Clients

# parameters that name what is being made or what was made before, by the case's own name
_NAMING = re.compile(r"(Name|Identifier)$|^(name|Bucket|CacheClusterId|ReplicationGroupId|"
                     r"family|ClusterId|CreationToken)$")
# idempotency tokens deeper in a request (a distribution's): a copy must not be taken for a
# retry of the first
_TOKENS = frozenset({"CallerReference", "CreationToken"})
# names that are AWS's, not the case's: never renamed
_NOT_NAMES = re.compile(r"^(default|\$default|\$connect|\$disconnect|/dev/.*|xvd.*|sd[a-z]+|"
                        r"arn:.*|[a-z]+-[0-9a-f]{8,17}|\d+|.{0,2})$")
# parameters named like names that are not the case's resources' names (a device, an
# attribute) or need not be unique (a certificate's domain)
_KEYS_NOT_RENAMED = frozenset({"DeviceName", "AttributeName", "VirtualName", "ParameterName",
                               "StatementId", "StageName", "DomainName", "RoleSessionName"})


class Renamer:
    """The names one copy renamed, and how to rename anything that mentions them."""

    def __init__(self, tag: str) -> None:
        self.tag = tag
        self.names: dict[str, str] = {}
        self._pattern: re.Pattern[str] | None = None

    def _new_name(self, name: str) -> str:
        if name.endswith(".fifo"):
            return f"{name.removesuffix('.fifo')}-{self.tag}.fifo"
        if "." in name and "/" not in name and not name.startswith("."):
            # a domain: a label of its own, so names below it stay below it
            return f"{self.tag}.{name}"
        return f"{name}-{self.tag}"

    def learn(self, name: str) -> str:
        renamed = self.rewrite(name)
        if renamed != name or name in self.names.values() or _NOT_NAMES.match(name):
            return renamed
        new = self._new_name(name)
        self.names[name] = new
        if name.endswith("."):
            self.names[name.removesuffix(".")] = new.removesuffix(".")
        # the longest first: "app.example.com" before "example.com"
        alternatives = "|".join(re.escape(n) for n in sorted(self.names, key=len, reverse=True))
        self._pattern = re.compile(rf"(?<![A-Za-z0-9_-])({alternatives})(?![A-Za-z0-9_-])")
        return new

    def rewrite(self, value: str) -> str:
        if self._pattern is None or value in self.names.values():
            return value
        return self._pattern.sub(lambda m: self.names[m.group(1)], value)

    def rename(self, value: Any) -> Any:
        """``value`` with every mention of a renamed name rewritten (map keys are left)."""
        if isinstance(value, str):
            return self.rewrite(value)
        if isinstance(value, Mapping):
            return {key: self.rename(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.rename(item) for item in value]
        return value

    def request(self, params: dict[str, Any], **_: Any) -> None:
        """botocore's ``before-parameter-build``: rename the request in place."""
        # names first, so a description that mentions the new name is renamed too
        naming = [key for key, value in params.items() if isinstance(value, str)
                  and _NAMING.search(key) and key not in _KEYS_NOT_RENAMED]
        for key in naming:
            params[key] = self.learn(params[key])
        for key, value in list(params.items()):
            if key not in naming:
                params[key] = self._tokens(self.rename(value))

    def _tokens(self, value: Any) -> Any:
        if isinstance(value, dict):
            return {key: self.learn(item) if key in _TOKENS and isinstance(item, str)
                    else self._tokens(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self._tokens(item) for item in value]
        return value


class CopyClients(Clients):
    """``Clients`` whose every request goes through one copy's ``Renamer``."""

    def __init__(self, endpoint: str, renamer: Renamer) -> None:
        super().__init__(endpoint)
        self.renamer = renamer

    def __call__(self, service: str, region: str = "us-east-1") -> Any:
        fresh = (service, region) not in self._cache
        client = super().__call__(service, region)
        if fresh:
            client.meta.events.register("before-parameter-build", self.renamer.request)
        return client


def create_copy(case: AwsCase, endpoint: str, tag: str) -> Attrs:
    """One more resource of ``case``'s type (and whatever the case makes with it), under names
    tagged ``tag``; returns its state attributes."""
    renamer = Renamer(tag)
    attrs = case.create(CopyClients(endpoint, renamer))
    renamed: Attrs = renamer.rename(attrs)
    return renamed
