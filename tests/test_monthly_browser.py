"""The six テンミリオンハウス, open Monday to Saturday and recorded by their operators'
monthly reports, in the real app (headless Chromium) with no assignment (every place is
mine): the week at tablet size shows one band a house, not a 記録なし card a day; home owes
last month's report once a house; the report is typed from the operator's figures and
the month is owed no more."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from core.domain import clock
from core.domain.monthly import first_of
from core.reference_data import sample_places, texts
from field_app.store import Store
from tests.browser import (
    PHONE,
    TABLET,
    button,
    chromium,
    nav,
    open_app,
    running_app,
    scrolled_to,
    seen,
    shot,
    type_into,
    unlocked_store,
)

pytestmark = pytest.mark.browser
HOUSES = [p for p in sample_places() if p.program == "tenmillion"]


def seeded(data: Path, today: dt.date) -> None:
    with Store(data) as store:
        store.put_reference(sample_places())  # the houses open 月〜土 9:00〜17:00
        store.set_meta("device", {"id": store.device_id,
                                  "since": (today - dt.timedelta(days=60)).isoformat()})


def test_the_week_shows_a_band_a_house_and_home_owes_each_month_once(tmp_path: Path) -> None:
    t = texts("ja")
    data = tmp_path / "data"
    today = clock.today()
    seeded(data, today)
    last_month = first_of(first_of(today) - dt.timedelta(days=1))
    month = t["month.name"].format(y=last_month.year, m=last_month.month)
    house = HOUSES[0]
    with running_app(data, "--lang", "ja") as url, chromium() as browser:
        page = open_app(browser, url, TABLET)
        seen(page, t["home.expected_today"]).wait_for(timeout=60_000)
        assert not seen(page, f"09:00〜17:00  {house.name}").count()  # no house's day today
        seen(page, t["home.reports_owed"]).wait_for(timeout=10_000)
        shot(page, "monthly-home-tablet-ja")
        nav(page, t["nav.week"])
        seen(page, t["week.title"]).wait_for(timeout=10_000)
        band = t["month.band"].format(place=house.name, days="月〜土")
        seen(page, band).wait_for(timeout=10_000)
        for h in HOUSES:  # one band each, and no card of a house's day
            assert page.get_by_text(re.compile(re.escape(h.name))).count() == 1, h.name
        shot(page, "monthly-week-tablet-ja")
        # a tap on the band opens this month's report (a week across two months asks which)
        page.get_by_text(band).first.click()
        choose = seen(page, t["month.choose"])
        title = seen(page, t["month.hint"])
        choose.or_(title).wait_for(timeout=10_000)
        if choose.is_visible():
            this_month = t["month.name"].format(y=today.year, m=today.month)
            button(page, this_month)
        title.wait_for(timeout=10_000)
        button(page, t["nav.back"])
        seen(page, band).wait_for(timeout=10_000)
        page.set_viewport_size(PHONE)  # the same week as a list, the bands first
        seen(page, t["week.monthly"]).wait_for(timeout=10_000)
        shot(page, "monthly-week-phone-ja")
        page.set_viewport_size(TABLET)
        # home: last month owed once for this house; its report typed from the operator's
        nav(page, t["nav.home"])
        owed = scrolled_to(page, f"{house.name}  {month}")
        owed.wait_for(timeout=10_000)
        assert page.get_by_text(f"{house.name}  {month}").count() == 1
        owed.click()
        seen(page, t["month.hint"]).wait_for(timeout=10_000)
        type_into(page, t["month.opening_days"], "25")
        type_into(page, t["month.participants_of"].format(label="高齢者（65歳以上）"), "300")
        seen(page, t["form.saved"]).wait_for(timeout=10_000)
        shot(page, "monthly-report-tablet-ja")
        button(page, t["nav.back"])
        seen(page, t["home.expected_today"]).wait_for(timeout=10_000)
        other = scrolled_to(page, f"{HOUSES[1].name}  {month}")
        other.wait_for(timeout=10_000)  # the other houses still owe it
        assert not page.get_by_text(f"{house.name}  {month}").count()
    with unlocked_store(data) as store:
        [report] = [g for g in store.all("gathering") if g["place_id"] == house.id]
        assert (report["covers"], report["date"], report["opening_days"],
                report["attendance"]["senior"], report["staff_visited"], report["start_time"],
                report["end_time"]) == ("month", last_month.isoformat(), 25, 300, False,
                                        "09:00", "17:00")
        assert store.drafts() == []
