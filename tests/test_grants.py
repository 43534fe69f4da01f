"""The grant from application to settlement: each step checked against the ones before
(domain.grant), and the office API on SQLite and PostgreSQL recording every transition,
audited, refusing lost updates, never written by a device, its status pulled to tablets."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import httpx
import pytest

from core.domain import clock, grant
from core.domain.errors import ValidationError
from core.domain.fiscal import fiscal_year_bounds, fiscal_year_of
from core.domain.guards import check_digit
from field_app.store.repository import Repository
from tests.factories import IBASHO, REF, gathering
from tests.hubs import Field, Hub
from tests.test_hub_planning import push_raw

TODAY = dt.date(2027, 4, 20)
CATS = {"income": REF.keys("grant_income"), "expenses": REF.keys("grant_expenses")}
CAP = REF.programs["ibasho"].grant_cap_yen  # ¥100,000
APPLICATION = {"received_on": "2026-04-10", "requested_yen": 80_000, "plan": "月1回の食事会",
               "budget": [{"category": "food", "amount": 50_000},
                          {"category": "insurance", "amount": 30_000}]}
DECISION = {"decided_on": "2026-05-01", "approved": True, "approved_yen": 80_000,
            "conditions": "2か月に1回以上の開催"}
PAYMENTS = {"payments": [{"paid_on": "2026-05-20", "amount": 80_000}]}
REPORT = {"received_on": "2027-04-10",
          "income": [{"category": "grant", "amount": 80_000},
                     {"category": "participation_fees", "amount": 12_000}],
          "expenses": [{"category": "food", "amount": 60_500},
                       {"category": "insurance", "amount": 12_000}],
          "self_evaluation": "参加者が増えた"}


def step(name: str, data: dict[str, Any], before: dict[str, Any]) -> dict[str, Any]:
    checked = grant.check_step(name, data, before, CAP, CATS, TODAY, fiscal_year=2026)
    return {**before, name: checked["payments"] if name == "payments" else checked}


def fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {p.field for p in exc.value.problems}


def test_the_status_follows_the_steps() -> None:
    g: dict[str, Any] = {}
    assert grant.status(g) == "none"
    g = step("application", APPLICATION, g)
    assert grant.status(g) == "applied"
    g = step("decision", DECISION, g)
    assert grant.status(g) == "decided"
    g = step("payments", PAYMENTS, g)
    assert grant.status(g) == "paid"
    g = step("report", REPORT, g)
    assert grant.status(g) == "reported"
    assert grant.suggested_confirmed(g) == 72_500  # spending below the grant
    settled = step("settlement", {"settled_on": "2027-04-15", "confirmed_yen": 72_500}, g)
    assert grant.status(settled) == "refund" and grant.figures(settled).refund == 7_500
    full = step("settlement", {"settled_on": "2027-04-15", "confirmed_yen": 80_000}, g)
    assert grant.status(full) == "settled" and grant.figures(full).refund == 0


def test_a_refusal_needs_its_reason() -> None:
    g = step("application", APPLICATION, {})
    with pytest.raises(ValidationError) as caught:
        step("decision", {"decided_on": "2026-05-01", "approved": False}, g)
    assert fields(caught) == {"refusal_reason"}
    refused = step("decision", {"decided_on": "2026-05-01", "approved": False,
                                "refusal_reason": "特定の趣味に限定されている"}, g)
    assert grant.status(refused) == "refused"
    with pytest.raises(ValidationError) as caught:
        step("payments", PAYMENTS, refused)
    assert fields(caught) == {"decision"}


def test_amounts_are_checked_against_cap_request_and_order() -> None:
    with pytest.raises(ValidationError) as caught:
        step("decision", DECISION, {})  # no application yet
    assert fields(caught) == {"application"}
    g = step("application", {**APPLICATION, "requested_yen": 150_000}, {})
    with pytest.raises(ValidationError) as caught:
        step("decision", {**DECISION, "approved_yen": 120_000}, g)  # above the ¥100,000 cap
    assert fields(caught) == {"approved_yen"}
    g = step("application", APPLICATION, {})
    with pytest.raises(ValidationError) as caught:
        step("decision", {**DECISION, "approved_yen": 90_000}, g)  # above the request
    assert fields(caught) == {"approved_yen"}
    g = step("decision", DECISION, g)
    with pytest.raises(ValidationError) as caught:
        step("payments", {"payments": [{"paid_on": "2026-05-20", "amount": 50_000},
                                       {"paid_on": "2026-06-20", "amount": 40_000}]}, g)
    assert fields(caught) == {"payments"}  # more than approved
    with pytest.raises(ValidationError) as caught:
        step("settlement", {"settled_on": "2027-04-15", "confirmed_yen": 1}, g)
    assert fields(caught) == {"report"}
    with pytest.raises(ValidationError) as caught:
        step("report", {**REPORT, "expenses": [{"category": "gifts", "amount": 1.5}],
                        "received_on": "2030-01-01"}, g)
    assert fields(caught) == {"expenses[0].category", "expenses[0].amount", "received_on"}


# the office API, on both databases -------------------------------------------------------

def year_before(data: dict[str, Any]) -> dict[str, Any]:
    """The same step a year earlier: the API checks dates against the real today."""
    text = json.dumps(data, ensure_ascii=False).replace("2026-", "2025-").replace("2027-", "2026-")
    shifted: dict[str, Any] = json.loads(text)
    return shifted


def put(office: httpx.Client, name: str, data: dict[str, Any], rev: int) -> httpx.Response:
    return office.put(f"/grants/{IBASHO.id}/2025/{name}",
                      json={**year_before(data), "based_on": rev})


def test_the_office_takes_a_grant_from_application_to_settlement(
        hub: Hub, field: Field, office: httpx.Client) -> None:
    listed = office.get("/grants", params={"fiscal_year": 2025}).json()["grants"]
    mine = next(x for x in listed if x["place_id"] == IBASHO.id)
    assert (mine["status"], mine["rev"]) == ("none", 0)
    rev = 0
    for name, data, status in (("application", APPLICATION, "applied"),
                               ("decision", DECISION, "decided"),
                               ("payments", PAYMENTS, "paid"), ("report", REPORT, "reported")):
        r = put(office, name, data, rev)
        assert r.status_code == 200, r.text
        assert r.json()["status"] == status
        rev = r.json()["rev"]
    field.sync(hub)  # the tablet sees what the office waits for
    seen = Repository(field.store).grant_status(IBASHO.id, 2025)
    assert seen is not None and (seen["status"], seen["waiting_for"]) == ("reported",
                                                                            "settlement")
    assert "approved_yen" not in seen  # the accounts stay at the office
    got = office.get(f"/grants/{IBASHO.id}/2025").json()
    assert got["suggested_confirmed_yen"] == 72_500 and got["cap_yen"] == CAP
    r = put(office, "settlement", {"settled_on": "2027-04-15", "confirmed_yen": 72_500}, rev)
    assert r.status_code == 200 and r.json()["status"] == "refund"
    assert r.json()["refund_yen"] == 7_500
    history = office.get(f"/grants/{IBASHO.id}/2025").json()["history"]
    assert [h["detail"]["step"] for h in history] == [
        "application", "decision", "payments", "report", "settlement"]
    assert all(h["actor"] == "sato" for h in history)
    field.sync(hub)
    assert Repository(field.store).grant_status(IBASHO.id, 2025)["status"] == "refund"  # type: ignore[index]


def test_a_bad_step_is_refused_whole_and_a_stale_page_is_refused(
        hub: Hub, office: httpx.Client) -> None:
    r = put(office, "decision", DECISION, 0)
    assert r.status_code == 400
    assert r.json()["error"]["problems"][0]["field"] == "application"
    assert office.get(f"/grants/{IBASHO.id}/2025").json()["rev"] == 0  # nothing stored
    assert put(office, "application", APPLICATION, 0).status_code == 200
    stale = put(office, "application", {**APPLICATION, "requested_yen": 1}, 0)
    assert stale.status_code == 409 and stale.json()["error"]["message_ja"]
    unknown = office.put(f"/grants/{IBASHO.id}/2025/bribe", json={})
    assert unknown.status_code == 400 and unknown.json()["error"]["message_ja"]
    assert office.get("/grants/no-such-place/2025").status_code == 404


def test_a_device_cannot_write_a_grant(hub: Hub, field: Field) -> None:
    forged = {**gathering().to_dict(), "kind": "grant", "device_id": field.store.device_id,
              "status": "settled"}
    [result] = push_raw(hub, field.token, [forged])
    assert result["status"] == "rejected"


# a 実績報告 before the year ends ------------------------------------------------------------

def test_a_report_before_the_year_ends_is_taken_only_with_its_reason() -> None:
    g = step("decision", DECISION, step("application", APPLICATION, {}))
    early = {**REPORT, "received_on": "2027-03-30"}  # FY2026 ends on 31 March 2027
    for reason in (None, "", "　 "):
        with pytest.raises(ValidationError) as caught:
            step("report", {**early, "early_reason": reason}, g)
        [problem] = caught.value.problems
        assert problem.field == "early_reason"
        assert "2026年度の終わり（3月31日）より前" in problem.expected_ja
        assert "before FY2026 ends on 2027-03-31" in problem.expected_en
    taken = step("report", {**early, "early_reason": "3月末で活動を終えたため"}, g)
    assert taken["report"]["early_reason"] == "3月末で活動を終えたため"
    on_the_last_day = step("report", {**REPORT, "received_on": "2027-03-31"}, g)
    assert "early_reason" not in on_the_last_day["report"]  # the year is done: not early


def test_the_hub_refuses_an_early_report_without_its_reason(hub: Hub, office: httpx.Client
                                                            ) -> None:
    today = clock.today()
    year, last = fiscal_year_of(today), fiscal_year_bounds(fiscal_year_of(today))[1]
    day = (today if today < last else today - dt.timedelta(days=1)).isoformat()
    url = f"/grants/{IBASHO.id}/{year}"
    rev = 0
    for name, data in (("application", {**APPLICATION, "received_on": day}),
                       ("decision", {**DECISION, "decided_on": day})):
        r = office.put(f"{url}/{name}", json={**data, "based_on": rev})
        assert r.status_code == 200, r.text
        rev = r.json()["rev"]
    report = {**REPORT, "received_on": day}
    refused = office.put(f"{url}/report", json={**report, "based_on": rev})
    assert refused.status_code == 400
    [problem] = refused.json()["error"]["problems"]
    assert problem["field"] == "early_reason" and "より前" in problem["expected_ja"]
    assert office.get(url).json()["rev"] == rev  # nothing stored
    taken = office.put(f"{url}/report", json={**report, "early_reason": "団体の解散のため",
                                              "based_on": rev})
    assert taken.status_code == 200, taken.text
    got = office.get(url).json()
    assert got["grant"]["report"]["early_reason"] == "団体の解散のため"
    assert got["history"][-1]["detail"]["value"]["early_reason"] == "団体の解散のため"
    number = "12345678901" + str(check_digit("12345678901"))
    guarded = office.put(f"{url}/report", json={**report, "early_reason": f"番号 {number}",
                                                "based_on": got["rev"]})
    assert guarded.status_code == 400  # free text: an individual number is refused
    assert guarded.json()["error"]["problems"][0]["field"] == "early_reason"
