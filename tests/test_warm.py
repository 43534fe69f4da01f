"""The lock screen's warm-up knows the controls our screens use, and each is Flet's."""

from __future__ import annotations

import flet as ft

from field_app.ui import warm


def test_the_warm_up_finds_the_controls_of_the_screens_and_flet_has_each() -> None:
    used = warm.names_used()
    assert {"NavigationBar", "ListTile", "TextField", "View"} <= used
    assert [n for n in sorted(used) if not hasattr(ft, n)] == []

