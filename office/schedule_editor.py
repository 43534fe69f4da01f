"""The place editor's schedule: recurrence rules (毎週, 第n曜日, 毎月の日, N週ごと) with
their times, exceptions (a date cancelled or moved) and closed spans (年末年始). The hub
checks it; its problems are shown here by the rule or row they name."""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Callable, Mapping
from typing import Any

import flet as ft

from ui_kit.i18n import Translator
from ui_kit.widgets import caption, chip_group, dropdown, icon_button, named
from ui_kit.words import Words

FREQS = ("weekly", "monthly_nth", "monthly_day", "every_n_weeks")
NTH = ((1, "1"), (2, "2"), (3, "3"), (4, "4"), (5, "5"), (-1, "last"))
PATH = re.compile(r"^recurrence\.(rules|exceptions|closed)\[(\d+)\]\.(\w+)")


def blank_rule() -> dict[str, Any]:
    return {"freq": "monthly_nth", "nth": [2], "weekday": 1, "every_months": 1,
            "first_month": 4, "start_time": "10:00", "end_time": "12:00"}


class ScheduleEditor(ft.Column):
    def __init__(self, t: Translator, value: Mapping[str, Any] | None) -> None:
        super().__init__(spacing=8)
        self.t = t
        given = dict(value or {})
        self.rules: list[dict[str, Any]] = [dict(r) for r in given.get("rules") or []]
        self.exceptions: list[dict[str, Any]] = [dict(e) for e in given.get("exceptions") or []]
        self.closed: list[dict[str, Any]] = [dict(c) for c in given.get("closed") or []]
        self.problems: dict[tuple[str, int], list[str]] = {}
        self.other_problems: list[str] = []
        self._build()

    def value(self) -> dict[str, Any] | None:
        if not (self.rules or self.exceptions or self.closed):
            return None
        return {"rules": self.rules, "exceptions": self.exceptions, "closed": self.closed}

    def show_problems(self, problems: list[dict[str, Any]], words: Words) -> None:
        """The hub's problems under `recurrence…`, each by the row it names."""
        words = dataclasses.replace(words, prefixes=(
            "office.schedule.field.", "office.schedule.", *words.prefixes))
        self.problems, self.other_problems = {}, []
        for p in problems:
            field = p.get("field", "")
            if not field.startswith("recurrence"):
                continue
            found = PATH.match(field)
            if found:
                where = (found.group(1), int(found.group(2)))
                label = words.field(found.group(3))
                self.problems.setdefault(where, []).append(f"{label}: {words.expected(p)}")
            else:
                self.other_problems.append(words.line(p))
        self._build()
        self.update()

    # building ---------------------------------------------------------------------------

    def _redraw(self) -> None:
        self._build()
        self.update()

    def _build(self) -> None:
        t = self.t
        rows: list[ft.Control] = [
            ft.Text(t("office.schedule.title"), size=16, weight=ft.FontWeight.W_600),
            caption(t("office.schedule.hint"))]
        rows += [self._rule_row(i, r) for i, r in enumerate(self.rules)]
        rows.append(ft.TextButton(t("office.schedule.add_rule"), icon=ft.Icons.ADD,
                                  on_click=lambda e: self._add(self.rules, blank_rule())))
        rows.append(ft.Text(t("office.schedule.exceptions"), weight=ft.FontWeight.W_600))
        rows += [self._exception_row(i, x) for i, x in enumerate(self.exceptions)]
        rows.append(ft.TextButton(t("office.schedule.add_exception"), icon=ft.Icons.ADD,
                                  on_click=lambda e: self._add(self.exceptions,
                                                               {"date": "", "action": "cancelled"})))
        rows.append(ft.Text(t("office.schedule.closed"), weight=ft.FontWeight.W_600))
        rows.append(caption(t("office.schedule.closed_hint")))
        rows += [self._closed_row(i, c) for i, c in enumerate(self.closed)]
        rows.append(ft.TextButton(t("office.schedule.add_closed"), icon=ft.Icons.ADD,
                                  on_click=lambda e: self._add(self.closed, {
                                      "from": "12-29", "to": "01-03", "note": "年末年始"})))
        rows += [ft.Text(line, color=ft.Colors.ERROR) for line in self.other_problems]
        self.controls = rows

    def _add(self, into: list[dict[str, Any]], item: dict[str, Any]) -> None:
        into.append(item)
        self._redraw()

    def _remove(self, into: list[dict[str, Any]], index: int) -> None:
        del into[index]
        self.problems = {}
        self._redraw()

    def _text(self, label: str, row: dict[str, Any], key: str, width: int = 130,
              to_value: Callable[[str], Any] | None = None) -> ft.TextField:
        def keep(e: Any) -> None:
            raw = (e.control.value or "").strip()
            if not raw:
                row.pop(key, None)
            else:
                row[key] = to_value(raw) if to_value else raw

        return ft.TextField(label=label, value="" if row.get(key) is None else str(row[key]),
                            width=width, dense=True, on_change=keep)

    def _errors(self, kind: str, index: int) -> list[ft.Control]:
        return [ft.Text(line, color=ft.Colors.ERROR, size=13)
                for line in self.problems.get((kind, index), [])]

    def _box(self, kind: str, index: int, items: list[dict[str, Any]],
             fields: list[ft.Control]) -> ft.Control:
        remove = icon_button(ft.Icons.DELETE_OUTLINE, self.t("office.schedule.remove"),
                             lambda e: self._remove(items, index))
        return ft.Container(padding=8, border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                            content=ft.Column([ft.Row([*fields, remove], wrap=True, spacing=8,
                                                      run_spacing=8),
                                               *self._errors(kind, index)], spacing=4))

    def _rule_row(self, i: int, r: dict[str, Any]) -> ft.Control:
        t = self.t
        weekdays = [(str(d), t(f"office.schedule.wd.{d}")) for d in range(7)]

        def freq(v: str | None) -> None:
            times = {k: r[k] for k in ("start_time", "end_time") if k in r}
            r.clear()
            r.update(freq=v or "weekly", **times)
            if r["freq"] == "weekly":
                r["weekdays"] = [0]
            elif r["freq"] == "monthly_nth":
                r.update(nth=[1], weekday=0, every_months=1, first_month=4)
            elif r["freq"] == "monthly_day":
                r.update(day=1, every_months=1, first_month=4)
            else:
                r.update(interval=2, anchor="")
            self._redraw()

        def toggle(key: str, value: int, on: bool) -> None:
            chosen = [x for x in r.get(key) or [] if x != value] + ([value] if on else [])
            r[key] = sorted(chosen)

        fields: list[ft.Control] = [named(dropdown(
            t("office.schedule.freq"), [(f, t(f"office.schedule.freq.{f}")) for f in FREQS],
            r.get("freq"), freq, width=200))]
        kind = r.get("freq")
        if kind == "weekly":
            fields.append(chip_group(weekdays, {str(d) for d in r.get("weekdays") or []},
                                     lambda k, on: toggle("weekdays", int(k), on)))
        if kind == "monthly_nth":
            fields.append(chip_group([(str(n), t(f"office.schedule.nth.{label}"))
                                      for n, label in NTH],
                                     {str(n) for n in r.get("nth") or []},
                                     lambda k, on: toggle("nth", int(k), on)))
            fields.append(named(dropdown(t("office.schedule.weekday"), weekdays,
                                         str(r.get("weekday", 0)),
                                         lambda v: r.update(weekday=int(v or 0)), width=120)))
        if kind == "monthly_day":
            fields.append(self._text(t("office.schedule.day"), r, "day", 100,
                                     lambda v: int(v) if v.isdigit() else v))
        def every(v: str | None) -> None:
            r["every_months"] = int(v or 1)
            self._redraw()

        if kind in ("monthly_nth", "monthly_day"):
            fields.append(named(dropdown(
                t("office.schedule.every_months"),
                [(str(n), t("office.schedule.months", n=n)) for n in (1, 2, 3, 6)],
                str(r.get("every_months", 1)), every, width=150)))
            if int(r.get("every_months", 1)) > 1:
                fields.append(named(dropdown(
                    t("office.schedule.first_month"),
                    [(str(m), t("office.schedule.month", m=m)) for m in range(1, 13)],
                    str(r.get("first_month", 4)),
                    lambda v: r.update(first_month=int(v or 4)), width=130)))
        if kind == "every_n_weeks":
            fields.append(named(dropdown(
                t("office.schedule.interval"),
                [(str(n), t("office.schedule.weeks", n=n)) for n in range(2, 7)],
                str(r.get("interval", 2)), lambda v: r.update(interval=int(v or 2)), width=140)))
            fields.append(self._text(t("office.schedule.anchor"), r, "anchor", 160))
        fields += [self._text(t("office.schedule.start"), r, "start_time", 100),
                   self._text(t("office.schedule.end"), r, "end_time", 100)]
        return self._box("rules", i, self.rules, fields)

    def _exception_row(self, i: int, x: dict[str, Any]) -> ft.Control:
        t = self.t

        def action(v: str | None) -> None:
            x["action"] = v or "cancelled"
            if x["action"] == "cancelled":
                for key in ("to", "start_time", "end_time"):
                    x.pop(key, None)
            self._redraw()

        fields: list[ft.Control] = [
            self._text(t("office.schedule.date"), x, "date", 150),
            named(dropdown(t("office.schedule.action"),
                           [(a, t(f"office.schedule.action.{a}")) for a in ("cancelled", "moved")],
                           x.get("action"), action, width=140))]
        if x.get("action") == "moved":
            fields += [self._text(t("office.schedule.to"), x, "to", 150),
                       self._text(t("office.schedule.start"), x, "start_time", 100),
                       self._text(t("office.schedule.end"), x, "end_time", 100)]
        fields.append(self._text(t("office.schedule.note"), x, "note", 200))
        return self._box("exceptions", i, self.exceptions, fields)

    def _closed_row(self, i: int, c: dict[str, Any]) -> ft.Control:
        t = self.t
        return self._box("closed", i, self.closed, [
            self._text(t("office.schedule.from"), c, "from", 150),
            self._text(t("office.schedule.until"), c, "to", 150),
            self._text(t("office.schedule.note"), c, "note", 200)])
