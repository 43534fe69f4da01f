"""When each device last pulled, so the office sees its last sync even when it had
nothing to send.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.add_column(sa.Column("last_pull_at", sa.DateTime(timezone=True)))


def downgrade() -> None:
    with op.batch_alter_table("devices") as batch:
        batch.drop_column("last_pull_at")
