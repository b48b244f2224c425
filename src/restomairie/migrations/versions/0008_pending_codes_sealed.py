"""import_pending holds no code in clear: a checked file waits as its checked lines with each
family's code replaced by its hash (restomairie.staff.imports.pending_data), no longer as the
file sent. The files waiting at upgrade time are the raw CSV, every code in clear: they are
deleted, not converted (converting would need the codes in clear once more, and the new format
cannot be read by the code before it). A file is waiting for an hour at most; one deleted here
is sent again, as after its hour ("Ce fichier n'est plus en attente : envoyez-le de nouveau").

On SQLite the deleted rows' pages are overwritten (``secure_delete``) rather than left in the
file's free pages; the write-ahead log may keep older copies until its next checkpoint.

The downgrade deletes the files waiting too: the code before this revision reads only raw CSV.

Revision ID: 0008_pending_codes_sealed
Revises: 0007_import_jobs
Create Date: 2026-12-03 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

# Named, like 0007: another branch may add its own 0008.
revision = "0008_pending_codes_sealed"
down_revision = "0007_import_jobs"
branch_labels = None
depends_on = None

pending = sa.table("import_pending", sa.column("id", sa.Integer()))


def _delete_pending() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"
    if sqlite:
        # Zero the pages the codes were on, for this connection's delete only.
        before = bind.exec_driver_sql("PRAGMA secure_delete").scalar()
        bind.exec_driver_sql("PRAGMA secure_delete = ON")
    op.execute(pending.delete())
    if sqlite:
        bind.exec_driver_sql(f"PRAGMA secure_delete = {int(before or 0)}")


def upgrade() -> None:
    _delete_pending()


def downgrade() -> None:
    _delete_pending()
