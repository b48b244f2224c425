"""staff_login_failures: recent wrong passwords by user name and client address, so that the
login's rate limit locks a name for the address that guessed, not for everyone

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import restomairie.models

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The failures counted until now (the audit log's login_failed entries of the last 15
    # minutes) are not copied: at worst a name locked during the upgrade is free again.
    op.create_table(
        "staff_login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", restomairie.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_staff_login_failures")),
    )
    op.create_index(
        "ix_staff_login_failures_username_at", "staff_login_failures", ["username", "at"],
        unique=False,
    )
    op.create_index(
        "ix_staff_login_failures_address_at", "staff_login_failures", ["address", "at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_staff_login_failures_at"), "staff_login_failures", ["at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_staff_login_failures_at"), table_name="staff_login_failures")
    op.drop_index("ix_staff_login_failures_address_at", table_name="staff_login_failures")
    op.drop_index("ix_staff_login_failures_username_at", table_name="staff_login_failures")
    op.drop_table("staff_login_failures")
