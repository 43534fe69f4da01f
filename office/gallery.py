"""Activity photos in the console: a place's gallery for a fiscal year (each photo with the
gathering, visit note or start-up it belongs to, thumbnails made on the hub, the picture
opened on a tap) where the office chooses the photos of the place's 実績報告書; and a
record's photos in a dialog (the start-up board). Every look is audited by the hub."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import flet as ft

from hub.contract.photos import Gallery, PhotoRow
from office.compliance import year_menu
from office.desk import Desk
from ui_kit.widgets import caption, heading

THUMB = 220  # px: the width a thumbnail is shown at


def describe(desk: Desk, p: PhotoRow) -> list[str]:
    """The lines under a photo's caption: its record, the day taken, who took it, its use."""
    t = desk.t
    record = t(f"office.photos.record.{p.record_kind}", day=desk.day(p.record_day))
    return [x for x in (record.strip(), t("office.photos.taken", day=desk.day(p.taken_on)),
                        t("office.photos.staff", name=p.staff_name) if p.staff_name else "",
                        t(f"office.photos.use.{p.use}")) if x]


def placeholder(desk: Desk, p: PhotoRow) -> ft.Control:
    t = desk.t
    words = t("office.photos.bytes.arriving",
              percent=p.received * 100 // max(1, p.size)) if p.bytes == "arriving" else \
        t(f"office.photos.bytes.{p.bytes}")
    return ft.Container(width=THUMB, height=THUMB * 3 // 4, bgcolor=ft.Colors.SURFACE_CONTAINER,
                        border_radius=8, alignment=ft.Alignment.CENTER, padding=8,
                        content=ft.Column([ft.Icon(ft.Icons.HOURGLASS_EMPTY if p.bytes != "expired"
                                                   else ft.Icons.HIDE_IMAGE_OUTLINED),
                                           ft.Text(words, size=12, text_align=ft.TextAlign.CENTER)],
                                          horizontal_alignment=ft.CrossAxisAlignment.CENTER,
                                          alignment=ft.MainAxisAlignment.CENTER))


async def thumbnails(desk: Desk, found: list[PhotoRow]) -> dict[str, bytes]:
    out = {}
    for p in found:
        if p.bytes == "kept":
            small = await desk.call(desk.client.thumbnail(p.id))
            if small is not None:
                out[p.id] = small
    return out


async def show_picture(desk: Desk, page: ft.Page, p: PhotoRow) -> None:
    """The picture as kept, in a dialog."""
    data = await desk.call(desk.client.photo(p.id))
    if data is None:
        return
    t = desk.t
    dialog = ft.AlertDialog(
        title=ft.Text(p.caption or t(f"office.photos.record.{p.record_kind}",
                                     day=desk.day(p.record_day))),
        content=ft.Image(src=data, width=min(960, p.width), fit=ft.BoxFit.CONTAIN,
                         semantics_label=t("office.photos.picture", caption=p.caption)),
        actions=[ft.TextButton(t("office.photos.close"), on_click=lambda e: page.pop_dialog())])
    page.show_dialog(dialog)


def tile(desk: Desk, p: PhotoRow, thumb: bytes | None, extra: list[ft.Control],
         on_open: Callable[[PhotoRow], Any]) -> ft.Control:
    t = desk.t
    picture: ft.Control = ft.Container(
        ft.Image(src=thumb, width=THUMB, height=THUMB * 3 // 4, fit=ft.BoxFit.CONTAIN,
                 semantics_label=t("office.photos.picture", caption=p.caption)),
        on_click=lambda e: on_open(p), ink=True, border_radius=8) if thumb else \
        placeholder(desk, p)
    return ft.Card(content=ft.Container(width=THUMB + 24, padding=12, content=ft.Column(
        [picture, ft.Text(p.caption, size=14, weight=ft.FontWeight.W_600, visible=bool(p.caption)),
         *[ft.Text(line, size=13) for line in describe(desk, p)], *extra],
        spacing=4)))


class PhotoGallery(ft.Column):
    """A place's photos of a fiscal year; the ones for its 実績報告書 chosen here."""

    def __init__(self, desk: Desk, back: Callable[[], None], place_id: str, title: str,
                 year: int | str) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        # from a route (text) or a tap (a number)
        self.desk, self.back, self.place_id, self.title = desk, back, place_id, title
        self.year = int(year)
        self.chosen: list[str] = []
        self.most = 0
        self.summary = ft.Text(size=14, weight=ft.FontWeight.W_600)
        self.hint = caption("")
        self.grid = ft.Row(wrap=True, spacing=12, run_spacing=12,
                           vertical_alignment=ft.CrossAxisAlignment.START)
        t = desk.t
        self.save = ft.FilledButton(t("office.photos.save"), icon=ft.Icons.SAVE,
                                    on_click=lambda e: desk.send(self._save))
        self.header_row = ft.Row([heading(t("office.photos.title", name=title, year=self.year)),
                           ft.Container(expand=True), year_menu(desk, self.year, self._year)])
        self.controls = [
            ft.TextButton(t("nav.back"), icon=ft.Icons.ARROW_BACK, on_click=lambda e: back()),
            self.header_row, self.hint, ft.Row([self.summary, self.save], spacing=16), self.grid]

    def _year(self, year: int) -> None:
        self.year = year
        self.page.run_task(self.load)

    async def load(self) -> None:
        d = self.desk
        found = await d.call(d.client.place_photos(self.place_id, self.year))
        if found is None:
            return
        await self._show(found)

    async def _show(self, found: Gallery) -> None:
        d, t = self.desk, self.desk.t
        self.chosen, self.most = list(found.chosen), found.report_max
        self.hint.value = t("office.photos.hint", most=self.most)
        self.header_row.controls[0] = heading(t("office.photos.title", name=self.title, year=self.year))
        small = await thumbnails(d, found.photos)
        self.grid.controls = [self._tile(p, small.get(p.id)) for p in found.photos] or [
            caption(t("office.photos.none"))]
        self._count()
        self.update()

    def _tile(self, p: PhotoRow, thumb: bytes | None) -> ft.Control:
        t = self.desk.t
        may = p.use == "report" and p.bytes == "kept"
        box = ft.Checkbox(label=t("office.photos.choose"), value=p.id in self.chosen,
                          disabled=not may, on_change=lambda e: self._toggle(p.id, e.control))
        return tile(self.desk, p, thumb, [box] if may else [],
                    lambda shown: self.page.run_task(show_picture, self.desk, self.page, shown))

    def _toggle(self, photo_id: str, box: Any) -> None:
        self.desk.touch()
        if box.value and photo_id not in self.chosen:
            if len(self.chosen) >= self.most:
                box.value = False
                self.desk.toast(self.desk.t("office.photos.too_many", most=self.most),
                                error=True)
            else:
                self.chosen.append(photo_id)  # the order chosen is the report's order
        elif not box.value and photo_id in self.chosen:
            self.chosen.remove(photo_id)
        self._count()
        self.update()

    def _count(self) -> None:
        self.summary.value = self.desk.t("office.photos.chosen", count=len(self.chosen),
                                         most=self.most)

    async def _save(self) -> None:
        d, t = self.desk, self.desk.t
        saved = await d.submit(d.client.choose_report_photos(self.place_id, self.year,
                                                             self.chosen), lambda exc: None)
        if saved is not None:
            d.toast(t("office.photos.saved", year=self.year, count=len(saved.chosen)))
            await self._show(saved)


async def record_photos(desk: Desk, page: ft.Page, record_id: str, title: str) -> None:
    """One record's photos in a dialog (the start-up board's cards)."""
    t = desk.t
    found = await desk.call(desk.client.record_photos(record_id))
    if found is None:
        return
    if not found:
        desk.toast(t("office.photos.of_record_none"))
        return
    small = await thumbnails(desk, found)
    tiles = [tile(desk, p, small.get(p.id), [],
                  lambda shown: page.run_task(show_picture, desk, page, shown)) for p in found]
    page.show_dialog(ft.AlertDialog(
        title=ft.Text(title), content=ft.Row(tiles, wrap=True, spacing=12, run_spacing=12,
                                             scroll=ft.ScrollMode.AUTO, width=800),
        actions=[ft.TextButton(t("office.photos.close"), on_click=lambda e: page.pop_dialog())]))
