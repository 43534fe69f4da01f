"""Tablets: who has one, when it last synced, records that need looking at, revoking a
lost one, and enrolment codes for new ones (shown as text and as a QR code)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import flet as ft

from hub.contract.devices import DeviceRow
from office.client import OfficeError
from office.desk import Desk
from ui_kit.widgets import caption, counted, dropdown, heading, named

HOURS = (24, 72, 168)


def qr_png(text: str) -> bytes:
    import segno  # the hub's dependency; the console only runs inside the hub

    out = io.BytesIO()
    segno.make(text, error="m").save(out, kind="png", scale=8, border=4)
    return out.getvalue()


def hub_address(page_url: str | None) -> str:
    """The hub's address as the browser reached it, which is what a tablet on the same
    network would use. Flet reports the page's WebSocket address (ws://host/office/ws)."""
    url = (page_url or "").split("#")[0].split("?")[0]
    for socket, web in (("ws://", "http://"), ("wss://", "https://")):
        if url.startswith(socket):
            url = web + url[len(socket):]
    return url.split("/office")[0].rstrip("/")


class DevicesView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        t = desk.t
        self.hours = 72
        self.staff = counted(ft.TextField(label=t("office.devices.staff"), width=260,
                                          max_length=100, on_change=desk.typing(),
                                          on_submit=lambda e: self._make()), t)
        self.table = ft.Column(spacing=6)
        self.controls = [
            heading(t("office.devices.title")),
            ft.Container(padding=16, border_radius=12, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                         content=ft.Column([
                             ft.Text(t("office.devices.new"), size=18, weight=ft.FontWeight.W_600),
                             ft.Row([self.staff, named(dropdown(
                                 t("office.devices.valid_for"),
                                 [(str(h), t("office.devices.hours", hours=h)) for h in HOURS],
                                 str(self.hours), lambda v: setattr(self, "hours", int(v or 72)),
                                 width=200)),
                                 ft.FilledButton(t("office.devices.make_code"),
                                                 icon=ft.Icons.QR_CODE,
                                                 on_click=lambda e: self._make())],
                                 wrap=True, spacing=12)], spacing=12)),
            self.table]

    async def load(self) -> None:
        d, t = self.desk, self.desk.t
        found = await d.call(d.client.devices())
        if found is None:
            return
        self.table.controls = [self._row(x) for x in found] or [caption(t("office.devices.none"))]
        self.update()

    def _row(self, x: DeviceRow) -> ft.Control:
        d, t = self.desk, self.desk.t
        facts = [t("office.devices.enrolled", when=d.moment(x.enrolled_at)),
                 t("office.devices.last_sync", when=d.moment(x.last_sync_at))
                 if x.last_sync_at else t("office.devices.never")]
        if x.problems:
            facts.append(t("office.devices.problems", count=x.problems))
        revoked = bool(x.revoked_at)
        action: ft.Control = ft.Text(t("office.devices.revoked"), color=ft.Colors.ERROR) \
            if revoked else ft.OutlinedButton(
                t("office.devices.revoke"), icon=ft.Icons.BLOCK,
                on_click=lambda e: self._confirm_revoke(x))
        return ft.Card(content=ft.ListTile(
            leading=ft.Icon(ft.Icons.TABLET_ANDROID),
            title=ft.Text(f"{x.staff_name}　{x.device_name}".strip()),
            subtitle=ft.Text("　".join(facts)), trailing=action))

    def _confirm_revoke(self, x: DeviceRow) -> None:
        t, page = self.desk.t, self.page
        assert page is not None

        async def revoke(e: Any) -> None:
            page.pop_dialog()
            await self.desk.call(self.desk.client.revoke(x.id))
            await self.load()

        page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("office.devices.revoke_title")),
            content=ft.Text(t("office.devices.revoke_body", staff=x.staff_name)),
            actions=[ft.TextButton(t("office.cancel"), on_click=lambda e: page.pop_dialog()),
                     ft.FilledButton(t("office.devices.revoke"), on_click=revoke)]))

    def _make(self) -> None:
        self.desk.send(self._code)

    async def _code(self) -> None:
        d, t, page = self.desk, self.desk.t, self.page
        assert page is not None
        staff = (self.staff.value or "").strip()
        self.staff.error = None if staff else t("office.devices.staff_missing")
        self.update()
        if not staff:
            return

        def show(exc: OfficeError) -> None:
            self.staff.error = d.refusal(exc, d.words(("office.devices.",)))
            self.update()

        made = await d.submit(d.client.create_code(staff, self.hours), show)
        if made is None:
            return
        hub = d.public_url or hub_address(page.url)
        payload = json.dumps({"hub": hub, "code": made.code}, ensure_ascii=False)
        page.show_dialog(ft.AlertDialog(
            modal=True, title=ft.Text(t("office.devices.code_for", staff=made.staff_name)),
            content=ft.Column([
                ft.Text(made.code, size=32, weight=ft.FontWeight.BOLD,
                        font_family="monospace"),
                ft.Text(t("office.devices.code_hub", hub=hub)),
                ft.Text(t("office.devices.code_until", when=d.moment(made.expires_at))),
                ft.Semantics(label=t("office.devices.qr"), image=True,
                             content=ft.Image(src=qr_png(payload), width=240, height=240)),
            ], tight=True, spacing=10, horizontal_alignment=ft.CrossAxisAlignment.CENTER),
            actions=[ft.FilledButton(t("office.close"), on_click=lambda e: page.pop_dialog())]))
        self.staff.value = ""
        await self.load()
