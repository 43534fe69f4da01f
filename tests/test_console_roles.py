"""The console shows only what the signed-in roles may do, and says why a tab is missing. On
a real Flet session and a real hub in this process (see test_navigation for the session)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import flet as ft
from fastapi import FastAPI

from hub import accounts
from hub.web.app import create_app
from office.client import OfficeClient
from office.console import Console, Settings
from tests.test_navigation import PASSWORD, console_settled, hub_engine, navigation, opened, shown


async def signed_in_as(hub: FastAPI, name: str) -> tuple[list[str], str, str, str]:
    """The tab labels, the line that says why some are missing, the screen shown after
    sign-in, and the one shown after asking for the provision records."""
    _session, page = await opened(1280)
    console = Console(page, OfficeClient.in_process(hub), Settings())
    try:
        await console.desk.client.sign_in(name, PASSWORD)
        await console._signed_in()
        rail = navigation(page)
        assert isinstance(rail, ft.NavigationRail)
        labels = [str(d.label) for d in rail.destinations]
        why = " ".join(str(c.value) for c in shown(page)
                       if isinstance(c, ft.Text) and "権限" in str(c.value))
        home = console.route[0]
        console.go("provisions")  # as a typed address or a bookmark would
        return labels, why, home, console.route[0]
    finally:
        await console_settled(console)
        await console.desk.client.sign_out()
        await console.desk.client.aclose()


def test_a_grants_clerk_sees_no_concerns_and_is_told_why(tmp_path: Path) -> None:
    engine = hub_engine(tmp_path)
    try:
        with engine.begin() as conn:
            accounts.add_user(conn, "tanaka", PASSWORD, "grants", "test")
            accounts.add_user(conn, "kimura", PASSWORD, "supervisor", "test")
        hub = create_app(engine)
        labels, why, home, asked = asyncio.run(signed_in_as(hub, "tanaka"))
        assert "気づき" not in labels and "提供記録" not in labels and "端末" not in labels
        assert {"場所", "助成金", "立ち上げ", "報告書"} <= set(labels)
        assert "気づき・提供記録 は 相談担当（supervisor）の権限が必要です。" in why
        assert "端末・設定 は 管理者（admin）の権限が必要です。" in why
        assert home == "places" and asked == "places"  # not the provision records

        labels, why, home, asked = asyncio.run(signed_in_as(hub, "kimura"))
        assert labels == ["気づき", "訪問・相談・会議", "提供記録"]
        assert "助成金" in why and "grants" in why
        assert home == "inbox" and asked == "provisions"
    finally:
        engine.dispose()
