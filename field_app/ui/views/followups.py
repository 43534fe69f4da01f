"""Follow-ups: my concerns with what the office did (new / triaged / referred / closed)."""

from __future__ import annotations

import datetime as dt

import flet as ft

from field_app.store.repository import ConcernStub
from field_app.ui.session import Session
from ui_kit.widgets import caption, heading

URGENCY_ORDER = {"emergency": 0, "high": 1, "medium": 2, "watch": 3}


class FollowUpsView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        t = session.t
        concerns = session.records.concerns()
        concerns.sort(key=lambda c: (getattr(c, "follow_up_on", None) or "9999",
                                     URGENCY_ORDER.get(getattr(c, "urgency", ""), 9)))
        pending = session.records.pending_ids()
        rows: list[ft.Control] = []
        for c in concerns:
            categories = "・".join(session.label("concern_categories", k) for k in c.categories)
            status = session.office_status_text(c.office)
            if isinstance(c, ConcernStub):  # closed long ago: the details left this device
                rows.append(ft.Card(content=ft.ListTile(
                    title=ft.Text(categories), subtitle=ft.Text(f"{status}  {t('followups.stub')}"),
                    leading=ft.Icon(ft.Icons.PERSON_OUTLINE))))
                continue
            lines = [f"{session.label('urgency', c.urgency)}  {status}"]
            if c.follow_up_on:
                lines.append(t("followups.due", date=t.date(dt.date.fromisoformat(c.follow_up_on))))
            if c.office is not None and c.office.feedback:  # what the office wants them to know
                lines.append(t("followups.feedback", text=c.office.feedback))
            if c.id in pending:
                lines.append(t("followups.not_sent"))
            rows.append(ft.Card(key=f"concern:{c.id}", content=ft.ListTile(  # see home
                title=ft.Text(f"{categories}  {c.subject_alias}".strip()),
                subtitle=ft.Text("\n".join(lines)),
                leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
                on_click=lambda e, rid=c.id: session.go("concern", id=rid))))
        self.controls = [heading(t("followups.title")), *(rows or [caption(t("followups.none"))])]
