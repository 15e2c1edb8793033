"""Who changed a finding's resource (``scan --attribute``), in the words every format uses."""

from __future__ import annotations

from cloudrift.model import Attribution, AttributionStatus, ChangeEvent


def event_text(event: ChangeEvent) -> str:
    """``changed by arn:…:user/alice at 2026-12-05T10:12:03Z from 203.0.113.7
    (ModifyDBInstance)``"""
    where = f" from {event.source_ip}" if event.source_ip else ""
    return f"changed by {event.principal} at {event.time}{where} ({event.event_name})"


def no_events_text(attribution: Attribution) -> str:
    """``who: unknown (no write event in 90 days)``, or why the lookup failed."""
    if attribution.status is AttributionStatus.FAILED:
        return f"who: lookup failed ({attribution.note or 'no reason given'})"
    return f"who: unknown ({attribution.note or 'no write event found'})"


def attribution_lines(attribution: Attribution | None) -> list[str]:
    """One line per write event, newest first, or one line saying why there are none."""
    if attribution is None:
        return []
    if attribution.events:
        return [event_text(e) for e in attribution.events]
    return [no_events_text(attribution)]
