"""One look for the field app and the office console: colours, the bundled font, and
buttons tall enough for a finger (48 px) in the middle of a gathering."""

from __future__ import annotations

import flet as ft

FONT_FAMILY = "NotoSansJP"
FONT_ASSET = "fonts/NotoSansJP-JIS0208.otf"  # relative to assets/; see scripts/make_font.py
SEED = "#2E7D6B"  # a calm green-teal, readable in sunlight
MIN_TOUCH = 48


def _theme() -> ft.Theme:
    tall = ft.ButtonStyle(padding=ft.Padding.symmetric(horizontal=20, vertical=15))
    return ft.Theme(
        color_scheme_seed=SEED, font_family=FONT_FAMILY,
        filled_button_theme=ft.FilledButtonTheme(style=tall),
        outlined_button_theme=ft.OutlinedButtonTheme(style=tall),
        text_button_theme=ft.TextButtonTheme(style=tall),
    )


def apply(page: ft.Page) -> None:
    page.fonts = {FONT_FAMILY: FONT_ASSET}
    page.theme = _theme()
    page.dark_theme = _theme()
    page.theme_mode = ft.ThemeMode.LIGHT


LOCALES = {"ja": ft.Locale("ja", "JP"), "en": ft.Locale("en", "US")}


def language(page: ft.Page, lang: str) -> None:
    """Flutter's own words in the app's language: what a screen reader says of a text
    field's counter (「残り500文字」, not "500 characters remaining"), of a tab, of the
    date picker. Flutter speaks English unless the page names its locale."""
    page.locale_configuration = ft.LocaleConfiguration(
        supported_locales=list(LOCALES.values()), current_locale=LOCALES[lang])
