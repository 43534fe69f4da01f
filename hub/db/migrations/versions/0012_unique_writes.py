"""The start-up a place was opened from, as a column with a unique index: the database,
not a check before the write, keeps it to one place per start-up (two officers, or one
double click, opening the same start-up at once made two places on PostgreSQL).

Filled from the bodies of the places already here. Where earlier races left more than one
place for a start-up, the one created first keeps the link; the others stay places (records
may name them) with the column empty, for the office to retire.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03
"""

import json

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("places") as batch:
        batch.add_column(sa.Column("startup_id", sa.String(36)))
    conn = op.get_bind()
    places = sa.table("places", sa.column("id", sa.String), sa.column("body", sa.Text),
                      sa.column("startup_id", sa.String))
    first: dict[str, tuple[str, str]] = {}  # start-up -> (created_at, place id)
    for row in conn.execute(sa.select(places.c.id, places.c.body)):
        doc = json.loads(row.body)
        startup = doc.get("startup_id")
        if isinstance(startup, str) and startup:
            mine = (str(doc.get("created_at") or ""), row.id)
            first[startup[:36]] = min(first.get(startup[:36], mine), mine)
    updates = [{"b_id": place_id, "startup_id": startup}
               for startup, (_, place_id) in first.items()]
    for start in range(0, len(updates), 5000):
        conn.execute(places.update().where(places.c.id == sa.bindparam("b_id"))
                     .values(startup_id=sa.bindparam("startup_id")), updates[start:start + 5000])
    op.create_index("ux_places_startup_id", "places", ["startup_id"], unique=True)


def downgrade() -> None:
    op.drop_index("ux_places_startup_id", "places")
    with op.batch_alter_table("places") as batch:
        batch.drop_column("startup_id")
