"""The first hub schema: devices, enrolment codes, records, conflicts, places, office parts,
the pull feed, idempotency records and the audit log.

Revision ID: 0001
Revises:
Create Date: 2026-11-26
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

SEQ = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "devices",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("staff_name", sa.String(100), nullable=False),
        sa.Column("device_name", sa.String(100), nullable=False),
        sa.Column("token_hash", sa.String(64), unique=True),
        sa.Column("enrolled_at", TS, nullable=False),
        sa.Column("revoked_at", TS),
        sa.Column("last_push_at", TS),
    )
    op.create_table(
        "enrolment_codes",
        sa.Column("code_hash", sa.String(64), primary_key=True),
        sa.Column("staff_name", sa.String(100), nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("expires_at", TS, nullable=False),
        sa.Column("used_at", TS),
        sa.Column("used_by", sa.String(64)),
    )
    op.create_table(
        "records",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_index("ix_records_device_kind", "records", ["device_id", "kind"])
    op.create_table(
        "conflicts",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("body_hash", sa.String(64), nullable=False),
        sa.Column("received_at", TS, nullable=False),
    )
    op.create_index("ix_conflicts_record_id", "conflicts", ["record_id"])
    op.create_table(
        "places",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("rev", sa.Integer, nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "office_parts",
        sa.Column("concern_id", sa.String(36), primary_key=True),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.Column("updated_by", sa.String(100), nullable=False),
    )
    op.create_table(
        "changes",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("record_id", sa.String(36), nullable=False),
        sa.Column("device_id", sa.String(64)),
        sa.Column("at", TS, nullable=False),
    )
    op.create_index("ix_changes_device_seq", "changes", ["device_id", "seq"])
    op.create_table(
        "idempotency",
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("key", sa.String(100), nullable=False),
        sa.Column("response", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.PrimaryKeyConstraint("device_id", "key"),
    )
    op.create_table(
        "audit",
        sa.Column("seq", SEQ, primary_key=True, autoincrement=True),
        sa.Column("at", TS, nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("action", sa.String(50), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
    )


def downgrade() -> None:
    for table in ("audit", "idempotency", "changes", "office_parts", "places", "conflicts",
                  "records", "enrolment_codes", "devices"):
        op.drop_table(table)
