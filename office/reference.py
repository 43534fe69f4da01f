"""Referral destinations and program settings: what the office changes from year to year.
Tablets receive them at their next sync. A destination is retired, never deleted: earlier
concerns still name it."""

from __future__ import annotations

import secrets
from collections.abc import Callable
from typing import Any

import flet as ft

from office.client import OfficeError
from office.conditions_editor import ConditionsEditor, number
from office.desk import Desk
from ui_kit.widgets import caption, heading
from ui_kit.words import Words

NUMBERS = ("grant_cap_yen",)


class ReferenceView(ft.Column):
    def __init__(self, desk: Desk, back: Callable[[], None] | None = None) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.desk = desk
        self.doc: dict[str, Any] = {}
        self.inputs: dict[str, ft.TextField] = {}  # "destinations[2].ja" -> its field
        self.others = ft.Text(color=ft.Colors.ERROR)  # problems with no field of their own
        self.controls = [caption(desk.t("office.loading"))]

    async def load(self) -> None:
        doc = await self.desk.call(self.desk.client.reference())
        if doc is None:
            return
        # the form edits the document it sends back, as typed (the hub's domain names what
        # is wrong), so it keeps it as a document, not as the answer's model
        self.doc = doc.model_dump()
        self._build()
        self.update()

    # building ----------------------------------------------------------------------

    def _text(self, path: str, label: str, value: Any, on_change: Callable[[str], None],
              width: int = 220) -> ft.TextField:
        field = ft.TextField(label=label, value="" if value is None else str(value), width=width,
                             on_change=self.desk.typing(lambda e: on_change(e.control.value or "")))
        self.inputs[path] = field
        return field

    def _build(self) -> None:
        t = self.desk.t
        self.inputs = {}
        rows = [self._destination(i, d) for i, d in enumerate(self.doc["destinations"])]
        programs = [self._program(k, s) for k, s in self.doc["programs"].items()]
        self.controls = [
            ft.Row([heading(t("office.reference.title")), ft.Container(expand=True),
                    ft.FilledButton(t("office.reference.save"), icon=ft.Icons.SAVE,
                                    on_click=lambda e: self.desk.send(self._save))]),
            caption(t("office.reference.hint")),
            self.others,
            ft.Text(t("office.reference.destinations"), size=18, weight=ft.FontWeight.W_600),
            *rows,
            ft.OutlinedButton(t("office.reference.add_destination"), icon=ft.Icons.ADD,
                              on_click=lambda e: self._add()),
            ft.Text(t("office.reference.programs"), size=18, weight=ft.FontWeight.W_600),
            *programs]

    def _destination(self, i: int, d: dict[str, Any]) -> ft.Control:
        # by its name only: the key is the data's (concerns name it), not something staff
        # read or choose
        t, path = self.desk.t, f"destinations[{i}]"
        return ft.Card(content=ft.Container(padding=10, content=ft.Row([
            self._text(f"{path}.ja", t("office.reference.name_ja"), d["ja"],
                       lambda v: d.update(ja=v), width=240),
            self._text(f"{path}.en", t("office.reference.name_en"), d["en"],
                       lambda v: d.update(en=v), width=210),
            self._text(f"{path}.phone", t("office.reference.phone"), d.get("phone", ""),
                       lambda v: d.update(phone=v), width=140),
            ft.Switch(label=t("office.reference.emergency"), value=bool(d.get("emergency")),
                      on_change=lambda e: d.update(emergency=bool(e.control.value))),
            ft.Switch(label=t("office.reference.retired"), value=bool(d.get("retired")),
                      on_change=lambda e: d.update(retired=bool(e.control.value))),
        ], wrap=True, spacing=12, run_spacing=8)))

    def _program(self, key: str, s: dict[str, Any]) -> ft.Control:
        d, t, path = self.desk, self.desk.t, f"programs.{key}"

        def setter(name: str) -> Callable[[str], None]:
            return lambda v: s.update({name: number(v) if name in NUMBERS else v})

        numbers: list[ft.Control] = [self._text(f"{path}.{name}", t(f"office.reference.{name}"), s[name],
                              setter(name), width=200)
                   for name in NUMBERS if name in s]
        return ft.Card(content=ft.Container(padding=12, content=ft.Column([
            ft.Text(d.program(key), weight=ft.FontWeight.W_600),
            ft.Row(numbers, wrap=True, spacing=12, run_spacing=8),
            ft.Row([self._text(f"{path}.frequency_ja", t("office.reference.frequency"),
                               s["frequency_ja"], setter("frequency_ja"), width=480),
                    ft.Switch(label=t("office.reference.requires_registration"),
                              value=bool(s["requires_registration"]),
                              on_change=lambda e: s.update(
                                  requires_registration=bool(e.control.value)))],
                   wrap=True, spacing=12),
            ConditionsEditor(d, f"{path}.conditions", s.setdefault("conditions", []),
                             self._register)], spacing=10)))

    def _register(self, path: str, field: ft.TextField) -> None:
        self.inputs[path] = field

    def _add(self) -> None:
        # the key concerns will name it by: made here, never typed or shown
        taken = {x["key"] for x in self.doc["destinations"]}
        key = f"d{secrets.token_hex(4)}"
        while key in taken:
            key = f"d{secrets.token_hex(4)}"
        self.doc["destinations"].append({"key": key, "ja": "", "en": "", "phone": "",
                                         "emergency": False, "retired": False, "_new": True})
        self._build()
        self.update()

    # saving ------------------------------------------------------------------------

    def words(self) -> Words:
        """A destination by its name (「つなぎ先「…」」), a program by its label."""
        t = self.desk.t
        names = {f"destinations[{i}]": t("office.reference.destination_named",
                                          name=x["ja"] or t("office.reference.unnamed"))
                 for i, x in enumerate(self.doc["destinations"])}
        names |= {"programs": "", "conditions": t("office.conditions.title")}
        return self.desk.words(("office.reference.", "office.conditions."), names)

    async def _save(self) -> None:
        d, t = self.desk, self.desk.t
        doc = {"destinations": [{k: v for k, v in x.items() if k != "_new"}
                                for x in self.doc["destinations"]],
               "programs": self.doc["programs"]}
        for field in self.inputs.values():
            field.error = None
        self.others.value = ""

        words = self.words()

        def show(exc: OfficeError) -> None:
            rest = []
            for p in exc.problems:
                if p["field"] in self.inputs:  # named by path: destinations[9].ja
                    self.inputs[p["field"]].error = words.expected(p)
                else:  # a menu, a chip or a whole list: said above, by its labels
                    rest.append(words.line(p))
            self.others.value = "\n".join(rest)
            self.update()

        saved = await d.submit(d.client.save_reference(doc), show, words)
        if saved is None:
            return
        self.doc = saved.model_dump()
        await d.refresh_reference()
        d.toast(t("office.reference.saved"))
        self._build()
        self.update()
