"""Memorystore for Redis instances. The AUTH string is never part of the listing."""

from __future__ import annotations

from cloudrift.sdk import UNKNOWN, FieldSpec
from cloudrift.sdk import normalise as n
from cloudrift_gcp.fields import flag, label_map, labels, number, ref, reported, text
from cloudrift_gcp.spec import GcpSpec, location_in_id
from cloudrift_gcp.types._ids import cloud_template, template

REDIS_INSTANCE = GcpSpec(
    type="google_redis_instance",
    asset_type="redis.googleapis.com/Instance",
    import_id=template("projects/{project}/locations/{region}/instances/{name}"),
    cloud_id=cloud_template("projects/{project}/locations/{region}/instances/{name}",
                            region=lambda item: location_in_id(str(item.get("name", ""))),
                            name=lambda item: str(item.get("name", "")).rsplit("/", 1)[-1]),
    state_location=lambda attributes: attributes.get("region"),
    fields=(
        text("display_name", "displayName"),
        label_map(),
        number("memory_size_gb", "memorySizeGb"),
        text("tier", "tier", "BASIC"),
        reported("redis_version", "redisVersion"),
        ref("authorized_network", "authorizedNetwork"),
        text("connect_mode", "connectMode", "DIRECT_PEERING"),
        flag("auth_enabled", "authEnabled"),
        text("transit_encryption_mode", "transitEncryptionMode", "DISABLED"),
        reported("replica_count", "replicaCount", n.to_int),
        reported("read_replicas_mode", "readReplicasMode"),
        FieldSpec("redis_configs", query="redisConfigs", normalise=(labels,), default={}),
        reported("location_id", "locationId"),
        reported("alternative_location_id", "alternativeLocationId"),
        reported("persistence_config.0.persistence_mode", "persistenceConfig.persistenceMode"),
        text("customer_managed_key", "customerManagedKey"),
        # the AUTH string is read with its own call (GetAuthString): never listed, never asked
        FieldSpec("auth_string", extract=lambda item: UNKNOWN, sensitive=True),
    ),
    not_compared={
        "maintenance_policy": "compared by a later version",
        "reserved_ip_range": "the range the API picked is kept in the state when none is set",
        "deletion_protection": "acted on by Terraform only",
    },
)

SPECS = (REDIS_INSTANCE,)
