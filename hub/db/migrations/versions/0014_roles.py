"""Office roles as data: an account holds one or more of admin, supervisor, grants, viewer
(hub/roles.py). The old `office` role becomes supervisor,grants, so nothing changes for
those accounts; `admin` stays admin (which alone no longer reads concerns).

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None

users = sa.table("office_users", sa.column("role", sa.String), sa.column("roles", sa.String),
                 sa.column("disabled_at", sa.DateTime(timezone=True)))


def upgrade() -> None:
    with op.batch_alter_table("office_users") as batch:
        batch.add_column(sa.Column("roles", sa.String(64), nullable=False, server_default=""))
    op.execute(users.update().where(users.c.role == "admin").values(roles="admin"))
    op.execute(users.update().where(users.c.role != "admin").values(roles="supervisor,grants"))
    with op.batch_alter_table("office_users") as batch:
        batch.alter_column("roles", server_default=None)
        batch.drop_column("role")


def downgrade() -> None:
    # an account with admin among its roles goes back to admin; every other one to office
    with op.batch_alter_table("office_users") as batch:
        batch.add_column(sa.Column("role", sa.String(10), nullable=False, server_default="office"))
    op.execute(users.update().where(users.c.roles.like("%admin%")).values(role="admin"))
    # a viewer would become an office account that reads concerns: it is disabled instead
    op.execute(users.update().where(users.c.roles == "viewer").values(
        disabled_at=sa.func.current_timestamp()))
    with op.batch_alter_table("office_users") as batch:
        batch.alter_column("role", server_default=None)
        batch.drop_column("roles")
