"""Terraform's ``http`` backend: one state at one address, read with GET.

Credentials come from the URL (``https://user:pass@host/path``), else from the backend's own
``TF_HTTP_USERNAME`` / ``TF_HTTP_PASSWORD``; extra headers from ``CLOUDRIFT_HTTP_HEADERS`` and
``BackendSettings.http_headers``. ``TF_HTTP_SKIP_CERT_VERIFICATION`` is honoured as Terraform
honours it. Answers follow Terraform's client: 200 is a state, 204 and 404 mean "no state
here", 401 and 403 are credential problems.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import ssl
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit, urlunsplit

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backend_urls import (
    DEFAULT_WORKSPACE,
    Plan,
    PlanContext,
    literals,
    note_unused,
)
from cloudrift.sources.backends import _http
from cloudrift.sources.backends._common import ObjectError, read_states, redact_url
from cloudrift.sources.tfstate import SourceFailure, StateDocument
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

HEADERS_ENV = "CLOUDRIFT_HTTP_HEADERS"


def parse_headers(lines: Sequence[str], origin: str) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in lines:
        if not line.strip():
            continue
        name, sep, value = line.partition(":")
        if not sep or not name.strip() or any(c.isspace() for c in name.strip()):
            # the value is left out: a malformed line may well hold a secret
            raise ConfigError(f"{origin}: a header is not 'Name: value'")
        headers[name.strip()] = value.strip()
    return headers


def headers_from_env(environ: Mapping[str, str]) -> dict[str, str]:
    """``CLOUDRIFT_HTTP_HEADERS``: a JSON object, or one ``Name: value`` a line."""
    raw = environ.get(HEADERS_ENV, "")
    if not raw.strip():
        return {}
    if raw.lstrip().startswith("{"):
        try:
            parsed = json.loads(raw)
        except ValueError:
            raise ConfigError(f"{HEADERS_ENV} is not a valid JSON object") from None
        if not isinstance(parsed, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in parsed.items()
        ):
            raise ConfigError(f"{HEADERS_ENV} must map header names to strings")
        return dict(parsed)
    return parse_headers(raw.splitlines(), HEADERS_ENV)


def _truthy(value: str | None) -> bool:
    return (value or "").strip().lower() in ("1", "true", "yes", "on")


def parts_free(url: str) -> str:
    """The URL without anything between ``//`` and ``@`` (credentials), even when it does not
    parse."""
    scheme, sep, rest = url.partition("//")
    if sep and "@" in rest.split("/", 1)[0]:
        rest = rest.split("@", 1)[1]
    return scheme + sep + rest


@dataclass(frozen=True)
class HttpStateSource:
    uri: str
    address: str
    username: str | None = field(default=None, repr=False)
    password: str | None = field(default=None, repr=False)
    headers: Mapping[str, str] = field(default_factory=dict, repr=False)
    verify_tls: bool = True
    timeout: float = 30.0
    retries: int = 2
    keys: StateKeys | None = field(default=None, repr=False)

    @classmethod
    def from_spec(cls, uri: str, location: str, options: Sequence[tuple[str, str]],
                  settings: BackendSettings) -> HttpStateSource:
        # the location is the whole address: parse_from leaves its query to the server
        return cls.from_url(location, settings)

    @classmethod
    def from_url(
        cls,
        url: str,
        settings: BackendSettings,
        environ: Mapping[str, str] | None = None,
    ) -> HttpStateSource:
        env = os.environ if environ is None else environ
        try:
            parts = urlsplit(url)
            hostname, _port = parts.hostname, parts.port
        except ValueError as exc:
            # a malformed host ("[") or port ("host:abc"): urllib's own words, no credentials
            raise ConfigError(
                f"--from 'tfstate+{parts_free(url)}' is not a valid URL ({exc})"
            ) from None
        if not hostname:
            raise ConfigError(f"--from 'tfstate+{redact_url(url)}' names no host")
        username = unquote(parts.username) if parts.username is not None else None
        password = unquote(parts.password) if parts.password is not None else None
        if username is None:
            username = env.get("TF_HTTP_USERNAME") or None
            password = env.get("TF_HTTP_PASSWORD") or password
        netloc = parts.netloc.rpartition("@")[2]
        address = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
        headers = headers_from_env(env)
        headers.update(parse_headers(settings.http_headers, "--http-header"))
        return cls(
            uri="tfstate+" + redact_url(address),
            address=address,
            username=username,
            password=password,
            headers=headers,
            verify_tls=not _truthy(env.get("TF_HTTP_SKIP_CERT_VERIFICATION")),
            keys=settings.state_keys,
        )

    @property
    def label(self) -> str:
        return redact_url(self.address)

    def _secret_headers(self) -> dict[str, str]:
        secret = dict(self.headers)
        if self.username is not None or self.password is not None:
            pair = f"{self.username or ''}:{self.password or ''}".encode()
            secret["Authorization"] = "Basic " + base64.b64encode(pair).decode("ascii")
        return secret

    def _fetch(self, _: str) -> bytes:
        context = None
        if not self.verify_tls and self.address.startswith("https:"):
            context = ssl.create_default_context()
            context.check_hostname = False
            context.verify_mode = ssl.CERT_NONE
        try:
            response = _http.get(
                self.address,
                headers={"Accept": "application/json"},
                secret_headers=self._secret_headers(),
                timeout=self.timeout,
                retries=self.retries,
                context=context,
            )
        except _http.TransportError as exc:
            raise SourceError(f"{exc}") from None
        status = response.status
        if status == 200:
            return self._checked(response)
        if status in (204, 404):
            raise SourceError(
                f"{self.label}: no state at this address (HTTP {status})",
                hint="check the path; Terraform answers the same way for a state never written",
            )
        if status == 401:
            given = "were rejected" if self._secret_headers() else "are required"
            raise SourceError(
                f"{self.label}: credentials {given} (HTTP 401)",
                hint="user:password@ in the URL, TF_HTTP_USERNAME / TF_HTTP_PASSWORD, "
                f"or headers in {HEADERS_ENV}",
            )
        if status == 403:
            raise SourceError(f"{self.label}: access denied (HTTP 403)",
                              hint="the credentials are valid but may not read this state")
        raise ObjectError(f"the server answered HTTP {status}")

    @staticmethod
    def _checked(response: _http.Response) -> bytes:
        # Terraform's http backend sends and checks Content-MD5: a truncated body is caught here
        expected = response.header("Content-MD5")
        if expected:
            try:
                wanted = base64.b64decode(expected, validate=True)
            except ValueError:
                wanted = b""
            if hashlib.md5(response.body, usedforsecurity=False).digest() != wanted:
                raise ObjectError("the body does not match its Content-MD5 header")
        return response.body

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        return read_states([self.address], self._fetch, lambda _: self.label, max_workers=1,
                           keys=self.keys)


# -- discovery ---------------------------------------------------------------------------------


def plan_http(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``backend "http"`` block: its address, which has no workspaces."""
    plan = Plan()
    values = literals(settings, ("address",), (), plan)
    if values is None:
        return plan
    if workspace not in (None, DEFAULT_WORKSPACE):
        plan.notes.append(f"the http backend has no workspaces: {workspace!r} cannot exist")
        return plan
    plan.urls.append(f"tfstate+{values['address']}")
    note_unused(settings, ("username", "password"), plan,
                "set TF_HTTP_USERNAME / TF_HTTP_PASSWORD")
    return plan


BACKEND = Backend(name="http", schemes=("http", "https"), opener=HttpStateSource.from_spec,
                  planners={"http": plan_http}, whole_url=True)
