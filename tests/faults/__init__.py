"""The fault tier: scans through a fault-injecting proxy in front of moto."""

import pytest

# the judgement of a faulted scan lives in a helper module: let pytest explain its assertions
pytest.register_assert_rewrite("tests.faults.estate")
