"""tfstate+gs://: the real google-cloud-storage client against a local Cloud Storage JSON API."""

from __future__ import annotations

from dataclasses import replace

import pytest
from google.auth.credentials import AnonymousCredentials

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source
from cloudrift.sources.backends.gcs import GcsStateSource
from cloudrift.testing.backends import GcsServer
from tests.sources.backends.conftest import CORRUPT, failures, state, tags

WORKSPACES = ("default", "prod", "dev", "perf")


def _source(server: GcsServer, path: str, workspace: str | None = None) -> GcsStateSource:
    return GcsStateSource(uri=f"tfstate+gs://{path}", bucket=path.split("/")[0],
                          path=path.partition("/")[2], workspace=workspace,
                          endpoint=server.endpoint, credentials=AnonymousCredentials())


@pytest.fixture
def backend(gcs_server: GcsServer) -> GcsServer:
    """A bucket laid out as Terraform's gcs backend writes it, prefix "live/app"."""
    for workspace in WORKSPACES:
        gcs_server.put("tf", f"live/app/{workspace}.tfstate", state(workspace))
    gcs_server.put("tf", "live/app/default.tflock", b"{}")
    gcs_server.put("tf", "live/other/default.tfstate", state("other"))
    return gcs_server


def test_a_prefix_reads_every_workspace_of_the_backend(backend: GcsServer) -> None:
    results = _source(backend, "tf/live/app").read()
    assert tags(results) == {f"gs://tf/live/app/{w}.tfstate": w for w in WORKSPACES}


@pytest.mark.parametrize(("workspace", "expected"), [
    ("prod", ["prod"]), ("p*", ["perf", "prod"]), ("default", ["default"]),
])
def test_workspace_option_selects_workspaces(backend: GcsServer, workspace: str,
                                             expected: list[str]) -> None:
    results = _source(backend, "tf/live/app", workspace).read()
    assert sorted(tags(results).values()) == expected


def test_one_object_by_name(backend: GcsServer) -> None:
    results = _source(backend, "tf/live/other/default.tfstate").read()
    assert tags(results) == {"gs://tf/live/other/default.tfstate": "other"}
    # no listing for a named object: the URL says exactly what to read
    assert not any("/o?" in r.target for r in backend.requests)


def test_recursive_glob(backend: GcsServer) -> None:
    results = _source(backend, "tf/live/**/default.tfstate").read()
    assert sorted(tags(results).values()) == ["default", "other"]


def test_the_current_generation_is_read(backend: GcsServer) -> None:
    backend.put("tf", "live/app/prod.tfstate", state("prod-v2", serial=2))
    results = _source(backend, "tf/live/app", "prod").read()
    assert list(tags(results).values()) == ["prod-v2"]


def test_many_objects_across_pages_are_read_concurrently(monkeypatch: pytest.MonkeyPatch
                                                         ) -> None:
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    with GcsServer(delay=0.02, page_size=7) as server:
        for n in range(40):
            server.put("big", f"teams/t{n % 4}/s{n:02d}.tfstate", state(f"s{n:02d}"))
        results = _source(server, "big/teams/**/*.tfstate").read()
        listings = [r for r in server.requests if "/o?" in r.target]
        peak = server.peak
        server.reset_counters()
        bounded = replace(_source(server, "big/teams/**/*.tfstate"), max_workers=1).read()
    assert sorted(tags(results).values()) == [f"s{n:02d}" for n in range(40)]
    assert len(listings) == 6  # forty names, seven a page
    assert peak > 1
    assert len(bounded) == 40
    assert server.peak == 1


def test_corrupt_and_forbidden_objects_are_failures_the_others_are_read(
        backend: GcsServer) -> None:
    backend.put("tf", "live/app/dev.tfstate", CORRUPT)
    backend.forbidden.add(("tf", "live/app/perf.tfstate"))
    results = _source(backend, "tf/live/app").read()
    assert sorted(tags(results).values()) == ["default", "prod"]
    found = failures(results)
    assert "not valid JSON" in found["gs://tf/live/app/dev.tfstate"]
    assert found["gs://tf/live/app/perf.tfstate"] == "access denied (HTTP 403)"


def test_rejected_credentials_are_a_source_error(backend: GcsServer,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    backend.token = "only-this"
    with pytest.raises(SourceError, match="rejected the credentials"):
        _source(backend, "tf/live/app").read()
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.stale")
    with pytest.raises(SourceError, match="rejected the credentials") as caught:
        open_source(f"tfstate+gs://tf/live/app?endpoint={backend.endpoint}").read()
    assert "ya29.stale" not in str(caught.value)


def test_access_token_from_the_environment_and_a_custom_endpoint(
        backend: GcsServer, monkeypatch: pytest.MonkeyPatch) -> None:
    # the production credential path, not the emulator's anonymous one
    backend.token = "ya29.test-token"
    monkeypatch.setenv("GOOGLE_OAUTH_ACCESS_TOKEN", "ya29.test-token")
    source = open_source(f"tfstate+gs://tf/live/app?workspace=prod&endpoint={backend.endpoint}"
                         "/storage/v1/")
    assert list(tags(source.read()).values()) == ["prod"]


def test_storage_emulator_host_is_honoured(backend: GcsServer,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("STORAGE_EMULATOR_HOST", backend.endpoint)
    assert len(tags(open_source("tfstate+gcs://tf/live/app").read())) == len(WORKSPACES)


def test_missing_bucket_object_or_match(backend: GcsServer) -> None:
    with pytest.raises(SourceError, match="bucket 'nope' does not exist"):
        _source(backend, "nope/live/app").read()
    with pytest.raises(SourceError, match="bucket 'nope' does not exist"):
        _source(backend, "nope/x.tfstate").read()
    with pytest.raises(SourceError, match=r"gs://tf/live/gone\.tfstate: no such state object"):
        _source(backend, "tf/live/gone.tfstate").read()
    with pytest.raises(SourceError, match=r"gs://tf/live/none/\*\.tfstate: no state object"):
        _source(backend, "tf/live/none").read()


def test_url_options_are_checked() -> None:
    with pytest.raises(ConfigError, match="unknown option 'prefix'"):
        open_source("tfstate+gs://tf/live?prefix=x")
    with pytest.raises(ConfigError, match="workspace must be a name"):
        open_source("tfstate+gs://tf/live?workspace=a/b")
