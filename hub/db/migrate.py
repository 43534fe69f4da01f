"""Bring a hub database to the current schema with Alembic (`ibasho-hub migrate`)."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, text

from hub.errors import HubError

SCRIPTS = Path(__file__).resolve().parent / "migrations"
# Any number that is ours alone: hub processes started together on one PostgreSQL take turns.
LOCK_KEY = 0x1BA5_40


class SchemaOutOfDate(HubError):
    status = 503
    code = "schema_out_of_date"


def _config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(SCRIPTS))
    return cfg


def migrate(engine: Engine) -> None:
    """Upgrade to the newest schema. On PostgreSQL under an advisory lock held to the end of
    the transaction, so two hubs starting at once on an empty database do not both create
    the tables: the second waits, then finds the schema current. (SQLite: BEGIN IMMEDIATE
    already makes the second wait.)"""
    cfg = _config()
    with engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": LOCK_KEY})
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


def current(engine: Engine) -> bool:
    """Is the database at the newest schema? Reads only."""
    head = ScriptDirectory.from_config(_config()).get_current_head()
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision() == head


def require_current(engine: Engine) -> None:
    if not current(engine):
        raise SchemaOutOfDate(
            "the hub database is not at the current schema: run `ibasho-hub migrate` first",
            message_ja="ハブのデータベースが最新の形式ではありません。"
                       "先に `ibasho-hub migrate` を実行してください。")
