"""Microsoft.Compute: Linux and Windows virtual machines (one ARM type, told apart by their OS
profile), managed disks and Linux virtual machine scale sets."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift.sdk import FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_azure import ids
from cloudrift_azure.fields import (
    enabled,
    first,
    identity,
    ids_set,
    listed,
    location,
    none_word,
    prop,
    records,
    tags,
    write_only,
    zero_as_none,
)
from cloudrift_azure.spec import AzureSpec

VM_API = "2024-07-01"
_NONE: Any = object()
DISK_API = "2024-03-02"


def _image_reference(value: Any) -> Any:
    """A marketplace image: publisher, offer, sku, version (case-insensitive names)."""
    if isinstance(value, list):
        value = value[0] if value else None
    if not isinstance(value, Mapping) or not value.get("publisher"):
        return []
    return [{k: n.lower(value.get(k)) for k in ("publisher", "offer", "sku", "version")}]


def _boot_diagnostics(value: Any) -> Any:
    """ARM's ``bootDiagnostics {enabled, storageUri}``; the state's block is present exactly
    when boot diagnostics are on (an empty URI means managed storage)."""
    if isinstance(value, Mapping):
        if not value.get("enabled"):
            return []
        return [{"storage_account_uri": value.get("storageUri") or None}]
    if isinstance(value, list):
        return [{"storage_account_uri": (b or {}).get("storage_account_uri") or None}
                for b in value]
    return value


def _ssh_keys(value: Any) -> Any:
    """ARM's ``publicKeys [{path, keyData}]`` or the state's ``admin_ssh_key`` blocks, as a
    set of ``{username, public_key}``; the user is the home directory in ``path``."""
    if not isinstance(value, list):
        return value
    rows = []
    for key in value:
        if not isinstance(key, Mapping):
            continue
        if "keyData" in key:
            path = str(key.get("path") or "")
            parts = [p for p in path.split("/") if p]
            username = parts[1] if len(parts) > 2 and parts[0] == "home" else path
            key = {"username": username, "public_key": key.get("keyData")}
        public = " ".join(str(key.get("public_key") or "").split())
        rows.append({"username": key.get("username"), "public_key": public})
    return n.as_set(rows)


def _is_linux(payload: Mapping[str, Any]) -> bool | None:
    """Linux or not, from the full payload; ``None`` from a list payload (no properties)."""
    props = payload.get("properties")
    if not isinstance(props, Mapping):
        return None
    os_profile = props.get("osProfile") or {}
    if os_profile.get("linuxConfiguration") is not None:
        return True
    if os_profile.get("windowsConfiguration") is not None:
        return False
    os_type = ((props.get("storageProfile") or {}).get("osDisk") or {}).get("osType")
    return str(os_type).lower() == "linux"


def _os_disk(payload: Mapping[str, Any]) -> list[str]:
    """The managed OS disk a VM was created with (``os_disk`` is an inline block of the
    azurerm VM resources: the disk is managed through the VM)."""
    disk = ((((payload.get("properties") or {}).get("storageProfile") or {}).get("osDisk")
             or {}).get("managedDisk") or {}).get("id")
    return [str(disk)] if disk else []


def _is_windows(payload: Mapping[str, Any]) -> bool | None:
    linux = _is_linux(payload)
    return None if linux is None else not linux


def _vm_fields(os_key: str, patch_default: str) -> tuple[FieldSpec, ...]:
    config = f"properties.osProfile.{os_key}"
    os_disk = "properties.storageProfile.osDisk"
    return (
        location(),
        tags(),
        identity(),
        prop("size", "properties.hardwareProfile.vmSize"),
        prop("admin_username", "properties.osProfile.adminUsername"),
        prop("computer_name", "properties.osProfile.computerName"),
        prop("allow_extension_operations", "properties.osProfile.allowExtensionOperations",
             n.to_bool, default=True),
        prop("provision_vm_agent", f"{config}.provisionVMAgent", n.to_bool, default=True),
        prop("patch_mode", f"{config}.patchSettings.patchMode", default=patch_default),
        prop("patch_assessment_mode", f"{config}.patchSettings.assessmentMode",
             default="ImageDefault"),
        # ordered: the first interface is the primary one
        prop("network_interface_ids", "properties.networkProfile.networkInterfaces[].id",
             ids.normalise_id),
        prop("os_disk.0.caching", f"{os_disk}.caching"),
        prop("os_disk.0.storage_account_type", f"{os_disk}.managedDisk.storageAccountType"),
        prop("os_disk.0.disk_size_gb", f"{os_disk}.diskSizeGB", n.to_int),
        prop("os_disk.0.write_accelerator_enabled", f"{os_disk}.writeAcceleratorEnabled",
             n.to_bool, default=False),
        prop("source_image_reference", "properties.storageProfile.imageReference",
             _image_reference),
        prop("source_image_id", "properties.storageProfile.imageReference.id",
             ids.normalise_id),
        prop("zone", "zones", first),
        prop("availability_set_id", "properties.availabilitySet.id", ids.normalise_id),
        prop("proximity_placement_group_id", "properties.proximityPlacementGroup.id",
             ids.normalise_id),
        prop("priority", "properties.priority", default="Regular"),
        prop("eviction_policy", "properties.evictionPolicy"),
        prop("max_bid_price", "properties.billingProfile.maxPrice", n.to_int, default=-1),
        prop("boot_diagnostics", "properties.diagnosticsProfile.bootDiagnostics",
             _boot_diagnostics, default=[]),
        prop("encryption_at_host_enabled", "properties.securityProfile.encryptionAtHost",
             n.to_bool, default=False),
        prop("secure_boot_enabled", "properties.securityProfile.uefiSettings.secureBootEnabled",
             n.to_bool, default=False),
        prop("vtpm_enabled", "properties.securityProfile.uefiSettings.vTpmEnabled", n.to_bool,
             default=False),
        prop("license_type", "properties.licenseType", none_word),
        # ARM never returns these (user data only with $expand=userData)
        write_only("admin_password"),
        write_only("custom_data"),
        write_only("user_data"),
    )


LINUX_VIRTUAL_MACHINE = AzureSpec(
    type="azurerm_linux_virtual_machine",
    arm_type="Microsoft.Compute/virtualMachines",
    api_version=VM_API,
    matches=_is_linux,
    inline_children=_os_disk,
    inline_types=frozenset({"azurerm_managed_disk"}),
    fields=(
        *_vm_fields("linuxConfiguration", "ImageDefault"),
        prop("disable_password_authentication",
             "properties.osProfile.linuxConfiguration.disablePasswordAuthentication", n.to_bool,
             default=True),
        prop("admin_ssh_key", "properties.osProfile.linuxConfiguration.ssh.publicKeys",
             _ssh_keys, default=[]),
    ),
    version_specific=frozenset({"patch_assessment_mode", "user_data"}),
)

WINDOWS_VIRTUAL_MACHINE = AzureSpec(
    type="azurerm_windows_virtual_machine",
    arm_type="Microsoft.Compute/virtualMachines",
    api_version=VM_API,
    matches=_is_windows,
    inline_children=_os_disk,
    inline_types=frozenset({"azurerm_managed_disk"}),
    fields=(
        *_vm_fields("windowsConfiguration", "AutomaticByOS"),
        prop("timezone", "properties.osProfile.windowsConfiguration.timeZone"),
        # renamed in 4.x
        prop("automatic_updates_enabled",
             "properties.osProfile.windowsConfiguration.enableAutomaticUpdates", n.to_bool,
             default=True),
        prop("enable_automatic_updates",
             "properties.osProfile.windowsConfiguration.enableAutomaticUpdates", n.to_bool,
             default=True),
        prop("hotpatching_enabled",
             "properties.osProfile.windowsConfiguration.patchSettings.enableHotpatching",
             n.to_bool, default=False),
    ),
    version_specific=frozenset({"patch_assessment_mode", "user_data", "automatic_updates_enabled",
                                "enable_automatic_updates", "hotpatching_enabled"}),
)

MANAGED_DISK = AzureSpec(
    type="azurerm_managed_disk",
    arm_type="Microsoft.Compute/disks",
    api_version=DISK_API,
    description="a VM's OS disk (created with the VM) and a disk held by any other resource "
    "(managedBy set) are not reported unmanaged; a data disk attached by hand to a managed VM "
    "is",
    fields=(
        location(),
        tags(),
        listed("storage_account_type", "sku.name"),
        listed("edge_zone", "extendedLocation.name"),
        prop("create_option", "properties.creationData.createOption"),
        prop("disk_size_gb", "properties.diskSizeGB", n.to_int),
        prop("disk_iops_read_write", "properties.diskIOPSReadWrite", n.to_int),
        prop("disk_mbps_read_write", "properties.diskMBpsReadWrite", n.to_int),
        prop("os_type", "properties.osType"),
        prop("zone", "zones", first),
        prop("network_access_policy", "properties.networkAccessPolicy", default="AllowAll"),
        prop("public_network_access_enabled", "properties.publicNetworkAccess", enabled,
             default="Enabled"),
        prop("disk_access_id", "properties.diskAccessId", ids.normalise_id),
        prop("tier", "properties.tier"),
        prop("max_shares", "properties.maxShares", n.to_int, zero_as_none),
        prop("on_demand_bursting_enabled", "properties.burstingEnabled", n.to_bool,
             default=False),
        prop("hyper_v_generation", "properties.hyperVGeneration"),
        prop("source_resource_id", "properties.creationData.sourceResourceId",
             ids.normalise_id),
        prop("image_reference_id", "properties.creationData.imageReference.id",
             ids.normalise_id),
        prop("disk_encryption_set_id", "properties.encryption.diskEncryptionSetId",
             ids.normalise_id),
    ),
)



# -- Linux virtual machine scale set ---------------------------------------------------------

VMSS_PROFILE = "properties.virtualMachineProfile"


def _ip_configurations(value: Any) -> Any:
    return records(
        ("name", None), ("primary", n.to_bool), ("subnet_id", ids.normalise_id),
        ("load_balancer_backend_address_pool_ids", ids_set),
        ("application_gateway_backend_address_pool_ids", ids_set),
    )(value)


def _nic_from_arm(nic: Mapping[str, Any]) -> dict[str, Any]:
    props = nic.get("properties") or {}
    return {
        "name": nic.get("name"),
        "primary": props.get("primary"),
        "accelerated_networking": props.get("enableAcceleratedNetworking"),
        "ip_forwarding": props.get("enableIPForwarding"),
        "network_security_group_id": (props.get("networkSecurityGroup") or {}).get("id"),
        "ip_configuration": [{
            "name": conf.get("name"),
            "primary": (conf.get("properties") or {}).get("primary"),
            "subnet_id": ((conf.get("properties") or {}).get("subnet") or {}).get("id"),
            "load_balancer_backend_address_pool_ids": [
                p.get("id") for p in (conf.get("properties") or {}).get(
                    "loadBalancerBackendAddressPools") or []],
            "application_gateway_backend_address_pool_ids": [
                p.get("id") for p in (conf.get("properties") or {}).get(
                    "applicationGatewayBackendAddressPools") or []],
        } for conf in props.get("ipConfigurations") or []],
    }


def _scale_set_nics(value: Any) -> Any:
    """ARM's ``networkInterfaceConfigurations`` or the state's ``network_interface`` blocks
    (4.x ``enable_*`` or 5.x ``*_enabled`` names), as a list sorted by name."""
    if not isinstance(value, list):
        return value
    rows = []
    for nic in value:
        if not isinstance(nic, Mapping):
            continue
        if "properties" in nic:
            nic = _nic_from_arm(nic)
        rows.append({
            "name": nic.get("name"),
            "primary": bool(nic.get("primary")),
            "accelerated_networking": bool(nic.get(
                "accelerated_networking", nic.get("enable_accelerated_networking",
                                                  nic.get("accelerated_networking_enabled")))),
            "ip_forwarding": bool(nic.get(
                "ip_forwarding", nic.get("enable_ip_forwarding",
                                         nic.get("ip_forwarding_enabled")))),
            "network_security_group_id": ids.normalise_id(
                nic.get("network_security_group_id") or None),
            "ip_configuration": _ip_configurations(nic.get("ip_configuration") or []),
        })
    return sorted(rows, key=lambda r: str(r["name"]))


def _vmss(path: str, query: str, *steps: Any, default: Any = _NONE) -> FieldSpec:
    extra: dict[str, Any] = {} if default is _NONE else {"default": default}
    return prop(path, f"{VMSS_PROFILE}.{query}", *steps, **extra)


LINUX_VIRTUAL_MACHINE_SCALE_SET = AzureSpec(
    type="azurerm_linux_virtual_machine_scale_set",
    arm_type="Microsoft.Compute/virtualMachineScaleSets",
    api_version=VM_API,
    description="instances is compared (an autoscale setting that owns it makes it drift, as "
    "in terraform plan); the instances' own disks and interfaces live under the scale set "
    "and are not reported",
    fields=(
        location(),
        tags(),
        identity(),
        listed("sku", "sku.name"),
        listed("instances", "sku.capacity", n.to_int),
        listed("edge_zone", "extendedLocation.name"),
        prop("zones", "zones", n.as_set, default=[]),
        prop("upgrade_mode", "properties.upgradePolicy.mode", default="Manual"),
        prop("overprovision", "properties.overprovision", n.to_bool, default=True),
        prop("single_placement_group", "properties.singlePlacementGroup", n.to_bool,
             default=True),
        prop("platform_fault_domain_count", "properties.platformFaultDomainCount", n.to_int),
        prop("zone_balance", "properties.zoneBalance", n.to_bool, default=False),
        prop("proximity_placement_group_id", "properties.proximityPlacementGroup.id",
             ids.normalise_id),
        _vmss("admin_username", "osProfile.adminUsername"),
        _vmss("computer_name_prefix", "osProfile.computerNamePrefix"),
        _vmss("disable_password_authentication",
              "osProfile.linuxConfiguration.disablePasswordAuthentication", n.to_bool,
              default=True),
        _vmss("provision_vm_agent", "osProfile.linuxConfiguration.provisionVMAgent", n.to_bool,
              default=True),
        _vmss("admin_ssh_key", "osProfile.linuxConfiguration.ssh.publicKeys", _ssh_keys,
              default=[]),
        _vmss("source_image_reference", "storageProfile.imageReference", _image_reference),
        _vmss("source_image_id", "storageProfile.imageReference.id", ids.normalise_id),
        _vmss("os_disk.0.caching", "storageProfile.osDisk.caching"),
        _vmss("os_disk.0.storage_account_type",
              "storageProfile.osDisk.managedDisk.storageAccountType"),
        _vmss("os_disk.0.disk_size_gb", "storageProfile.osDisk.diskSizeGB", n.to_int),
        _vmss("network_interface", "networkProfile.networkInterfaceConfigurations",
              _scale_set_nics, default=[]),
        _vmss("health_probe_id", "networkProfile.healthProbe.id", ids.normalise_id),
        _vmss("priority", "priority", default="Regular"),
        _vmss("eviction_policy", "evictionPolicy"),
        _vmss("max_bid_price", "billingProfile.maxPrice", n.to_int, default=-1),
        _vmss("boot_diagnostics", "diagnosticsProfile.bootDiagnostics", _boot_diagnostics,
              default=[]),
        _vmss("encryption_at_host_enabled", "securityProfile.encryptionAtHost", n.to_bool,
              default=False),
        _vmss("secure_boot_enabled", "securityProfile.uefiSettings.secureBootEnabled",
              n.to_bool, default=False),
        _vmss("vtpm_enabled", "securityProfile.uefiSettings.vTpmEnabled", n.to_bool,
              default=False),
        write_only("admin_password"),
        write_only("custom_data"),
        write_only("user_data"),
    ),
    not_compared={
        "extension": "extensions are not compared yet",
        "data_disk": "not compared yet",
        "automatic_os_upgrade_policy": "not compared yet",
        "rolling_upgrade_policy": "not compared yet",
    },
    version_specific=frozenset({"edge_zone", "user_data"}),
)

SPECS = (LINUX_VIRTUAL_MACHINE, WINDOWS_VIRTUAL_MACHINE, MANAGED_DISK,
         LINUX_VIRTUAL_MACHINE_SCALE_SET)
