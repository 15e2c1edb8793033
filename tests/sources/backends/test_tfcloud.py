"""tfstate+tfcloud://: Terraform Cloud's API v2 against a local server implementing it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source
from cloudrift.sources.backends import BackendSettings
from cloudrift.sources.backends.tfcloud import TfcStateSource, token_for
from cloudrift.testing.backends import TfcServer
from tests.sources.backends.conftest import CORRUPT, failures, state, tags

TOKEN = BackendSettings(tfc_token="good-token")


def _url(server: TfcServer, path: str) -> str:
    return f"tfstate+tfcloud://{path}?host={server.endpoint}"


def _label(server: TfcServer, path: str) -> str:
    return f"tfcloud://{path}?host={server.endpoint.removeprefix('http://')}"


def test_one_workspace_reads_its_current_state(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "network", state("old", serial=1))
    tfc_server.add_state("acme", "network", state("current", serial=2))
    results = open_source(_url(tfc_server, "acme/network"), TOKEN).read()
    assert tags(results) == {_label(tfc_server, "acme/network"): "current"}
    routes = [r.path.split("?")[0] for r in tfc_server.requests]
    assert routes[:2] == ["/api/v2/organizations/acme/workspaces/network",
                          routes[1]]
    assert routes[1].endswith("/current-state-version")
    assert all(r.headers.get("authorization") == "Bearer good-token" for r in tfc_server.requests)


def test_rate_limited_requests_are_retried_after_the_advertised_reset(
        tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    tfc_server.throttle = 2
    assert list(tags(open_source(_url(tfc_server, "acme/app"), TOKEN).read()).values()) == [
        "app"]
    assert len(tfc_server.requests) == 5  # two refused, then show, state version, download


def test_token_from_terraforms_environment_variable(tfc_server: TfcServer,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    # an environment variable cannot spell a port: TF_TOKEN_127_0_0_1 serves 127.0.0.1:PORT
    monkeypatch.setenv("TF_TOKEN_127_0_0_1", "good-token")
    assert list(tags(open_source(_url(tfc_server, "acme/app")).read()).values()) == ["app"]


def test_token_lookup_follows_terraforms_conventions(tmp_path: Path) -> None:
    none = BackendSettings()
    env = {"TF_TOKEN_app_terraform_io": "a", "TF_TOKEN_tfe__1_example_com": "b",
           "TFE_TOKEN": "fallback"}
    assert token_for("app.terraform.io", none, env, str(tmp_path / "none.json")) == "a"
    assert token_for("TFE-1.example.com", none, env, str(tmp_path / "none.json")) == "b"
    assert token_for("other.example.com", none, env, str(tmp_path / "none.json")) == "fallback"
    assert token_for("app.terraform.io", BackendSettings(tfc_token="flag"), env) == "flag"
    credentials = tmp_path / "credentials.tfrc.json"
    credentials.write_text(json.dumps({"credentials": {"tfe.corp": {"token": "from-login"}}}))
    assert token_for("tfe.corp", none, {}, str(credentials)) == "from-login"
    assert token_for("elsewhere", none, {}, str(credentials)) is None


def test_credentials_file_written_by_terraform_login(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    home = Path.home()  # the fixture points HOME at a temporary directory
    (home / ".terraform.d").mkdir(parents=True)
    host = tfc_server.endpoint.removeprefix("http://")
    (home / ".terraform.d" / "credentials.tfrc.json").write_text(
        json.dumps({"credentials": {host: {"token": "good-token"}}}))
    assert list(tags(open_source(_url(tfc_server, "acme/app")).read()).values()) == ["app"]


def test_no_token_at_all_says_how_to_get_one(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    with pytest.raises(SourceError, match=r"no API token for 127\.0\.0\.1") as caught:
        open_source(_url(tfc_server, "acme/app")).read()
    assert caught.value.hint is not None
    assert "terraform login" in caught.value.hint


def test_a_rejected_token_is_a_clear_error_that_never_shows_it(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    with pytest.raises(SourceError, match=r"rejected the API token \(HTTP 401\)") as caught:
        open_source(_url(tfc_server, "acme/app"), BackendSettings(tfc_token="stale-xyz")).read()
    assert "stale-xyz" not in str(caught.value)


@pytest.mark.parametrize("path", ["acme/nope", "nobody/app"])
def test_unknown_workspace_or_organization(tfc_server: TfcServer, path: str) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    with pytest.raises(SourceError, match=r"no such organization or workspace.*HTTP 404"):
        open_source(_url(tfc_server, path), TOKEN).read()


def test_a_workspace_the_token_may_not_see_looks_missing(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app"))
    tfc_server.hidden.add(("good-token", "acme"))
    with pytest.raises(SourceError, match="or the token may not read it"):
        open_source(_url(tfc_server, "acme/app"), TOKEN).read()


def test_a_workspace_without_state_yet(tfc_server: TfcServer) -> None:
    tfc_server.workspace("acme", "fresh")
    with pytest.raises(SourceError, match="the workspace has no state yet"):
        open_source(_url(tfc_server, "acme/fresh"), TOKEN).read()


def test_no_state_yet_when_the_workspace_document_does_not_say(tfc_server: TfcServer) -> None:
    # then only current-state-version's documented 404 tells
    tfc_server.state_relationship = False
    fresh = tfc_server.workspace("acme", "fresh")
    with pytest.raises(SourceError, match="the workspace has no state yet"):
        open_source(_url(tfc_server, "acme/fresh"), TOKEN).read()
    tfc_server.add_state("acme", "fresh-2", state("two"))
    results = open_source(_url(tfc_server, "acme/fresh*"), TOKEN).read()
    assert tags(results) == {_label(tfc_server, "acme/fresh-2"): "two"}
    assert not failures(results)
    asked = [r.path for r in tfc_server.requests]
    assert asked.count(f"/api/v2/workspaces/{fresh.id}/current-state-version") == 2


def test_corrupt_state_and_failed_download_are_failures(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "bad", CORRUPT)
    (message,) = failures(open_source(_url(tfc_server, "acme/bad"), TOKEN).read()).values()
    assert "not valid JSON" in message
    tfc_server.add_state("acme", "app", state("app"))
    tfc_server.download_status = 404
    assert failures(open_source(_url(tfc_server, "acme/app"), TOKEN).read()) == {
        _label(tfc_server, "acme/app"): "state download answered HTTP 404"}


def test_a_state_version_still_uploading_is_a_failure(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app", state("app")).pending = True
    assert "no download URL yet" in next(iter(
        failures(open_source(_url(tfc_server, "acme/app"), TOKEN).read()).values()))


def test_workspace_glob_reads_every_match_across_pages(monkeypatch: pytest.MonkeyPatch,
                                                       tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with TfcServer(delay=0.03, max_page_size=5) as server:
        server.tokens.add("good-token")
        for n in range(23):
            server.add_state("acme", f"app-{n:02d}", state(f"app-{n:02d}"))
        server.add_state("acme", "billing", state("billing"))
        server.add_state("acme", "my-app-x", state("my-app-x"))  # contains "app-", no match
        server.workspace("acme", "app-new")  # never applied: skipped, not a failure
        results = open_source(_url(server, "acme/app-*"), TOKEN).read()
        lists = [r.target for r in server.requests if r.path.endswith("/workspaces")]
    assert sorted(tags(results).values()) == [f"app-{n:02d}" for n in range(23)]
    assert not failures(results)
    assert len(lists) == 5  # 25 names contain "app-": five pages of five
    assert all("search%5Bname%5D=app-" in path for path in lists)
    assert server.peak > 1


def test_glob_matching_nothing_or_only_empty_workspaces(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "billing", state("billing"))
    with pytest.raises(SourceError, match="no workspace matches"):
        open_source(_url(tfc_server, "acme/app-*"), TOKEN).read()
    tfc_server.workspace("acme", "app-1")
    with pytest.raises(SourceError, match=r"1 workspace\(s\) match, none has a state yet"):
        open_source(_url(tfc_server, "acme/app-*"), TOKEN).read()


def test_glob_with_one_corrupt_state_reads_the_others(tfc_server: TfcServer) -> None:
    tfc_server.add_state("acme", "app-1", state("one"))
    tfc_server.add_state("acme", "app-2", CORRUPT)
    tfc_server.add_state("acme", "app-3", state("three"))
    results = open_source(_url(tfc_server, "acme/app-?"), TOKEN).read()
    assert sorted(tags(results).values()) == ["one", "three"]
    assert list(failures(results)) == [_label(tfc_server, "acme/app-2")]


def test_signed_download_urls_on_another_host_get_no_token(monkeypatch: pytest.MonkeyPatch,
                                                           tmp_path: Path) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    with TfcServer(archivist=True) as server:
        server.tokens.add("good-token")
        server.add_state("acme", "app", state("archived"))
        results = open_source(_url(server, "acme/app"), TOKEN).read()
        assert server.archivist is not None
        downloads = server.archivist.requests
    assert list(tags(results).values()) == ["archived"]
    assert len(downloads) == 1
    assert "authorization" not in downloads[0].headers


def test_default_host_and_bad_urls() -> None:
    source = open_source("tfstate+tfcloud://acme/app", TOKEN)
    assert isinstance(source, TfcStateSource)
    assert (source.scheme, source.host) == ("https", "app.terraform.io")
    assert source.label("app") == "tfcloud://acme/app"
    for bad in ("tfstate+tfcloud://acme", "tfstate+tfcloud://acme/a/b",
                "tfstate+tfcloud://acme/app?hots=x", "tfstate+tfcloud://acme/app?host=ftp://x"):
        with pytest.raises(ConfigError):
            open_source(bad, TOKEN)
