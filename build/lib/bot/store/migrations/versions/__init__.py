"""One module per schema revision, numbered; Alembic skips this file."""
