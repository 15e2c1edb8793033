"""Alembic's entry point: migrate on the connection the store hands over, inside the
transaction (and lock) the store holds, so concurrent first runs migrate once."""

from __future__ import annotations

from alembic import context

from cloudrift.history.tables import VERSION_TABLE

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    version_table=VERSION_TABLE,
    # SQLite cannot ALTER most things: later migrations rewrite tables in batch mode
    render_as_batch=True,
)
with context.begin_transaction():
    context.run_migrations()
