"""Cloud KMS key rings: name, location and project are the whole of a key ring, and all three
are its identity. Key rings cannot be deleted, so "missing" means the project went away."""

from __future__ import annotations

from cloudrift_gcp.spec import GcpSpec
from cloudrift_gcp.types._ids import template

KEY_RING = GcpSpec(
    type="google_kms_key_ring",
    asset_type="cloudkms.googleapis.com/KeyRing",
    import_id=template("projects/{project}/locations/{location}/keyRings/{name}"),
    cloud_id=lambda item: item.get("name"),
    fields=(),
)

SPECS = (KEY_RING,)
