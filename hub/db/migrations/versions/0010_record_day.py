"""Each record's day (a gathering's or visit's date, a concern's observed date) as a column
with an index beside its kind: a fiscal year's report reads that year's gatherings, not
every gathering the hub has ever held. Filled from the bodies of the records already here.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

DAY_FIELD = {"gathering": "date", "visit_note": "date", "visit_plan": "date",
             "concern": "observed_on"}


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("day", sa.String(10)))
    conn = op.get_bind()
    records = sa.table("records", sa.column("id", sa.String), sa.column("kind", sa.String),
                       sa.column("body", sa.Text), sa.column("day", sa.String))
    found = conn.execute(sa.select(records.c.id, records.c.kind, records.c.body).where(
        records.c.kind.in_(tuple(DAY_FIELD)))).all()
    updates = []
    for row in found:
        day = json.loads(row.body).get(DAY_FIELD[row.kind])
        if isinstance(day, str):
            updates.append({"b_id": row.id, "day": day[:10]})
    for start in range(0, len(updates), 5000):
        conn.execute(records.update().where(records.c.id == sa.bindparam("b_id"))
                     .values(day=sa.bindparam("day")), updates[start:start + 5000])
    op.create_index("ix_records_kind_day", "records", ["kind", "day"])


def downgrade() -> None:
    op.drop_index("ix_records_kind_day", "records")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("day")
