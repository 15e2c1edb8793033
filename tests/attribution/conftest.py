"""Fixtures for ``--attribute``: the local audit-log servers, each spoken to by its cloud's real
SDK client (boto3, azure-mgmt-monitor, google-cloud-logging)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from cloudrift_aws.testing_cloudtrail import CloudTrailServer


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
