"""Where things are: the data (Flet's app-storage directory when Flet sets one, on mobile
and packaged builds, otherwise the per-user data directory of the platform) and the
shipped assets. Light to import: the apps name these before anything else loads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from core.config import Config

APP_DIR_NAME = "ibasho-field-notes"
_HERE = Path(__file__).resolve().parent
# Installed from a wheel the assets sit inside the package; in a checkout, beside it.
ASSETS_DIR = Path(Config.from_env().assets_dir or next(
    (d for d in (_HERE / "assets", _HERE.parent / "assets") if (d / "data").is_dir()),
    _HERE.parent / "assets"))
LANGS = ("ja", "en")


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
