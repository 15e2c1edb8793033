"""Microsoft.Authorization: role assignments, listed once per subscription (extension resources
on the subscription, its resource groups and its resources alike)."""

from __future__ import annotations

from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import prop
from cloudrift_azure.spec import AzureSpec, Source

API = "2022-04-01"

ROLE_ASSIGNMENT = AzureSpec(
    type="azurerm_role_assignment",
    arm_type="Microsoft.Authorization/roleAssignments",
    api_version=API,
    source=Source.SUBSCRIPTION,
    list_path="/providers/Microsoft.Authorization/roleAssignments",
    description="one list per subscription covers the assignments at the subscription and "
    "below it; those inherited from a management group or the root are not the "
    "subscription's and are left out",
    fields=(
        prop("scope", "properties.scope", ids.normalise_id),
        prop("role_definition_id", "properties.roleDefinitionId", ids.normalise_id),
        prop("principal_id", "properties.principalId", n.lower),
        prop("principal_type", "properties.principalType"),
        prop("condition", "properties.condition"),
        prop("condition_version", "properties.conditionVersion"),
        prop("description", "properties.description"),
        prop("delegated_managed_identity_resource_id",
             "properties.delegatedManagedIdentityResourceId", ids.normalise_id),
    ),
    not_compared={
        "role_definition_name": "the same role as role_definition_id, by name (a lookup)",
        "skip_service_principal_aad_check": "how the assignment was made, not what it is",
    },
)

SPECS = (ROLE_ASSIGNMENT,)
