"""Every supported GCP resource type, one module per service.

Adding a type: add a ``GcpSpec`` to the module's ``SPECS`` and a fixture folder under
``fixtures/gcp/types/<terraform type>/``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from cloudrift.sdk import collect_specs
from cloudrift_gcp.spec import GcpSpec

SPECS: dict[str, GcpSpec] = collect_specs(__name__, GcpSpec)
