"""The first history schema: scans, their labels and counts, drifts and their events.

Revision ID: 0001
Revises: (none)
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "scans",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("started_at", sa.String(20), nullable=False),
        sa.Column("recorded_at", sa.String(20), nullable=False),
        sa.Column("tool_version", sa.String(32), nullable=False),
        sa.Column("shard", sa.String(16)),
        sa.Column("scope_key", sa.String(32), nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        *(sa.Column(name, sa.Integer, nullable=False) for name in (
            "findings", "new", "known", "reopened", "resolved", "ignored",
            "changed", "missing", "unmanaged", "unapplied",
        )),
        sa.Column("duration_s", sa.Float, nullable=False),
    )
    op.create_index("ix_scans_started_at", "scans", ["started_at"])
    op.create_table(
        "scan_labels",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("value", sa.Text, primary_key=True),
    )
    op.create_index("ix_scan_labels_kind_value", "scan_labels", ["kind", "value"])
    op.create_table(
        "scan_counts",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("provider", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), primary_key=True),
        sa.Column("count", sa.Integer, nullable=False),
    )
    op.create_table(
        "drifts",
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("provider", sa.String(64), nullable=False),
        sa.Column("type", sa.String(128), nullable=False),
        sa.Column("account", sa.Text),
        sa.Column("region", sa.Text, nullable=False),
        sa.Column("source", sa.Text),
        sa.Column("address", sa.Text),
        sa.Column("state", sa.String(16), nullable=False),
        sa.Column("first_seen", sa.String(20), nullable=False),
        sa.Column("last_seen", sa.String(20), nullable=False),
        sa.Column("closed_at", sa.String(20)),
        sa.Column("last_scan_id", sa.Integer, nullable=False),
        sa.Column("finding", sa.Text, nullable=False),
    )
    op.create_index("ix_drifts_state_type", "drifts", ["state", "type"])
    op.create_table(
        "events",
        sa.Column("scan_id", sa.Integer, sa.ForeignKey("scans.id", ondelete="CASCADE"),
                  primary_key=True),
        sa.Column("fingerprint", sa.String(64), primary_key=True),
        sa.Column("status", sa.String(16), nullable=False),
    )
    op.create_index("ix_events_fingerprint", "events", ["fingerprint"])


def downgrade() -> None:
    for name in ("events", "drifts", "scan_counts", "scan_labels", "scans"):
        op.drop_table(name)
