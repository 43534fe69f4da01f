"""One place: what it is, its grant conditions this period, recent gatherings, new records."""

from __future__ import annotations

import datetime as dt

import flet as ft

from core.domain import clock
from core.domain.compliance import EXEMPT, MET, MISSED, assess
from core.domain.fiscal import Span, fiscal_year_of
from core.domain.place import Place
from core.domain.schedule import expected
from field_app.ui.session import Session
from field_app.ui.views.month_report import month_name, open_month, report_month
from ui_kit.widgets import caption, heading, icon_button


def compliance_lines(session: Session, place: Place, today: dt.date) -> list[str]:
    """Each grant condition in force this year, with where it stands: met, what is still
    needed and by when, or missed; then the warnings."""
    t, lang = session.t, session.t.lang
    program = session.reference.programs.get(place.program)
    year = fiscal_year_of(today)
    if program is None or not program.conditions_in(year):
        return [t("compliance.not_assessed")]
    week = dt.timedelta(days=7)  # a week condition's first and last weeks cross the year's ends
    gatherings = session.records.gatherings_of(place.id, dt.date(year, 4, 1) - week,
                                               dt.date(year + 1, 3, 31) + week)
    report = assess(program, gatherings, year, today, open_span=place.open_span)
    lines = []
    for c in report.conditions:
        label = c.label(lang)
        if c.state == EXEMPT:
            lines.append(t("compliance.condition_exempt", label=label))
        elif c.state == MET:
            lines.append(t("compliance.condition_met", label=label))
        elif c.state == MISSED:
            lines.append(t("compliance.condition_missed", label=label))
        elif c.kind == "period" and c.by is not None:
            lines.append(t("compliance.condition_needs", label=label, count=c.needed,
                           date=t.date(c.by)))
        elif c.value is not None:
            lines.append(t("compliance.condition_value", label=label, value=f"{c.value:.1f}",
                           minimum=f"{c.minimum:g}"))
        else:
            lines.append(t("compliance.condition_open", label=label))
    lines += [w.text(lang) for w in report.warnings if w.code != "period_ending"]
    lines.append(t("compliance.summary", met=report.met, missed=report.missed))
    if report.exempt:
        lines.append(t("compliance.not_counted", count=report.exempt))
    return lines


class PlaceView(ft.Column):
    def __init__(self, session: Session, place_id: str) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session = session
        t = session.t
        place = session.records.place(place_id)
        if place is None:
            self.controls = [caption(t("places.none"))]
            return
        program = session.reference.programs.get(place.program)
        today = clock.today()
        gatherings = session.records.gatherings_of(place_id, limit=10)
        ahead = Span(today, today + dt.timedelta(days=62)).overlap(place.open_span)
        upcoming = expected(place.usual, ahead.start, ahead.end, place.id)[:4] \
            if place.recurrence and ahead else []
        lines = compliance_lines(session, place, today)
        year = fiscal_year_of(today)
        grant = session.records.grant_status(place.id, year)
        if grant is not None:  # read-only: what the office has recorded and waits for
            waiting = grant.get("waiting_for") or ""
            lines.append(t("place.grant", year=year, status=session.label(
                "grant_status", grant.get("status"))) + (
                t(f"place.grant_waiting.{waiting}") if waiting else ""))
        none: list[ft.Control] = [caption(t("home.none"))]
        self.controls = [
            ft.Row([icon_button(ft.Icons.ARROW_BACK, t("nav.back"), lambda e: session.back()),
                    heading(place.name)], vertical_alignment=ft.CrossAxisAlignment.CENTER),
            caption(f"{program.label(t.lang) if program else place.program}"
                    f"{t('place.sep')}{place.group_name}"),
            ft.Text(f"{t('place.venue')}: {place.venue}"),
            ft.Text(f"{t('place.schedule')}: {place.schedule}"),
            *[ft.Text(t(f"place.{key}", date=t.date(dt.date.fromisoformat(day))))
              for key, day in (("opened_on", place.opened_on), ("closed_on", place.closed_on))
              if day],
            *([ft.Text(t("place.next", dates="、".join(
                f"{t.date(e.date)} {e.start_time}〜{e.end_time}" for e in upcoming)))]
              if upcoming else []),
            ft.Container(padding=12, border_radius=8, bgcolor=ft.Colors.SECONDARY_CONTAINER,
                         content=ft.Column([ft.Text(line) for line in lines], spacing=4)),
            ft.Row([
                ft.FilledButton(t("month.record"), icon=ft.Icons.CALENDAR_MONTH,
                                on_click=lambda e: self._report(place))
                if program is not None and program.monthly else
                ft.FilledButton(t("home.new_gathering"), icon=ft.Icons.GROUPS,
                                on_click=lambda e: session.go("gathering", place=place_id)),
                ft.FilledTonalButton(t("home.new_concern"), icon=ft.Icons.FAVORITE_BORDER,
                                     on_click=lambda e: session.go("concern", place=place_id)),
                ft.OutlinedButton(t("home.new_visit"), icon=ft.Icons.EDIT_NOTE,
                                  on_click=lambda e: session.go("visit", place=place_id)),
            ], wrap=True, spacing=12, run_spacing=12),
            heading(t("place.recent"), 18),
            *([ft.ListTile(
                key=f"gathering:{g.id}",  # kept apart when the screen is drawn again
                title=ft.Text(t("month.line", month=month_name(t, g.day), days=g.opening_days,
                                count=g.participants) if g.monthly
                              else f"{t.date(g.day)} {g.start_time}〜{g.end_time}"),
                subtitle=ft.Text(f"{g.start_time}〜{g.end_time}" if g.monthly else
                                 t("gathering.total", count=g.participants)),
                on_click=lambda e, gid=g.id: session.go("gathering", id=gid))
               for g in gatherings] or none),
        ]

    def _report(self, place: Place) -> None:
        month = report_month(self.session, place)
        if month is not None:
            open_month(self.session, month)
