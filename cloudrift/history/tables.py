"""The history's tables, as SQLAlchemy Core sees them (the schema itself is made by the
migrations in ``migrations/versions``; ``tests/history`` checks the two agree).

``scans``: one row per recorded scan (or baseline), with its counts. ``scan_labels``: what a
scan covered (providers, root modules, workspaces, sources), for filtering. ``scan_counts``:
open drift per provider and kind, for the trend. ``drifts``: one row per fingerprint, its
standing now. ``events``: one row per drift per scan that saw it (or closed it): the timeline.
"""

from __future__ import annotations

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
)

# the revision the code writes; a database at another revision is migrated (older) or refused
# (newer). tests/history pins it to the migrations' head.
HEAD = "0001"
VERSION_TABLE = "cloudrift_schema"

metadata = MetaData()

scans = Table(
    "scans", metadata,
    Column("id", Integer, primary_key=True, autoincrement=True),
    Column("kind", String(16), nullable=False),  # scan | baseline
    Column("started_at", String(20), nullable=False, index=True),
    Column("recorded_at", String(20), nullable=False),
    Column("tool_version", String(32), nullable=False),
    Column("shard", String(16)),
    Column("scope_key", String(32), nullable=False),
    Column("complete", Boolean, nullable=False),
    Column("findings", Integer, nullable=False),
    Column("new", Integer, nullable=False),
    Column("known", Integer, nullable=False),
    Column("reopened", Integer, nullable=False),
    Column("resolved", Integer, nullable=False),
    Column("ignored", Integer, nullable=False),
    Column("changed", Integer, nullable=False),
    Column("missing", Integer, nullable=False),
    Column("unmanaged", Integer, nullable=False),
    Column("unapplied", Integer, nullable=False),
    Column("duration_s", Float, nullable=False),
)

scan_labels = Table(
    "scan_labels", metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("kind", String(16), primary_key=True),  # provider | root | workspace | source
    Column("value", Text, primary_key=True),
    Index("ix_scan_labels_kind_value", "kind", "value"),
)

scan_counts = Table(
    "scan_counts", metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("provider", String(64), primary_key=True),
    Column("kind", String(16), primary_key=True),
    Column("count", Integer, nullable=False),
)

drifts = Table(
    "drifts", metadata,
    Column("fingerprint", String(64), primary_key=True),
    Column("kind", String(16), nullable=False),
    Column("provider", String(64), nullable=False),
    Column("type", String(128), nullable=False),
    Column("account", Text),
    Column("region", Text, nullable=False),
    Column("source", Text),
    Column("address", Text),
    Column("state", String(16), nullable=False),  # open | resolved | ignored
    Column("first_seen", String(20), nullable=False),
    Column("last_seen", String(20), nullable=False),
    Column("closed_at", String(20)),
    Column("last_scan_id", Integer, nullable=False),
    Column("finding", Text, nullable=False),  # the finding as last reported, JSON, redacted
    Index("ix_drifts_state_type", "state", "type"),
)

events = Table(
    "events", metadata,
    Column("scan_id", Integer, ForeignKey("scans.id", ondelete="CASCADE"), primary_key=True),
    Column("fingerprint", String(64), primary_key=True),
    Column("status", String(16), nullable=False),  # new|known|reopened|resolved|ignored
    Index("ix_events_fingerprint", "fingerprint"),
)

TABLE_NAMES = frozenset(metadata.tables)
