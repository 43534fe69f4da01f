"""Lawful erasure in the append-only logs: an audit or provision row may change only by a
recorded redaction (table `redactions`, itself append-only) of one text column to the exact
mark that redaction wrote, in the same transaction; every other change path stays refused
(UPDATE of anything else, DELETE, SQLite's REPLACE, PostgreSQL's TRUNCATE).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

import sqlalchemy as sa
from alembic import op

revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None

AUDIT = "the audit log is append-only"
KEPT = "provision records are append-only and kept until their keep_until date"
REDACTIONS = "redactions are append-only"
COLUMNS = {
    "audit": ("seq", "at", "actor", "action", "subject", "detail"),
    "provisions": ("seq", "concern_id", "provided_on", "recipient", "recipient_name", "items",
                   "subject", "place_id", "basis", "basis_note", "basis_by", "consent",
                   "recorded_by", "recorded_at", "keep_until"),
}
# the texts a redaction may replace (kept in step with hub/redaction.py)
TEXTS = {"audit": ("actor", "subject", "detail"),
         "provisions": ("recipient_name", "items", "subject", "basis_note", "recorded_by")}


def allowed(table: str, postgres: bool) -> str:
    """SQL that is true when an UPDATE of `table` is one recorded redaction: exactly one
    text column changed, to the mark of a redaction of this row and column written in this
    transaction (PostgreSQL) or the newest redaction (SQLite: one writer at a time)."""
    same, differ = ("IS NOT DISTINCT FROM", "IS DISTINCT FROM") if postgres else ("IS", "IS NOT")
    now = "r.tx = txid_current()" if postgres else \
        "r.seq = (SELECT max(seq) FROM redactions)"
    choices = []
    for col in TEXTS[table]:
        others = " AND ".join(f"NEW.{c} {same} OLD.{c}" for c in COLUMNS[table] if c != col)
        choices.append(
            f"(NEW.{col} {differ} OLD.{col} AND {others} AND EXISTS (SELECT 1 FROM redactions r"
            f" WHERE {now} AND r.table_name = '{table}' AND r.row_seq = OLD.seq"
            f" AND r.column_name = '{col}' AND r.mark = NEW.{col}))")
    return "(" + " OR ".join(choices) + ")"


def upgrade() -> None:
    op.create_table(
        "redactions",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
                  primary_key=True, autoincrement=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor", sa.String(100), nullable=False),
        sa.Column("table_name", sa.String(20), nullable=False),
        sa.Column("row_seq", sa.BigInteger, nullable=False),
        sa.Column("column_name", sa.String(40), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("mark", sa.Text, nullable=False),
        sa.Column("tx", sa.BigInteger, nullable=True),
    )
    if op.get_bind().dialect.name == "postgresql":
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'UPDATE' THEN
                IF {allowed("audit", True)} THEN RETURN NEW; END IF;
              END IF;
              RAISE EXCEPTION '{AUDIT}';
            END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE OR REPLACE FUNCTION provisions_kept() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'DELETE' AND OLD.keep_until < CURRENT_DATE THEN RETURN OLD; END IF;
              IF TG_OP = 'UPDATE' THEN
                IF {allowed("provisions", True)} THEN RETURN NEW; END IF;
              END IF;
              RAISE EXCEPTION '{KEPT}';
            END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE FUNCTION redactions_append_only() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'INSERT' THEN NEW.tx := txid_current(); RETURN NEW; END IF;
              RAISE EXCEPTION '{REDACTIONS}';
            END $$ LANGUAGE plpgsql""")
        op.execute("""CREATE TRIGGER redactions_append_only BEFORE INSERT OR UPDATE OR DELETE
                      ON redactions FOR EACH ROW EXECUTE FUNCTION redactions_append_only()""")
        op.execute("""CREATE TRIGGER redactions_no_truncate BEFORE TRUNCATE ON redactions
                      FOR EACH STATEMENT EXECUTE FUNCTION redactions_append_only()""")
        return
    op.execute("DROP TRIGGER audit_no_update")
    op.execute(f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                   WHEN NOT {allowed("audit", False)}
                   BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""")
    op.execute("DROP TRIGGER provisions_no_update")
    op.execute(f"""CREATE TRIGGER provisions_no_update BEFORE UPDATE ON provisions
                   WHEN NOT {allowed("provisions", False)}
                   BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""")
    for event in ("UPDATE", "DELETE"):
        op.execute(f"""CREATE TRIGGER redactions_no_{event.lower()} BEFORE {event}
                       ON redactions BEGIN SELECT RAISE(ABORT, '{REDACTIONS}'); END""")
    op.execute(f"""CREATE TRIGGER redactions_no_replace BEFORE INSERT ON redactions
                   WHEN EXISTS (SELECT 1 FROM redactions WHERE seq = NEW.seq)
                   BEGIN SELECT RAISE(ABORT, '{REDACTIONS}'); END""")


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER redactions_no_truncate ON redactions")
        op.execute("DROP TRIGGER redactions_append_only ON redactions")
        op.execute("DROP FUNCTION redactions_append_only()")
        op.execute(f"""
            CREATE OR REPLACE FUNCTION audit_append_only() RETURNS trigger AS $$
            BEGIN RAISE EXCEPTION '{AUDIT}'; END $$ LANGUAGE plpgsql""")
        op.execute(f"""
            CREATE OR REPLACE FUNCTION provisions_kept() RETURNS trigger AS $$
            BEGIN
              IF TG_OP = 'DELETE' AND OLD.keep_until < CURRENT_DATE THEN RETURN OLD; END IF;
              RAISE EXCEPTION '{KEPT}';
            END $$ LANGUAGE plpgsql""")
    else:
        for name in ("audit_no_update", "provisions_no_update", "redactions_no_update",
                     "redactions_no_delete", "redactions_no_replace"):
            op.execute(f"DROP TRIGGER {name}")
        op.execute(f"""CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
                       BEGIN SELECT RAISE(ABORT, '{AUDIT}'); END""")
        op.execute(f"""CREATE TRIGGER provisions_no_update BEFORE UPDATE ON provisions
                       BEGIN SELECT RAISE(ABORT, '{KEPT}'); END""")
    op.drop_table("redactions")
