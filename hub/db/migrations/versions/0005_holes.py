"""A device's records name the staff member they were pushed for; the audit log refuses
every way of rewriting it.

- `records.staff_name`: the staff member the pushing device belonged to. A pull carries the
  office's part only of concerns pushed for the device's own staff. Old rows get the staff
  named by the device's enrolment in force when they arrived (from the audit log), or the
  device's staff today where the log says nothing.
- The audit log: UPDATE and DELETE were refused; SQLite's INSERT OR REPLACE over an existing
  row (a delete the DELETE trigger does not see) and PostgreSQL's TRUNCATE went through.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-01
"""

import datetime as dt

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

APPEND_ONLY = "the audit log is append-only"


def upgrade() -> None:
    with op.batch_alter_table("records") as batch:
        batch.add_column(sa.Column("staff_name", sa.String(100)))
    _backfill_staff()
    with op.batch_alter_table("records") as batch:
        batch.alter_column("staff_name", existing_type=sa.String(100), nullable=False)
    if op.get_bind().dialect.name == "postgresql":
        op.execute("""CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON audit
                      FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()""")
    else:
        # REPLACE deletes the old row without firing DELETE triggers (unless
        # recursive_triggers is on): refuse any insert that would land on an existing row.
        op.execute(f"""CREATE TRIGGER audit_no_replace BEFORE INSERT ON audit
                       WHEN EXISTS (SELECT 1 FROM audit WHERE seq = NEW.seq)
                       BEGIN SELECT RAISE(ABORT, '{APPEND_ONLY}'); END""")


def _backfill_staff() -> None:
    conn = op.get_bind()
    conn.execute(sa.text("UPDATE records SET staff_name = (SELECT staff_name FROM devices "
                         "WHERE devices.id = records.device_id)"))
    conn.execute(sa.text("UPDATE records SET staff_name = '' WHERE staff_name IS NULL"))
    enrolments: dict[str, list[tuple[dt.datetime, str]]] = {}
    for actor, subject, at in conn.execute(sa.text(
            "SELECT actor, subject, at FROM audit WHERE action = 'device_enrolled' ORDER BY seq")):
        enrolments.setdefault(actor, []).append((_utc(at), subject))
    for device_id, seen in enrolments.items():
        if len({staff for _, staff in seen}) < 2:
            continue  # one staff member all along: the device's own name is right
        rows = conn.execute(sa.text("SELECT id, received_at FROM records WHERE device_id = :d"),
                            {"d": device_id}).all()
        for rid, received in rows:
            staff = seen[0][1]
            for at, name in seen:
                if at <= _utc(received):
                    staff = name
            conn.execute(sa.text("UPDATE records SET staff_name = :s WHERE id = :i"),
                         {"s": staff, "i": rid})


def _utc(value: object) -> dt.datetime:
    if isinstance(value, str):  # SQLite without type information
        value = dt.datetime.fromisoformat(value)
    assert isinstance(value, dt.datetime)
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER audit_no_truncate ON audit")
    else:
        op.execute("DROP TRIGGER audit_no_replace")
    with op.batch_alter_table("records") as batch:
        batch.drop_column("staff_name")
