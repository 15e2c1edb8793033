"""Cloud KMS key rings and crypto keys. Neither can be deleted: a key ring's name, location and
project are the whole of it, so "missing" means its project went away; a crypto key is known by
its settings (its versions, and their key material, are never part of a comparison)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cloudrift_gcp.fields import duration, flag, label_map, reported, seconds, short_name, text
from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import template

KEY_RING = GcpSpec(
    type="google_kms_key_ring",
    asset_type="cloudkms.googleapis.com/KeyRing",
    import_id=template("projects/{project}/locations/{location}/keyRings/{name}"),
    cloud_id=lambda item: item.get("name"),
    fields=(),
)


def _crypto_key_id(attributes: Mapping[str, Any]) -> str | None:
    # `terraform import` takes "{{key_ring}}/cryptoKeys/{{name}}", the key ring as its id
    key_ring, name = attributes.get("key_ring"), short_name(attributes.get("name"))
    return f"{key_ring}/cryptoKeys/{name}" if key_ring and name else None


CRYPTO_KEY = GcpSpec(
    type="google_kms_crypto_key",
    asset_type="cloudkms.googleapis.com/CryptoKey",
    import_id=_crypto_key_id,
    cloud_id=lambda item: item.get("name"),
    fields=(
        label_map(),
        text("purpose", "purpose", "ENCRYPT_DECRYPT"),
        seconds("rotation_period", "rotationPeriod"),
        text("version_template.0.algorithm", "versionTemplate.algorithm"),
        text("version_template.0.protection_level", "versionTemplate.protectionLevel",
             "SOFTWARE"),
        reported("destroy_scheduled_duration", "destroyScheduledDuration", duration),
        flag("import_only", "importOnly"),
        text("crypto_key_backend", "cryptoKeyBackend"),
    ),
    not_compared={
        "skip_initial_version_creation": "only used when the key is created",
        "key_access_justifications_policy": "compared by a later version",
    },
)

SPECS = (KEY_RING, CRYPTO_KEY)
