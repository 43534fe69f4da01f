"""Photos: each upload's state (tus), its bytes in rows, the devices that declared them, and
the photos the office chose for a place's 実績報告書.

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "photo_blobs",
        sa.Column("sha256", sa.String(64), primary_key=True),
        sa.Column("length", sa.Integer, nullable=False),
        sa.Column("received", sa.Integer, nullable=False),
        sa.Column("complete", sa.Boolean, nullable=False),
        sa.Column("content_type", sa.String(40), nullable=False),
        sa.Column("width", sa.Integer),
        sa.Column("height", sa.Integer),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )
    op.create_table(
        "photo_chunks",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("start", sa.Integer, nullable=False),
        sa.Column("bytes", sa.LargeBinary, nullable=False),
        sa.PrimaryKeyConstraint("sha256", "start"),
    )
    op.create_table(
        "photo_claims",
        sa.Column("sha256", sa.String(64), nullable=False),
        sa.Column("device_id", sa.String(64), nullable=False),
        sa.Column("photo_id", sa.String(36), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("sha256", "device_id"),
    )
    op.create_table(
        "report_photos",
        sa.Column("place_id", sa.String(36), nullable=False),
        sa.Column("fiscal_year", sa.Integer, nullable=False),
        sa.Column("photo_id", sa.String(36), nullable=False),
        sa.Column("position", sa.Integer, nullable=False),
        sa.Column("chosen_by", sa.String(100), nullable=False),
        sa.Column("chosen_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("place_id", "fiscal_year", "photo_id"),
    )


def downgrade() -> None:
    for table in ("report_photos", "photo_claims", "photo_chunks", "photo_blobs"):
        op.drop_table(table)
