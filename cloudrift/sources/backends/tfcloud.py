"""Terraform Cloud / Enterprise workspaces, through the documented API v2.

``tfstate+tfcloud://ORGANIZATION/WORKSPACE`` reads the workspace's current state version:
show the workspace (``GET /organizations/:org/workspaces/:name``), fetch its current state
version (``GET /workspaces/:id/current-state-version``) and download
``attributes.hosted-state-download-url``. A workspace glob (``app-*``) lists the organization's
workspaces with ``search[name]`` and reads every match concurrently.

The token is, in order: ``BackendSettings.tfc_token``, ``TF_TOKEN_<host>`` (Terraform's own
convention: dots as ``_``, hyphens as ``__``), the ``credentials.tfrc.json`` that
``terraform login`` writes, then ``TFE_TOKEN``. It is sent to the API host only: a download URL
on another host (Terraform Cloud's signed archivist links) is fetched without it.
"""

from __future__ import annotations

import json
import logging
import os
import re
from collections.abc import Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any
from urllib.parse import quote, urlencode, urljoin, urlsplit

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backend_urls import (
    DEFAULT_WORKSPACE,
    Plan,
    PlanContext,
    literals,
    url_query,
)
from cloudrift.sources.backends import _http
from cloudrift.sources.backends._common import (
    ObjectError,
    glob_regex,
    has_glob,
    options_dict,
)
from cloudrift.sources.backends._store import ObjectStoreSource
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

log = logging.getLogger("cloudrift.sources")

DEFAULT_HOST = "app.terraform.io"
OPTIONS = ("host",)
PAGE_SIZE = 100
_LITERAL_RUN = re.compile(r"[^*?\[\]]+")


def _env_host(name: str) -> str:
    # TF_TOKEN_app_terraform_io -> app.terraform.io; "__" stands for "-" (Terraform 1.2+)
    return name[len("TF_TOKEN_"):].replace("__", "\0").replace("_", ".").replace("\0", "-").lower()


def token_for(
    host: str,
    settings: BackendSettings,
    environ: Mapping[str, str] | None = None,
    credentials_file: str | None = None,
) -> str | None:
    """The API token for ``host`` (``name`` or ``name:port``), from the first place that has one."""
    if settings.tfc_token:
        return settings.tfc_token
    env = os.environ if environ is None else environ
    wanted = host.lower()
    # an environment variable cannot spell a port: TF_TOKEN_<name> also serves name:port
    bare = wanted.rsplit(":", 1)[0] if wanted.count(":") == 1 else wanted
    by_host = {_env_host(n): v for n, v in env.items() if n.startswith("TF_TOKEN_") and v}
    for candidate in (wanted, bare):
        if candidate in by_host:
            return by_host[candidate]
    path = credentials_file or os.path.join(os.path.expanduser("~"), ".terraform.d",
                                            "credentials.tfrc.json")
    try:
        with open(path, encoding="utf-8") as handle:
            document = json.load(handle)
    except (OSError, ValueError):
        document = None
    if isinstance(document, dict):
        entries = document.get("credentials")
        if isinstance(entries, dict):
            for name, entry in entries.items():
                if str(name).lower() == wanted and isinstance(entry, dict):
                    token = entry.get("token")
                    if isinstance(token, str) and token:
                        return token
    return env.get("TFE_TOKEN") or None


@dataclass(frozen=True)
class Workspace:
    id: str
    name: str
    has_state: bool | None  # None: the listing did not say


@dataclass(frozen=True)
class TfcStateSource(ObjectStoreSource[None, Workspace]):
    uri: str
    organization: str
    workspace: str
    host: str = DEFAULT_HOST
    scheme: str = "https"
    token: str | None = field(default=None, repr=False)
    max_workers: int = 16
    keys: StateKeys | None = field(default=None, repr=False)
    timeout: float = 30.0
    retries: int = 3

    @classmethod
    def from_spec(
        cls,
        uri: str,
        location: str,
        options: Sequence[tuple[str, str]],
        settings: BackendSettings,
        environ: Mapping[str, str] | None = None,
    ) -> TfcStateSource:
        env = os.environ if environ is None else environ
        values = options_dict(uri, options, OPTIONS)
        organization, _, workspace = location.strip("/").partition("/")
        if not organization or not workspace or "/" in workspace:
            raise ConfigError(
                f"--from {uri!r}: expected tfstate+tfcloud://ORGANIZATION/WORKSPACE",
                hint="WORKSPACE may be a glob such as app-*",
            )
        host_value = values.get("host") or env.get("TF_CLOUD_HOSTNAME") or DEFAULT_HOST
        # "http://" is accepted for local test servers and TLS-terminating proxies
        scheme, sep, host = host_value.rstrip("/").partition("://")
        if not sep:
            scheme, host = "https", host_value.rstrip("/")
        if scheme not in ("http", "https") or not host or "/" in host:
            raise ConfigError(f"--from {uri!r}: host must be a host name, e.g. tfe.example.com")
        return cls(
            uri=uri,
            organization=organization,
            workspace=workspace,
            host=host,
            scheme=scheme,
            token=token_for(host, settings, env),
            max_workers=settings.max_workers,
            keys=settings.state_keys,
        )

    # -- naming --------------------------------------------------------------------------------

    def label(self, workspace: str) -> str:
        suffix = "" if self.host == DEFAULT_HOST else f"?host={self.host}"
        return f"tfcloud://{self.organization}/{workspace}{suffix}"

    @property
    def _api(self) -> str:
        return f"{self.scheme}://{self.host}/api/v2"

    # -- API calls -----------------------------------------------------------------------------

    def _auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def _get(self, url: str, what: str) -> _http.Response:
        try:
            return _http.get(
                url,
                headers={"Accept": "application/vnd.api+json"},
                secret_headers=self._auth(),
                timeout=self.timeout,
                retries=self.retries,
            )
        except _http.TransportError as exc:
            raise SourceError(f"{what}: cannot reach {self.host} ({exc})") from None

    def _json(self, response: _http.Response, what: str) -> dict[str, Any]:
        try:
            document = json.loads(response.body)
        except ValueError:
            document = None
        if not isinstance(document, dict):
            raise SourceError(f"{what}: {self.host} did not answer with a JSON:API document")
        return document

    def _unauthorized(self, what: str) -> SourceError:
        if not self.token:
            return SourceError(
                f"{what}: no API token for {self.host}",
                hint=f"set TF_TOKEN_{self.host.split(':')[0].replace('-', '__').replace('.', '_')}"
                " or run `terraform login`",
            )
        return SourceError(f"{what}: {self.host} rejected the API token (HTTP 401)",
                           hint="the token may have expired or been revoked")

    def _check(self, response: _http.Response, what: str, not_found: str) -> dict[str, Any]:
        if response.status == 200:
            return self._json(response, what)
        if response.status == 401:
            raise self._unauthorized(what)
        if response.status in (403, 404):
            # the API answers 404 for what exists but the token may not see, to hide it
            raise SourceError(f"{what}: {not_found}, or the token may not read it "
                              f"(HTTP {response.status})")
        raise SourceError(f"{what}: {self.host} answered HTTP {response.status}")

    def _show_workspace(self) -> Workspace:
        what = self.label(self.workspace)
        url = (f"{self._api}/organizations/{quote(self.organization, safe='')}"
               f"/workspaces/{quote(self.workspace, safe='')}")
        document = self._check(self._get(url, what), what, "no such organization or workspace")
        workspace = self._workspace(document.get("data"))
        if workspace is None:
            raise SourceError(f"{what}: the workspace document has no id")
        return workspace

    @staticmethod
    def _workspace(data: Any) -> Workspace | None:
        if not isinstance(data, dict) or not isinstance(data.get("id"), str):
            return None
        attributes = data.get("attributes") or {}
        relation = (data.get("relationships") or {}).get("current-state-version")
        has_state = None
        if isinstance(relation, dict) and "data" in relation:
            has_state = relation["data"] is not None
        return Workspace(data["id"], str(attributes.get("name", "")), has_state)

    def _list_workspaces(self) -> list[Workspace]:
        what = self.label(self.workspace)
        regex = glob_regex(self.workspace)
        # search[name] is a substring filter: the longest literal run narrows the listing
        runs = _LITERAL_RUN.findall(self.workspace)
        search = max(runs, key=len) if runs else ""
        found: list[Workspace] = []
        page: int | None = 1
        while page is not None:
            query: dict[str, str | int] = {"page[number]": page, "page[size]": PAGE_SIZE}
            if search:
                query["search[name]"] = search
            url = (f"{self._api}/organizations/{quote(self.organization, safe='')}/workspaces?"
                   + urlencode(query))
            document = self._check(self._get(url, what), what, "no such organization")
            for item in document.get("data") or []:
                workspace = self._workspace(item)
                if workspace is not None and regex.match(workspace.name):
                    found.append(workspace)
            pagination = (document.get("meta") or {}).get("pagination") or {}
            next_page = pagination.get("next-page")
            page = next_page if isinstance(next_page, int) and next_page > page else None
        return sorted(found, key=lambda w: w.name)

    def _download_url(self, workspace: Workspace) -> str | None:
        """The current state version's download URL; None when the workspace has no state."""
        what = self.label(workspace.name)
        response = self._get(f"{self._api}/workspaces/{quote(workspace.id, safe='')}"
                             "/current-state-version", what)
        if response.status == 404:
            return None
        if response.status == 401:
            raise self._unauthorized(what)
        if response.status != 200:
            raise ObjectError(f"current state version: HTTP {response.status}")
        data = self._json(response, what).get("data") or {}
        attributes = data.get("attributes") if isinstance(data, dict) else None
        url = (attributes or {}).get("hosted-state-download-url")
        if not isinstance(url, str) or not url:
            # a state version whose upload has not finished has no download URL yet
            raise ObjectError("the current state version has no download URL yet")
        return urljoin(f"{self.scheme}://{self.host}/", url)

    # -- the store ------------------------------------------------------------------------------

    def name_of(self, item: Workspace) -> str:
        return item.name

    def connect(self) -> AbstractContextManager[None]:
        return nullcontext()

    def single(self) -> str | None:
        return None if has_glob(self.workspace) else self.workspace

    def patterns(self) -> list[str]:
        return [self.workspace]

    def lookup(self, client: None, name: str) -> Workspace:
        return self._show_workspace()

    def matching(self, client: None, patterns: Sequence[str]) -> list[Workspace]:
        return self._list_workspaces()

    def download(self, client: None, item: Workspace) -> bytes | None:
        url = self._download_url(item) if item.has_state is not False else None
        if url is None:
            log.debug("%s: no state yet, skipped", self.label(item.name))
            return None
        target = urlsplit(url)
        same_host = (target.scheme, target.netloc) == (self.scheme, self.host)
        try:
            response = _http.get(url, secret_headers=self._auth() if same_host else None,
                                 timeout=self.timeout, retries=self.retries)
        except _http.TransportError as exc:
            raise ObjectError(f"state download failed ({exc})") from None
        if response.status != 200:
            raise ObjectError(f"state download answered HTTP {response.status}")
        return response.body

    def nothing_read(self, single: bool, matched: int) -> SourceError:
        where = self.label(self.workspace)
        if single:
            return SourceError(f"{where}: the workspace has no state yet",
                               hint="it has never been applied")
        if not matched:
            return SourceError(f"{where}: no workspace matches")
        return SourceError(f"{where}: {matched} workspace(s) match, none has a state yet")


# -- discovery ---------------------------------------------------------------------------------


def _tfc_url(organization: str, name: str, host: str | None) -> str:
    shown_host = host if host and host != DEFAULT_HOST else None
    return f"tfstate+tfcloud://{organization}/{name}{url_query(host=shown_host)}"


def _organization(
    settings: Mapping[str, Any], names: Sequence[str], plan: Plan
) -> tuple[str, str | None, dict[str, str], Mapping[str, Any]] | None:
    """The organization, its host, the literal ``names`` of the ``workspaces`` block and that
    block; None (with notes) when one of them is not a literal."""
    values = literals(settings, ("organization",), ("hostname",), plan)
    blocks = settings.get("workspaces")
    workspaces = blocks if isinstance(blocks, Mapping) else {}
    named = literals(workspaces, (), names, plan)
    if values is None or named is None:
        return None
    return values["organization"], values.get("hostname"), named, workspaces


def plan_remote(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``backend "remote"`` block: one workspace by name, or those of a prefix."""
    plan = Plan()
    found = _organization(settings, ("name", "prefix"), plan)
    if found is None:
        return plan
    organization, host, named, _ = found
    if "name" in named:
        plan.urls.append(_tfc_url(organization, named["name"], host))
    elif "prefix" in named:
        if workspace is None:
            plan.urls.append(_tfc_url(organization, f"{named['prefix']}*", host))
        elif workspace == DEFAULT_WORKSPACE:
            plan.notes.append(f"workspaces are chosen by prefix {named['prefix']!r}: pass a "
                              "workspace name or all workspaces")
        else:
            plan.urls.append(_tfc_url(organization, named["prefix"] + workspace, host))
    else:
        plan.notes.append("partial configuration: no workspaces name or prefix in the code")
    return plan


def plan_cloud(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``cloud`` block: one workspace by name; one chosen by tags only when it is named."""
    plan = Plan()
    # the cloud block reads these variables when the block leaves them out
    merged = dict(settings)
    for key, variable in (("organization", "TF_CLOUD_ORGANIZATION"),
                          ("hostname", "TF_CLOUD_HOSTNAME")):
        if merged.get(key) is None and context.env.get(variable):
            merged[key] = context.env[variable]
    found = _organization(merged, ("name",), plan)
    if found is None:
        return plan
    organization, host, named, workspaces = found
    if "name" in named:
        plan.urls.append(_tfc_url(organization, named["name"], host))
        return plan
    if workspace is None:
        # the org's workspaces are not all this root's, and the tfcloud reader selects by name
        # only: reading every one would compare other teams' states
        tags = workspaces.get("tags")
        chosen = f"tags {_shown(tags)}" if tags is not None else "the TF_WORKSPACE variable"
        plan.notes.append(f"the cloud block chooses workspaces by {chosen}: name one to read "
                          "it (all workspaces cannot be told apart by name)")
    elif workspace == DEFAULT_WORKSPACE:
        plan.notes.append("the cloud block names no single workspace: pass a workspace name "
                          "(or TF_WORKSPACE)")
    else:
        plan.urls.append(_tfc_url(organization, workspace, host))
    return plan


def _shown(value: Any) -> str:
    if isinstance(value, list):
        return "[" + ", ".join(_shown(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{" + ", ".join(f"{k} = {_shown(v)}" for k, v in value.items()) + "}"
    return str(value)


BACKEND = Backend(name="tfcloud", schemes=("tfcloud",), opener=TfcStateSource.from_spec,
                  planners={"remote": plan_remote, "cloud": plan_cloud})
