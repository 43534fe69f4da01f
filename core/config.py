"""The one reader of the `IBASHO_*` environment variables, for every part of the project.

Each part takes what it needs from `Config.from_env()`; nothing else reads the environment
for our settings (Flet's and the OS's own variables excepted), so the README's table of
settings can be checked against this one place (tests/test_docs.py)."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

# name -> what it sets (the README documents each)
VARIABLES = {
    "IBASHO_ASSETS_DIR": "another assets/ folder (programs, destinations, places, texts)",
    "IBASHO_LOG_LEVEL": "log level",
    "IBASHO_SCRYPT_LOG2N": "a fixed PIN key cost instead of calibrating (test suites)",
    "IBASHO_BENCH_ROUTES": "two one-control tabs, the baseline of benchmarks.startup's taps",
    "IBASHO_HUB_DATA_DIR": "the hub's data directory",
    "IBASHO_HUB_DATABASE_URL": "the hub's database",
    "IBASHO_HUB_PUBLIC_URL": "the hub's address for tablets",
    "IBASHO_OFFICE_KEY_PASSPHRASE": "the office private key's passphrase (recover)",
    # set by `serve --workers N` for the worker processes it starts; not set by hand
    "IBASHO_HUB_WORKER_CONSOLE_IDLE_MINUTES": "serve's --console-idle-minutes, for its workers",
}


@dataclass(frozen=True)
class Config:
    assets_dir: Path | None = None
    log_level: str = "INFO"
    scrypt_log2n: int | None = None
    hub_data_dir: Path | None = None
    hub_database_url: str | None = None
    hub_public_url: str = ""
    office_key_passphrase: str = ""
    worker_console_idle_minutes: float = 30.0
    bench_routes: bool = False

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Config:
        env = os.environ if env is None else env

        def get(name: str) -> str:
            assert name in VARIABLES, name
            return env.get(name, "").strip()

        log2n = get("IBASHO_SCRYPT_LOG2N")
        return cls(
            assets_dir=Path(get("IBASHO_ASSETS_DIR")) if get("IBASHO_ASSETS_DIR") else None,
            log_level=get("IBASHO_LOG_LEVEL").upper() or "INFO",
            scrypt_log2n=int(log2n) if log2n.isdigit() else None,
            hub_data_dir=Path(get("IBASHO_HUB_DATA_DIR")) if get("IBASHO_HUB_DATA_DIR") else None,
            hub_database_url=get("IBASHO_HUB_DATABASE_URL") or None,
            hub_public_url=get("IBASHO_HUB_PUBLIC_URL"),
            office_key_passphrase=env.get("IBASHO_OFFICE_KEY_PASSPHRASE", ""),
            worker_console_idle_minutes=_minutes(get("IBASHO_HUB_WORKER_CONSOLE_IDLE_MINUTES")),
            bench_routes=get("IBASHO_BENCH_ROUTES") == "1",
        )


def _minutes(text: str) -> float:
    """`serve` checked the number before passing it on; anything else keeps the default, so
    a stray value can never stop the tablet app, which reads this Config too."""
    try:
        value = float(text)
    except ValueError:
        return 30.0
    return value if value > 0 else 30.0
