"""Alembic migrations of the office database, applied at start (service/office/db.py)."""
