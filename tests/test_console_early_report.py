"""A 実績報告 recorded before its fiscal year ends, in the console on a real Flet session and
a real hub in this process (see test_navigation): the grant's page says the year has not
ended, the hub's refusal shows at the reason's field, and the reason given is kept and
shown in the grant's history."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft
import pytest
from fastapi import FastAPI

from core.domain import clock
from core.domain.fiscal import fiscal_year_bounds, fiscal_year_of
from hub.web.app import create_app
from office.client import OfficeClient
from office.console import Console, Settings
from office.grants import GrantView
from tests.factories import IBASHO
from tests.test_navigation import PASSWORD, console_settled, hub_engine, opened, shown, tap
from tests.test_open_days_screens import texts, until

REASON = "3月で活動を終えるため"


async def report_early(hub: FastAPI, year: int) -> tuple[list[str], str, list[str]]:
    session, page = await opened(1280)
    console = Console(page, OfficeClient.in_process(hub), Settings())  # as `serve` mounts it
    client = console.desk.client
    try:
        await client.sign_in("sato", PASSWORD)
        await console._signed_in()
        day = console.desk.today().isoformat()
        got = await client.record_grant(IBASHO.id, year, "application", {
            "received_on": day, "requested_yen": 50_000}, 0)
        got = await client.record_grant(IBASHO.id, year, "decision", {
            "decided_on": day, "approved": True, "approved_yen": 50_000}, got.rev)
        await client.record_grant(IBASHO.id, year, "payments", {
            "payments": [{"paid_on": day, "amount": 50_000}]}, got.rev)
        console.go("grant", place_id=IBASHO.id, year=year, title=IBASHO.name)
        await until(lambda: isinstance(console.view, GrantView)
                    and "report.early_reason" in console.view.inputs)
        view = console.view
        assert isinstance(view, GrantView)
        before = texts(page)
        save = next(c for c in shown(page) if isinstance(c, ft.FilledButton)
                    and c.content == "実績報告を保存")
        reason = view.inputs["report.early_reason"]
        await tap(session, save)  # no reason
        await until(lambda: bool(reason.error))
        refused = str(reason.error)
        await tap(session, reason, value=REASON)
        await tap(session, save)
        await until(lambda: view.data.status == "reported")
        return before, refused, texts(page)
    finally:
        await console_settled(console)
        await client.sign_out()
        await client.aclose()


def test_an_early_report_is_flagged_and_taken_only_with_its_reason(tmp_path: Path) -> None:
    today = clock.today()
    year = fiscal_year_of(today)
    last = fiscal_year_bounds(year)[1]
    if today >= last:  # on 31 March the year's report is on time
        pytest.skip("today is the fiscal year's last day: no report today is early")
    engine = hub_engine(tmp_path)
    try:
        before, refused, after = asyncio.run(report_early(create_app(engine), year))
    finally:
        engine.dispose()
    warning = f"{year}年度はまだ終わっていません（{last.year}年3月31日"
    assert any(line.startswith(warning) for line in before)
    assert "3月31日）より前に報告する理由" in refused and "必須" in refused
    history = [line for line in after if "実績報告 → 実績報告受付" in line]
    assert history and history[0].endswith(f"年度末より前の報告の理由: {REASON}")
    assert any(line.endswith("（年度末より前の報告）") for line in after)
