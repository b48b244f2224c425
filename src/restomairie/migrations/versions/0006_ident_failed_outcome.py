"""calls.outcome "ident_failed": the calls the line itself ended at identification (the last
wrong code, unknown account number or silence), logged before as "abandoned", are said so

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 11:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

calls = sa.table(
    "calls",
    sa.column("id", sa.Integer()),
    sa.column("family_id", sa.Integer()),
    sa.column("outcome", sa.String()),
)
events = sa.table(
    "call_events",
    sa.column("call_id", sa.Integer()),
    sa.column("step", sa.String()),
    sa.column("outcome", sa.String()),
    sa.column("response", sa.Text()),
)
# The answers at the account number and the code that, on the last attempt, end the call (the
# phone line's _retry there); the lockouts end it too, but as refusals, never "abandoned".
FAILED_ANSWERS = ("wrong_code", "unknown_account", "invalid", "no_input")


def upgrade() -> None:
    # A call never identified (no family) whose answer at the account or the code was the
    # one the line hung up on.
    ended_there = sa.select(events.c.call_id).where(
        events.c.step.in_(("account", "pin")),
        events.c.outcome.in_(FAILED_ANSWERS),
        events.c.response.contains("<Hangup"),
    )
    op.execute(
        calls.update()
        .where(
            calls.c.outcome == "abandoned",
            calls.c.family_id.is_(None),
            calls.c.id.in_(ended_there),
        )
        .values(outcome="ident_failed")
    )


def downgrade() -> None:
    op.execute(
        calls.update().where(calls.c.outcome == "ident_failed").values(outcome="abandoned")
    )
