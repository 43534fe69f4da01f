"""The 第三者提供記録: one row per provision of a concern to a third party (a referral, or a
later change of destination). Append-only against every SQL path, like the audit log; a row
may be deleted only once the day it is kept until has passed (`ibasho-hub retention`).

Each row carries its own `keep_until`, set when it was written from the retention period
then in force: shortening the period later never unlocks rows already written.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

KEPT = "provision records are append-only and kept until their keep_until date"


def upgrade() -> None:
    op.create_table(
        "provisions",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("concern_id", sa.String(36), nullable=False),
        sa.Column("provided_on", sa.Date, nullable=False),
        sa.Column("recipient", sa.String(64), nullable=False),
        sa.Column("recipient_name", sa.String(200), nullable=False),
        sa.Column("items", sa.Text, nullable=False),
        sa.Column("subject", sa.Text, nullable=False),
        sa.Column("place_id", sa.String(36), nullable=False),
        sa.Column("basis", sa.String(40), nullable=False),
        sa.Column("basis_note", sa.String(200), nullable=False),
        sa.Column("basis_by", sa.String(10), nullable=False),
        sa.Column("consent", sa.String(20), nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("keep_until", sa.Date, nullable=False),
    )
    op.create_index("provisions_concern", "provisions", ["concern_id"])
    op.create_index("provisions_provided_on", "provisions", ["provided_on"])
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE FUNCTION provisions_kept() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'DELETE' AND OLD.keep_until < CURRENT_DATE THEN RETURN OLD; END IF;
              RAISE EXCEPTION '{KEPT}';
            END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER provisions_kept BEFORE UPDATE OR DELETE ON provisions
                      FOR EACH ROW EXECUTE FUNCTION provisions_kept()""")
        op.execute("""CREATE TRIGGER provisions_no_truncate BEFORE TRUNCATE ON provisions
                      FOR EACH STATEMENT EXECUTE FUNCTION provisions_kept()""")
    else:
        op.execute(f"""CREATE TRIGGER provisions_no_update BEFORE UPDATE ON provisions
                       BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""")
        op.execute(f"""CREATE TRIGGER provisions_no_delete BEFORE DELETE ON provisions
                       WHEN OLD.keep_until >= date('now')
                       BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""")
        # REPLACE deletes the old row without firing DELETE triggers
        op.execute(f"""CREATE TRIGGER provisions_no_replace BEFORE INSERT ON provisions
                       WHEN EXISTS (SELECT 1 FROM provisions WHERE seq = NEW.seq)
                       BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER provisions_no_truncate ON provisions")
        op.execute("DROP TRIGGER provisions_kept ON provisions")
        op.execute("DROP FUNCTION provisions_kept()")
    op.drop_table("provisions")
