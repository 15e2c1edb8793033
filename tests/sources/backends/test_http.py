"""tfstate+http(s)://: Terraform's http backend against a local server speaking it."""

from __future__ import annotations

import socket
from pathlib import Path

import pytest

from cloudrift.engine import read_sources
from cloudrift.errors import ConfigError, SourceError
from cloudrift.sources import open_source
from cloudrift.sources.backends import BackendSettings
from cloudrift.sources.backends.http import HttpStateSource
from cloudrift.testing.backends import HttpStateServer
from tests.sources.backends.conftest import CORRUPT, failures, state, tags


@pytest.fixture(autouse=True)
def _no_ambient_credentials(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("TF_HTTP_USERNAME", "TF_HTTP_PASSWORD", "CLOUDRIFT_HTTP_HEADERS",
                 "TF_HTTP_SKIP_CERT_VERIFICATION"):
        monkeypatch.delenv(name, raising=False)


def _url(server: HttpStateServer, path: str, userinfo: str = "") -> str:
    host = server.endpoint.removeprefix("http://")
    return f"tfstate+http://{userinfo}{host}{path}"


def test_one_state_is_read_with_a_label_naming_the_address(http_server: HttpStateServer) -> None:
    http_server.put("/state/prod", state("prod"))
    results = open_source(_url(http_server, "/state/prod")).read()
    assert tags(results) == {f"{http_server.endpoint}/state/prod": "prod"}


def test_the_query_reaches_the_server(http_server: HttpStateServer) -> None:
    http_server.put("/state", state("q"))
    # the server keys on the path; the query must still be sent as written
    open_source(_url(http_server, "/state?ref=main")).read()
    assert http_server.requests[-1].target == "/state?ref=main"


def test_basic_auth_from_the_url_is_sent_and_never_shown(http_server: HttpStateServer) -> None:
    http_server.username, http_server.password = "ci", "p@ss:word"
    http_server.put("/s", state("s"))
    source = open_source(_url(http_server, "/s", "ci:p%40ss%3Aword@"))
    results = source.read()
    assert tags(results) == {f"{http_server.endpoint}/s": "s"}
    assert "word" not in source.uri
    assert all("word" not in r.source for r in results)


def test_basic_auth_from_terraforms_environment(http_server: HttpStateServer,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.username, http_server.password = "tf", "secret-pw"
    http_server.put("/s", state("env"))
    monkeypatch.setenv("TF_HTTP_USERNAME", "tf")
    monkeypatch.setenv("TF_HTTP_PASSWORD", "secret-pw")
    assert list(tags(open_source(_url(http_server, "/s")).read()).values()) == ["env"]


def test_missing_credentials_are_a_clear_error(http_server: HttpStateServer) -> None:
    http_server.username, http_server.password = "ci", "pw"
    http_server.put("/s", state("s"))
    with pytest.raises(SourceError, match=r"credentials are required \(HTTP 401\)") as caught:
        open_source(_url(http_server, "/s")).read()
    assert caught.value.hint is not None
    assert "TF_HTTP_USERNAME" in caught.value.hint


def test_wrong_credentials_are_refused_without_echoing_them(http_server: HttpStateServer) -> None:
    http_server.username, http_server.password = "ci", "right"
    http_server.put("/s", state("s"))
    with pytest.raises(SourceError, match=r"access denied \(HTTP 403\)") as caught:
        open_source(_url(http_server, "/s", "ci:wrong-secret@")).read()
    assert "wrong-secret" not in str(caught.value)


def test_headers_from_the_environment_and_settings(http_server: HttpStateServer,
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    http_server.required_headers = {"X-Api-Key": "k1", "X-Team": "platform"}
    http_server.put("/s", state("h"))
    monkeypatch.setenv("CLOUDRIFT_HTTP_HEADERS", '{"X-Api-Key": "k1"}')
    with pytest.raises(SourceError, match="HTTP 403"):
        open_source(_url(http_server, "/s")).read()
    settings = BackendSettings(http_headers=("X-Team: platform",))
    assert list(tags(open_source(_url(http_server, "/s"), settings).read()).values()) == ["h"]


def test_header_lines_in_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CLOUDRIFT_HTTP_HEADERS", "X-A: 1\nX-B: two: parts\n")
    source = HttpStateSource.from_url("http://127.0.0.1:9/s", BackendSettings())
    assert dict(source.headers) == {"X-A": "1", "X-B": "two: parts"}
    monkeypatch.setenv("CLOUDRIFT_HTTP_HEADERS", "no colon here")
    with pytest.raises(ConfigError, match="not 'Name: value'") as caught:
        HttpStateSource.from_url("http://127.0.0.1:9/s", BackendSettings())
    assert "no colon" not in str(caught.value)


@pytest.mark.parametrize("status", [404, 204])
def test_no_state_at_the_address_is_an_error(http_server: HttpStateServer, status: int) -> None:
    if status == 204:
        http_server.statuses["/empty"] = 204
    with pytest.raises(SourceError, match=rf"no state at this address \(HTTP {status}\)"):
        open_source(_url(http_server, "/empty")).read()


def test_corrupt_state_is_a_failure_not_a_crash(http_server: HttpStateServer) -> None:
    http_server.put("/bad", CORRUPT)
    results = open_source(_url(http_server, "/bad")).read()
    (message,) = failures(results).values()
    assert "not valid JSON" in message
    assert http_server.endpoint not in message  # the label is the warning's, not repeated


def test_a_body_that_does_not_match_its_md5_is_a_failure(http_server: HttpStateServer) -> None:
    http_server.put("/s", state("s"))
    http_server.corrupt_md5.add("/s")
    assert "Content-MD5" in next(iter(failures(open_source(_url(http_server, "/s")).read())
                                      .values()))


def test_a_failing_server_is_retried_then_reported(http_server: HttpStateServer) -> None:
    http_server.statuses["/s"] = 503
    source = HttpStateSource.from_url(f"{http_server.endpoint}/s", BackendSettings())
    results = source.read()
    assert failures(results) == {f"{http_server.endpoint}/s": "the server answered HTTP 503"}
    assert len(http_server.requests) == source.retries + 1


def test_refused_connection_names_the_url_without_credentials() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(SourceError, match="connection refused") as caught:
        open_source(f"tfstate+http://u:topsecret@127.0.0.1:{port}/s").read()
    assert "topsecret" not in str(caught.value)
    assert f"127.0.0.1:{port}/s" in str(caught.value)


def test_many_addresses_are_read_concurrently() -> None:
    with HttpStateServer(delay=0.05) as server:
        urls = [_url(server, f"/s{n}") for n in range(12)]
        for n in range(12):
            server.put(f"/s{n}", state(f"s{n}"))
        scan_input = read_sources([open_source(u) for u in urls], parallelism=8)
    assert sorted(d.instances[0].attributes["id"] for d in scan_input.documents) == sorted(
        f"s{n}" for n in range(12))
    assert server.peak > 1


def test_https_with_a_certificate_the_system_trusts(tmp_path: Path,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    with HttpStateServer(tls_directory=tmp_path) as server:
        server.put("/s", state("tls"))
        url = "tfstate+" + server.endpoint + "/s"
        with pytest.raises(SourceError, match="TLS certificate not trusted"):
            open_source(url).read()
        # the standard way to trust a private CA reaches the backend unchanged
        monkeypatch.setenv("SSL_CERT_FILE", str(server.certificate))
        assert list(tags(open_source(url).read()).values()) == ["tls"]


def test_terraforms_skip_cert_verification(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    with HttpStateServer(tls_directory=tmp_path) as server:
        server.put("/s", state("insecure"))
        monkeypatch.setenv("TF_HTTP_SKIP_CERT_VERIFICATION", "true")
        assert list(tags(open_source("tfstate+" + server.endpoint + "/s").read()).values()) == [
            "insecure"]
