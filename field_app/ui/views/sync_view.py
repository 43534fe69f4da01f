"""Sync: what waits, what the hub refused and why (fix and resend), progress, sync now."""

from __future__ import annotations

import flet as ft

from core.domain import clock
from core.domain.kinds import restore
from core.domain.record import Record
from field_app.ui import fields
from field_app.ui.screens import form_route
from field_app.ui.session import Session
from sync.client import Status
from ui_kit.widgets import caption, heading


class SyncView(ft.Column):
    def __init__(self, session: Session) -> None:
        super().__init__(spacing=12, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session = session
        t = session.t
        self.state = ft.Text(size=18, weight=ft.FontWeight.W_600)
        self.detail = caption("")
        self.notice = ft.Text(visible=False)  # what happened that the staff member should know
        self.progress = ft.ProgressBar(value=0, visible=False, semantics_label=t("sync.progress"))
        self.pending = ft.Column(spacing=2)
        self.quarantine = ft.Column(spacing=8)
        self.controls = [
            heading(t("sync.title")),
            self.state, self.detail, self.notice, self.progress,
            ft.Row([ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC,
                                    on_click=lambda e: session.services.notify())]),
            heading(t("sync.quarantined"), 18), self.quarantine,
            heading(t("sync.pending"), 18), self.pending,
        ]
        self.show(session.services.status)

    def show(self, status: Status) -> None:
        t, session = self.session.t, self.session
        self.state.value = t(f"sync.state.{status.state}", pending=status.pending)
        parts = []
        if status.last_success:
            parts.append(t("sync.last_success", when=clock.minute(status.last_success)))
        message = status.message_ja if t.lang == "ja" else status.message
        if message and status.state not in ("idle", "syncing"):
            parts.append(message)
        self.detail.value = "　".join(parts)
        notices = []
        if status.state == "revoked":  # revoked, or unknown to a hub restored from a backup
            notices.append(t("sync.revoked_what_to_do"))
        if status.restored_at:
            notices.append(t("sync.restored", when=clock.minute(status.restored_at),
                             count=status.offered_again))
        self.notice.value = "\n".join(notices)
        self.notice.visible = bool(notices)
        self.progress.visible = status.state == "syncing" and status.total > 0
        self.progress.value = (status.sent / status.total) if status.total else 0
        pending = session.records.pending(limit=200)
        self.pending.controls = [
            ft.ListTile(title=ft.Text(f"{t('kind.' + r.kind)}  {self._place_of(r)}"),
                        subtitle=ft.Text(str(getattr(r, "date", "") or getattr(r, "observed_on", ""))),
                        dense=True, on_click=lambda e, r=r: session.go(form_route(r.kind), id=r.id))
            for r in pending] or [caption(t("sync.nothing_pending"))]
        rows: list[ft.Control] = []
        for q in session.records.quarantined():
            # each reason by the field's label on its form, not the data's name for it
            reasons = fields.words(t, session.reference, q.kind).lines(q.reasons)
            rows.append(ft.Card(content=ft.Container(padding=12, content=ft.Column([
                ft.Text(f"{t('kind.' + q.kind)}  {self._place_of(session.store.load(q.kind, q.id))}",
                        weight=ft.FontWeight.W_600),
                ft.Text(t("sync.refused_because")), ft.Text(reasons, color=ft.Colors.ERROR),
                ft.Row([
                    ft.FilledTonalButton(t("sync.fix"), icon=ft.Icons.EDIT,
                                         on_click=lambda e, q=q: session.go(form_route(q.kind), id=q.id)),
                    ft.OutlinedButton(t("sync.resend"), icon=ft.Icons.SEND,
                                      on_click=lambda e, q=q: self._resend(q.kind, q.id)),
                ], wrap=True),
            ]))))
        self.quarantine.controls = rows or [caption(t("sync.nothing_quarantined"))]

    def _place_of(self, record: Record | None) -> str:
        return self.session.place_name(getattr(record, "place_id", None))

    def _resend(self, kind: str, rid: str) -> None:
        """Send as is once more (e.g. the office has since added the missing place)."""
        record = self.session.store.load(kind, rid)
        if record is None:
            return
        future = self.session.store.save_async(restore({**record.to_dict(), "rev": record.rev + 1}))

        async def refresh() -> None:
            self.show(self.session.services.status)
            self.update()

        def done(f: object) -> None:
            self.session.services.notify()
            self.session.page.run_task(refresh)

        future.add_done_callback(done)
