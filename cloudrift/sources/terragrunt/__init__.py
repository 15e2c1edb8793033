"""Terragrunt units found by zero-config discovery: each one's backend, state key and code.

``find_units(tree, paths, env)`` evaluates every ``terragrunt.hcl`` of a tree (its includes,
``remote_state``, ``locals``, ``read_terragrunt_config`` and Terragrunt's path functions) into
``UnitConfig`` records; ``cloudrift.sources.discover`` turns them into root modules. Nothing is
guessed: an expression that cannot be evaluated here is named in the unit's notes, with its
file and line.
"""

from cloudrift.sources.terragrunt.units import UnitConfig, find_units, is_remote_source

__all__ = ["UnitConfig", "find_units", "is_remote_source"]
