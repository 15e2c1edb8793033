"""The state files under fixtures/states, for the unit tier."""

from __future__ import annotations

from pathlib import Path

from cloudrift.sources.tfstate import StateDocument, parse_state

STATES = Path(__file__).resolve().parents[2] / "fixtures" / "states"


def read_state(name: str) -> StateDocument:
    path = STATES / name
    return parse_state(path.read_bytes(), str(path))


def terraform_addresses(name: str) -> list[str]:
    """What `terraform state list` printed for a fixture (kept next to it as NAME.addresses.txt)."""
    text = (STATES / name).read_text(encoding="utf-8")
    return [line for line in text.split("\n") if line]

