"""Follow-ups: my concerns with what the office did (new / triaged / referred / closed)."""

from __future__ import annotations

import datetime as dt

import flet as ft

from core.domain.concern import Concern
from field_app.store.repository import ConcernStub
from field_app.ui.session import Session
from ui_kit.widgets import caption, heading

PAGE = 40  # rows built at a time: thousands of old cases would make every visit slow


class FollowUpsView(ft.ListView):
    """A lazy list: the client builds the cases in sight, not the whole page of them."""

    def __init__(self, session: Session) -> None:
        super().__init__(spacing=12, expand=True)
        self.session = session
        t = session.t
        self.pending = session.records.pending_ids()
        self.shown = 0
        self.more = ft.TextButton(on_click=lambda e: self._more())
        self.controls = [heading(t("followups.title"))]
        self._page()
        if not self.total:
            self.controls.append(caption(t("followups.none")))

    def _page(self) -> None:
        """The next PAGE rows, in place before the "more" button (nothing above rebuilt);
        read a page at a time, in the list's order (Repository.concerns_listed)."""
        concerns, self.total = self.session.records.concerns_listed(self.shown, PAGE)
        rows = [self._row(c) for c in concerns]
        self.shown += len(rows)
        if self.more in self.controls:
            self.controls.remove(self.more)
        self.controls += rows
        left = self.total - self.shown
        if left > 0:
            self.more.content = self.session.t("list.more", count=left)
            self.controls.append(self.more)

    def _more(self) -> None:
        self._page()
        self.update()

    def _row(self, c: Concern | ConcernStub) -> ft.Control:
        session, t = self.session, self.session.t
        categories = "・".join(session.label("concern_categories", k) for k in c.categories)
        status = session.office_status_text(c.office)
        if isinstance(c, ConcernStub):  # closed long ago: the details left this device
            return ft.Card(content=ft.ListTile(
                title=ft.Text(categories), subtitle=ft.Text(f"{status}  {t('followups.stub')}"),
                leading=ft.Icon(ft.Icons.PERSON_OUTLINE)))
        lines = [f"{session.label('urgency', c.urgency)}  {status}"]
        if c.follow_up_on:
            lines.append(t("followups.due", date=t.date(dt.date.fromisoformat(c.follow_up_on))))
        if c.office is not None and c.office.feedback:  # what the office wants them to know
            lines.append(t("followups.feedback", text=c.office.feedback))
        if c.id in self.pending:
            lines.append(t("followups.not_sent"))
        return ft.Card(key=f"concern:{c.id}", content=ft.ListTile(  # see home
            title=ft.Text(f"{categories}  {c.subject_alias}".strip()),
            subtitle=ft.Text("\n".join(lines)),
            leading=ft.Icon(ft.Icons.PERSON_OUTLINE),
            on_click=lambda e, rid=c.id: session.go("concern", id=rid)))
