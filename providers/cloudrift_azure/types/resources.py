"""Resource groups and user-assigned managed identities: everything compared is in the list
payload, so neither costs a call per resource."""

from __future__ import annotations

from cloudrift_azure import ids
from cloudrift_azure.fields import listed, location, none_word, prop, tags
from cloudrift_azure.spec import AzureSpec, Source

RESOURCE_GROUP = AzureSpec(
    type="azurerm_resource_group",
    arm_type="Microsoft.Resources/resourceGroups",
    api_version="2021-04-01",
    source=Source.RESOURCE_GROUPS,
    fields=(
        location(),
        tags(),
        listed("managed_by", "managedBy", ids.normalise_id),
    ),
    version_specific=frozenset({"managed_by"}),
)

USER_ASSIGNED_IDENTITY = AzureSpec(
    type="azurerm_user_assigned_identity",
    arm_type="Microsoft.ManagedIdentity/userAssignedIdentities",
    api_version="2023-01-31",
    fields=(
        location(),
        tags(),
        # 4.x only; ARM answers "None" for the default
        prop("isolation_scope", "properties.isolationScope", none_word),
    ),
    version_specific=frozenset({"isolation_scope"}),
)

SPECS = (RESOURCE_GROUP, USER_ASSIGNED_IDENTITY)
