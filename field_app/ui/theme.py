"""One look for the field app and the office console: colours, the bundled font."""

from __future__ import annotations

import flet as ft

FONT_FAMILY = "NotoSansJP"
FONT_ASSET = "fonts/NotoSansJP-JIS0208.otf"  # relative to assets/; see scripts/make_font.py
SEED = "#2E7D6B"  # a calm green-teal, readable in sunlight
MIN_TOUCH = 48


def apply(page: ft.Page) -> None:
    page.fonts = {FONT_FAMILY: FONT_ASSET}
    page.theme = ft.Theme(color_scheme_seed=SEED, font_family=FONT_FAMILY)
    page.dark_theme = ft.Theme(color_scheme_seed=SEED, font_family=FONT_FAMILY)
    page.theme_mode = ft.ThemeMode.LIGHT
