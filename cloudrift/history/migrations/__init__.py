"""Alembic migrations of the history schema, run by ``cloudrift.history.store``; never by hand.

A new migration is a file in ``versions/`` whose ``down_revision`` is the current head, and
``HEAD`` in ``tables.py`` moves to its revision (a test checks the two agree).
"""
