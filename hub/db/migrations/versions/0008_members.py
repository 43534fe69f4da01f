"""Registered members of a place per fiscal year, as counts by age band and sex (from the
group's roster; never names), for the 実人数 the city's surveys ask for.

Gatherings are not touched: their attendance stays in the categories they were recorded
in. The survey maps each category to an age band by the program's data (`band`); the
seed's 高齢者（65歳以上） is reported as 65歳以上（内訳なし）, since no record says who
of them was 75 or over.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-01
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "members",
        sa.Column("place_id", sa.String(36), nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("place_id", "fiscal_year"),
    )


def downgrade() -> None:
    op.drop_table("members")
