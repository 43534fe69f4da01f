"""Office accounts, their sessions, rate-limit counters; the audit log made append-only.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "office_users",
        sa.Column("username", sa.String(64), primary_key=True),
        sa.Column("password_hash", sa.String(200), nullable=False),
        sa.Column("role", sa.String(10), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("disabled_at", TS),
    )
    op.create_table(
        "office_sessions",
        sa.Column("token_hash", sa.String(64), primary_key=True),
        sa.Column("username", sa.String(64), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
    )
    op.create_table(
        "rate_limits",
        sa.Column("bucket", sa.String(200), primary_key=True),
        sa.Column("window_start", TS, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
    )
    # Nobody edits history: the database itself refuses to change or delete audit rows.
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""
            CREATE FUNCTION audit_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION 'the audit log is append-only'; END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit
                      FOR EACH ROW EXECUTE FUNCTION audit_append_only()""")
    else:
        for event in ("UPDATE", "DELETE"):
            op.execute(f"""CREATE TRIGGER audit_no_{event.lower()} BEFORE {event} ON audit
                           BEGIN SELECT RAISE(ABORT, 'the audit log is append-only'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_append_only ON audit")
        op.execute("DROP FUNCTION audit_append_only()")
    else:
        op.execute("DROP TRIGGER audit_no_update")
        op.execute("DROP TRIGGER audit_no_delete")
    for table in ("rate_limits", "office_sessions", "office_users"):
        op.drop_table(table)
