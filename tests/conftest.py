"""Fixtures shared by every tier: one moto server per test session, wiped between tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cloudrift.testing import FAKE_CREDENTIALS, environment
from cloudrift_aws.testing import MotoServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="rewrite the expected-output files under fixtures/ from what the code produces "
        "now, instead of comparing with them (then read the diff)",
    )


@pytest.fixture(scope="session")
def update_goldens(pytestconfig: pytest.Config) -> bool:
    """True under ``--update-goldens`` (or CLOUDRIFT_UPDATE_GOLDENS=1, its older spelling)."""
    return bool(pytestconfig.getoption("--update-goldens")) or (
        os.environ.get("CLOUDRIFT_UPDATE_GOLDENS") == "1"
    )


@pytest.fixture(scope="session")
def moto_server() -> Iterator[MotoServer]:
    pytest.importorskip("moto.server", reason="moto[server] is not installed")
    server = MotoServer().start()
    try:
        with environment({**FAKE_CREDENTIALS, "AWS_DEFAULT_REGION": "us-east-1"}):
            yield server
    finally:
        server.stop()


@pytest.fixture
def moto(moto_server: MotoServer) -> MotoServer:
    """The shared server, empty at the start of the test."""
    moto_server.reset()
    return moto_server


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real cloud: drop profiles and real keys from the environment."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)


@pytest.fixture(autouse=True)
def _every_aws_scan_is_read_only() -> Iterator[None]:
    """Every AwsContext any test creates (provider tier, CliRunner scans) may only read."""
    try:
        from cloudrift_aws.testing import recording_aws_scans
    except ImportError:  # the AWS extra is not installed: nothing to watch
        yield
        return
    with recording_aws_scans() as recorder:
        yield
    recorder.assert_read_only()


@pytest.fixture(scope="session", autouse=True)
def _no_history_in_session_fixtures() -> Iterator[None]:
    """The same for what session fixtures run (the e2e estates' scans), before any test's own
    fixtures: no scan of the suite writes ``.cloudrift/`` into the working directory."""
    with environment({"CLOUDRIFT_NO_HISTORY": "1"}):
        yield


@pytest.fixture(autouse=True)
def _no_history_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    """Scans keep a history in the working directory by default; tests other than the history's
    own (which delete this variable) must not share one or leave one behind."""
    monkeypatch.setenv("CLOUDRIFT_NO_HISTORY", "1")
