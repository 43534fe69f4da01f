"""Sync: what waits, what the hub refused and why (fix and resend), progress, sync now,
and the photos waiting to go after their records."""

from __future__ import annotations

import flet as ft

from core.domain import clock
from core.domain.kinds import restore
from core.domain.photo import Photo
from core.domain.record import Record
from field_app.store.photos import SETTINGS_META
from field_app.ui import fields
from field_app.ui.photos import megabytes
from field_app.ui.screens import form_of
from field_app.ui.session import Session
from sync.client import Status
from ui_kit.widgets import caption, heading

PAGE = 40


class SyncView(ft.ListView):
    """A lazy list, the records that wait and the refused ones its items: the client builds
    what is in sight, not a page of forty tiles under the fold (the tab took 1.5-1.9x a tap
    between two one-control screens built whole, benchmarks.startup)."""

    def __init__(self, session: Session) -> None:
        super().__init__(spacing=8, expand=True)
        self.session = session
        t = session.t
        self.state = ft.Text(size=18, weight=ft.FontWeight.W_600)
        self.detail = caption("")
        self.notice = ft.Text(visible=False)  # what happened that the staff member should know
        self.progress = ft.ProgressBar(value=0, visible=False, semantics_label=t("sync.progress"))
        self.pending: list[ft.Control] = []
        self.limit = PAGE  # what waits, a page at a time: a long-unsynced tablet has thousands
        self.more = ft.TextButton(on_click=lambda e: self._more())
        self.quarantine: list[ft.Control] = []
        self.photos = ft.Text()
        self.photos_held = caption(t("sync.photos_held"))
        # how far the photos' bytes have got in this pass (Status.photos_sent, photos_total)
        self.photo_progress = ft.ProgressBar(value=0, visible=False,
                                             semantics_label=t("sync.photos_progress"))
        self.photo_count = caption("")
        buttons: list[ft.Control] = [ft.FilledButton(t("sync.now"), icon=ft.Icons.SYNC,
                                                     on_click=lambda e: session.services.notify())]
        held = bool((session.store.meta(SETTINGS_META) or {}).get("hold_until_office"))
        if held and session.services.can_sync_at_office:
            buttons.append(ft.OutlinedButton(t("sync.at_office"), icon=ft.Icons.PHOTO_LIBRARY,
                                             on_click=lambda e: session.services.sync_at_office()))
        # (not `top`: that is a list view's position on the page, and the screen went grey)
        self.head = ft.Column([
            heading(t("sync.title")),
            self.state, self.detail, self.notice, self.progress,
            ft.Row(buttons, wrap=True, spacing=12),
            self.photos, self.photos_held, self.photo_count, self.photo_progress,
        ], spacing=12)
        self.quarantined = heading(t("sync.quarantined"), 18)
        self.waiting = heading(t("sync.pending"), 18)
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
        self._show_photos(status)
        pending = session.records.pending(limit=self.limit)
        left = session.records.pending_count() - len(pending)
        self.more.content = t("list.more", count=left)
        # drawn again at every step of a sync: each item keyed by its record, so one that
        # stays keeps its control (a tap on its way arrives) and one that went was sent
        self.pending = [
            ft.ListTile(key=f"pending:{r.kind}:{r.id}",
                        title=ft.Text(f"{self._kind_of(r)}  {self._place_of(r)}"),
                        subtitle=ft.Text(str(getattr(r, "date", "") or getattr(r, "observed_on", "")
                                             or getattr(r, "taken_on", ""))),
                        dense=True, on_click=lambda e, r=r: self._open(r))
            for r in pending] or [caption(t("sync.nothing_pending"))]
        if left > 0:
            self.pending.append(self.more)
        rows: list[ft.Control] = []
        for q in session.records.quarantined():
            record = session.store.load(q.kind, q.id)
            # each reason by the field's label on its form, not the data's name for it
            reasons = fields.words(t, session.reference, q.kind).lines(q.reasons)
            rows.append(ft.Card(key=f"refused:{q.kind}:{q.id}", content=ft.Container(
                padding=12, content=ft.Column([
                ft.Text(f"{self._kind_of(record) if record else t('kind.' + q.kind)}  "
                        f"{self._place_of(record)}", weight=ft.FontWeight.W_600),
                ft.Text(t("sync.refused_because")), ft.Text(reasons, color=ft.Colors.ERROR),
                ft.Row([
                    ft.FilledTonalButton(t("sync.fix"), icon=ft.Icons.EDIT,
                                         on_click=lambda e, r=record: self._open(r)),
                    ft.OutlinedButton(t("sync.resend"), icon=ft.Icons.SEND,
                                      on_click=lambda e, q=q: self._resend(q.kind, q.id)),
                ], wrap=True),
            ]))))
        self.quarantine = rows or [caption(t("sync.nothing_quarantined"))]
        self.controls = [self.head, self.quarantined, *self.quarantine, self.waiting,
                         *self.pending]

    def _show_photos(self, status: Status) -> None:
        t, store = self.session.t, self.session.store
        count, size = store.photos_waiting()
        self.photos.value = (t("sync.photos_waiting", count=count, size=megabytes(size)) if count
                             else t("sync.photos_none"))
        self.photos_held.visible = bool(count) and bool(
            (store.meta(SETTINGS_META) or {}).get("hold_until_office"))
        sent, total = status.photos_sent, status.photos_total
        if total > 0:
            self.photo_progress.value = min(1.0, sent / total)
            self.photo_count.value = t("sync.photos_progress", sent=sent, total=total)
            self.photo_progress.visible = self.photo_count.visible = True
        else:
            self.photo_progress.visible = self.photo_count.visible = False

    def _open(self, record: Record | None) -> None:
        if record is not None:
            route, rid = form_of(record)
            self.session.go(route, id=rid)

    def _owner(self, record: Record | None) -> Record | None:
        """The record a photo belongs to (itself for any other kind)."""
        if not isinstance(record, Photo):
            return record
        return self.session.store.load(record.record_kind, record.record_id)

    def _kind_of(self, record: Record) -> str:
        t = self.session.t
        if isinstance(record, Photo):
            return t("photo.of", kind=t("kind." + record.record_kind))
        return t("kind." + record.kind)

    def _more(self) -> None:
        self.limit += PAGE
        self.show(self.session.services.status)
        self.update()

    def _place_of(self, record: Record | None) -> str:
        owner = self._owner(record)
        return (self.session.place_name(getattr(owner, "place_id", None))
                or self.session.startup_name(getattr(owner, "startup_id", None))
                or str(getattr(owner, "group_name", "") or ""))

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
