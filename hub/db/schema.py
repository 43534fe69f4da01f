"""The hub's tables (SQLAlchemy Core). Alembic migrations create them (hub/db/migrations).

Bodies are JSON text so the same schema runs on SQLite and PostgreSQL.
`changes` is the pull feed: one row per change devices must hear about, in commit order.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    PrimaryKeyConstraint,
    String,
    Table,
    Text,
    text,
)

metadata = MetaData()
# SQLite only auto-increments INTEGER PRIMARY KEY; PostgreSQL wants BIGINT for a long feed.
SEQ = BigInteger().with_variant(Integer(), "sqlite")

devices = Table(
    "devices", metadata,
    Column("id", String(64), primary_key=True),
    Column("staff_name", String(100), nullable=False),
    Column("device_name", String(100), nullable=False, default=""),
    Column("token_hash", String(64), unique=True),
    Column("enrolled_at", DateTime(timezone=True), nullable=False),
    Column("revoked_at", DateTime(timezone=True)),
    Column("last_push_at", DateTime(timezone=True)),
    Column("last_pull_at", DateTime(timezone=True)),
)

enrolment_codes = Table(
    "enrolment_codes", metadata,
    Column("code_hash", String(64), primary_key=True),
    Column("staff_name", String(100), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
    Column("used_at", DateTime(timezone=True)),
    Column("used_by", String(64)),
)

records = Table(
    "records", metadata,
    Column("id", String(36), primary_key=True),
    Column("kind", String(20), nullable=False),
    Column("device_id", String(64), nullable=False),
    # the staff member the pushing device belonged to: the office's part of a concern goes
    # back only to a device of the same staff member
    Column("staff_name", String(100), nullable=False, default=""),
    Column("rev", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
    # the record's own day (protocol.record_day), for reading one fiscal year (0010)
    Column("day", String(10)),
    Index("ix_records_device_kind", "device_id", "kind"),
    Index("ix_records_kind_day", "kind", "day"),
)

conflicts = Table(
    "conflicts", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("record_id", String(36), nullable=False, index=True),
    Column("rev", Integer, nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("body_hash", String(64), nullable=False),
    Column("received_at", DateTime(timezone=True), nullable=False),
)

places = Table(
    "places", metadata,
    Column("id", String(36), primary_key=True),
    Column("rev", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    # the start-up it was opened from (body's startup_id): one place per start-up (0012)
    Column("startup_id", String(36)),
    Index("ux_places_startup_id", "startup_id", unique=True),
)

office_parts = Table(
    "office_parts", metadata,
    Column("concern_id", String(36), primary_key=True),
    Column("device_id", String(64), nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
)

changes = Table(
    "changes", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("kind", String(20), nullable=False),
    Column("record_id", String(36), nullable=False),
    Column("device_id", String(64)),  # NULL: for every device (reference data)
    Column("at", DateTime(timezone=True), nullable=False),
    Index("ix_changes_device_seq", "device_id", "seq"),
    Index("ix_changes_kind_seq", "kind", "seq"),  # the newest of a kind (reference.py)
    # the rows for every device, in order, for a pull from its cursor (0015)
    Index("ix_changes_everyone_seq", "seq", postgresql_where=text("device_id IS NULL"),
          sqlite_where=text("device_id IS NULL")),
)

idempotency = Table(
    "idempotency", metadata,
    Column("device_id", String(64), nullable=False),
    Column("key", String(100), nullable=False),
    Column("response", Text, nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("device_id", "key"),
)

audit = Table(
    "audit", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("action", String(50), nullable=False),
    Column("subject", String(100), nullable=False, default=""),
    Column("detail", Text, nullable=False, default="{}"),
)

hub_settings = Table(
    "hub_settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)

office_users = Table(
    "office_users", metadata,
    Column("username", String(64), primary_key=True),
    Column("password_hash", String(200), nullable=False),
    # one or more of admin, supervisor, grants, viewer, comma-separated (hub/roles.py)
    Column("roles", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("disabled_at", DateTime(timezone=True)),
)

office_sessions = Table(
    "office_sessions", metadata,
    Column("token_hash", String(64), primary_key=True),
    Column("username", String(64), nullable=False),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("expires_at", DateTime(timezone=True), nullable=False),
)

rate_limits = Table(
    "rate_limits", metadata,
    Column("bucket", String(200), primary_key=True),
    Column("window_start", DateTime(timezone=True), nullable=False),
    Column("count", Integer, nullable=False),
)

# which places and areas each staff member looks after; body: {"places": [...], "areas": [...]}
assignments = Table(
    "assignments", metadata,
    Column("staff_name", String(100), primary_key=True),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
)

# a place's grant for a fiscal year: body holds each step recorded (domain.grant)
grants = Table(
    "grants", metadata,
    Column("place_id", String(36), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("rev", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
    # the pull feed's id of this grant, protocol.grant_key(place_id, fiscal_year): a pull reads
    # the grants its changes name by it (0015); the hub writes it with the row
    Column("feed_key", String(36), nullable=False),
    PrimaryKeyConstraint("place_id", "fiscal_year"),
    Index("ux_grants_feed_key", "feed_key", unique=True),
)

# registered members of a place for a year: body {"counts": {band: {sex: n}}} (no names)
members = Table(
    "members", metadata,
    Column("place_id", String(36), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("body", Text, nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
    Column("updated_by", String(100), nullable=False),
    PrimaryKeyConstraint("place_id", "fiscal_year"),
)

# the 第三者提供記録 (append-only, kept until keep_until; migration 0009): each provision of a
# concern to a third party, with the items passed on and the basis it rested on
provisions = Table(
    "provisions", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("concern_id", String(36), nullable=False),
    Column("provided_on", Date, nullable=False),
    Column("recipient", String(64), nullable=False),
    Column("recipient_name", String(200), nullable=False),
    Column("items", Text, nullable=False),  # JSON list of provision_items keys
    Column("subject", Text, nullable=False),  # JSON descriptor: age band, gender, alias
    Column("place_id", String(36), nullable=False),
    Column("basis", String(40), nullable=False),
    Column("basis_note", String(200), nullable=False),
    Column("basis_by", String(10), nullable=False),  # device | office
    Column("consent", String(20), nullable=False),
    Column("recorded_by", String(100), nullable=False),
    Column("recorded_at", DateTime(timezone=True), nullable=False),
    Column("keep_until", Date, nullable=False),
    Index("provisions_concern", "concern_id"),
    Index("provisions_provided_on", "provided_on"),
)

# the one way an audit or provision row changes (migration 0013): an admin's redaction of one
# text the law says must go. Append-only itself; `mark` is the exact value the text became,
# and the tables' triggers let an UPDATE through only to that value, for that row and
# column, in the transaction that wrote this row (`tx`, PostgreSQL; SQLite: the newest row)
redactions = Table(
    "redactions", metadata,
    Column("seq", SEQ, primary_key=True, autoincrement=True),
    Column("at", DateTime(timezone=True), nullable=False),
    Column("actor", String(100), nullable=False),
    Column("table_name", String(20), nullable=False),
    Column("row_seq", BigInteger, nullable=False),
    Column("column_name", String(40), nullable=False),
    Column("reason", Text, nullable=False),
    Column("mark", Text, nullable=False),
    Column("tx", BigInteger, nullable=True),
)

# Photos (migration 0015): a photo's bytes, addressed by their SHA-256, stored where the data
# lives (never on one hub's disk) so any number of hubs on one PostgreSQL serve them.
# `photo_blobs` is one upload (tus): how long it is, how much has arrived, and once
# `complete` what the checks found; its bytes are rows of `photo_chunks`, in arrival order.
photo_blobs = Table(
    "photo_blobs", metadata,
    Column("sha256", String(64), primary_key=True),
    Column("length", Integer, nullable=False),
    Column("received", Integer, nullable=False),  # bytes arrived: the tus offset
    Column("complete", Boolean, nullable=False),
    Column("content_type", String(40), nullable=False),
    Column("width", Integer),
    Column("height", Integer),
    Column("created_at", DateTime(timezone=True), nullable=False),
    Column("updated_at", DateTime(timezone=True), nullable=False),
)

photo_chunks = Table(
    "photo_chunks", metadata,
    Column("sha256", String(64), nullable=False),
    Column("start", Integer, nullable=False),  # where in the photo these bytes go
    Column("bytes", LargeBinary, nullable=False),
    PrimaryKeyConstraint("sha256", "start"),
)

# which devices declared which bytes (by a photo record they pushed): only they may send
# or ask after them; two devices sending the same bytes share one upload
photo_claims = Table(
    "photo_claims", metadata,
    Column("sha256", String(64), nullable=False),
    Column("device_id", String(64), nullable=False),
    Column("photo_id", String(36), nullable=False),
    Column("claimed_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("sha256", "device_id"),
)

# the photos the office chose for a place's 実績報告書 of a year, in the report's order
# (office-written; only photos whose record says `use` = report qualify)
report_photos = Table(
    "report_photos", metadata,
    Column("place_id", String(36), nullable=False),
    Column("fiscal_year", Integer, nullable=False),
    Column("photo_id", String(36), nullable=False),
    Column("position", Integer, nullable=False),
    Column("chosen_by", String(100), nullable=False),
    Column("chosen_at", DateTime(timezone=True), nullable=False),
    PrimaryKeyConstraint("place_id", "fiscal_year", "photo_id"),
)
