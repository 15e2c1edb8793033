"""The fault tier: scans through a fault-injecting proxy in front of moto and the local Cloud
Asset and ARM servers."""

import pytest

# the judgement of a faulted scan lives in helper modules: let pytest explain its assertions
pytest.register_assert_rewrite("tests.faults.estate", "tests.faults.gcp_estate",
                               "tests.faults.azure_estate")
