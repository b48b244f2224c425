"""A closure's label no longer repeats its kind: a strike declared with "grève" typed as its note
was stored as "grève (grève)", and every reader (the staff pages, the kitchen's counts and CSV,
the phone line) said it twice. Closures declared before are relabelled here by the rule new ones
follow (:func:`restomairie.staff.services.closure_label`); a note that adds something stays.

The audit log and the kitchen adjustments keep the words they were written with (a record of
what was said then). The downgrade leaves the labels as they are: the code before this revision
reads any label.

Revision ID: 0010_closure_labels_said_once
Revises: 0009_training_calls_masked
Create Date: 2026-12-02 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from restomairie.staff.services import CLOSURE_KINDS, closure_label

revision = "0010_closure_labels_said_once"
down_revision = "0009_training_calls_masked"
branch_labels = None
depends_on = None

closures = sa.table("closures", sa.column("id", sa.Integer()), sa.column("kind", sa.String()),
                    sa.column("label", sa.String()))


def upgrade() -> None:
    bind = op.get_bind()
    rows = bind.execute(sa.select(closures.c.id, closures.c.kind, closures.c.label)
                        .where(closures.c.kind.in_(("strike", "trip")))).all()
    for id_, kind, label in rows:
        # Labels were written as "<kind in French> (<note>)": the note is what is bracketed.
        prefix = f"{CLOSURE_KINDS[kind]} ("
        if not (label.startswith(prefix) and label.endswith(")")):
            continue
        said_once = closure_label(kind, label[len(prefix):-1])
        if said_once != label:
            bind.execute(closures.update().where(closures.c.id == id_).values(label=said_once))


def downgrade() -> None:
    pass
