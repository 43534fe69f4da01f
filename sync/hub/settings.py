"""Hub configuration from the environment (12-factor: nothing else is kept by a process)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from field_app.store.location import default_data_dir


@dataclass(frozen=True)
class Settings:
    database_url: str
    data_dir: Path
    enrol_code_hours: int = 72

    @classmethod
    def from_env(cls, data_dir: Path | None = None) -> Settings:
        base = data_dir or Path(os.environ.get("IBASHO_HUB_DATA_DIR")
                                or default_data_dir().with_name("ibasho-hub"))
        url = os.environ.get("IBASHO_HUB_DATABASE_URL") or f"sqlite:///{base / 'hub.sqlite3'}"
        return cls(database_url=url, data_dir=base)
