"""An individual number (マイナンバー) is refused in every free-text field a person can type,
on the tablet, at the hub's ingest and in every office request (issue 24, part 1).

The fields are found from the code's own schemas, not from a list kept here: every field of
every record kind (its dataclass), every step of a grant (grant.STEP_FIELDS), the office part
of a concern (concern.OFFICE_FIELDS), the office's reference data, a place's schedule with
its exceptions and closed periods; and every office route of the hub's app that reads a
body. A sample fills each declared field (the test fails on a field it does not fill), then
each text in it, at any depth, is given a number in turn: each must be refused, named by its
path, with the number masked in what is said back.
"""

from __future__ import annotations

import copy
import dataclasses
import datetime as dt
import inspect
import re
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from core.domain import grant
from core.domain.concern import OFFICE_FIELDS, parse_office_part
from core.domain.errors import ValidationError
from core.domain.guards import check_digit
from core.domain.kinds import GUARDED, KINDS, parse_record
from core.domain.my_number import EXPECTED_EN
from core.domain.overrides import DESTINATION_FIELDS, parse_overrides
from core.domain.record import Record, new_meta
from tests.factories import (
    IBASHO,
    PLACES,
    REF,
    concern_data,
    gathering_data,
    photo_data,
    startup_data,
    visit_note_data,
    visit_plan_data,
)

HOUSE = next(p for p in PLACES if p.program == "tenmillion")
NUMBER = "12345678901" + str(check_digit("12345678901"))
WIDE = NUMBER.translate(str.maketrans("0123456789", "０１２３４５６７８９"))


def place_data() -> dict[str, Any]:
    data = {**IBASHO.to_dict(), **new_meta("place", "office", "事務局")}
    data.update(group_name="緑町の会", representative="緑町の会 代表", venue="緑町集会所",
                schedule="第2火曜", kana="みどり",
                sample=False, startup_id="", recurrence={
                    "rules": [{"freq": "weekly", "weekdays": [1], "start_time": "10:00",
                               "end_time": "12:00"}],
                    "exceptions": [{"date": "2026-08-11", "action": "cancelled",
                                    "note": "お盆休み"}],
                    "closed": [{"from": "12-28", "to": "01-04", "note": "年末年始"}]})
    return data


OFFICE = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
          "method": "電話", "feedback": "対応中とのこと", "closed_on": None,
          "legal_basis": "support_meeting_106_6", "legal_basis_note": "支援会議で共有",
          "updated_at": "2026-06-12T01:00:00Z", "updated_by": "事務局"}

# each kind's samples, together filling every field its dataclass declares
SAMPLES: dict[str, list[Callable[[], dict[str, Any]]]] = {
    "place": [place_data],
    "gathering": [lambda: gathering_data(held=True, not_held_reason=""),
                  lambda: gathering_data(held=False, not_held_reason="other", note="台風",
                                         attendance={}, first_time=0, helpers=0,
                                         activities=[], staff_visited=False),
                  # a month's report of a テンミリオンハウス, from the operator
                  lambda: gathering_data(place_id=HOUSE.id, date="2026-06-01", covers="month",
                                         opening_days=26, staff_visited=False,
                                         attendance={"senior": 300, "under_65": 20},
                                         note="運営団体の月次報告より")],
    "visit_note": [lambda: visit_note_data(
        group_name="緑町の会", decisions="次回は会計", follow_up_on="2026-06-20",
        visit_type="group_meeting", startup_id=str(uuid.uuid4()), plan_id=str(uuid.uuid4()),
        attendee_roles=["member", "minsei"], topics=["finance"],
        next_meeting_on="2026-07-10")],
    "concern": [lambda: concern_data(gathering_id=str(uuid.uuid4()), legal_basis="",
                                     legal_basis_note="", office=dict(OFFICE))],
    "visit_plan": [lambda: visit_plan_data(start_time="10:00", startup_id=str(uuid.uuid4()),
                                           done_note_id=str(uuid.uuid4()), cancelled=False)],
    "startup": [lambda: startup_data(stage="declined", stage_reason="会場が見つからない",
                                     note="また相談に来る",
                                     history=[{"stage": "consult", "on": "2026-06-01"},
                                              {"stage": "declined", "on": "2026-06-05"}])],
    "photo": [photo_data],
}

LINE = {"category": "venue", "amount": 1000, "note": "会場費"}
STEPS: dict[str, tuple[dict[str, Any], dict[str, Any]]] = {  # (the step, the grant before it)
    "application": ({"received_on": "2026-04-10", "requested_yen": 50_000, "plan": "月2回開催",
                     "budget": [dict(LINE)]}, {}),
    "decision": ({"decided_on": "2026-04-20", "approved": True, "approved_yen": 40_000,
                  "conditions": "報告書を提出", "refusal_reason": "なし"},
                 {"application": {"requested_yen": 50_000}}),
    "payments": ({"payments": [{"paid_on": "2026-05-01", "amount": 40_000}]},
                 {"decision": {"approved": True, "approved_yen": 40_000}}),
    "report": ({"received_on": "2027-03-10", "income": [dict(LINE, category="donations")],
                "expenses": [dict(LINE)], "self_evaluation": "よくできた",
                "early_reason": "年度内に活動を終えたため"},
               {"decision": {"approved": True, "approved_yen": 40_000}}),
    "settlement": ({"settled_on": "2027-03-20", "confirmed_yen": 30_000, "note": "確定"},
                   {"decision": {"approved": True, "approved_yen": 40_000},
                    "report": {"expenses": [{"amount": 30_000}]}}),
}
CATEGORIES = {"income": REF.keys("grant_income"), "expenses": REF.keys("grant_expenses")}
DESTINATIONS = {"destinations": [{"key": d.key, "ja": d.label.ja, "en": d.label.en,
                                  "phone": "0422-00-0000", "emergency": False,
                                  "retired": False} for d in REF.destinations]}


def texts(value: Any, path: str = "") -> Iterator[tuple[str, list[Any]]]:
    """Every text in `value` at any depth, by its path (budget[0].note), with where it
    sits (the container and its key)."""
    items = value.items() if isinstance(value, dict) else enumerate(value)
    for key, item in items:
        where = (f"{path}[{key}]" if isinstance(value, list)
                 else f"{path}.{key}" if path else str(key))
        if isinstance(item, str):
            yield where, [value, key]
        elif isinstance(item, dict | list):
            yield from texts(item, where)


def with_number(sample: Mapping[str, Any], path: str, number: str = NUMBER) -> dict[str, Any]:
    out = copy.deepcopy(dict(sample))
    for where, (container, key) in texts(out):
        if where == path:
            container[key] = f"{container[key]} 番号 {number} 控え"
    return out


def assert_refused(check: Callable[[dict[str, Any]], object], sample: dict[str, Any],
                   path: str, prefix: str = "") -> set[str]:
    """The number in `path` is refused, named by that path (or the structure holding it),
    and not said back; returns what was said to be expected there."""
    check(copy.deepcopy(sample))  # the sample itself is valid
    for number in (NUMBER, WIDE):
        with pytest.raises(ValidationError) as caught:
            check(with_number(sample, path, number))
        problems = caught.value.problems
        full = prefix + path
        named = [p for p in problems if p.field == full or full.startswith(f"{p.field}.")
                 or full.startswith(f"{p.field}[")]
        assert named, (path, problems)
        said = " ".join(f"{p.field} {p.value} {caught.value.message} {caught.value.message_ja}"
                        for p in problems)
        assert number not in said and number[4:] not in said, said
    return {p.expected_en for p in named}


def declared(cls: type) -> set[str]:
    return {f.name for f in dataclasses.fields(cls)}


# 1. Every record kind: each field of its dataclass, each text at any depth ------------------

CASES = [(kind, i, path) for kind, makers in SAMPLES.items() for i, make in enumerate(makers)
         for path, _ in texts(make())]


def test_every_kind_has_a_sample_filling_every_declared_field() -> None:
    assert SAMPLES.keys() == KINDS.keys()
    for kind, makers in SAMPLES.items():
        missing = declared(KINDS[kind]) - {k for make in makers for k in make()}
        assert not missing, (kind, missing)
    sample = SAMPLES["concern"][0]()["office"]
    assert set(OFFICE_FIELDS) <= sample.keys()
    place = SAMPLES["place"][0]()["recurrence"]
    assert place["exceptions"][0]["note"] and place["closed"][0]["note"]


@pytest.mark.parametrize(("kind", "i", "path"), CASES)
def test_a_number_in_any_text_of_a_record_is_refused(kind: str, i: int, path: str) -> None:
    sample = SAMPLES[kind][i]()
    expected = assert_refused(lambda d: parse_record(d, REF, today=dt.date(2027, 4, 1)),
                              sample, path)
    if path.split(".")[0].split("[")[0] in GUARDED[kind]:
        assert EXPECTED_EN in expected  # refused as a number, not only for something else


def test_the_form_s_guarded_fields_are_every_free_text_field() -> None:
    """What the tablet's form guards as typed (kinds.GUARDED) is every top-level field the
    parser refuses a number in as free text: traced from the parsers, never a hand list."""
    for kind, makers in SAMPLES.items():
        sample = makers[0]()
        as_text = set()
        for name in declared(KINDS[kind]) - set(Record.META):
            if not isinstance(sample.get(name), str):
                continue
            try:
                parse_record(with_number(sample, name), REF, today=dt.date(2027, 4, 1))
            except ValidationError as exc:
                if any(p.field == name and p.expected_en == EXPECTED_EN
                       for p in exc.problems):
                    as_text.add(name)
        assert as_text == set(GUARDED[kind]), kind
    assert {"stage_reason", "planned_frequency"} <= set(GUARDED["startup"])


# 2. Every office body checked by the domain ---------------------------------------------------

def test_every_grant_step_has_a_sample_filling_its_declared_fields() -> None:
    assert STEPS.keys() == grant.STEP_FIELDS.keys()
    for step, (body, _) in STEPS.items():
        assert set(body) == set(grant.STEP_FIELDS[step]), step
    assert set(LINE) == set(grant.LINE_FIELDS)
    assert set(DESTINATIONS["destinations"][0]) == set(DESTINATION_FIELDS)


GRANT_CASES = [(step, path) for step, (body, _) in STEPS.items() for path, _ in texts(body)]


@pytest.mark.parametrize(("step", "path"), GRANT_CASES)
def test_a_number_in_any_text_of_a_grant_step_is_refused(step: str, path: str) -> None:
    body, before = STEPS[step]
    assert_refused(lambda d: grant.check_step(step, d, before, 100_000, CATEGORIES,
                                              dt.date(2027, 4, 1), fiscal_year=2026),
                   body, path)


@pytest.mark.parametrize("path", [p for p, _ in texts(OFFICE)])
def test_a_number_in_any_text_of_the_office_part_is_refused(path: str) -> None:
    assert_refused(lambda d: parse_office_part(d, REF), dict(OFFICE), path, "office.")


@pytest.mark.parametrize("path", [p for p, _ in texts(DESTINATIONS)][:12])
def test_a_number_in_the_office_s_destinations_is_refused(path: str) -> None:
    assert_refused(lambda d: parse_overrides(d, REF), DESTINATIONS, path)


# 3. The hub: every office route that reads a body, the device's pushes ------------------------

def sample_value(param: inspect.Parameter) -> str:
    """A value a path parameter accepts: its pattern's first choice, a year, or an id."""
    patterns = [getattr(m, "pattern", None) for m in getattr(param.default, "metadata", ())]
    pattern = next((p for p in patterns if p), None)
    if pattern:
        first = re.match(r"\^\(?([\w-]+)", pattern)
        assert first, pattern
        return first.group(1)
    return "2026" if param.annotation in (int, "int") else str(uuid.uuid4())


def office_writes() -> list[tuple[str, str, dict[str, Any]]]:
    """Every office route of the hub's own app that reads a request body (its endpoint
    takes the Request): (method, path with its parameters filled, the parameters)."""
    from fastapi.routing import APIRoute
    from starlette.requests import Request

    from hub.web.app import create_app
    from tests.hubs import prepared_engine

    def routes(found: list[Any], prefix: str) -> Iterator[tuple[str, APIRoute]]:
        for r in found:
            if isinstance(r, APIRoute):
                yield prefix + r.path, r
            elif hasattr(r, "original_router"):  # an included router, as FastAPI keeps it
                yield from routes(r.original_router.routes, prefix + r.include_context.prefix)

    out = []
    engine = prepared_engine("sqlite://", places=False)
    for full, route in routes(create_app(engine).routes, ""):
        if not full.startswith("/api/v1/office"):
            continue
        params = inspect.signature(route.endpoint).parameters
        if not any(p.annotation in (Request, "Request") for p in params.values()):
            continue  # reads no body: nothing typed reaches it
        values = {name: sample_value(p) for name, p in params.items() if "{" + name in full}
        path = full
        for name, value in values.items():
            path = path.replace("{" + name + "}", value)
        out.extend((method, path, values) for method in sorted(route.methods))
    engine.dispose()
    return out


def test_the_walk_over_office_routes_finds_the_writers() -> None:
    paths = {f"{m} {p.split('/api/v1/office')[1]}" for m, p, _ in office_writes()}
    assert len(paths) >= 10
    found = " ".join(sorted(paths))
    for writer in ("/office", "/grants/", "/places", "/login"):
        assert writer in found, (writer, found)


def audit_text(hub: Any) -> tuple[int, str]:
    from sqlalchemy import text

    with hub.engine.connect() as conn:
        rows = conn.execute(text("SELECT actor, subject, detail FROM audit")).all()
    return len(rows), " ".join(" ".join(map(str, r)) for r in rows)


def test_every_office_body_is_refused_with_a_number_anywhere(hub: Any, office: Any) -> None:
    before = audit_text(hub)
    for method, path, _ in office_writes():
        body = {"probe": [{"note": f"控え {NUMBER}"}], "name": "緑町"}
        answer = office.request(method, path.split("/api/v1/office")[1], json=body)
        assert answer.status_code == 400, (method, path, answer.text)
        [problem] = answer.json()["error"]["problems"]
        assert problem["field"] == "probe[0].note", (path, problem)
        assert problem["value"] == "'控え 1234********'" and NUMBER not in answer.text
        assert "マイナンバー" in problem["expected_ja"] and "My Number" in problem["expected_en"]
    assert audit_text(hub) == before  # nothing stored, nothing audited


def test_the_office_part_and_a_grant_line_name_the_field(
        hub: Any, office: Any, field: Any) -> None:
    from tests.factories import concern as make_concern
    from tests.hubs import sync_once

    c = make_concern(consent="written", device_id=field.store.device_id)
    field.store.save(c)
    sync_once(field.store, hub.url, field.token)
    before = audit_text(hub)
    refer = {"status": "referred", "destination": "houkatsu", "referred_on": "2026-06-12",
             "legal_basis": "other_law", "legal_basis_note": f"法令 {NUMBER}"}
    answer = office.put(f"/concerns/{c.id}/office", json=refer)
    assert answer.status_code == 400 and NUMBER not in answer.text
    assert [p["field"] for p in answer.json()["error"]["problems"]] == ["legal_basis_note"]
    budget = {"received_on": "2026-04-10", "requested_yen": 50_000,
              "budget": [{"category": "venue", "amount": 1000, "note": f"会場 {WIDE}"}]}
    answer = office.put(f"/grants/{IBASHO.id}/2026/application", json=budget)
    assert answer.status_code == 400 and WIDE not in answer.text
    assert [p["field"] for p in answer.json()["error"]["problems"]] == ["budget[0].note"]
    assert audit_text(hub) == before
    assert hub.count("provisions") == 0 and NUMBER not in before[1]


def test_a_device_push_of_a_start_up_is_guarded_in_every_text(hub: Any, field: Any) -> None:
    from tests.test_hub_planning import push_raw

    for name in ("stage_reason", "planned_frequency"):
        data = startup_data(stage="declined", device_id=field.store.device_id,
                            history=[{"stage": "consult", "on": "2026-06-01"},
                                     {"stage": "declined", "on": "2026-06-05"}],
                            **{"stage_reason": "会場なし", name: f"{NUMBER} のこと"})
        [result] = push_raw(hub, field.token, [data])
        assert result["status"] == "rejected", result
        assert [p["field"] for p in result["problems"]] == [name]
        assert NUMBER not in str(result)
    assert NUMBER not in audit_text(hub)[1]


def test_the_cli_refuses_a_number_in_what_it_writes(hub: Any, tmp_path: Any) -> None:
    import json
    import subprocess
    import sys

    places = tmp_path / "places.json"
    places.write_text(json.dumps([{**place_data(), "venue": f"集会所 {NUMBER}"}]))
    before = audit_text(hub)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "IBASHO_HUB_DATABASE_URL": hub.database_url}
    for argv in (["import-places", str(places)], ["council", f"社協 {NUMBER}"],
                 ["enroll", f"山田 {NUMBER}"]):
        done = subprocess.run([sys.executable, "-m", "hub.cli", "--data-dir",
                               str(tmp_path / "hub"), *argv], capture_output=True, text=True,
                              timeout=120, env=env)
        assert done.returncode == 2, (argv, done.stderr)
        assert "1234********" in done.stderr and NUMBER not in done.stderr + done.stdout
    assert audit_text(hub) == before


@pytest.mark.parametrize("text", ["00000000-0000-4000-8000-000000000000",
                                  f"00000000-0000-4000-8000-{NUMBER}",
                                  f"{NUMBER[:8]}-{NUMBER[8:]}-4000-8000-0a0000000000",
                                  f"A{NUMBER}", f"{NUMBER}-1", f"1-{NUMBER}"])
def test_an_id_or_a_longer_token_is_never_taken_for_a_number(text: str) -> None:
    """Ids go through the same walk (a body's concern_ids): a UUID whose last group is all
    digits (about one in 300) must not be refused as a number."""
    from core.domain.my_number import holds_number

    assert not holds_number(text)
    assert holds_number(f"番号は{NUMBER}です") and holds_number(f"({NUMBER})")
