"""Microsoft.Network private DNS: zones (their SOA record set is a resource of its own) and their
virtual network links (child resources, listed below each zone)."""

from __future__ import annotations

from cloudrift.sdk import FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import prop, tags
from cloudrift_azure.spec import AzureSpec, Source, SubResource

API = "2024-06-01"
_SOA = "soa"


def _soa(path: str, query: str) -> FieldSpec:
    step = n.lower if path == "email" else n.to_int
    return prop(f"soa_record.0.{path}", f"{_SOA}.properties.{query}", step, detail=_SOA)


PRIVATE_DNS_ZONE = AzureSpec(
    type="azurerm_private_dns_zone",
    arm_type="Microsoft.Network/privateDnsZones",
    api_version=API,
    description="a zone is global: no location; its SOA record set is read from SOA/@",
    sub_resources=(SubResource(_SOA, "/SOA/@"),),
    fields=(
        tags(),
        _soa("email", "soaRecord.email"),
        _soa("expire_time", "soaRecord.expireTime"),
        _soa("minimum_ttl", "soaRecord.minimumTtl"),
        _soa("refresh_time", "soaRecord.refreshTime"),
        _soa("retry_time", "soaRecord.retryTime"),
        _soa("ttl", "ttl"),
        prop("soa_record.0.tags", f"{_SOA}.properties.metadata", n.tags, default={},
             detail=_SOA),
    ),
)

PRIVATE_DNS_ZONE_VIRTUAL_NETWORK_LINK = AzureSpec(
    type="azurerm_private_dns_zone_virtual_network_link",
    arm_type="Microsoft.Network/privateDnsZones/virtualNetworkLinks",
    api_version=API,
    source=Source.CHILDREN,
    parent="azurerm_private_dns_zone",
    list_path="/virtualNetworkLinks",
    description="listed below each zone that is managed or holds a managed link (one list per "
    "zone); the links of an unmanaged zone are covered by the zone's own finding",
    fields=(
        tags(),
        prop("virtual_network_id", "properties.virtualNetwork.id", ids.normalise_id),
        prop("registration_enabled", "properties.registrationEnabled", n.to_bool,
             default=False),
        prop("resolution_policy", "properties.resolutionPolicy", default="Default"),
    ),
    version_specific=frozenset({"resolution_policy"}),
)

SPECS = (PRIVATE_DNS_ZONE, PRIVATE_DNS_ZONE_VIRTUAL_NETWORK_LINK)
