"""Every supported AWS resource type, one module per service.

Adding a type: add an ``AwsSpec`` to the module's ``SPECS`` tuple and a fixture case to
``tests/providers/aws/cases``; the parametrised tests and the spec lint pick both up.
"""

from __future__ import annotations

from cloudrift.sdk import collect_specs
from cloudrift_aws.spec import AwsSpec

SPECS: dict[str, AwsSpec] = collect_specs(__name__, AwsSpec)
