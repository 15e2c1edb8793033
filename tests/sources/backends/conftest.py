"""Fixtures for the remote-backend tests: distinguishable states and the local servers."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Sequence
from pathlib import Path

import pytest

from cloudrift.sources.tfstate import SourceFailure, StateDocument
from cloudrift.testing import StateBuilder
from cloudrift.testing.backends import (
    AzuriteServer,
    AzuriteUnavailableError,
    GcsServer,
    HttpStateServer,
    TfcServer,
    ensure_azurite,
)

REPO = Path(__file__).resolve().parents[3]
NODE_PREFIX = REPO / ".venv" / "node"


def state(tag: str, serial: int = 1) -> bytes:
    """A state whose one bucket is named ``tag``: what a test reads tells where it came from."""
    builder = StateBuilder().add("aws_s3_bucket", "b", {"id": tag, "bucket": tag})
    document = builder.document()
    document["serial"] = serial
    return json.dumps(document).encode()


def tags(results: Sequence[StateDocument | SourceFailure]) -> dict[str, str]:
    """source label -> the tag of the state read there (documents only)."""
    return {r.source: str(r.instances[0].attributes["id"]) for r in results
            if isinstance(r, StateDocument)}


def failures(results: Sequence[StateDocument | SourceFailure]) -> dict[str, str]:
    return {r.source: r.message for r in results if isinstance(r, SourceFailure)}


CORRUPT = b'{"version": 4, "resources": [ truncated'


@pytest.fixture
def http_server() -> Iterator[HttpStateServer]:
    with HttpStateServer() as server:
        yield server


@pytest.fixture
def gcs_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[GcsServer]:
    # google-auth must never probe a metadata server off this machine
    monkeypatch.setenv("NO_GCE_CHECK", "True")
    for name in ("GOOGLE_APPLICATION_CREDENTIALS", "GOOGLE_CREDENTIALS",
                 "GOOGLE_BACKEND_CREDENTIALS", "GOOGLE_OAUTH_ACCESS_TOKEN",
                 "STORAGE_EMULATOR_HOST"):
        monkeypatch.delenv(name, raising=False)
    with GcsServer() as server:
        yield server


@pytest.fixture
def tfc_server(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[TfcServer]:
    # no token of the developer's own may leak into a test: a bare HOME, no TF_TOKEN_*
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for name in list(os.environ):
        if name.startswith("TF_TOKEN_") or name in ("TFE_TOKEN", "TF_CLOUD_HOSTNAME"):
            monkeypatch.delenv(name)
    with TfcServer() as server:
        server.tokens.add("good-token")
        yield server


@pytest.fixture(scope="session")
def azurite_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[AzuriteServer]:
    try:
        binary = ensure_azurite(NODE_PREFIX)
        server = AzuriteServer(binary, tmp_path_factory.mktemp("azurite")).start()
    except AzuriteUnavailableError as exc:
        pytest.skip(f"Azurite unavailable: {exc}")
    try:
        yield server
    finally:
        server.stop()
