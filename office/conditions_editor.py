"""A program's grant conditions in the console: one set per fiscal year it came into force,
each with period conditions (at least N qualifying gatherings per week, month, N months,
half year or year, and how a period a place was open for only part of counts) and year
conditions (average participants, number of gatherings, opening days per week), what
qualifies a gathering, and the おおむね tolerances. The hub checks them; a problem shows at
the field it names."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import flet as ft

from core.domain.conditions import PARTIAL
from office.desk import Desk
from ui_kit.widgets import caption, chip_group, dropdown, icon_button, named

PERIODS = ("week", "month", "months", "half", "fiscal_year")
MEASURES = ("average_participants", "gatherings", "opening_days_per_week")


def number(text: str) -> Any:
    """What was typed, as a number when it is one; otherwise as typed, for the hub to refuse
    with a message naming the field."""
    text = text.strip().replace(",", "")
    if text == "":
        return None
    try:
        return int(text)
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return text


class ConditionsEditor(ft.Column):
    def __init__(self, desk: Desk, path: str, versions: list[dict[str, Any]],
                 register: Callable[[str, ft.TextField], None]) -> None:
        super().__init__(spacing=8)
        self.desk, self.path, self.versions, self.register = desk, path, versions, register
        self._build()

    def _redraw(self) -> None:
        self._build()
        self.update()

    def _build(self) -> None:
        t = self.desk.t
        rows: list[ft.Control] = [ft.Text(t("office.conditions.title"),
                                          weight=ft.FontWeight.W_600)]
        for i, v in enumerate(self.versions):
            rows.append(self._version(i, v))
        rows.append(ft.TextButton(t("office.conditions.add_version"), icon=ft.Icons.ADD,
                                  on_click=lambda e: self._add_version()))
        self.controls = rows

    def _add_version(self) -> None:
        latest = copy.deepcopy(self.versions[-1]) if self.versions else {"periods": [],
                                                                        "year": []}
        latest["from_fiscal_year"] = self.desk.fiscal_year() + 1
        self.versions.append(latest)
        self._redraw()

    def _text(self, path: str, label: str, value: Any, on_change: Callable[[str], None],
              width: int = 120) -> ft.TextField:
        field = ft.TextField(label=label, value="" if value is None else str(value), width=width,
                             dense=True,
                             on_change=self.desk.typing(lambda e: on_change(e.control.value or "")))
        self.register(path, field)
        return field

    def _version(self, i: int, v: dict[str, Any]) -> ft.Control:
        t, path = self.desk.t, f"{self.path}[{i}]"
        head = ft.Row([
            self._text(f"{path}.from_fiscal_year", t("office.conditions.from"),
                       v.get("from_fiscal_year"),
                       lambda x: v.update(from_fiscal_year=number(x)), width=160),
            icon_button(ft.Icons.DELETE_OUTLINE, t("office.conditions.remove_version"),
                        lambda e: self._drop(self.versions, i)),
        ], spacing=8)
        periods = [self._period(f"{path}.periods[{j}]", v["periods"], j, c)
                   for j, c in enumerate(v.setdefault("periods", []))]
        years = [self._year(f"{path}.year[{j}]", v["year"], j, c)
                 for j, c in enumerate(v.setdefault("year", []))]
        return ft.Container(padding=10, border_radius=8, bgcolor=ft.Colors.SURFACE_CONTAINER_LOW,
                            content=ft.Column([
                                head, *periods,
                                ft.TextButton(t("office.conditions.add_period"), icon=ft.Icons.ADD,
                                              on_click=lambda e: self._add(v["periods"], {
                                                  "key": f"period{len(v['periods']) + 1}",
                                                  "label": {"ja": "", "en": ""},
                                                  "period": "month", "count": 1,
                                                  "qualifies": {}, "allowed_misses": 0,
                                                  "warn_days": 14})),
                                *years,
                                ft.TextButton(t("office.conditions.add_year"), icon=ft.Icons.ADD,
                                              on_click=lambda e: self._add(v["year"], {
                                                  "key": f"year{len(v['year']) + 1}",
                                                  "label": {"ja": "", "en": ""},
                                                  "measure": "gatherings", "minimum": 10,
                                                  "tolerance": 0, "qualifies": {}})),
                            ], spacing=6))

    def _add(self, into: list[dict[str, Any]], item: dict[str, Any]) -> None:
        into.append(item)
        self._redraw()

    def _label(self, path: str, c: dict[str, Any]) -> ft.TextField:
        label = c.setdefault("label", {"ja": "", "en": ""})

        def keep(x: str) -> None:
            label["ja"] = x
            label["en"] = label.get("en") or x

        return self._text(f"{path}.label", self.desk.t("office.conditions.label"),
                          label.get("ja"), keep, width=320)

    def _qualifies(self, path: str, c: dict[str, Any]) -> list[ft.Control]:
        d, t = self.desk, self.desk.t
        q = c.setdefault("qualifies", {})
        acts = [(o.key, o.label(t.lang)) for o in d.ref.enums["activities"]]

        def toggle(key: str, activity: str, on: bool) -> None:
            chosen = [a for a in q.get(key) or [] if a != activity] + ([activity] if on else [])
            if chosen:
                q[key] = chosen
            else:
                q.pop(key, None)

        def setter(key: str) -> Callable[[str], None]:
            def keep(x: str) -> None:
                value = number(x)
                if value in (None, 0):
                    q.pop(key, None)
                else:
                    q[key] = value
            return keep

        def window(end: str) -> Callable[[str], None]:
            def keep(x: str) -> None:
                w = dict(q.get("window") or {})
                if x.strip():
                    w[end] = x.strip()
                else:
                    w.pop(end, None)
                if w:
                    q["window"] = w
                else:
                    q.pop("window", None)
            return keep

        w = q.get("window") or {}
        return [
            self._text(f"{path}.qualifies.min_minutes", t("office.conditions.min_minutes"),
                       q.get("min_minutes"), setter("min_minutes")),
            self._text(f"{path}.qualifies.min_participants",
                       t("office.conditions.min_participants"), q.get("min_participants"),
                       setter("min_participants")),
            self._text(f"{path}.qualifies.window", t("office.conditions.window_from"),
                       w.get("from"), window("from"), width=110),
            self._text(f"{path}.qualifies.window.to", t("office.conditions.window_to"),
                       w.get("to"), window("to"), width=110),
            ft.Column([caption(t("office.conditions.activities_all")),
                       chip_group(acts, set(q.get("activities_all") or []),
                                  lambda k, on: toggle("activities_all", k, on))], spacing=2),
            ft.Column([caption(t("office.conditions.activities_any")),
                       chip_group(acts, set(q.get("activities_any") or []),
                                  lambda k, on: toggle("activities_any", k, on))], spacing=2),
        ]

    def _remove(self, items: list[dict[str, Any]], index: int) -> ft.Control:
        return icon_button(ft.Icons.DELETE_OUTLINE, self.desk.t("office.conditions.remove"),
                           lambda e: self._drop(items, index))

    def _drop(self, items: list[dict[str, Any]], index: int) -> None:
        del items[index]
        self._redraw()

    def _period(self, path: str, items: list[dict[str, Any]], j: int, c: dict[str, Any]
                ) -> ft.Control:
        t = self.desk.t

        def period(v: str | None) -> None:
            c["period"] = v or "month"
            if c["period"] == "months":
                c.setdefault("months", 2)
            else:
                c.pop("months", None)
            self._redraw()

        fields: list[ft.Control] = [
            self._label(path, c),
            named(dropdown(t("office.conditions.period"),
                           [(p, t(f"office.conditions.period.{p}")) for p in PERIODS],
                           c.get("period"), period, width=170)),
        ]
        if c.get("period") == "months":
            fields.append(self._text(f"{path}.months", t("office.conditions.months"),
                                     c.get("months"), lambda x: c.update(months=number(x))))
        fields += [
            self._text(f"{path}.count", t("office.conditions.count"), c.get("count"),
                       lambda x: c.update(count=number(x))),
            self._text(f"{path}.allowed_misses", t("office.conditions.allowed_misses"),
                       c.get("allowed_misses"), lambda x: c.update(allowed_misses=number(x) or 0),
                       width=150),
            self._text(f"{path}.warn_days", t("office.conditions.warn_days"), c.get("warn_days"),
                       lambda x: c.update(warn_days=number(x) or 0), width=150),
            named(dropdown(t("office.conditions.partial"),
                           [(k, t(f"office.conditions.partial.{k}")) for k in PARTIAL],
                           c.get("partial") or PARTIAL[0],
                           lambda v: c.update(partial=v or PARTIAL[0]), width=300)),
            *self._qualifies(path, c), self._remove(items, j)]
        return ft.Container(padding=8, border_radius=8, bgcolor=ft.Colors.SURFACE,
                            content=ft.Row(fields, wrap=True, spacing=8, run_spacing=8))

    def _year(self, path: str, items: list[dict[str, Any]], j: int, c: dict[str, Any]
              ) -> ft.Control:
        t = self.desk.t
        fields: list[ft.Control] = [
            self._label(path, c),
            named(dropdown(t("office.conditions.measure"),
                           [(m, t(f"office.conditions.measure.{m}")) for m in MEASURES],
                           c.get("measure"), lambda v: c.update(measure=v or "gatherings"),
                           width=220)),
            self._text(f"{path}.minimum", t("office.conditions.minimum"), c.get("minimum"),
                       lambda x: c.update(minimum=number(x))),
            self._text(f"{path}.tolerance", t("office.conditions.tolerance"), c.get("tolerance"),
                       lambda x: c.update(tolerance=number(x) or 0), width=150),
            *self._qualifies(path, c), self._remove(items, j)]
        return ft.Container(padding=8, border_radius=8, bgcolor=ft.Colors.SURFACE,
                            content=ft.Row(fields, wrap=True, spacing=8, run_spacing=8))
