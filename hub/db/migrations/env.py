"""Alembic environment: runs on the connection the hub hands over (see hub.migrate)."""

from __future__ import annotations

from alembic import context

from hub.db.engine import connect
from hub.db.schema import metadata

config = context.config
connection = config.attributes.get("connection")


def run() -> None:
    if connection is not None:
        context.configure(connection=connection, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = connect(config.get_main_option("sqlalchemy.url") or "")
    with engine.connect() as conn:
        context.configure(connection=conn, target_metadata=metadata)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run()
