"""Where an AWS resource lives, from what its state says about it."""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from typing import Any

_AZ = re.compile(r"^([a-z]{2}(?:-gov|-iso[a-z]*)?-[a-z]+-\d+)[a-z]$")
_LOCAL_ZONE = re.compile(r"^([a-z]{2}-[a-z]+-\d+)-[a-z0-9-]+$")
DEFAULT_REGION = "us-east-1"


def region_from_arn(arn: Any) -> str | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    if len(parts) < 6:
        return None
    return parts[3] or None


def account_from_arn(arn: Any) -> str | None:
    if not isinstance(arn, str) or not arn.startswith("arn:"):
        return None
    parts = arn.split(":", 5)
    return parts[4] or None if len(parts) >= 6 else None


def region_from_zone(zone: Any) -> str | None:
    if not isinstance(zone, str):
        return None
    match = _AZ.match(zone) or _LOCAL_ZONE.match(zone)
    return match.group(1) if match else None


def region_of(attributes: Mapping[str, Any]) -> str | None:
    """ARN first, then ``region``, then an availability zone; None if the state does not say."""
    return (
        region_from_arn(attributes.get("arn"))
        or (attributes.get("region") or None)
        or region_from_zone(attributes.get("availability_zone"))
    )


def default_region(explicit: tuple[str, ...], session_region: str | None) -> str:
    if explicit:
        return explicit[0]
    return (
        os.environ.get("AWS_REGION")
        or os.environ.get("AWS_DEFAULT_REGION")
        or session_region
        or DEFAULT_REGION
    )
