"""The hub process's configuration: its data directory and database, from the command line
or the environment (12-factor: nothing else is kept by a process). Settings the office
changes at run time live in the database (hub_settings.py)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from core.config import Config
from core.location import default_data_dir


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    enrol_code_hours: int = 72

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Settings:
        env = Config.from_env()
        base = data_dir or env.hub_data_dir or default_data_dir().with_name("ibasho-hub")
        url = env.hub_database_url or f"sqlite:///{base / 'hub.sqlite3'}"
        return cls(database_url=url, data_dir=base)
