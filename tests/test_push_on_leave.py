"""A form's record is pushed when the form is left or has been quiet a while, not tap by
tap; one editing session is one rev, so the office's history has one version per session;
an edit made while its push is in flight still gets a rev of its own (no conflict).

The real app's objects over a real hub on 127.0.0.1 (SQLite and PostgreSQL): the Services
with their sync worker, the Shell on a real Flet session (as tests/test_navigation.py
opens one), the sealed store."""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import text

from core.domain.record import Record
from core.reference_data import load_reference
from field_app.store import Store
from field_app.ui.form import RecordForm
from field_app.ui.services import Services
from field_app.ui.shell import Shell
from hub import concerns as inbox
from sync.client import HUB_META, Syncer, enrol
from sync.http import HubClient
from tests.factories import IBASHO, REF, concern_data
from tests.hubs import Hub
from tests.test_navigation import opened

# a concern's own fields, whole: the first change of a session makes it a valid record
WHOLE = {k: v for k, v in concern_data().items()
         if k not in (*Record.META, "office", "observed")}
NOTE = "帰り道が分からなくなっていた。家族に連絡した。"


def pushes(hub: Hub) -> int:
    with hub.engine.connect() as conn:
        return int(conn.execute(text("SELECT COUNT(*) FROM audit WHERE action = 'push'"))
                   .scalar_one())


def on_hub(hub: Hub, rid: str) -> tuple[int, str] | None:
    """The record's rev and body as the hub holds it."""
    with hub.engine.connect() as conn:
        row = conn.execute(text("SELECT rev, body FROM records WHERE id = :id"),
                           {"id": rid}).first()
    return (int(row.rev), str(row.body)) if row is not None else None


def versions(hub: Hub, rid: str) -> list[str]:
    """What the office's history of the concern shows came from the device."""
    with hub.engine.connect() as conn:
        return [e["action"] for e in inbox.history(conn, rid)
                if e["action"] in ("received", "updated")]


async def until(done: Callable[[], bool], what: str, seconds: float = 30.0) -> None:
    """Wait (bounded in time and in count) for what the worker does on its own thread."""
    deadline = time.monotonic() + seconds
    for _ in range(3000):
        if done():
            return
        if time.monotonic() > deadline:
            break
        await asyncio.sleep(0.01)
    raise AssertionError(f"not seen within {seconds} s: {what}")


async def enrolled(data: Path, hub: Hub, quiet: float) -> Services:
    """An unlocked tablet enrolled with `hub`, its first pass done; the timer far off."""
    services = Services.at(data, load_reference(), interval=3600.0, quiet=quiet)
    services.create_pin("2468")
    services.enrol(hub.url, hub.code(), "tablet")
    await until(lambda: services.status.last_success is not None, "the first sync pass")
    return services


async def edit_then_leave(data: Path, hub: Hub) -> dict[str, Any]:
    _session, page = await opened(1280)
    services = await enrolled(data, hub, quiet=3600.0)  # never quiet long enough here
    try:
        shell = Shell(page, services, "ja")
        before = pushes(hub)
        shell.go("concern", place=IBASHO.id)
        form = shell.form
        assert form is not None
        for n in range(1, 31):  # one typing session: thirty saves
            form.change(**(WHOLE if n == 1 else {}), observed=NOTE[:n % len(NOTE) + 1]).result()
        store = services.store
        assert store is not None
        during = {"pushes": pushes(hub) - before, "rev": store.get("concern", form.id)["rev"],  # type: ignore[index]
                  "pending": store.pending_count()}
        shell.go("home")  # the form is left: what it saved goes now
        await until(lambda: on_hub(hub, form.id) is not None and store.pending_count() == 0,
                    "the concern on the hub")
        return {"during": during, "pushes": pushes(hub) - before, "hub": on_hub(hub, form.id),
                "versions": versions(hub, form.id),
                "saved": store.get("concern", form.id)}
    finally:
        services.stop()


def test_thirty_edits_in_one_form_are_one_push_and_one_version_and_leaving_sends_it(
        tmp_path: Path, hub: Hub) -> None:
    found = asyncio.run(edit_then_leave(tmp_path / "tablet", hub))
    assert found["during"] == {"pushes": 0, "rev": 1, "pending": 1}  # saved, not yet sent
    assert found["pushes"] == 1
    rev, body = found["hub"]
    assert rev == 1 and found["saved"]["rev"] == 1
    assert json.loads(body)["observed"] == found["saved"]["observed"]  # the last of the thirty
    assert found["versions"] == ["received"]  # the office's history: one entry for the session


async def quiet_form(data: Path, hub: Hub) -> dict[str, Any]:
    _session, page = await opened(1280)
    services = await enrolled(data, hub, quiet=0.2)  # the test's own quiet time
    try:
        shell = Shell(page, services, "ja")
        before = pushes(hub)
        shell.go("concern", place=IBASHO.id)
        form = shell.form
        assert form is not None
        form.change(**WHOLE, observed=NOTE).result()
        await until(lambda: on_hub(hub, form.id) is not None, "the quiet form's push")
        first = on_hub(hub, form.id)
        # still on the form: the next edit is a new version, its rev having been sent
        form.change(observed=NOTE + "翌日も確認する。").result()
        await until(lambda: (on_hub(hub, form.id) or (0, ""))[0] == 2, "the second push")
        return {"first": first and first[0], "open": shell.form is form,
                "pushes": pushes(hub) - before, "versions": versions(hub, form.id)}
    finally:
        services.stop()


def test_a_form_left_open_and_quiet_is_pushed_after_the_quiet_time(tmp_path: Path,
                                                                   hub: Hub) -> None:
    found = asyncio.run(quiet_form(tmp_path / "tablet", hub))
    assert found == {"first": 1, "open": True, "pushes": 2, "versions": ["received", "updated"]}


class EditingDuringPush(HubClient):
    """The real client; `during` runs once the batch is taken and before it is sent: the
    staff member typing while the push is on its way."""

    during: Callable[[], None] | None = None

    def push(self, records: list[dict[str, Any]], key: str) -> Any:
        during, self.during = self.during, None
        if during is not None:
            during()
        return super().push(records, key)


def test_an_edit_while_its_push_is_in_flight_gets_a_new_rev_and_no_conflict(
        tmp_path: Path, hub: Hub) -> None:
    with Store(tmp_path / "tablet") as store:
        enrol(store, hub.url, hub.code(), "tablet")
        token = str((store.meta(HUB_META) or {})["token"])
        form = RecordForm.open(store, REF, "concern", None, "山田 花子", place_id=IBASHO.id)
        form.change(**WHOLE, observed=NOTE).result()
        form.change(observed=NOTE + "追記").result()  # the same session: still rev 1
        assert store.get("concern", form.id)["rev"] == 1  # type: ignore[index]
        with EditingDuringPush(hub.url, token) as client:
            client.during = lambda: form.change(observed=NOTE + "追記、押している間に").result()
            report = Syncer(store, client).sync_once()
        # the push took rev 1; the edit made meanwhile is rev 2, sent next in the same pass
        assert (report.accepted, report.rebased, report.quarantined) == (2, 0, 0)
        saved = store.get("concern", form.id)
        assert saved is not None and saved["rev"] == 2 and saved["observed"].endswith("間に")
        assert store.pending_count() == 0
        assert on_hub(hub, form.id)[0] == 2  # type: ignore[index]
        assert hub.count("conflicts") == 0
        assert versions(hub, form.id) == ["received", "updated"]
