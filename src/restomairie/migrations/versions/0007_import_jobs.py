"""import_pending and import_jobs: the staff import's checked files and running jobs move from
one web process's memory to the database, so that the confirmation and the progress poll may
land on any web process

Revision ID: 0007_import_jobs
Revises: 0006
Create Date: 2026-12-02 09:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import restomairie.models

# Named, not only numbered: another branch may add its own 0007; two heads are then told apart
# and merged (or renumbered) without guessing which is which.
revision = "0007_import_jobs"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nothing to copy: the files waiting and the jobs were in memory, lost at the restart that
    # runs this migration (a file waiting is sent again, as after its hour).
    op.create_table(
        "import_pending",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("created_at", restomairie.models.UTCDateTime(), nullable=False),
        sa.Column("expires_at", restomairie.models.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_pending")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_import_pending_token_hash")),
    )
    op.create_index(
        op.f("ix_import_pending_created_at"), "import_pending", ["created_at"], unique=False
    )
    op.create_index(
        op.f("ix_import_pending_expires_at"), "import_pending", ["expires_at"], unique=False
    )
    op.create_table(
        "import_jobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("owner", sa.String(length=100), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("done", sa.Integer(), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("result", sa.JSON(), nullable=True),
        sa.Column("started_at", restomairie.models.UTCDateTime(), nullable=False),
        sa.Column("updated_at", restomairie.models.UTCDateTime(), nullable=False),
        sa.Column("finished_at", restomairie.models.UTCDateTime(), nullable=True),
        sa.CheckConstraint(
            "state IN ('running', 'done', 'failed')", name=op.f("ck_import_jobs_state_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_import_jobs")),
    )
    op.create_index(
        op.f("ix_import_jobs_updated_at"), "import_jobs", ["updated_at"], unique=False
    )
    op.create_index(
        op.f("ix_import_jobs_finished_at"), "import_jobs", ["finished_at"], unique=False
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_import_jobs_finished_at"), table_name="import_jobs")
    op.drop_index(op.f("ix_import_jobs_updated_at"), table_name="import_jobs")
    op.drop_table("import_jobs")
    op.drop_index(op.f("ix_import_pending_expires_at"), table_name="import_pending")
    op.drop_index(op.f("ix_import_pending_created_at"), table_name="import_pending")
    op.drop_table("import_pending")
