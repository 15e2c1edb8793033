"""Fixtures shared by every tier: one moto server per test session, wiped between tests."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from cloudrift.testing import FAKE_CREDENTIALS, MotoServer, environment


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
def moto(moto_server: MotoServer) -> Iterator[MotoServer]:
    """The shared server, empty at the start of the test."""
    moto_server.reset()
    yield moto_server


@pytest.fixture(autouse=True)
def _no_real_aws(monkeypatch: pytest.MonkeyPatch) -> None:
    """No test may reach a real cloud: drop profiles and real keys from the environment."""
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in FAKE_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setenv("AWS_CONFIG_FILE", os.devnull)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", os.devnull)
