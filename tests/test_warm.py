"""The warm-up knows the controls our screens use, and each is Flet's; the app starts its
server without loading the screens; the warm-up loads them, and what only home and sync
need once the lock screen is on its way."""

from __future__ import annotations

import subprocess
import sys

import flet as ft

from field_app.ui import warm


def test_the_warm_up_finds_the_controls_of_the_screens_and_flet_has_each() -> None:
    used = warm.names_used()
    assert {"NavigationBar", "ListTile", "TextField", "View"} <= used
    assert [n for n in sorted(used) if not hasattr(ft, n)] == []
    assert all(path.exists() for path in warm._LOCK_SCREEN)  # a moved file is not skipped
    first = warm.names_used(warm._LOCK_SCREEN)
    assert {"TextField", "View", "Theme", "NavigationRail"} <= first < used


def test_the_server_starts_without_the_screens_and_the_warm_up_loads_them() -> None:
    # a fresh interpreter: this one imported the screens long ago
    code = """
import sys
import field_app.ui.app
screens = ("field_app.ui.shell", "field_app.ui.views.home", "httpx")
print(sorted(m for m in screens if m in sys.modules))
from field_app.ui import warm
warm.ready(timeout=120)
print(sorted(m for m in screens if m in sys.modules))
warm.after_lock_screen()
print(warm._CONTROLS.done.wait(timeout=120))
print(sorted(m for m in screens if m in sys.modules))
"""
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=180, check=True).stdout.split("\n")
    assert out[0] == "[]"
    assert out[1] == "['field_app.ui.shell', 'field_app.ui.views.home']"
    assert out[2:4] == ["True", "['field_app.ui.shell', 'field_app.ui.views.home', 'httpx']"]
