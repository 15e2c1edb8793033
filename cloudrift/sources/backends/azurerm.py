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
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources.backends._common import (
    BackendSettings,
    ObjectError,
    has_glob,
    matching_objects,
    no_match_error,
    options_dict,
    read_states,
    workspace_option,
    workspace_patterns,
)
from cloudrift.sources.tfstate import SourceFailure, StateDocument

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
class AzureStateSource:
    uri: str
    account: str
    container: str
    key: str
    workspace: str | None = None
    endpoint: str | None = None
    max_workers: int = 16
    keys: StateKeys | None = field(default=None, repr=False)
    environ: Mapping[str, str] | None = field(default=None, repr=False, compare=False)

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

    # -- errors --------------------------------------------------------------------------------

    @staticmethod
    def _code(exc: Exception) -> str:
        code = getattr(exc, "error_code", None) or ""
        return str(getattr(code, "value", code))

    def _fatal(self, exc: Exception, where: str) -> SourceError | None:
        from azure.core.exceptions import (
            ClientAuthenticationError,
            HttpResponseError,
            ResourceNotFoundError,
            ServiceRequestError,
        )

        if isinstance(exc, ClientAuthenticationError):
            code = self._code(exc)
            if code:
                return SourceError(f"{where}: the storage account rejected the credentials "
                                   f"({code})", hint="check ARM_ACCESS_KEY / ARM_SAS_TOKEN")
            return SourceError(f"{where}: no usable Azure credentials "
                               f"({str(exc).splitlines()[0]})",
                               hint="set ARM_ACCESS_KEY or ARM_SAS_TOKEN, or `az login`")
        if isinstance(exc, HttpResponseError) and self._code(exc) == "AuthorizationFailure":
            # Azure's answer to a network rule that keeps this machine out, and Azurite's to
            # a wrong key: either way no blob of the account can be read
            return SourceError(f"{where}: the storage account refused the credentials or this "
                               "network (AuthorizationFailure)",
                               hint="check ARM_ACCESS_KEY / ARM_SAS_TOKEN and the account's "
                               "firewall rules")
        if isinstance(exc, ServiceRequestError):
            return SourceError(f"{where}: cannot reach {self.account_url()} "
                               f"({type(exc).__name__})")
        if isinstance(exc, ResourceNotFoundError) and self._code(exc) == "ContainerNotFound":
            return SourceError(f"{where}: container {self.container!r} does not exist")
        return None

    # -- reading -------------------------------------------------------------------------------

    def patterns(self) -> list[str]:
        return workspace_patterns(
            self.key, self.workspace, lambda ws: f"{self.key}{WORKSPACE_SEPARATOR}{ws}"
        )

    def list_names(self, client: Any) -> list[str]:
        return matching_objects(self.patterns(), lambda p: self._list(client, p), str)

    def _list(self, client: Any, prefix: str) -> Iterator[str]:
        from azure.core.exceptions import AzureError, HttpResponseError

        where = self.label(prefix)
        try:
            for blob in client.list_blobs(name_starts_with=prefix or None):
                yield str(blob.name)
        except AzureError as exc:
            fatal = self._fatal(exc, where)
            if fatal is not None:
                raise fatal from None
            if isinstance(exc, HttpResponseError) and exc.status_code == 403:
                raise SourceError(f"{where}: access denied listing the container "
                                  f"({self._code(exc) or 'HTTP 403'})") from None
            raise SourceError(f"{where}: cannot list the container "
                              f"({self._code(exc) or type(exc).__name__})") from None

    def _download(self, client: Any, name: str, single: bool) -> bytes:
        from azure.core.exceptions import AzureError, HttpResponseError, ResourceNotFoundError

        where = self.label(name)
        try:
            data: bytes = client.download_blob(name, max_concurrency=1).readall()
            return data
        except AzureError as exc:
            fatal = self._fatal(exc, where)
            if fatal is not None:
                raise fatal from None
            if isinstance(exc, ResourceNotFoundError):
                if single:
                    raise SourceError(f"{where}: no such state blob") from None
                raise ObjectError("the blob was deleted while the states were read") from None
            if isinstance(exc, HttpResponseError) and exc.status_code == 403:
                raise ObjectError(f"access denied ({self._code(exc) or 'HTTP 403'})") from None
            raise ObjectError(f"cannot read the blob ({self._code(exc) or type(exc).__name__})"
                              ) from None

    def read(self) -> Sequence[StateDocument | SourceFailure]:
        with self.client() as client:
            if self.workspace is None and not has_glob(self.key):
                return read_states([self.key], lambda n: self._download(client, n, True),
                                   self.label, 1, self.keys)
            names = self.list_names(client)
            if not names:
                raise no_match_error(self.label(p) for p in self.patterns())
            return read_states(names, lambda n: self._download(client, n, False), self.label,
                               self.max_workers, self.keys)
