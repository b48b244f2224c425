"""The audit entry of a training call (the staff's in-browser phone) keeps the caller's number
masked, as every page shows it: the audit log outlives the calls' retention, so a family's whole
number written there was never purged. Entries written before are masked here.

The downgrade leaves them masked: the whole numbers are gone, and the code before this revision
never reads them.

Revision ID: 0009_training_calls_masked
Revises: 0008_pending_codes_sealed
Create Date: 2026-12-01 17:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from restomairie.phones import mask_phone

revision = "0009_training_calls_masked"
down_revision = "0008_pending_codes_sealed"
branch_labels = None
depends_on = None

audit = sa.table("audit_log", sa.column("id", sa.Integer()), sa.column("action", sa.String()),
                 sa.column("detail", sa.JSON()))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(audit.c.id, audit.c.detail)
                        .where(audit.c.action == "training_call")).all()
    for id_, detail in rows:
        number = (detail or {}).get("from")
        # A number already masked has a "•"; "numéro masqué" is what a withheld one reads as.
        if isinstance(number, str) and "•" not in number and number != "numéro masqué":
            bind.execute(audit.update().where(audit.c.id == id_)
                         .values(detail={**detail, "from": mask_phone(number)}))


def downgrade() -> None:
    pass
