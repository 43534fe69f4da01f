"""Small controls shared by the screens: tally counters, date fields, headings, chips."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import flet as ft

from core.domain import clock
from ui_kit.i18n import Translator
from ui_kit.theme import MIN_TOUCH


def labelled(label: str, button: ft.IconButton) -> ft.Control:
    """An icon-only button with one name for screen readers (and for our browser tests)."""
    return ft.Semantics(label=label, button=True, exclude_semantics=True, content=button,
                        on_tap=button.on_click)  # type: ignore[arg-type]


def icon_button(icon: ft.IconData, label: str, on_click: Callable[[ft.Event[ft.IconButton]], None]
                ) -> ft.Control:
    return labelled(label, ft.IconButton(icon, on_click=on_click))


def heading(text: str, size: int = 22) -> ft.Control:
    return ft.Semantics(header=True, content=ft.Text(text, size=size, weight=ft.FontWeight.BOLD))


def caption(text: str) -> ft.Text:
    return ft.Text(text, size=13, color=ft.Colors.ON_SURFACE_VARIANT)


def two_lines(title: str, size: int, subtitle: str, sub_size: int,
              weight: ft.FontWeight | None = None) -> ft.Text:
    """A title and a muted line under it, as one text of two spans: where a screen has
    dozens of them (the week's seven days), a column of two texts was two controls more
    each for the client to build, lay out and paint."""
    return ft.Text(spans=[
        ft.TextSpan(title, style=ft.TextStyle(size=size, weight=weight)),
        ft.TextSpan("\n" + subtitle, style=ft.TextStyle(size=sub_size,
                                                        color=ft.Colors.ON_SURFACE_VARIANT)),
    ], expand=True)


class Counter(ft.Container):
    """A tally: big − and + buttons around the count, for use one-handed at a gathering."""

    def __init__(self, label: str, value: int, on_change: Callable[[int], None], *,
                 minus_label: str, plus_label: str, width: int | None = 230) -> None:
        super().__init__(padding=8, border_radius=12, width=width,
                         bgcolor=ft.Colors.SURFACE_CONTAINER_HIGHEST)
        self.value = value
        self._on_change = on_change
        self.number = ft.Text(str(value), size=30, weight=ft.FontWeight.BOLD,
                              text_align=ft.TextAlign.CENTER, width=64)
        button = ft.ButtonStyle(shape=ft.CircleBorder(), padding=14)
        self.content = ft.Column([
            ft.Text(label, size=15, weight=ft.FontWeight.W_600, no_wrap=False),
            ft.Row([
                labelled(minus_label, ft.IconButton(
                    ft.Icons.REMOVE, icon_size=30, style=button, on_click=lambda e: self._step(-1),
                    width=MIN_TOUCH + 12, height=MIN_TOUCH + 12)),
                self.number,
                labelled(plus_label, ft.IconButton(
                    ft.Icons.ADD, icon_size=30, style=button, on_click=lambda e: self._step(1),
                    width=MIN_TOUCH + 12, height=MIN_TOUCH + 12,
                    bgcolor=ft.Colors.PRIMARY_CONTAINER)),
            ], alignment=ft.MainAxisAlignment.SPACE_BETWEEN),
        ], spacing=4, tight=True)

    def _step(self, delta: int) -> None:
        if self.value + delta < 0:
            return
        self.value += delta
        self.number.value = str(self.value)
        self.number.update()
        self._on_change(self.value)


class DateField(ft.Row):
    """A date as YYYY-MM-DD with day steps: quicker on a tablet than a calendar."""

    def __init__(self, label: str, value: str | None, on_change: Callable[[str | None], None], *,
                 today_label: str, prev_label: str, next_label: str, optional: bool = False,
                 clear_label: str = "", describe: Callable[[dt.date], str] | None = None) -> None:
        super().__init__(spacing=4, wrap=False, vertical_alignment=ft.CrossAxisAlignment.CENTER)
        self._on_change = on_change
        self._describe = describe
        self.field = ft.TextField(label=label, value=value or "", width=170, dense=False,
                                  hint_text="YYYY-MM-DD", on_blur=self._typed,
                                  on_submit=self._typed)
        self.controls = [
            self.field,
            icon_button(ft.Icons.CHEVRON_LEFT, prev_label, lambda e: self._step(-1)),
            icon_button(ft.Icons.CHEVRON_RIGHT, next_label, lambda e: self._step(1)),
            ft.TextButton(today_label, on_click=lambda e: self._set(clock.today().isoformat())),
        ]
        if optional:
            self.controls.append(icon_button(ft.Icons.CLEAR, clear_label, lambda e: self._set(None)))
        self._show_day()

    @classmethod
    def labelled(cls, t: Translator, label: str, value: str | None,
                 on_change: Callable[[str | None], None], *, optional: bool = False) -> DateField:
        """A date field with its step buttons named from the catalogue, and the date written
        out the Japanese way (2026年11月26日(木)) under it."""
        return cls(label, value, on_change, today_label=t("date.today"),
                   prev_label=t("date.prev"), next_label=t("date.next"), optional=optional,
                   clear_label=t("date.clear"), describe=t.date)

    def _show_day(self) -> None:
        try:
            day = dt.date.fromisoformat((self.field.value or "").strip())
        except ValueError:
            self.field.helper = None
            return
        self.field.helper = self._describe(day) if self._describe else None

    def _typed(self, e: ft.Event[ft.TextField]) -> None:
        self._show_day()
        self._on_change((self.field.value or "").strip() or None)

    def _step(self, days: int) -> None:
        try:
            base = dt.date.fromisoformat((self.field.value or "").strip())
        except ValueError:
            base = clock.today()
        self._set((base + dt.timedelta(days=days)).isoformat())

    def _set(self, value: str | None) -> None:
        self.field.value = value or ""
        self._show_day()
        self.field.update()
        self._on_change(value)

    def show_error(self, text: str | None) -> None:
        self.field.error = text


def counted(field: ft.TextField, t: Translator) -> ft.TextField:
    """A text field with a length limit whose counter speaks the app's language: 「12/500」
    on screen, 「残り488文字」 to a screen reader. Flutter's own counter says "488 characters
    remaining" unless the page names a locale, and in Japanese 「残り 488 文字（半角相当）」,
    as if a kanji counted twice, which it does not."""
    limit = field.max_length or 0
    shown = ft.Text(size=12, color=ft.Colors.ON_SURFACE_VARIANT)
    typed = field.on_change

    def count() -> None:
        used = len(field.value or "")
        shown.value = f"{used}/{limit}"
        shown.semantics_label = t("field.remaining", count=max(0, limit - used))

    def changed(e: ft.Event[ft.TextField]) -> None:
        count()
        shown.update()  # the counter alone: the field's text stays as the person types it
        if typed is not None:
            typed(e)  # type: ignore[call-arg]

    count()
    field.counter = shown
    field.on_change = changed
    return field


def chip_group(options: list[tuple[str, str]], selected: set[str],
               on_toggle: Callable[[str, bool], None]) -> ft.Row:
    def make(key: str, label: str) -> ft.Chip:
        return ft.Chip(label=ft.Text(label), selected=key in selected,
                       on_select=lambda e, k=key: on_toggle(k, bool(e.control.selected)))

    return ft.Row([make(k, label) for k, label in options], wrap=True, spacing=8, run_spacing=8)


def dropdown(label: str, options: list[tuple[str, str]], value: str | None,
             on_select: Callable[[str | None], None], width: int | None = None) -> ft.Dropdown:
    return ft.Dropdown(label=label, value=value or None, width=width,
                       options=[ft.DropdownOption(key=k, text=t) for k, t in options],
                       on_select=lambda e: on_select(e.control.value or None))


def named(menu: ft.Dropdown) -> ft.Control:
    """Give a dropdown its label as its accessible name (Flutter leaves it unnamed)."""
    return ft.Semantics(label=str(menu.label or ""), container=True, content=menu)


class SaveState(ft.Row):
    """A form's state beside its title: saved, a draft with what is missing, or — when the
    disk refused the last change — not saved, in the error colour, with a way to retry."""

    def __init__(self, t: Translator, retry: Callable[[], None]) -> None:
        self.text = caption("")
        self.retry = ft.TextButton(t("form.retry"), icon=ft.Icons.REFRESH, visible=False,
                                   on_click=lambda e: retry())
        super().__init__([self.text, self.retry], spacing=4, wrap=True,
                         vertical_alignment=ft.CrossAxisAlignment.CENTER)

    def show(self, text: str, failed: bool) -> None:
        self.text.value = text
        self.text.color = ft.Colors.ERROR if failed else ft.Colors.ON_SURFACE_VARIANT
        self.text.weight = ft.FontWeight.BOLD if failed else None
        self.retry.visible = failed


def pin_header(view: ft.Column) -> None:
    """Keep a screen's first row (back, title, 保存済み) in sight: the rest scrolls under it.
    A long form scrolled to its note would otherwise hide both the way back and whether
    it is saved."""
    header, *body = view.controls
    view.scroll = None
    view.controls = [header, ft.Column(body, spacing=view.spacing, scroll=ft.ScrollMode.AUTO,
                                       expand=True)]


def show_text_state(field: ft.TextField, error: str | None, warning: str | None = None,
                    helper: str | None = None) -> None:
    """A text field's error (it stops a save), or else its warning (said, not refused: a
    phone number in a note), or else its usual help."""
    field.error = error
    field.error_max_lines = 4
    field.helper = warning or helper
    field.helper_max_lines = 8
    field.helper_style = ft.TextStyle(color=ft.Colors.TERTIARY, weight=ft.FontWeight.W_600) \
        if warning else None
