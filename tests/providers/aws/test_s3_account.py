"""S3 Control's account-id host prefix, for endpoints that cannot take it."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from cloudrift_aws.types.s3_account import account_prefix_remover


@pytest.mark.parametrize("endpoint", [
    None, "https://s3-control.us-east-1.amazonaws.com", "https://localstack.example:4566",
])
def test_named_endpoints_keep_the_prefix(endpoint: str | None) -> None:
    assert account_prefix_remover(endpoint) is None


@pytest.mark.parametrize("endpoint", ["http://127.0.0.1:5000", "http://localhost:4566"])
def test_an_address_endpoint_is_asked_on_its_own_host(endpoint: str) -> None:
    handler = account_prefix_remover(endpoint)
    assert handler is not None
    host = endpoint.split("//", 1)[1]
    request = SimpleNamespace(url=f"http://123456789012.{host}/v20180820/configuration/x?a=1")
    handler(request=request)
    assert request.url == f"http://{host}/v20180820/configuration/x?a=1"
    # a request that already goes to the endpoint is left as it is
    handler(request=request)
    assert request.url == f"http://{host}/v20180820/configuration/x?a=1"
