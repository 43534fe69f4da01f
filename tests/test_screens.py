"""Every record kind the sync screen can list opens its form when tapped, on a real Flet
session: a pending or refused plan or start-up crashed the screen with a KeyError while
four modules each kept their own map between kinds and screens."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import flet as ft

from core.domain.kinds import FIELD_KINDS
from core.domain.photo import ATTACHABLE
from core.domain.record import Record
from field_app.ui.screens import ATTACHED, FORM_KINDS, FORM_ROUTES
from field_app.ui.shell import FORMS, Shell
from tests import factories
from tests.test_navigation import opened, shown, tap, unlocked

MADE = {"gathering": factories.gathering, "concern": factories.concern,
        "visit_note": factories.visit_note, "visit_plan": factories.visit_plan,
        "startup": factories.startup}


def test_every_kind_a_device_writes_has_one_screen() -> None:
    assert set(MADE) == set(FORM_ROUTES) and set(MADE) | ATTACHED == set(FIELD_KINDS)
    assert set(FORMS) == set(FORM_KINDS) and all(FORM_KINDS[FORM_ROUTES[k]] == k
                                                  for k in FORM_ROUTES)


async def taps_on_the_sync_screen(data: Path) -> list[tuple[str, str, str, dict[str, Any]]]:
    """Save a pending and a refused record of every kind, then tap each on the sync screen;
    returns (kind, which, route, params) of the screen each tap opened."""
    session, page = await opened(1280)
    opened_by: list[tuple[str, str, str, dict[str, Any]]] = []
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        made: dict[str, tuple[Record, Record]] = {}
        for kind, make in MADE.items():
            waiting, refused = make(device_id=store.device_id), make(device_id=store.device_id)
            store.save(waiting)
            store.save(refused)
            assert store.quarantine(refused.id, refused.rev, [
                {"field": "place_id", "value": "x", "expected_en": "a known place",
                 "expected_ja": "登録済みの場所"}])
            made[kind] = (waiting, refused)
        shell = Shell(page, services, "ja")
        for kind, (waiting, refused) in made.items():
            for which, record in (("pending", waiting), ("quarantined", refused)):
                shell.router.go("sync")
                if which == "pending":
                    target = next(c for c in shown(page) if isinstance(c, ft.ListTile)
                                  and isinstance(c.title, ft.Text)
                                  and labelled(c.title, shell.session.t("kind." + kind)))
                else:
                    target = fix_button(page, shell, kind)
                await tap(session, target)
                name, params = shell.route
                opened_by.append((kind, which, name, dict(params)))
                assert params.get("id") == record.id, (kind, which, params)
    return opened_by


def labelled(text: ft.Text, label: str) -> bool:
    return str(text.value).split("  ")[0] == label


def fix_button(page: ft.Page, shell: Shell, kind: str, label: str | None = None) -> ft.Control:
    """The 修正 button on the card of the refused record of `kind` (shown as `label`)."""
    label = label or shell.session.t("kind." + kind)
    for card in (c for c in shown(page) if isinstance(c, ft.Card)):
        column = card.content.content  # type: ignore[union-attr]
        title = column.controls[0]
        if labelled(title, label):
            row = column.controls[-1]
            return next(b for b in row.controls if isinstance(b, ft.FilledTonalButton))
    raise AssertionError(f"no refused {kind} on the sync screen")


def test_a_tap_on_every_kind_the_sync_screen_lists_opens_its_form(tmp_path: Path) -> None:
    opened_by = asyncio.run(taps_on_the_sync_screen(tmp_path))
    assert [(k, w, name) for k, w, name, _ in opened_by] == [
        (kind, which, FORM_ROUTES[kind]) for kind in MADE
        for which in ("pending", "quarantined")]


async def photo_taps_on_the_sync_screen(data: Path) -> list[tuple[str, str, str, str]]:
    """A pending and a refused photo of each kind of record that takes photos, tapped on the
    sync screen; returns (owner kind, which, route opened, id opened) and checks the id."""
    from tests.test_photos_store import picture

    session, page = await opened(1280)
    opened_by: list[tuple[str, str, str, str]] = []
    with unlocked(data) as services:
        store = services.store
        assert store is not None
        owners: dict[str, Record] = {}
        for n, kind in enumerate(ATTACHABLE):
            owner = MADE[kind](device_id=store.device_id)
            store.save(owner)
            store.acknowledge([(owner.id, owner.rev)])  # only the photos wait
            waiting = store.attach_photo(kind, owner.id, picture(400 + n, 300), "a.jpg", author="a")
            refused = store.attach_photo(kind, owner.id, picture(300, 400 + n), "b.jpg", author="a")
            assert store.quarantine(refused.id, refused.rev, [
                {"field": "record_id", "value": owner.id, "expected_en": "a known record",
                 "expected_ja": "登録済みの記録"}])
            assert waiting.id in store.outbox_ids()
            owners[kind] = owner
        shell = Shell(page, services, "ja")
        t = shell.session.t
        for kind, owner in owners.items():
            label = t("photo.of", kind=t("kind." + kind))
            for which in ("pending", "quarantined"):
                shell.router.go("sync")
                if which == "pending":
                    target = next(c for c in shown(page) if isinstance(c, ft.ListTile)
                                  and isinstance(c.title, ft.Text) and labelled(c.title, label))
                else:
                    target = fix_button(page, shell, kind, label)
                await tap(session, target)
                name, params = shell.route
                opened_by.append((kind, which, name, str(params.get("id"))))
                assert params.get("id") == owner.id, (kind, which, params)
    return opened_by


def test_a_tap_on_a_photo_on_the_sync_screen_opens_the_form_it_belongs_to(tmp_path: Path) -> None:
    opened_by = asyncio.run(photo_taps_on_the_sync_screen(tmp_path))
    assert [(k, w, name) for k, w, name, _ in opened_by] == [
        (kind, which, FORM_ROUTES[kind]) for kind in ATTACHABLE
        for which in ("pending", "quarantined")]
