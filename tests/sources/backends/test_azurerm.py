"""tfstate+azurerm://: the real azure-storage-blob client against Azurite."""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from azure.storage.blob import (
    BlobServiceClient,
    ContainerClient,
    ContainerSasPermissions,
    generate_container_sas,
)

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source
from cloudrift.sources.backends import BackendSettings
from cloudrift.sources.backends.azurerm import AzureStateSource
from cloudrift.testing.backends import AZURITE_ACCOUNT, AZURITE_KEY, AzuriteServer
from tests.sources.backends.conftest import CORRUPT, failures, state, tags


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("AZURE_STORAGE_CONNECTION_STRING", "ARM_ACCESS_KEY", "ARM_SAS_TOKEN",
                 "ARM_ENVIRONMENT", "AZURE_CLIENT_ID", "AZURE_TENANT_ID",
                 "AZURE_CLIENT_SECRET"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def container(azurite_server: AzuriteServer, monkeypatch: pytest.MonkeyPatch
              ) -> Iterator[ContainerClient]:
    """A fresh container, and the account key in ARM_ACCESS_KEY as the azurerm backend takes it."""
    service = BLOB_SERVICE(azurite_server)
    client = service.create_container(f"tfstate-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("ARM_ACCESS_KEY", AZURITE_KEY)
    try:
        yield client
    finally:
        client.delete_container()


def BLOB_SERVICE(server: AzuriteServer) -> BlobServiceClient:  # noqa: N802 - reads as a constant
    return BlobServiceClient.from_connection_string(server.connection_string)


def _url(server: AzuriteServer, container: ContainerClient, key: str, query: str = "") -> str:
    options = f"?endpoint={server.blob_endpoint}" + (f"&{query}" if query else "")
    return f"tfstate+azurerm://{AZURITE_ACCOUNT}/{container.container_name}/{key}{options}"


def _label(container: ContainerClient, name: str) -> str:
    return f"azurerm://{AZURITE_ACCOUNT}/{container.container_name}/{name}"


def test_one_blob(azurite_server: AzuriteServer, container: ContainerClient) -> None:
    container.upload_blob("prod.terraform.tfstate", state("prod"))
    results = open_source(_url(azurite_server, container, "prod.terraform.tfstate")).read()
    assert tags(results) == {_label(container, "prod.terraform.tfstate"): "prod"}


@pytest.fixture
def workspaces(container: ContainerClient) -> ContainerClient:
    """The azurerm backend's layout: KEY for default, KEY + "env:" + NAME for the others."""
    container.upload_blob("app.tfstate", state("default"))
    for workspace in ("prod", "dev", "dev2"):
        container.upload_blob(f"app.tfstateenv:{workspace}", state(workspace))
    container.upload_blob("apps.tfstate", state("not-a-workspace"))
    return container


@pytest.mark.parametrize(("query", "expected"), [
    ("", ["default"]),
    ("workspace=prod", ["prod"]),
    ("workspace=dev*", ["dev", "dev2"]),
    ("workspace=*", ["default", "dev", "dev2", "prod"]),
])
def test_workspaces(azurite_server: AzuriteServer, workspaces: ContainerClient, query: str,
                    expected: list[str]) -> None:
    results = open_source(_url(azurite_server, workspaces, "app.tfstate", query)).read()
    assert sorted(tags(results).values()) == expected
    if query == "workspace=prod":
        assert list(tags(results)) == [_label(workspaces, "app.tfstateenv:prod")]


def test_glob_over_many_blobs_is_read_concurrently(
        azurite_server: AzuriteServer, container: ContainerClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    for n in range(30):
        container.upload_blob(f"teams/t{n % 3}/s{n:02d}.tfstate", state(f"s{n:02d}"))
    container.upload_blob("teams/t0/s00.tfstate.backup", state("backup"))
    in_flight = 0
    peak = 0
    lock = threading.Lock()
    real = AzureStateSource.download

    def counting(self: AzureStateSource, client: Any, name: str) -> bytes:
        nonlocal in_flight, peak
        with lock:
            in_flight += 1
            peak = max(peak, in_flight)
        try:
            return real(self, client, name)
        finally:
            with lock:
                in_flight -= 1

    monkeypatch.setattr(AzureStateSource, "download", counting)
    results = open_source(_url(azurite_server, container, "teams/**/*.tfstate"),
                          BackendSettings(max_workers=8)).read()
    assert sorted(tags(results).values()) == [f"s{n:02d}" for n in range(30)]
    assert 1 < peak <= 8


def test_corrupt_blob_is_a_failure_while_the_others_are_read(
        azurite_server: AzuriteServer, container: ContainerClient) -> None:
    container.upload_blob("live/a.tfstate", state("a"))
    container.upload_blob("live/b.tfstate", CORRUPT)
    results = open_source(_url(azurite_server, container, "live/*.tfstate")).read()
    assert tags(results) == {_label(container, "live/a.tfstate"): "a"}
    assert "not valid JSON" in failures(results)[_label(container, "live/b.tfstate")]


def test_connection_string_from_the_environment(azurite_server: AzuriteServer,
                                                container: ContainerClient,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    container.upload_blob("k.tfstate", state("cs"))
    monkeypatch.delenv("ARM_ACCESS_KEY")
    monkeypatch.setenv("AZURE_STORAGE_CONNECTION_STRING", azurite_server.connection_string)
    url = f"tfstate+azurerm://{AZURITE_ACCOUNT}/{container.container_name}/k.tfstate"
    assert list(tags(open_source(url).read()).values()) == ["cs"]


def test_a_sas_that_may_list_but_not_read_fails_each_state(
        azurite_server: AzuriteServer, container: ContainerClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    container.upload_blob("x/a.tfstate", state("a"))
    container.upload_blob("x/b.tfstate", state("b"))
    sas = generate_container_sas(
        AZURITE_ACCOUNT, container.container_name, account_key=AZURITE_KEY,
        permission=ContainerSasPermissions(list=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    monkeypatch.delenv("ARM_ACCESS_KEY")
    monkeypatch.setenv("ARM_SAS_TOKEN", sas)
    results = open_source(_url(azurite_server, container, "x/*.tfstate")).read()
    found = failures(results)
    assert sorted(found) == [_label(container, "x/a.tfstate"), _label(container, "x/b.tfstate")]
    assert all(message.startswith("access denied") for message in found.values())


def test_a_sas_that_may_read_but_not_list_fails_a_glob_but_reads_a_key(
        azurite_server: AzuriteServer, container: ContainerClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    container.upload_blob("x/a.tfstate", state("a"))
    sas = generate_container_sas(
        AZURITE_ACCOUNT, container.container_name, account_key=AZURITE_KEY,
        permission=ContainerSasPermissions(read=True),
        expiry=datetime.now(timezone.utc) + timedelta(hours=1))
    monkeypatch.delenv("ARM_ACCESS_KEY")
    monkeypatch.setenv("ARM_SAS_TOKEN", sas)
    with pytest.raises(SourceError, match="access denied listing the container") as caught:
        open_source(_url(azurite_server, container, "x/*.tfstate")).read()
    assert str(caught.value).startswith(_label(container, "x/: "))
    results = open_source(_url(azurite_server, container, "x/a.tfstate")).read()
    assert list(tags(results).values()) == ["a"]


def test_a_wrong_key_is_a_source_error_that_never_shows_it(
        azurite_server: AzuriteServer, container: ContainerClient,
        monkeypatch: pytest.MonkeyPatch) -> None:
    container.upload_blob("k.tfstate", state("k"))
    wrong = "d3Jvbmcta2V5LW5vdC10aGUtb25lLWF6dXJpdGUtdXNlcw=="
    monkeypatch.setenv("ARM_ACCESS_KEY", wrong)
    for key in ("k.tfstate", "*.tfstate"):
        with pytest.raises(SourceError, match="refused the credentials") as caught:
            open_source(_url(azurite_server, container, key)).read()
        assert wrong not in str(caught.value)


def test_missing_container_blob_or_match(azurite_server: AzuriteServer,
                                         container: ContainerClient) -> None:
    missing = f"tfstate+azurerm://{AZURITE_ACCOUNT}/nope/k.tfstate?endpoint=" \
              f"{azurite_server.blob_endpoint}"
    with pytest.raises(SourceError, match="container 'nope' does not exist"):
        open_source(missing).read()
    with pytest.raises(SourceError, match="container 'nope' does not exist"):
        open_source(missing.replace("k.tfstate", "*.tfstate")).read()
    with pytest.raises(SourceError, match="no such state blob"):
        open_source(_url(azurite_server, container, "absent.tfstate")).read()
    with pytest.raises(SourceError, match="no state object matches"):
        open_source(_url(azurite_server, container, "absent/*.tfstate")).read()


def test_endpoint_comes_from_the_cloud_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    source = open_source("tfstate+azurerm://acct1/states/prod.tfstate")
    assert isinstance(source, AzureStateSource)
    assert source.account_url() == "https://acct1.blob.core.windows.net"
    monkeypatch.setenv("ARM_ENVIRONMENT", "usgovernment")
    assert source.account_url() == "https://acct1.blob.core.usgovcloudapi.net"


@pytest.mark.parametrize("url", [
    "tfstate+azurerm://acct1/states",
    "tfstate+azurerm://Not_An_Account/c/k",
    "tfstate+azurerm://acct1/c/k?container=x",
])
def test_bad_urls(url: str) -> None:
    with pytest.raises(ConfigError):
        open_source(url)
