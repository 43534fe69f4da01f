"""Where the data lives: Flet's app-storage directory when Flet sets one (mobile and
packaged builds), otherwise the per-user data directory of the platform."""

from __future__ import annotations

import os
import sys
from pathlib import Path

APP_DIR_NAME = "ibasho-field-notes"


def default_data_dir() -> Path:
    flet_dir = os.environ.get("FLET_APP_STORAGE_DATA")
    if flet_dir:
        return Path(flet_dir)
    if sys.platform == "win32":
        base = Path(os.environ.get("APPDATA") or Path.home() / "AppData" / "Roaming")
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Application Support"
    else:
        base = Path(os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share")
    return base / APP_DIR_NAME
