"""Start-up consultations (立ち上げ相談) this tablet follows, by stage, and a way to start
a new one."""

from __future__ import annotations

import flet as ft

from field_app.ui.session import Session
from field_app.ui.views.drafts import draft_tile
from ui_kit.widgets import caption, heading, icon_button


class StartUpsView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        t, records = session.t, session.records
        found = records.startups()
        rows: list[ft.Control] = []
        drafts = records.drafts("startup")  # typed half-way: found again, not started twice
        if drafts:
            rows.append(heading(f"{t('startup.drafts')}（{len(drafts)}）", 18))
            rows += [draft_tile(session, d, d.group_name or t("kind.startup")) for d in drafts]
        for option in session.reference.enums["startup_stages"]:
            mine = [s for s in found if s.stage == option.key]
            if not mine:
                continue
            rows.append(heading(f"{option.label(t.lang)}（{len(mine)}）", 18))
            for s in mine:
                place = records.place_of_startup(s.id)
                detail = [session.area_name(s.area), t("startup.since", date=s.first_consulted)]
                if place is not None:
                    detail.append(t("startup.place_opened", name=place.name))
                rows.append(ft.ListTile(
                    key=f"startup:{s.id}",  # kept apart when the list is drawn again
                    title=ft.Text(s.group_name), subtitle=ft.Text("　".join(detail)),
                    leading=ft.Icon(ft.Icons.STOREFRONT if place else ft.Icons.LIGHTBULB_OUTLINE),
                    on_click=lambda e, i=s.id: session.go("startup", id=i)))
        self.controls = [
            ft.Row([icon_button(ft.Icons.ARROW_BACK, t("nav.back"), lambda e: session.back()),
                    heading(t("startup.list")), ft.Container(expand=True),
                    ft.FilledButton(t("startup.new"), icon=ft.Icons.ADD,
                                    on_click=lambda e: session.go("startup"))],
                   vertical_alignment=ft.CrossAxisAlignment.CENTER),
            caption(t("startup.hint")),
            *(rows or [caption(t("home.none"))]),
        ]
