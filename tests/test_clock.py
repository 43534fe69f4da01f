"""Japan time, everywhere a person reads a time (issue: 「最終同期 21:14」 in UTC, a
referral dated tomorrow). One module says how; at 23:30 UTC Japan is already on the next
day at 08:30."""

from __future__ import annotations

import ast
import asyncio
import datetime as dt
from pathlib import Path

import flet as ft

from core.domain import clock
from field_app.ui.shell import Shell
from sync.client import Status
from tests.test_navigation import opened, shown, unlocked

ROOT = Path(__file__).resolve().parent.parent
LATE = dt.datetime(2026, 12, 6, 23, 30, tzinfo=dt.UTC)  # 08:30 on the 7th in Japan


def test_an_instant_is_read_in_japan_time() -> None:
    assert clock.local(LATE) == dt.datetime(2026, 12, 7, 8, 30, tzinfo=clock.JST)
    assert clock.today(LATE) == dt.date(2026, 12, 7)
    assert clock.minute("2026-12-06T23:30:00+00:00") == "2026-12-07 08:30"
    assert clock.minute("2026-12-06T23:30:00") == "2026-12-07 08:30"  # stored UTC, no zone
    assert clock.minute("2026-12-07T08:30:00+09:00") == "2026-12-07 08:30"
    assert clock.minute("not a time") == "not a time"  # shown, never hidden
    assert clock.now().utcoffset() == dt.timedelta(hours=9)


def test_the_sync_screen_says_when_it_last_synced_in_japan_time(tmp_path: Path) -> None:
    async def read() -> list[str]:
        _, page = await opened(1280)
        with unlocked(tmp_path) as services:
            shell = Shell(page, services, "ja")
            shell.router.go("sync")
            view = next(c for c in shown(page) if type(c).__name__ == "SyncView")
            view.show(Status(state="idle", last_success=LATE.isoformat(),  # type: ignore[attr-defined]
                             restored_at=LATE.isoformat(), offered_again=3))
            texts = [str(c.value) for c in shown(page) if isinstance(c, ft.Text) and c.value]
            page.on_disconnect(None)  # type: ignore[misc]
            return texts

    texts = asyncio.run(read())
    assert any("2026-12-07 08:30" in t for t in texts), texts
    assert not any("23:30" in t for t in texts)


# Reading the machine's own zone is what put UTC on the screens: outside clock.py no code
# asks for a naive "now" or "today", and nobody defines Japan's offset again.
PACKAGES = ("field_app", "ui_kit", "office", "sync")


def _offences(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call) or not isinstance(node.func, ast.Attribute):
            continue
        name, owner = node.func.attr, ast.unparse(node.func.value)
        if name == "today" and owner.endswith("date"):
            found.append(f"{path}:{node.lineno}: date.today()")
        elif name == "now" and owner.endswith("datetime") and not node.args and not node.keywords:
            found.append(f"{path}:{node.lineno}: datetime.now() without a zone")
        elif name == "utcnow":
            found.append(f"{path}:{node.lineno}: utcnow()")
        elif name == "timedelta" and any(isinstance(k.value, ast.Constant) and k.value.value == 9
                                         for k in node.keywords if k.arg == "hours"):
            found.append(f"{path}:{node.lineno}: Japan's offset defined again")
    return found


def test_no_code_reads_the_machines_zone_or_defines_japan_time_again() -> None:
    offences = [o for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))
                if path.name != "clock.py" for o in _offences(path)]
    assert offences == []


def test_the_provision_record_says_when_it_was_written_in_japan_time() -> None:
    from core.reference_data import load_reference
    from hub import provisions

    row = {"provided_on": "2026-12-07", "recipient_name": "在宅介護・地域包括支援センター",
           "items": ["observed"], "subject": {"age_band": "80s_plus"}, "place_id": "",
           "basis": "consent", "basis_note": "", "basis_by": "office", "consent": "written",
           "recorded_by": "sato", "recorded_at": LATE.isoformat(), "keep_until": "2029-12-07",
           "concern_id": "c1"}
    header, line = provisions.rows([row], load_reference(), {})
    assert header[10] == "記録日時（日本時間）" and line[10] == "2026-12-07 08:30"
    assert provisions.keep_until(clock.today(LATE), 3) == dt.date(2029, 12, 7)
