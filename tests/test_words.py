"""A refusal on a screen names each field by its label and each value by its label, never
by the data's names (`budget[0].category`, `food`, `houkatsu`): problems carry the field's
path, a code and a choice's keys (core/domain/problem.py), and ui_kit/words.py says them."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from core.domain import grant
from core.domain.errors import ValidationError
from core.domain.kinds import FIELD_KINDS, KINDS, parse_record
from core.domain.overrides import editable, parse_overrides
from core.domain.problem import Problem
from core.domain.record import Record
from field_app.ui import fields
from hub.contract.errors import Problem as ProblemModel
from office.desk import Desk
from office.grants import GrantView
from office.reference import ReferenceView
from tests.factories import REF, gathering_data
from ui_kit.i18n import Translator
from ui_kit.words import Words

TODAY = dt.date(2027, 4, 20)
CATS = {"income": REF.keys("grant_income"), "expenses": REF.keys("grant_expenses")}
CAP = REF.programs["ibasho"].grant_cap_yen  # ¥100,000
# a name or key as the data spells it: lower case, with _ or a digit, or a known key
RAW = re.compile(r"\b[a-z]+(?:_[a-z0-9]+)+\b|\[\d+\]")


def desk(lang: str = "ja") -> Desk:
    # the words need only the language and the reference data: no page, no hub
    return Desk(page=None, client=None, t=Translator(lang), ref=REF)  # type: ignore[arg-type]


def refused(step: str, data: dict[str, Any], before: dict[str, Any]) -> tuple[Problem, ...]:
    with pytest.raises(ValidationError) as caught:
        grant.check_step(step, data, before, CAP, CATS, TODAY, fiscal_year=TODAY.year - 1)
    return caught.value.problems


def raw_names(text: str) -> list[str]:
    keys = {o.key for g in Words(Translator(), REF).groups() for o in g}
    return RAW.findall(text) + [w for w in re.findall(r"[a-z_]+", text) if w in keys]


def test_a_grant_form_names_the_row_the_field_and_the_categories_by_their_labels() -> None:
    words = GrantView(desk(), lambda: None, "p", 2026).words()
    [blank] = refused("application", {"received_on": "2026-04-10", "requested_yen": 80_000,
                                      "budget": [{"category": "", "amount": 5_000}]}, {})
    assert (blank.field, blank.code) == ("budget[0].category", "choice")
    assert set(blank.allowed) == REF.keys("grant_expenses")
    labels = [o.label.ja for o in REF.enums["grant_expenses"]]
    said = words.line(blank)
    assert said.startswith(f"予算 1行目 費目: 空欄は使えません（次のいずれか: {labels[0]}、{labels[1]}")
    assert raw_names(said) == []
    assert words.expected(blank).startswith(f"次のいずれか: {'、'.join(labels[:3])}")


def test_an_approved_amount_over_the_cap_says_the_cap_and_by_how_much() -> None:
    words = GrantView(desk(), lambda: None, "p", 2026).words()
    applied = {"application": {"received_on": "2026-04-10", "requested_yen": 80_000}}
    over = refused("decision", {"decided_on": "2026-05-01", "approved": True,
                                "approved_yen": 120_000}, applied)
    said = [words.line(p) for p in over]
    assert said == ["交付決定額: 120,000は使えません（この事業の助成上限額 100,000円 以下。"
                    "20,000円 超えています）",
                    "交付決定額: 120,000は使えません（申請額 80,000円 以下。40,000円 超えています）"]
    english = GrantView(desk("en"), lambda: None, "p", 2026).words()
    assert english.expected(over[0]) == "at most the program's grant cap of ¥100,000 " \
                                        "(¥20,000 over)"


def test_every_step_field_of_the_grant_form_has_a_label() -> None:
    words = GrantView(desk(), lambda: None, "p", 2026).words()
    paths = [n for names in grant.STEP_FIELDS.values() for n in names] + [
        f"{table}[0].{n}" for table in ("budget", "income", "expenses")
        for n in grant.LINE_FIELDS] + [f"payments[2].{n}" for n in grant.PAYMENT_FIELDS] + [
        *grant.STEPS]
    for path in paths:
        assert raw_names(words.field(path)) == [], path
    assert words.field("payments[2].paid_on") == "支払い 3行目 支払日"


def test_the_settings_name_a_destination_by_its_name_and_never_by_its_key() -> None:
    view = ReferenceView(desk(), lambda: None)
    view.doc = editable(REF)
    first = view.doc["destinations"][0]
    doc = {**view.doc, "destinations": [{**first, "ja": ""}, *view.doc["destinations"][1:]]}
    with pytest.raises(ValidationError) as caught:
        parse_overrides(doc, REF)
    [blank] = caught.value.problems
    view.doc = doc
    view.doc["destinations"][0]["ja"] = ""
    assert view.words().line(blank) == "つなぎ先「名称未入力」 名称: 入力してください（空欄にはできません）"
    # a destination left out is named by its name, not its key
    with pytest.raises(ValidationError) as caught:
        parse_overrides({**view.doc, "destinations": editable(REF)["destinations"][1:]}, REF)
    said = view.words().lines(caught.value.problems)
    assert f"「{first['ja']}」を残すこと" in said and first["key"] not in said
    cap = Problem("programs.ibasho.grant_cap_yen", "-1", "", "0以上の整数", "range")
    assert view.words().field(cap.field) == f"{REF.programs['ibasho'].label.ja} 助成上限"


def test_every_field_a_tablet_writes_has_its_label() -> None:
    t = Translator("ja")
    for kind in FIELD_KINDS:
        names = [f.name for f in dataclasses.fields(KINDS[kind]) if f.name not in Record.META]
        words = fields.words(t, REF, kind)
        for name in names:
            label = words.field(name)
            assert label != name and raw_names(label) == [], (kind, name, label)


def test_a_refused_tablet_record_is_named_in_the_words_of_its_form() -> None:
    data = {**gathering_data(), "start_time": "25:00",
            "attendance": {"nope": 1}, "activities": ["not_an_activity"]}
    with pytest.raises(ValidationError) as caught:
        parse_record(data, REF, today=TODAY)
    words = fields.words(Translator("ja"), REF, "gathering")
    said = words.lines(caught.value.problems)
    assert "開始: 「25:00」は使えません" in said
    assert "活動内容: " in said and "次のいずれか: " in said
    activity = REF.enums["activities"][0].label.ja
    assert activity in said  # the activities offered, by their labels
    assert "start_time" not in said and "activities" not in said


def test_a_problem_carries_its_code_and_keys_through_the_answer() -> None:
    p = Problem("budget[0].category", "''", "one of: a, b", "次のいずれか: a, b", "choice",
                ("food", "honoraria"))
    sent = p.as_dict()
    assert sent["code"] == "choice" and sent["allowed"] == ["food", "honoraria"]
    assert ProblemModel.model_validate(sent).allowed == ["food", "honoraria"]
    assert Problem.of(sent) == p
    plain = Problem("x", "1", "e", "期待").as_dict()  # a rule of its own: no code, no keys
    assert "code" not in plain and "allowed" not in plain and Problem.of(plain).code == ""
    assert p.under("report").field == "report.budget[0].category"
    assert Problem("[1].on", "1", "", "").under("history").field == "history[1].on"


def test_the_console_says_a_refusal_with_labels_not_the_hubs_data_names() -> None:
    from office.client import OfficeError

    d = desk()
    [blank] = refused("application", {"received_on": "2026-04-10", "requested_yen": 80_000,
                                      "budget": [{"category": "", "amount": 5_000}]}, {})
    exc = ValidationError([blank])
    error = OfficeError(exc.message, status=400, message_ja=exc.message_ja,
                        problems=[blank.as_dict()])
    said = d.refusal(error, GrantView(d, lambda: None, "p", 2026).words())
    assert said.startswith("入力内容に誤りがあります。\n予算 1行目 費目: 空欄は使えません")
    assert "budget" not in said and "food" not in said
