"""Home: today, follow-ups due, what waits for sync, quick ways in."""

from __future__ import annotations

import datetime as dt
from typing import Any

import flet as ft

from field_app.ui.session import Session
from ui_kit.widgets import caption, heading

MAX_ITEMS = 12
ROUTES = {"gathering": "gathering", "concern": "concern", "visit_note": "visit"}


def due_follow_ups(session: Session, until: dt.date) -> list[dict[str, Any]]:
    """Concerns and visit notes with a follow-up date on or before `until`, not closed."""
    items = []
    for kind in ("concern", "visit_note"):
        for doc in session.store.all(kind):
            due = doc.get("follow_up_on")
            if not due or dt.date.fromisoformat(due) > until:
                continue
            if kind == "concern" and (doc.get("office") or {}).get("status") == "closed":
                continue
            items.append(doc)
    return sorted(items, key=lambda d: d["follow_up_on"])


class HomeView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=16, scroll=ft.ScrollMode.AUTO, expand=True)
        t = session.t
        today = dt.date.today()
        week_end = today + dt.timedelta(days=6 - today.weekday())
        store = session.store
        author = session.services.author()
        todays = [d for k in ("gathering", "concern", "visit_note") for d in store.all(k)
                  if (d.get("date") or d.get("observed_on")) == today.isoformat()]
        pending = store.pending()
        waiting_concerns = [d for d in pending if d["kind"] == "concern"]
        recent_places: dict[str, str] = {}
        for g in sorted(store.all("gathering"), key=lambda d: d["date"], reverse=True)[:30]:
            recent_places.setdefault(g["place_id"], g["date"])
        drafts = [d for d in store.drafts() if d.get("kind") in ROUTES]
        follow = due_follow_ups(session, week_end)
        shown = follow[:MAX_ITEMS]  # a long backlog is on the follow-ups screen, not here

        none: list[ft.Control] = [caption(t("home.none"))]

        def item(doc: dict[str, Any], text: str) -> ft.Control:
            route = ROUTES[doc["kind"]]
            return ft.ListTile(title=ft.Text(text), leading=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                               on_click=lambda e, d=doc, r=route: session.go(r, id=d["id"]),
                               min_vertical_padding=6)

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
                ft.Text(t("home.pending", count=len(pending))),
                ft.Text(t("home.concerns_waiting", count=len(waiting_concerns))),
            ], spacing=4))),
            # what is not a saved record yet comes first: it is lost if nobody finishes it
            *([heading(t("home.drafts"), 18)] if drafts else []),
            *[item(d, t("home.unsaved_item" if store.is_unsaved(d["id"]) else "home.draft_item",
                        kind=t("kind." + d["kind"]), place=session.place_name(d.get("place_id"))
                        or d.get("group_name", ""),
                        when=d.get("date") or d.get("observed_on") or ""))
              for d in drafts[:MAX_ITEMS]],
            heading(t("home.follow_ups"), 18),
            *([item(d, f"{t.date(dt.date.fromisoformat(d['follow_up_on']))}  "
                       f"{session.place_name(d.get('place_id')) or d.get('group_name', '')}  "
                       f"{t('kind.' + d['kind'])}") for d in shown]
              or none),
            *([ft.TextButton(t("home.more", count=len(follow) - len(shown)),
                             on_click=lambda e: session.go("followups"))]
              if len(follow) > len(shown) else []),
            heading(t("home.today"), 18),
            *([item(d, f"{t('kind.' + d['kind'])}  {session.place_name(d.get('place_id'))}")
               for d in todays[:MAX_ITEMS]] or none),
            heading(t("home.recent_places"), 18),
            *([ft.ListTile(title=ft.Text(session.place_name(pid)),
                           subtitle=ft.Text(t("home.last_gathering", date=day)),
                           on_click=lambda e, p=pid: session.go("place", id=p))
               for pid, day in list(recent_places.items())[:8]] or none),
        ]
