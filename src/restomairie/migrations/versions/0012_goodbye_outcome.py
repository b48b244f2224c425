"""calls.outcome "goodbye": the calls the caller ended in words or with the key offered ("au
revoir", "non merci" to a read-back) before anything was done, logged before as "abandoned" (a
word the call log keeps for a caller who hung up), are said so: "terminé sans changement".

The downgrade files them as "abandoned" again (the code before this revision knows no other).

Revision ID: 0012_goodbye_outcome
Revises: 0011_kitchen_token_failures
Create Date: 2026-12-03 10:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012_goodbye_outcome"
down_revision = "0011_kitchen_token_failures"
branch_labels = None
depends_on = None

calls = sa.table(
    "calls",
    sa.column("id", sa.Integer()),
    sa.column("outcome", sa.String()),
)
events = sa.table(
    "call_events",
    sa.column("call_id", sa.Integer()),
    sa.column("step", sa.String()),
    sa.column("outcome", sa.String()),
)
# The steps that are not the caller's conversation: Twilio's status callback, its fallback, an
# answer after the end (as staff.services.OFF_CALL_STEPS, copied: a migration does not follow
# later code).
OFF_CALL_STEPS = ("status", "fallback", "end")


def upgrade() -> None:
    # The phone line's only step outcome "goodbye" is the caller's goodbye, on which it hung
    # up (CallFlow._bye): an "abandoned" call with one ended that way, not by a hang-up.
    said_goodbye = sa.select(events.c.call_id).where(
        events.c.outcome == "goodbye", events.c.step.not_in(OFF_CALL_STEPS)
    )
    op.execute(
        calls.update()
        .where(calls.c.outcome == "abandoned", calls.c.id.in_(said_goodbye))
        .values(outcome="goodbye")
    )


def downgrade() -> None:
    op.execute(calls.update().where(calls.c.outcome == "goodbye").values(outcome="abandoned"))
