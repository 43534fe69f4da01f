"""Home: today, follow-ups due, what waits for sync, quick ways in."""

from __future__ import annotations

import datetime as dt

import flet as ft

from field_app.domain.record import Record
from field_app.ui.session import Session
from ui_kit.widgets import caption, heading

MAX_ITEMS = 12
ROUTES = {"gathering": "gathering", "concern": "concern", "visit_note": "visit"}


class HomeView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=16, scroll=ft.ScrollMode.AUTO, expand=True)
        t = session.t
        today = dt.date.today()
        week_end = today + dt.timedelta(days=6 - today.weekday())
        records = session.records
        author = session.services.author()
        todays = records.on_day(today)
        pending = records.pending_count()
        waiting_concerns = records.pending_count("concern")
        recent_places = records.recent_places(8)
        drafts = records.drafts()
        follow = records.follow_ups_due(week_end)
        shown = follow[:MAX_ITEMS]  # a long backlog is on the follow-ups screen, not here

        none: list[ft.Control] = [caption(t("home.none"))]

        def item(kind: str, rid: str, text: str) -> ft.Control:
            route = ROUTES[kind]
            return ft.ListTile(title=ft.Text(text), leading=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                               on_click=lambda e: session.go(route, id=rid),
                               min_vertical_padding=6)

        def where(r: Record) -> str:
            return session.place_name(getattr(r, "place_id", "")) or getattr(r, "group_name", "")

        self.controls = [
            heading(t.date(today), 26),
            caption(t("home.hello", name=author) if author else t("home.hello_anonymous")),
            ft.Row([
                ft.FilledButton(t("home.new_gathering"), icon=ft.Icons.GROUPS,
                                on_click=lambda e: session.go("places", pick="gathering")),
                ft.FilledTonalButton(t("home.new_concern"), icon=ft.Icons.FAVORITE_BORDER,
                                     on_click=lambda e: session.go("places", pick="concern")),
                ft.OutlinedButton(t("home.new_visit"), icon=ft.Icons.EDIT_NOTE,
                                  on_click=lambda e: session.go("places", pick="visit")),
            ], wrap=True, spacing=12, run_spacing=12),
            ft.Card(content=ft.Container(padding=16, content=ft.Column([
                ft.Text(t("home.sync"), weight=ft.FontWeight.W_600),
                ft.Text(t("home.pending", count=pending)),
                ft.Text(t("home.concerns_waiting", count=waiting_concerns)),
            ], spacing=4))),
            # what is not a saved record yet comes first: it is lost if nobody finishes it
            *([heading(t("home.drafts"), 18)] if drafts else []),
            *[item(d.kind, d.id, t("home.unsaved_item" if d.unsaved else "home.draft_item",
                                   kind=t("kind." + d.kind),
                                   place=session.place_name(d.place_id) or d.group_name,
                                   when=d.day))
              for d in drafts[:MAX_ITEMS]],
            heading(t("home.follow_ups"), 18),
            *([item(r.kind, r.id, f"{t.date(dt.date.fromisoformat(str(r.follow_up_on)))}  "
                                  f"{where(r)}  {t('kind.' + r.kind)}") for r in shown]
              or none),
            *([ft.TextButton(t("home.more", count=len(follow) - len(shown)),
                             on_click=lambda e: session.go("followups"))]
              if len(follow) > len(shown) else []),
            heading(t("home.today"), 18),
            *([item(r.kind, r.id, f"{t('kind.' + r.kind)}  {where(r)}")
               for r in todays[:MAX_ITEMS]] or none),
            heading(t("home.recent_places"), 18),
            *([ft.ListTile(title=ft.Text(session.place_name(pid)),
                           subtitle=ft.Text(t("home.last_gathering", date=day.isoformat())),
                           on_click=lambda e, p=pid: session.go("place", id=p))
               for pid, day in recent_places] or none),
        ]
