"""Alembic migrations (a package only so that setuptools installs them)."""
