"""children.school_since and schools.added_at: when each child came into its school in
Resto-Mairie (its import, or the import that moved it there), and when a school came into the
town's file of a database already serving the town. The lock serves each school from its own
first child (or first lock; an empty school from when it was added), so a school added to the
town's file mid-year is not locked at 0 meals, late, for the weeks before its families came in.

The children already there take their family's arrival (families.created_at), and the schools
already there none (there from the start): the instants the lock used for the whole town until
now, so nothing changes for the schools already served.

Revision ID: 0013_school_starts
Revises: 0012_goodbye_outcome
Create Date: 2026-12-04 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import restomairie.models

revision = "0013_school_starts"
down_revision = "0012_goodbye_outcome"
branch_labels = None
depends_on = None

children = sa.table(
    "children",
    sa.column("family_id", sa.Integer()),
    sa.column("school_since", restomairie.models.UTCDateTime()),
)
families = sa.table(
    "families",
    sa.column("id", sa.Integer()),
    sa.column("created_at", restomairie.models.UTCDateTime()),
)


# Plain ALTER TABLE statements, no batch: on SQLite a batch rebuilds the table, and dropping
# children (or schools) with rows that refer to them fails on the foreign keys.


def upgrade() -> None:
    op.add_column("schools", sa.Column("added_at", restomairie.models.UTCDateTime(), nullable=True))
    op.add_column(
        "children", sa.Column("school_since", restomairie.models.UTCDateTime(), nullable=True)
    )
    op.execute(
        children.update().values(
            school_since=sa.select(families.c.created_at)
            .where(families.c.id == children.c.family_id)
            .scalar_subquery()
        )
    )
    op.create_index("ix_children_school_since", "children", ["school_id", "school_since"])


def downgrade() -> None:
    op.drop_index("ix_children_school_since", table_name="children")
    op.drop_column("children", "school_since")
    op.drop_column("schools", "added_at")
