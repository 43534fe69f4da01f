"""The hub's database: schema, engine, migrations, bulk writes, the writer lock."""
