"""A draft in a list: tap to go on with it, or discard it after saying so.

A draft is what a form holds that is not a saved record yet. It is listed where its kind is
listed (home lists every draft, the start-ups list its own), so a form left half-way is
found again instead of started twice; and one started by mistake can be thrown away. Only
the unsaved text goes: a saved record of the same id stays as it was saved."""

from __future__ import annotations

import flet as ft

from field_app.store.repository import Draft
from field_app.ui.screens import form_of
from field_app.ui.session import Session
from ui_kit.widgets import icon_button


def draft_tile(session: Session, draft: Draft, text: str) -> ft.Control:
    route, rid = form_of({"kind": draft.kind, "id": draft.id, "record_kind": draft.record_kind,
                          "record_id": draft.record_id})
    return ft.ListTile(
        key=f"draft:{draft.kind}:{draft.id}",  # a screen drawn again keeps its tiles apart
        title=ft.Text(text), leading=ft.Icon(ft.Icons.EDIT_OUTLINED),
        trailing=icon_button(ft.Icons.DELETE_OUTLINE, session.t("draft.discard"),
                             lambda e: confirm_discard(session, draft, text)),
        on_click=lambda e: session.go(route, id=rid), min_vertical_padding=6)


def confirm_discard(session: Session, draft: Draft, text: str) -> None:
    t, page = session.t, session.page
    done = False

    def discard(e: object) -> None:
        nonlocal done
        if done:  # a second tap while the first is on its way
            return
        done = True
        page.pop_dialog()

        def after(future: object) -> None:
            async def paint() -> None:
                session.toast(t("draft.discarded"))
                session.refresh()

            page.run_task(paint)

        session.store.discard_draft(draft.id).add_done_callback(after)

    page.show_dialog(ft.AlertDialog(
        modal=True, title=ft.Text(t("draft.discard_title")),
        content=ft.Text(t("draft.discard_text", item=text)),
        actions=[ft.TextButton(t("draft.keep"), on_click=lambda e: page.pop_dialog()),
                 ft.FilledButton(t("draft.discard"), on_click=discard,
                                 style=ft.ButtonStyle(bgcolor=ft.Colors.ERROR,
                                                      color=ft.Colors.ON_ERROR))]))
