"""Settings: the hub and enrolment, the staff name, the language, the photos' storage
and whether they wait for the office."""

from __future__ import annotations

from concurrent.futures import Future

import flet as ft

from core.domain.errors import IbashoError
from field_app.store.photos import SETTINGS_META
from field_app.ui.photos import megabytes
from field_app.ui.services import PROFILE
from field_app.ui.session import Session
from sync.client import HUB_META
from ui_kit.widgets import caption, heading
from ui_kit.words import Words


class SettingsView(ft.Column):
    def __init__(self, session: Session, on_language: object) -> None:
        super().__init__(spacing=14, scroll=ft.ScrollMode.AUTO, expand=True)
        self.session = session
        t = session.t
        hub = session.store.meta(HUB_META) or {}
        self.hub_url = ft.TextField(label=t("settings.hub"), value=hub.get("url", ""),
                                    hint_text="https://hub.example.jp", width=420)
        self.code = ft.TextField(label=t("settings.code"), width=260,
                                 capitalization=ft.TextCapitalization.CHARACTERS)
        self.enrol_result = ft.Text()
        self.name = ft.TextField(label=t("settings.name"), value=session.services.author(),
                                 width=260, on_blur=lambda e: self._save_name())
        enrolled = (t("settings.enrolled", staff=hub.get("staff_name", ""), url=hub.get("url", ""))
                    if hub else t("settings.not_enrolled"))
        self.controls = [
            heading(t("settings.title")),
            heading(t("settings.hub_section"), 18),
            caption(enrolled),
            self.hub_url,
            ft.Row([self.code, ft.FilledButton(t("settings.enrol"), icon=ft.Icons.LINK,
                                               on_click=lambda e: self._enrol())],
                   wrap=True, spacing=12),
            self.enrol_result,
            heading(t("settings.staff_section"), 18),
            self.name,
            *self._photos(),
            heading(t("settings.language"), 18),
            ft.SegmentedButton(segments=[ft.Segment(value="ja", label=ft.Text("日本語")),
                                         ft.Segment(value="en", label=ft.Text("English"))],
                               selected=[t.lang],
                               on_change=lambda e: on_language(next(iter(e.control.selected)))),  # type: ignore[operator]
            caption(t("settings.device", id=session.store.device_id)),
        ]

    def _photos(self) -> list[ft.Control]:
        """What the photos take against their budget, what waits, and the hold switch."""
        t, store = self.session.t, self.session.store
        settings, used = store.photos.settings, store.photos.used()
        count, size = store.photos_waiting()
        held = bool((store.meta(SETTINGS_META) or {}).get("hold_until_office"))
        self.hold = ft.Switch(label=t("settings.photos_hold"), value=held,
                              on_change=lambda e: self._hold(bool(e.control.value)))
        return [
            heading(t("settings.photos_section"), 18),
            ft.Text(t("settings.photos_used", used=megabytes(used),
                      budget=f"{settings.budget_mb} MB")),
            ft.ProgressBar(value=min(1.0, used / settings.budget_bytes), width=420,
                           semantics_label=t("settings.photos_section")),
            caption(t("settings.photos_waiting", count=count, size=megabytes(size))),
            self.hold,
            caption(t("settings.photos_retention", days=settings.retention_days_after_sent)),
        ]

    def _hold(self, on: bool) -> None:
        store = self.session.store
        value = {**(store.meta(SETTINGS_META) or {}), "hold_until_office": on}
        store.set_meta_async(SETTINGS_META, value).add_done_callback(self._saved)

    def _save_name(self) -> None:
        profile = self.session.store.meta(PROFILE) or {}
        saving = self.session.store.set_meta_async(  # the writer's fsync, not the UI's
            PROFILE, {**profile, "name": (self.name.value or "").strip()})
        saving.add_done_callback(self._saved)

    def _saved(self, future: Future[None]) -> None:
        error = future.exception()
        if error is not None:
            self.session.report_error(error if isinstance(error, IbashoError) else IbashoError(
                str(error), message_ja="保存できませんでした。"))

    def _enrol(self) -> None:
        t, session = self.session.t, self.session
        url, code = (self.hub_url.value or "").strip(), (self.code.value or "").strip()
        if not url.startswith(("http://", "https://")) or not code:
            self.enrol_result.value = t("settings.enrol_missing")
            self.enrol_result.color = ft.Colors.ERROR
            self.update()
            return
        self.enrol_result.value = t("settings.enrolling")
        self.enrol_result.color = None
        self.update()

        def work() -> None:  # network: off the UI's event path
            try:
                staff = session.services.enrol(url, code, "tablet")
                text, color = t("settings.enrol_ok", staff=staff), ft.Colors.PRIMARY
            except IbashoError as exc:  # what the hub found wrong, by this screen's labels
                words = Words(t, session.reference, {"code": t("settings.code")}, ("field.",))
                text = words.refusal(exc.text(t.lang), getattr(exc, "problems", []))
                color = ft.Colors.ERROR

            async def show() -> None:
                self.enrol_result.value, self.enrol_result.color = text, color
                self.code.value = ""
                self.update()

            session.page.run_task(show)

        session.page.run_thread(work)
