"""Home: today's expected gatherings in my places (one tap to record), the ones that passed
with no record, the monthly reports owed (once a month for a place recorded monthly, not
once a day), planned visits, follow-ups, grant periods about to close, places not visited
for a while, what waits for sync, and quick ways in."""

from __future__ import annotations

import datetime as dt

import flet as ft

from core.domain import clock
from core.domain.record import Record
from core.domain.week import Slot
from field_app.store.planner import Planner
from field_app.ui.screens import FORM_ROUTES
from field_app.ui.session import Session
from field_app.ui.views.drafts import draft_tile
from field_app.ui.views.month_report import month_name, month_state, open_month, state_icon
from field_app.ui.views.not_held import NotHeldDialog
from ui_kit.widgets import caption, heading

MAX_ITEMS = 12


def record_slot(session: Session, slot: Slot, *, visited: bool = True) -> None:
    """Open the gathering form for an expected gathering: its record, or a new one with the
    place, date and times filled in."""
    if slot.record is not None:
        session.go("gathering", id=slot.record.id)
        return
    e = slot.expected
    session.go("gathering", place=e.place_id, date=e.date.isoformat(), start=e.start_time,
               end=e.end_time, visited=None if visited else "0")


def slot_line(session: Session, slot: Slot, with_date: bool = False) -> str:
    t, e = session.t, slot.expected
    when = f"{t.date(e.date)}  " if with_date else ""
    return f"{when}{e.start_time}〜{e.end_time}  {session.place_name(e.place_id)}"


def missed_tile(session: Session, slot: Slot, on_done: object = None) -> ft.Control:
    """A gathering that passed with no record: record it from the group's report, or mark
    it not held."""
    t = session.t
    e = slot.expected
    return ft.Container(key=f"missed:{e.place_id}:{e.date}:{e.start_time}",
                        padding=ft.Padding.symmetric(vertical=4), content=ft.Column([
        ft.Text(slot_line(session, slot, with_date=True)),
        ft.Row([
            ft.OutlinedButton(t("week.record_from_report"), icon=ft.Icons.EDIT_NOTE,
                              on_click=lambda e: record_slot(session, slot, visited=False)),
            ft.TextButton(t("week.not_held"), icon=ft.Icons.EVENT_BUSY,
                          on_click=lambda e: NotHeldDialog(session, slot.expected).show()),
        ], wrap=True, spacing=8),
    ], spacing=4))


class HomeView(ft.ListView):
    """A lazy list: what is below the first screen is built as it is scrolled to."""

    def __init__(self, session: Session) -> None:
        super().__init__(spacing=16, expand=True)
        t = session.t
        today = clock.today()
        week_end = today + dt.timedelta(days=6 - today.weekday())
        records = session.records
        plan = Planner(records, session.reference, today)
        author = session.services.author()
        pending = records.pending_count()
        waiting_concerns = records.pending_count("concern")
        drafts = records.drafts()
        follow = records.follow_ups_due(week_end)
        shown = follow[:MAX_ITEMS]  # a long backlog is on the follow-ups screen, not here
        expected_today = plan.today_slots()
        gone = plan.missed()
        owed = plan.reports_owed()
        plans = plan.plans_ahead()
        closing = plan.closing()
        unvisited = plan.not_visited()
        todays = records.on_day(today)
        recent_places = records.recent_places(8)

        none: list[ft.Control] = [caption(t("home.none"))]

        # Each tile is keyed by what it opens (and its section: a record may be in two):
        # drawn again after a sync, a tile that stayed takes a tap meant for it, wherever
        # the list moved it, and a tile that went takes none meant for another.
        def item(kind: str, rid: str, text: str, section: str) -> ft.Control:
            route = FORM_ROUTES[kind]
            return ft.ListTile(key=f"{section}:{rid}", title=ft.Text(text),
                               leading=ft.Icon(ft.Icons.CHEVRON_RIGHT),
                               on_click=lambda e: session.go(route, id=rid),
                               min_vertical_padding=6)

        def where(r: Record) -> str:
            return (session.place_name(getattr(r, "place_id", ""))
                    or session.startup_name(getattr(r, "startup_id", ""))
                    or getattr(r, "group_name", ""))

        def today_tile(slot: Slot) -> ft.Control:
            done = slot.record is not None
            state = (t("week.not_held_short") if done and slot.record and not slot.record.held
                     else t("week.recorded") if done else t("week.tap_to_record"))
            return ft.ListTile(
                key=f"today:{slot.expected.place_id}:{slot.expected.start_time}",
                title=ft.Text(slot_line(session, slot)), subtitle=ft.Text(state),
                leading=ft.Icon(ft.Icons.CHECK_CIRCLE if done else ft.Icons.GROUPS),
                on_click=lambda e: record_slot(session, slot), min_vertical_padding=6)

        mine_note = [] if plan.assigned else [caption(t("home.no_assignment"))]
        self.controls = [
            heading(t.date(today), 26),
            caption(t("home.hello", name=author) if author else t("home.hello_anonymous")),
            # the actions keep their controls when home is drawn again (a sync pulled a
            # change): a tap on its way to one lands on it instead of on a control just gone
            ft.Row(key="actions", controls=[
                ft.FilledButton(t("home.new_gathering"), icon=ft.Icons.GROUPS, key="new-gathering",
                                on_click=lambda e: session.go("places", pick="gathering")),
                ft.FilledTonalButton(t("home.new_concern"), icon=ft.Icons.FAVORITE_BORDER,
                                     key="new-concern",
                                     on_click=lambda e: session.go("places", pick="concern")),
                ft.OutlinedButton(t("home.new_visit"), icon=ft.Icons.EDIT_NOTE, key="new-visit",
                                  on_click=lambda e: session.go("places", pick="visit")),
                ft.OutlinedButton(t("home.new_plan"), icon=ft.Icons.EVENT, key="new-plan",
                                  on_click=lambda e: session.go("places", pick="plan")),
                ft.OutlinedButton(t("home.startups"), icon=ft.Icons.LIGHTBULB_OUTLINE,
                                  key="startups", on_click=lambda e: session.go("startups")),
            ], wrap=True, spacing=12, run_spacing=12),
            # what is not a saved record yet comes first: it is lost if nobody finishes it
            *([heading(t("home.drafts"), 18)] if drafts else []),
            *[draft_tile(session, d, t("home.unsaved_item" if d.unsaved else "home.draft_item",
                                       kind=t("kind." + d.kind),
                                       place=session.place_name(d.place_id) or d.group_name,
                                       when=d.day))
              for d in drafts[:MAX_ITEMS]],
            heading(t("home.expected_today"), 18),
            *mine_note,
            *([today_tile(s) for s in expected_today[:MAX_ITEMS * 2]] or none),
            # a month each, few: before the sessions, so a long list of those does not
            # push them out of sight
            *([heading(t("home.reports_owed"), 18), caption(t("home.reports_owed_hint"))]
              if owed else []),
            *[ft.ListTile(key=f"owed:{m.place_id}:{m.first.isoformat()}",
                          title=ft.Text(f"{session.place_name(m.place_id)}  "
                                        f"{month_name(t, m.first)}"),
                          subtitle=ft.Text(month_state(t, m, today, named=False)),
                          leading=ft.Icon(state_icon(m, today)),
                          on_click=lambda e, m=m: open_month(session, m), min_vertical_padding=6)
              for m in owed[:MAX_ITEMS]],
            *([heading(t("home.missed"), 18), caption(t("home.missed_hint"))] if gone else []),
            *[missed_tile(session, s) for s in gone[:MAX_ITEMS]],
            *([ft.TextButton(t("home.more_in_week", count=len(gone) - MAX_ITEMS), key="more-week",
                             on_click=lambda e: session.go("week"))]
              if len(gone) > MAX_ITEMS else []),
            *([heading(t("home.plans"), 18)] if plans else []),
            *[item("visit_plan", p.id, f"{t.date(dt.date.fromisoformat(p.date))}  "
                                       f"{where(p)}  {session.label('visit_types', p.purpose)}",
                   "plan")
              for p in plans[:MAX_ITEMS]],
            heading(t("home.follow_ups"), 18),
            *([item(r.kind, r.id, f"{t.date(dt.date.fromisoformat(str(r.follow_up_on)))}  "
                                  f"{where(r)}  {t('kind.' + r.kind)}", "follow")
               for r in shown]
              or none),
            *([ft.TextButton(t("home.more", count=len(follow) - len(shown)), key="more-follow",
                             on_click=lambda e: session.go("followups"))]
              if len(follow) > len(shown) else []),
            *([heading(t("home.closing"), 18)] if closing else []),
            *[ft.ListTile(key=f"closing:{c.place.id}", title=ft.Text(c.place.name),
                          subtitle=ft.Text(t("home.closing_item", date=t.date(c.end),
                                             days=c.days_left)),
                          leading=ft.Icon(ft.Icons.WARNING_AMBER, color=ft.Colors.ERROR),
                          on_click=lambda e, p=c.place.id: session.go("place", id=p))
              for c in closing[:MAX_ITEMS]],
            *([heading(t("home.not_visited", days=session.reference.limit(
                "not_visited_days", 90)), 18)] if unvisited else []),
            *[ft.ListTile(key=f"unvisited:{p.id}", title=ft.Text(p.name),
                          subtitle=ft.Text(t("home.last_visit", date=t.date(last)) if last
                                           else t("home.never_visited")),
                          on_click=lambda e, pid=p.id: session.go("place", id=pid))
              for p, last in unvisited[:MAX_ITEMS]],
            heading(t("home.today"), 18),
            *([item(r.kind, r.id, f"{t('kind.' + r.kind)}  {where(r)}", "today")
               for r in todays[:MAX_ITEMS] if r.kind in FORM_ROUTES] or none),
            heading(t("home.recent_places"), 18),
            *([ft.ListTile(key=f"recent:{pid}", title=ft.Text(session.place_name(pid)),
                           subtitle=ft.Text(t("home.last_gathering", date=day.isoformat())),
                           on_click=lambda e, p=pid: session.go("place", id=p))
               for pid, day in recent_places] or none),
            ft.Card(content=ft.Container(padding=16, content=ft.Column([
                ft.Text(t("home.sync"), weight=ft.FontWeight.W_600),
                ft.Text(t("home.pending", count=pending)),
                ft.Text(t("home.concerns_waiting", count=waiting_concerns)),
            ], spacing=4))),
        ]
