"""Every provider reports what it cannot compare on the desired side with the same codes and
wording, so a report reads alike whichever cloud a resource is in."""

from __future__ import annotations

from collections.abc import Callable

import boto3
import pytest
from google.auth.credentials import AnonymousCredentials

from cloudrift.model import ScanWarning
from cloudrift.plugin import ScanOptions
from cloudrift.sources.tfstate import StateInstance
from cloudrift_aws import AwsPlugin
from cloudrift_aws.provider import AwsProvider
from cloudrift_aws.session import AwsContext
from cloudrift_azure import AzurePlugin
from cloudrift_azure.provider import AzureProvider
from cloudrift_azure.session import AzureContext
from cloudrift_gcp import GcpPlugin
from cloudrift_gcp.provider import GcpProvider
from cloudrift_gcp.session import GcpSession

# desired() makes no call: nothing listens here, and nothing needs to
NOWHERE = "http://127.0.0.1:9"
OPTIONS = ScanOptions(regions=("us-east-1",))
Desired = Callable[[list[StateInstance]], tuple[object, list[ScanWarning]]]


def _aws() -> Desired:
    context = AwsContext(boto3.session.Session(region_name="us-east-1"), endpoint_url=NOWHERE)
    return AwsProvider(AwsPlugin().types(), OPTIONS, context).desired


def _gcp() -> Desired:
    session = GcpSession(endpoint=NOWHERE, transport="rest",
                         credentials=AnonymousCredentials())  # type: ignore[no-untyped-call]
    return GcpProvider(GcpPlugin().types(), OPTIONS, session).desired


def _azure() -> Desired:
    return AzureProvider(AzurePlugin().types(), OPTIONS, AzureContext(endpoint=NOWHERE)).desired


def _instance(rtype: str, name: str) -> StateInstance:
    return StateInstance(address=f"{rtype}.{name}", mode="managed", type=rtype, name=name,
                         provider="p", provider_source="s", attributes={})


# (provider, a supported type, its no-id warning's type field, how the id is called)
CASES = [
    pytest.param(_aws, "aws", "aws_vpc", None, "id", id="aws"),
    pytest.param(_gcp, "gcp", "google_pubsub_topic", None, "id", id="gcp"),
    pytest.param(_azure, "azure", "azurerm_resource_group", "azurerm_resource_group", "ARM id",
                 id="azure"),
]


@pytest.mark.parametrize(("make", "name", "supported", "no_id_type", "id_name"), CASES)
def test_unsupported_types_are_counted_and_ids_missing_are_named(
    make: Callable[[], Desired], name: str, supported: str, no_id_type: str | None,
    id_name: str,
) -> None:
    resources, warnings = make()([
        _instance("zz_unknown", "a"),
        _instance(supported, "no_id"),
        _instance("aa_unknown", "b"),
        _instance("zz_unknown", "c"),
    ])
    assert resources == []
    unsupported = [w for w in warnings if w.code == "unsupported_type"]
    assert [(w.provider, w.type, w.message) for w in unsupported] == [
        (name, "aa_unknown", "1 aa_unknown resource(s) not compared: type not supported yet"),
        (name, "zz_unknown", "2 zz_unknown resource(s) not compared: type not supported yet"),
    ]
    [no_id] = [w for w in warnings if w.code == "no_import_id"]
    assert (no_id.provider, no_id.type, no_id.message) == (
        name, no_id_type,
        f"{supported}.no_id: state has no {id_name} for this resource; not compared",
    )
    assert len(warnings) == 3
