"""lock_adjustments.kind: the neutral category the kitchen is shown instead of the staff's reason

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00

An adjustment's ``reason`` is the staff's free text (an override's motif such as "Sacha malade,
certificat transmis", an import's "import ligne 2 : Nathan, école … → …"): it must never reach
the kitchen. Rows written before this revision get their category from what wrote them, which
their reason's prefix tells: the importer wrote "import ligne …", a closure "fermeture : …" or
"fermeture annulée : …"; everything else was a staff override. Reasons are left as they are
(staff only).
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("lock_adjustments") as batch:
        batch.add_column(sa.Column("kind", sa.String(length=16), nullable=True))
    # "fermeture annulée" before "fermeture": both start with "fermeture".
    op.execute(
        "UPDATE lock_adjustments SET kind = CASE"
        " WHEN reason LIKE 'import ligne %' THEN 'import'"
        " WHEN reason LIKE 'fermeture annulée : %' THEN 'reopening'"
        " WHEN reason LIKE 'fermeture : %' THEN 'closure'"
        " ELSE 'override' END"
    )
    with op.batch_alter_table("lock_adjustments") as batch:
        batch.alter_column("kind", existing_type=sa.String(length=16), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table("lock_adjustments") as batch:
        batch.drop_column("kind")
