"""staff_sessions.last_seen_at: the time of a session's latest request (moved on at most once a
minute), so that a session ends after a while without any (restomairie.staff.accounts
.IDLE_TIMEOUT), not only 10 hours after its login. The sessions already open start from their
login time.

Revision ID: 0014_staff_sessions_idle
Revises: 0013_school_starts
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import restomairie.models

revision = "0014_staff_sessions_idle"
down_revision = "0013_school_starts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.add_column(
            sa.Column("last_seen_at", restomairie.models.UTCDateTime(), nullable=True)
        )
    sessions = sa.table(
        "staff_sessions", sa.column("created_at", sa.DateTime()),
        sa.column("last_seen_at", sa.DateTime()),
    )
    op.execute(sessions.update().values(last_seen_at=sessions.c.created_at))
    with op.batch_alter_table("staff_sessions") as batch:
        batch.alter_column(
            "last_seen_at", existing_type=restomairie.models.UTCDateTime(), nullable=False
        )


def downgrade() -> None:
    with op.batch_alter_table("staff_sessions") as batch:
        batch.drop_column("last_seen_at")
