"""Terraform state in Azure Blob Storage, through azure-storage-blob (the azure extra).

``tfstate+azurerm://ACCOUNT/CONTAINER/KEY`` reads one blob; a KEY with ``*``, ``?``, ``[...]``
or ``**`` lists the container under the pattern's literal prefix and reads every match.
Terraform's ``azurerm`` backend stores a non-default workspace at ``KEY + "env:" + WORKSPACE``:
``?workspace=GLOB`` reads those (and KEY itself when the glob matches ``default``).

Credentials, in the order the azurerm backend documents them: a connection string
(``AZURE_STORAGE_CONNECTION_STRING``, used when its AccountName is this account),
``ARM_ACCESS_KEY``, ``ARM_SAS_TOKEN``, else ``DefaultAzureCredential`` (environment, workload
or managed identity, Azure CLI), which needs the "Storage Blob Data Reader" role. The endpoint
is ``?endpoint=``, else the connection string's, else ``https://ACCOUNT.blob.<suffix>`` for
``ARM_ENVIRONMENT`` (public, china, usgovernment).
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backend_urls import DEFAULT_WORKSPACE, Plan, PlanContext, literals, url_query
from cloudrift.sources.backends._common import options_dict, workspace_option
from cloudrift.sources.backends._store import Fault, KeyedStoreSource, ObjectFault
from cloudrift.sources.types import Backend, BackendSettings

if TYPE_CHECKING:
    from cloudrift.sources.tofu_encryption import StateKeys

OPTIONS = ("workspace", "endpoint")
ENDPOINT_SUFFIXES = {
    "public": "core.windows.net",
    "china": "core.chinacloudapi.cn",
    "usgovernment": "core.usgovcloudapi.net",
}
WORKSPACE_SEPARATOR = "env:"
_ACCOUNT_RE = re.compile(r"^[a-z0-9]{3,24}$")


def _connection_string_account(connection_string: str) -> str | None:
    for part in connection_string.split(";"):
        name, _, value = part.partition("=")
        if name.strip().lower() == "accountname":
            return value.strip()
    return None


@dataclass(frozen=True)
class AzureStateSource(KeyedStoreSource[Any]):
    uri: str
    account: str
    container: str
    key: str
    workspace: str | None = None
    endpoint: str | None = None
    max_workers: int = 16
    keys: StateKeys | None = field(default=None, repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False, compare=False)

    container_noun = "container"
    object_noun = "blob"

    @classmethod
    def from_spec(
        cls,
        uri: str,
        location: str,
        options: Sequence[tuple[str, str]],
        settings: BackendSettings,
        environ: Mapping[str, str] | None = None,
    ) -> AzureStateSource:
        values = options_dict(uri, options, OPTIONS)
        account, _, rest = location.partition("/")
        container, _, key = rest.partition("/")
        if not account or not container or not key:
            raise ConfigError(f"--from {uri!r}: expected "
                              "tfstate+azurerm://ACCOUNT/CONTAINER/KEY")
        if not _ACCOUNT_RE.match(account):
            raise ConfigError(f"--from {uri!r}: {account!r} is not a storage account name",
                              hint="3 to 24 lower-case letters and digits")
        workspace = workspace_option(uri, values)
        return cls(uri=uri, account=account, container=container, key=key, workspace=workspace,
                   endpoint=(values.get("endpoint") or "").rstrip("/") or None,
                   max_workers=settings.max_workers, keys=settings.state_keys,
                   environ=environ)

    def label(self, name: str) -> str:
        return f"azurerm://{self.account}/{self.container}/{name}"

    def container_name(self) -> str:
        return self.container

    def stored_at(self, workspace: str) -> str:
        return f"{self.key}{WORKSPACE_SEPARATOR}{workspace}"

    # -- client --------------------------------------------------------------------------------

    def _env(self) -> Mapping[str, str]:
        return os.environ if self.environ is None else self.environ

    def account_url(self) -> str:
        if self.endpoint:
            return self.endpoint
        environment = (self._env().get("ARM_ENVIRONMENT") or "public").lower()
        suffix = ENDPOINT_SUFFIXES.get(environment)
        if suffix is None:
            raise SourceError(f"{self.uri}: unknown ARM_ENVIRONMENT {environment!r}",
                              hint="public, china or usgovernment; or pass ?endpoint=")
        return f"https://{self.account}.blob.{suffix}"

    def client(self) -> Any:
        try:
            from azure.core.credentials import AzureNamedKeyCredential
            from azure.storage.blob import ContainerClient
        except ImportError:
            raise SourceError(f"{self.uri}: azure-storage-blob is not installed",
                              hint="pip install 'cloudrift-scanner[azure]'") from None
        env = self._env()
        options: dict[str, Any] = {"max_single_get_size": 64 * 1024 * 1024,
                                   "connection_timeout": 20, "read_timeout": 60}
        connection_string = env.get("AZURE_STORAGE_CONNECTION_STRING")
        if connection_string and _connection_string_account(connection_string) == self.account:
            try:
                client = ContainerClient.from_connection_string(
                    connection_string, self.container, **options)
            except ValueError:
                # the message would quote the connection string, key included
                raise SourceError("AZURE_STORAGE_CONNECTION_STRING is malformed") from None
            if self.endpoint is None:
                return client
            credential: Any = client.credential
        elif env.get("ARM_ACCESS_KEY"):
            credential = AzureNamedKeyCredential(self.account, env["ARM_ACCESS_KEY"])
        elif env.get("ARM_SAS_TOKEN"):
            credential = env["ARM_SAS_TOKEN"].lstrip("?")
        else:
            try:
                from azure.identity import DefaultAzureCredential
            except ImportError:
                raise SourceError(f"{self.uri}: azure-identity is not installed",
                                  hint="pip install 'cloudrift-scanner[azure]'") from None
            credential = DefaultAzureCredential(exclude_interactive_browser_credential=True)
        return ContainerClient(self.account_url(), self.container, credential=credential,
                               **options)

    def connect(self) -> AbstractContextManager[Any]:
        client: AbstractContextManager[Any] = self.client()  # closed after the read
        return client

    def list_prefix(self, client: Any, prefix: str) -> Iterator[str]:
        for blob in client.list_blobs(name_starts_with=prefix or None):
            yield str(blob.name)

    def download(self, client: Any, item: str) -> bytes:
        data: bytes = client.download_blob(item, max_concurrency=1).readall()
        return data

    # -- errors --------------------------------------------------------------------------------

    @staticmethod
    def _code(exc: Exception) -> str:
        code = getattr(exc, "error_code", None) or ""
        return str(getattr(code, "value", code))

    def store_errors(self) -> tuple[type[Exception], ...]:
        from azure.core.exceptions import AzureError

        return (AzureError,)

    def classify(self, exc: Exception, where: str, listing: bool
                 ) -> SourceError | ObjectFault | None:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            ServiceRequestError,
        )

        code = self._code(exc)
        if isinstance(exc, ClientAuthenticationError):
            if code:
                return SourceError(f"{where}: the storage account rejected the credentials "
                                   f"({code})", hint="check ARM_ACCESS_KEY / ARM_SAS_TOKEN")
            return SourceError(f"{where}: no usable Azure credentials "
                               f"({str(exc).splitlines()[0]})",
                               hint="set ARM_ACCESS_KEY or ARM_SAS_TOKEN, or `az login`")
        if isinstance(exc, HttpResponseError) and code == "AuthorizationFailure":
            # Azure's answer to a network rule that keeps this machine out, and Azurite's to
            # a wrong key: either way no blob of the account can be read
            return SourceError(f"{where}: the storage account refused the credentials or this "
                               "network (AuthorizationFailure)",
                               hint="check ARM_ACCESS_KEY / ARM_SAS_TOKEN and the account's "
                               "firewall rules")
        if isinstance(exc, ServiceRequestError):
            return SourceError(f"{where}: cannot reach {self.account_url()} "
                               f"({type(exc).__name__})")
        if isinstance(exc, ResourceNotFoundError) and code == "ContainerNotFound":
            return self._missing_container(where)
        if isinstance(exc, ResourceNotFoundError):
            return ObjectFault(Fault.GONE, code or type(exc).__name__)
        if isinstance(exc, HttpResponseError) and exc.status_code == 403:
            return ObjectFault(Fault.DENIED, code or "HTTP 403")
        return ObjectFault(Fault.OTHER, code or type(exc).__name__)


# -- discovery ---------------------------------------------------------------------------------


def plan_azurerm(
    directory: str, settings: Mapping[str, Any], workspace: str | None, context: PlanContext
) -> Plan:
    """A ``backend "azurerm"`` block: the default workspace at its key, every other one at
    ``<key>env:<workspace>``."""
    plan = Plan()
    values = literals(settings, ("storage_account_name", "container_name", "key"), (), plan)
    if values is None:
        return plan
    base = f"tfstate+azurerm://{values['storage_account_name']}/{values['container_name']}/"
    key = values["key"]
    if workspace is None:
        plan.urls.append(f"{base}{key}{url_query(workspace='*')}")
    elif workspace == DEFAULT_WORKSPACE:
        plan.urls.append(f"{base}{key}")
    else:
        plan.urls.append(f"{base}{key}{WORKSPACE_SEPARATOR}{workspace}")
    return plan


BACKEND = Backend(name="azurerm", schemes=("azurerm",), opener=AzureStateSource.from_spec,
                  planners={"azurerm": plan_azurerm})
