"""staff_threads, staff_messages: "Ask a person" — which staff topic belongs to which user.

Ids and states only, never message texts (the copies live in Telegram).

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

TZ = sa.DateTime(timezone=True)

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "staff_threads",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handle", sa.String(length=8), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("thread_id", sa.Integer(), nullable=True),
        sa.Column("header_id", sa.Integer(), nullable=True),
        sa.Column("lang", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=8), nullable=False),
        sa.Column("blocked", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("share_username", sa.Boolean(), nullable=True),
        sa.Column("last_from", sa.String(length=8), nullable=True),
        sa.Column("user_gone", sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.Column("away_noticed_at", TZ, nullable=True),
        sa.Column("created_at", TZ, nullable=False),
        sa.Column("updated_at", TZ, nullable=False),
        sa.CheckConstraint("status IN ('open', 'closed')", name="ck_staff_threads_status"),
        sa.PrimaryKeyConstraint("user_id", name="pk_staff_threads"),
        sa.UniqueConstraint("chat_id", "thread_id", name="uq_staff_threads_chat_id_thread_id"),
        sa.UniqueConstraint("handle", name="uq_staff_threads_handle"),
    )
    op.create_table(
        "staff_messages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["staff_threads.user_id"],
            name="fk_staff_messages_user_id_staff_threads",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chat_id", "message_id", name="pk_staff_messages"),
    )
    op.create_index("ix_staff_messages_user_id", "staff_messages", ["user_id"])


def downgrade() -> None:
    op.drop_index("ix_staff_messages_user_id", table_name="staff_messages")
    op.drop_table("staff_messages")
    op.drop_table("staff_threads")
