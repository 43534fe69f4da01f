"""The day the hub was given (`create_app(today=...)`) is the day of every office route:
the places' fiscal year and grant compliance are worked out on it, not on the clock."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import httpx
import pytest

from hub import accounts
from hub.web.app import create_app
from tests.hubs import database_url, prepared_engine

GIVEN = dt.date(2031, 6, 10)  # fiscal year 2031, its third month begun


async def _ask(app: Any, *paths: str) -> list[Any]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app),
                                 base_url="http://hub/api/v1/office") as client:
        token = (await client.post("/login", json={
            "username": "sato", "password": "a long enough password"})).json()["token"]
        answers = []
        for path in paths:
            got = await client.get(path, headers={"Authorization": f"Bearer {token}"})
            assert got.status_code == 200, got.text
            answers.append(got.json())
        return answers


@pytest.mark.parametrize("kind", ["sqlite", "postgresql"])
def test_the_office_routes_use_the_day_the_hub_was_given(kind: str, tmp_path: Path) -> None:
    with database_url(kind, tmp_path) as url:
        engine = prepared_engine(url)
        try:
            with engine.begin() as conn:
                accounts.add_user(conn, "sato", "a long enough password", "grants", "test")
            app = create_app(engine, today=lambda: GIVEN)
            places, compliance = asyncio.run(_ask(app, "/places", "/compliance?fiscal_year=2031"))
        finally:
            engine.dispose()
    assert places["fiscal_year"] == 2031
    states = {p["state"] for row in compliance["places"] for c in row["conditions"]
              for p in c["periods"]}
    # on the clock's day (before 2031) every period of 2031 would still be in the future
    assert "missed" in states or "open" in states, states
