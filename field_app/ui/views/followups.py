"""Follow-ups: my concerns with what the office did (new / triaged / referred / closed)."""

from __future__ import annotations

import datetime as dt

import flet as ft

from field_app.ui.session import Session
from ui_kit.widgets import caption, heading

URGENCY_ORDER = {"emergency": 0, "high": 1, "medium": 2, "watch": 3}


class FollowUpsView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        t = session.t
        concerns = session.store.all("concern")
        concerns.sort(key=lambda d: (d.get("follow_up_on") or "9999",
                                     URGENCY_ORDER.get(d.get("urgency", ""), 9)))
        pending = {d["id"] for d in session.store.pending()}
        rows: list[ft.Control] = []
        for d in concerns:
            categories = "・".join(session.label("concern_categories", c)
                                   for c in d.get("categories") or [])
            status = session.office_status_text(d.get("office"))
            due = d.get("follow_up_on")
            lines = [f"{session.label('urgency', d.get('urgency'))}  {status}"]
            if due:
                lines.append(t("followups.due", date=t.date(dt.date.fromisoformat(due))))
            feedback = (d.get("office") or {}).get("feedback")
            if feedback:  # what the office wants the staff member to know
                lines.append(t("followups.feedback", text=feedback))
            if d["id"] in pending:
                lines.append(t("followups.not_sent"))
            if d.get("stub"):  # closed long ago: the details were removed from this device
                lines = [f"{status}  {t('followups.stub')}"]
            rows.append(ft.Card(content=ft.ListTile(
                title=ft.Text(f"{categories}  {d.get('subject_alias') or ''}".strip()),
                subtitle=ft.Text("\n".join(lines)),
                leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                on_click=None if d.get("stub") else (
                    lambda e, rid=d["id"]: session.go("concern", id=rid)))))
        self.controls = [heading(t("followups.title")), *(rows or [caption(t("followups.none"))])]
