"""Fixtures for ``--attribute``: the local audit-log servers, each spoken to by its cloud's real
SDK client (boto3, azure-mgmt-monitor, google-cloud-logging)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudrift_aws.testing_cloudtrail import CloudTrailServer
from cloudrift_gcp.testing_logging import LoggingServer


@pytest.fixture(scope="session")
def cloudtrail_server() -> Iterator[CloudTrailServer]:
    server = CloudTrailServer().start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def cloudtrail(cloudtrail_server: CloudTrailServer,
               monkeypatch: pytest.MonkeyPatch) -> CloudTrailServer:
    """The shared CloudTrail, empty, and botocore pointed at it for CloudTrail only."""
    cloudtrail_server.reset()
    cloudtrail_server.max_page_size = 50
    cloudtrail_server.enforce_rate = True
    monkeypatch.setenv("AWS_ENDPOINT_URL_CLOUDTRAIL", cloudtrail_server.endpoint)
    return cloudtrail_server


# the Azure tier's ARM server
from tests.providers.azure.conftest import arm, arm_server  # noqa: E402, F401

# the GCP tier's fixtures: its Cloud Asset server, and no real Google credentials or endpoint
from tests.providers.gcp.conftest import (  # noqa: E402
    _no_real_google,  # noqa: F401
    cloud_asset_server,  # noqa: F401
    gcp,  # noqa: F401
)


@pytest.fixture(scope="session")
def logging_server_session() -> Iterator[LoggingServer]:
    with LoggingServer() as server:
        yield server


@pytest.fixture
def logging_server(logging_server_session: LoggingServer,
                   monkeypatch: pytest.MonkeyPatch) -> LoggingServer:
    """The shared Cloud Logging, empty."""
    logging_server_session.reset()
    logging_server_session.max_page_size = 1000
    monkeypatch.delenv("CLOUDRIFT_GCP_LOGGING_ENDPOINT", raising=False)
    return logging_server_session
