"""A month's report (月次報告) of a place recorded monthly (a テンミリオンハウス): the days it
opened, its usual hours, the month's participants as 延べ counts typed from the operator's
report, first-timers, helpers, activities, a note; or closed all month, with the reason.
Also how the week and home name such a month and open its report."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import flet as ft

from core.domain import clock
from core.domain.monthly import OVERDUE, OWED, RECORDED, RUNNING, Month, first_of
from core.domain.place import Place
from field_app.store.planner import Planner
from field_app.ui.form import RecordForm
from field_app.ui.session import Session
from field_app.ui.views.form_view import FormView
from ui_kit.i18n import Translator
from ui_kit.widgets import chip_group, dropdown, named, show_text_state


def open_month(session: Session, m: Month) -> None:
    """The month's report: the one recorded, or a new one with the place, the month and
    the usual hours filled in."""
    if m.record is not None:
        session.go("gathering", id=m.record.id)
        return
    hours = {"start": m.start_time, "end": m.end_time} if m.start_time else {}
    session.go("gathering", place=m.place_id, month=m.first.isoformat()[:7], **hours)


def report_month(session: Session, place: Place) -> Month | None:
    """The month a new report of `place` is for: last month's until it is recorded, then
    this month's (None: the place is not recorded monthly)."""
    today = clock.today()
    planner = Planner(session.records, session.reference, today)
    last = planner.month(place, first_of(first_of(today) - dt.timedelta(days=1)))
    if last is None or last.record is None:
        return last
    return planner.month(place, first_of(today))


def month_name(t: Translator, first: dt.date) -> str:
    return t("month.name", y=first.year, m=first.month)


def weekdays(t: Translator, days: tuple[dt.date, ...]) -> str:
    """The days of a week a place opens, run together: 月〜土, or 月・水〜金."""
    wds = sorted({d.weekday() for d in days})
    runs: list[list[int]] = []
    for wd in wds:
        if runs and wd == runs[-1][-1] + 1:
            runs[-1].append(wd)
        else:
            runs.append([wd])
    names = [t(f"office.schedule.wd.{wd}") for wd in range(7)]
    return t("month.sep").join(
        f"{names[r[0]]}{t('month.to')}{names[r[-1]]}" if len(r) > 2
        else t("month.sep").join(names[wd] for wd in r) for r in runs)


def month_state(t: Translator, m: Month, today: dt.date, *, named: bool = True) -> str:
    """Where the month's report stands (recorded, after the month, due by, overdue), with
    the month's name unless the line already says it."""
    state = m.state(today)
    said = t(f"month.{state}", date=t.date(m.due)) if state in (OWED, OVERDUE) \
        else t(f"month.{state}")
    return t("month.with_state", month=month_name(t, m.first), state=said) if named else said


def state_icon(m: Month, today: dt.date) -> ft.IconData:
    return {RECORDED: ft.Icons.CHECK_CIRCLE, RUNNING: ft.Icons.DATE_RANGE,
            OWED: ft.Icons.ASSIGNMENT_LATE_OUTLINED,
            OVERDUE: ft.Icons.ERROR_OUTLINE}[m.state(today)]


class MonthReportView(FormView):
    def __init__(self, session: Session, form: RecordForm) -> None:
        super().__init__(session, form)
        t, data = session.t, form.data
        place = session.records.place(data["place_id"])
        program = session.reference.programs.get(place.program) if place else None
        first = dt.date.fromisoformat(data["date"])
        month = Planner(session.records, session.reference).month(place, first) \
            if place else None
        self.fields: dict[str, ft.TextField] = {}
        self.days = self._number("opening_days", t("month.opening_days"), data["opening_days"],
                                 lambda v: self._change(opening_days=v),
                                 t("month.expected_days", count=month.opening_days)
                                 if month and month.opening_days else None)
        self.start = ft.TextField(label=t("gathering.start"), width=120,
                                  value=data["start_time"], on_blur=self._times)
        self.end = ft.TextField(label=t("gathering.end"), width=120, value=data["end_time"],
                                on_blur=self._times)
        categories = program.participant_categories if program else ()
        counts: list[ft.Control] = [self._number(f"attendance.{c.key}", t("month.participants_of",
                                                        label=c.label(t.lang)),
                               data["attendance"].get(c.key, 0), self._count(c.key))
                  for c in categories]
        extras: list[ft.Control] = [self._number("first_time", t("month.first_time"), data["first_time"],
                               lambda v: self._change(first_time=v)),
                  self._number("helpers", t("month.helpers"), data["helpers"],
                               lambda v: self._change(helpers=v))]
        self.total = ft.Text(size=20, weight=ft.FontWeight.BOLD)
        self.closed = ft.Switch(label=t("month.closed"), value=not data.get("held", True),
                                on_change=lambda e: self._held(not e.control.value))
        reasons = [(o.key, o.label(t.lang)) for o in session.reference.enums["not_held_reasons"]]
        self.reason = dropdown(t("week.not_held_reason"), reasons,
                               data.get("not_held_reason") or None,
                               lambda v: self._change(not_held_reason=v or ""), width=280)
        self.reason_box = named(self.reason)
        self.problems = ft.Text(color=ft.Colors.ERROR)
        activities = [(o.key, o.label(t.lang)) for o in session.reference.enums["activities"]]
        self.note: ft.TextField = ft.TextField(
            col={"xs": 12, "lg": 8}, label=t("gathering.note"), value=data["note"],
            multiline=True, min_lines=3, max_lines=8, on_change=self._note)
        self.build_with([
            self.header(t("month.title")),
            ft.Text(f"{place.name if place else ''}  {month_name(t, first)}", size=18),
            ft.Text(t("month.hint"), size=13, color=ft.Colors.ON_SURFACE_VARIANT),
            ft.Row([self.days, self.start, self.end], wrap=True, spacing=12, run_spacing=12),
            ft.Row([self.closed, self.reason_box], wrap=True, spacing=16, run_spacing=8),
            ft.Row([ft.Text(t("month.participants")), self.total]),
            ft.Row(counts, wrap=True, spacing=12, run_spacing=12),
            ft.Row(extras, wrap=True, spacing=12, run_spacing=12),
            self.problems,
            ft.Text(t("gathering.activities"), weight=ft.FontWeight.W_600),
            chip_group(activities, set(data["activities"]), self._activity),
            ft.ResponsiveRow([self.note]),
        ])

    def _number(self, name: str, label: str, value: Any, on_change: Callable[[Any], None],
                helper: str | None = None) -> ft.TextField:
        """A count typed from the report: kept as typed (digits become a number, nothing is
        0; anything else is kept too, so the form says what is wrong with it). Zero shows
        as an empty field, so typing the figure does not make it 025."""
        def changed(e: ft.Event[ft.TextField]) -> None:
            text = (e.control.value or "").strip()
            on_change(int(text) if text.isascii() and text.isdigit() else text or 0)

        box = ft.TextField(label=label, value=str(value) if value != 0 else "", hint_text="0",
                           width=240, helper=helper, keyboard_type=ft.KeyboardType.NUMBER,
                           on_change=changed)
        self.fields[name] = box
        return box

    def _count(self, key: str) -> Callable[[Any], None]:
        return lambda v: self._change(attendance={**self.form.data["attendance"], key: v})

    def _times(self, e: object) -> None:
        self._change(start_time=(self.start.value or "").strip(),
                     end_time=(self.end.value or "").strip())

    def _note(self, e: object) -> None:
        self._change(note=self.note.value or "")

    def _held(self, held: bool) -> None:
        if held:
            self._change(held=True, not_held_reason="")
        else:
            self._change(held=False, opening_days=0)

    def _activity(self, key: str, on: bool) -> None:
        chosen = [a for a in self.form.data["activities"] if a != key] + ([key] if on else [])
        self._change(activities=chosen)

    def paint(self) -> None:
        t, form = self.session.t, self.form
        counts = form.data["attendance"].values()
        self.total.value = t("gathering.total", count=sum(v for v in counts
                                                          if isinstance(v, int)))
        for name, box in self.fields.items():
            box.error = form.error(name, t.lang)
        if not form.data.get("held", True):
            self.days.value = ""
        self.start.error = form.error("start_time", t.lang)
        self.end.error = form.error("end_time", t.lang)
        rest = [form.error(n, t.lang) for n in ("date", "covers", "staff_visited", "activities")]
        self.problems.value = "\n".join(r for r in rest if r)
        show_text_state(self.note, form.error("note", t.lang), form.warning("note", t.lang))
        held = bool(form.data.get("held", True))
        self.reason_box.visible = not held
        self.days.disabled = not held
        self.reason.error_text = form.error("not_held_reason", t.lang)
