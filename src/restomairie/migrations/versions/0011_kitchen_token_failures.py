"""staff_login_failures.kind: the wrong kitchen tokens are counted there too, by client address,
for the kitchen token's rate limit (:mod:`restomairie.ratelimit`); the rows already there are
wrong passwords of the staff login (``login``). The token typed is never stored.

The downgrade deletes the kitchen token's rows (the login's limit would count them as wrong
passwords from their address) and drops the column.

Revision ID: 0011_kitchen_token_failures
Revises: 0010_closure_labels_said_once
Create Date: 2026-12-02 12:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0011_kitchen_token_failures"
down_revision = "0010_closure_labels_said_once"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_login_failures") as batch:
        batch.add_column(
            sa.Column("kind", sa.String(length=16), server_default="login", nullable=False)
        )


def downgrade() -> None:
    failures = sa.table("staff_login_failures", sa.column("kind", sa.String()))
    op.execute(failures.delete().where(failures.c.kind != "login"))
    with op.batch_alter_table("staff_login_failures") as batch:
        batch.drop_column("kind")
