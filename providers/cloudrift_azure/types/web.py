"""Microsoft.Web: App Service plans, Linux web apps and Linux function apps (one ARM type,
``Microsoft.Web/sites``, told apart by its ``kind``, which the list payload carries)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import identity, listed, location, prop, tags
from cloudrift_azure.spec import AzureSpec, SubResource

API = "2023-12-01"
_CONFIG = "site_config"


def _os_type(payload: Mapping[str, Any]) -> Any:
    props = payload.get("properties") or {}
    if props.get("reserved"):
        return "Linux"
    return "WindowsContainer" if props.get("hyperV") else "Windows"


SERVICE_PLAN = AzureSpec(
    type="azurerm_service_plan",
    arm_type="Microsoft.Web/serverFarms",
    api_version=API,
    fields=(
        location(),
        tags(),
        listed("sku_name", "sku.name"),
        listed("worker_count", "sku.capacity", n.to_int),
        prop("os_type", None, extract=_os_type),
        prop("per_site_scaling_enabled", "properties.perSiteScaling", n.to_bool,
             default=False),
        prop("zone_balancing_enabled", "properties.zoneRedundant", n.to_bool, default=False),
        prop("maximum_elastic_worker_count", "properties.maximumElasticWorkerCount", n.to_int),
        prop("premium_plan_auto_scale_enabled", "properties.elasticScaleEnabled", n.to_bool,
             default=False),
        prop("app_service_environment_id", "properties.hostingEnvironmentProfile.id",
             ids.normalise_id),
    ),
    version_specific=frozenset({"premium_plan_auto_scale_enabled"}),
)


def _kind(payload: Mapping[str, Any]) -> set[str]:
    return {part.strip() for part in str(payload.get("kind") or "").lower().split(",")}


def _is_linux_web_app(payload: Mapping[str, Any]) -> bool:
    kind = _kind(payload)
    return {"app", "linux"} <= kind and "functionapp" not in kind


def _is_linux_function_app(payload: Mapping[str, Any]) -> bool:
    kind = _kind(payload)
    return {"functionapp", "linux"} <= kind and "workflowapp" not in kind


def _site_config(path: str, key: str, *steps: Any, default: Any = None) -> FieldSpec:
    extra: dict[str, Any] = {} if default is None else {"default": default}
    return prop(f"site_config.0.{path}", f"{_CONFIG}.properties.{key}", *steps, detail=_CONFIG,
                **extra)


def _public_access(value: Any) -> Any:
    # the provider reads anything but "Disabled" (an absent value included) as enabled
    return not (isinstance(value, str) and value.lower() == "disabled")


def _site_fields() -> tuple[FieldSpec, ...]:
    return (
        location(),
        tags(),
        identity(),
        prop("service_plan_id", "properties.serverFarmId", ids.normalise_id),
        prop("enabled", "properties.enabled", n.to_bool, default=True),
        prop("https_only", "properties.httpsOnly", n.to_bool, default=False),
        prop("client_affinity_enabled", "properties.clientAffinityEnabled", n.to_bool,
             default=False),
        prop("client_certificate_enabled", "properties.clientCertEnabled", n.to_bool,
             default=False),
        prop("client_certificate_mode", "properties.clientCertMode", default="Required"),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", _public_access),
        prop("virtual_network_subnet_id", "properties.virtualNetworkSubnetId",
             ids.normalise_id),
        prop("key_vault_reference_identity_id", "properties.keyVaultReferenceIdentity",
             ids.normalise_id),
        _site_config("always_on", "alwaysOn", n.to_bool, default=False),
        _site_config("ftps_state", "ftpsState", default="Disabled"),
        _site_config("http2_enabled", "http20Enabled", n.to_bool, default=False),
        _site_config("minimum_tls_version", "minTlsVersion"),
        _site_config("health_check_path", "healthCheckPath"),
        _site_config("websockets_enabled", "webSocketsEnabled", n.to_bool, default=False),
        _site_config("vnet_route_all_enabled", "vnetRouteAllEnabled", n.to_bool,
                     default=False),
        _site_config("use_32_bit_worker", "use32BitWorkerProcess", n.to_bool, default=False),
    )


_NOT_COMPARED = {
    "app_settings": "read only with a POST (list) that returns secret values",
    "connection_string": "read only with a POST (list) that returns secret values",
    "auth_settings": "not compared yet (a sub-resource of its own)",
    "auth_settings_v2": "not compared yet (a sub-resource of its own)",
    "backup": "read only with a POST (list) that returns a secret SAS URL",
    "storage_account": "read only with a POST (list) that returns access keys",
    "site_config (other arguments)": "application stacks, CORS, IP restrictions: not "
    "compared yet",
}

LINUX_WEB_APP = AzureSpec(
    type="azurerm_linux_web_app",
    arm_type="Microsoft.Web/sites",
    api_version=API,
    matches=_is_linux_web_app,
    description="site_config is read from config/web; a Windows or container-only app is "
    "another type and is not reported",
    sub_resources=(SubResource(_CONFIG, "/config/web"),),
    fields=_site_fields(),
    not_compared=_NOT_COMPARED,
)

LINUX_FUNCTION_APP = AzureSpec(
    type="azurerm_linux_function_app",
    arm_type="Microsoft.Web/sites",
    api_version=API,
    matches=_is_linux_function_app,
    description="site_config is read from config/web",
    sub_resources=(SubResource(_CONFIG, "/config/web"),),
    fields=_site_fields(),
    not_compared={
        **_NOT_COMPARED,
        "storage_account_name": "an app setting (AzureWebJobsStorage): read only with a POST",
        "functions_extension_version": "an app setting: read only with a POST",
        "builtin_logging_enabled": "an app setting: read only with a POST",
    },
)

SPECS = (SERVICE_PLAN, LINUX_WEB_APP, LINUX_FUNCTION_APP)
