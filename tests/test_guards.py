"""Guards on free text (domain.guards): an individual number refused however it is written,
phone numbers, e-mail addresses and full names warned about, and no false alarm on dates,
times, amounts and counts; refused at validation on the device and at the hub, and never
kept in a draft."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from core.domain.errors import ValidationError
from core.domain.guards import REFUSE, WARN, check_digit, is_my_number
from core.domain.kinds import parse_record
from field_app.store import Store
from field_app.ui.form import RecordForm
from tests.factories import IBASHO, REF, concern_data, gathering_data, visit_note, visit_note_data
from tests.hubs import Field, Hub
from tests.test_hub_planning import push_raw

GUARDS = REF.guards
assert GUARDS is not None
BODY = "12345678901"
NUMBER = BODY + str(check_digit(BODY))
WRONG = BODY + str((check_digit(BODY) + 1) % 10)


def kinds(text: str) -> list[tuple[str, str]]:
    return [(f.kind, f.severity) for f in GUARDS.check(text)]


def test_the_check_digit() -> None:
    assert is_my_number(NUMBER) and not is_my_number(WRONG)
    assert not is_my_number(NUMBER[:11]) and not is_my_number("12345678901a")
    # a known-valid example: 1234 5678 9018 (check digit 8)
    assert check_digit("12345678901") == 8


@pytest.mark.parametrize("text", [
    f"個人番号は{NUMBER}です",
    f"番号 {NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]} を聞いた",
    f"{NUMBER[:4]}-{NUMBER[4:8]}-{NUMBER[8:]}",
    "".join(chr(ord(d) + 0xFEE0) for d in NUMBER) + "（全角）",
    f"{NUMBER[:4]}－{NUMBER[4:8]}－{NUMBER[8:]}",  # full-width hyphens
    f"her number is {NUMBER}.",
])
def test_an_individual_number_is_refused_however_it_is_written(text: str) -> None:
    assert ("my_number", REFUSE) in kinds(text)


@pytest.mark.parametrize("text", [
    f"番号 {WRONG}",  # twelve digits, but not a valid check digit
    "2026-12-01 10:00〜12:00 参加者12人、参加費100,000円",
    "会計: 1,234,567円、2025年度は45回開催、定員30名",
    "令和8年12月1日 13時30分から 第2火曜",
    "次回 2027/01/15、電話はまだ",
    f"{NUMBER}0",  # thirteen digits
    "A-san, in her 80s, came with her daughter at 10:30",
])
def test_no_alarm_on_dates_times_amounts_and_counts(text: str) -> None:
    assert [k for k, s in kinds(text) if s == REFUSE] == []
    assert "phone" not in [k for k, _ in kinds(text)]


@pytest.mark.parametrize(("text", "kind"), [
    ("娘さんの電話 090-1234-5678", "phone"),
    ("自宅 0422-12-3456 に連絡", "phone"),
    ("call 09012345678 tomorrow", "phone"),
    ("連絡先 hanako.yamada@example.jp", "email"),
    ("山田花子さんが来た", "full_name"),
    ("佐藤 一郎様より", "full_name"),
])
def test_phones_mails_and_names_are_warned_about_not_refused(text: str, kind: str) -> None:
    found = kinds(text)
    assert (kind, WARN) in found and all(s == WARN for _, s in found)


def test_a_family_name_alone_or_a_descriptor_is_fine() -> None:
    assert kinds("Aさん（80代女性）と山田さんが話していた") == []


def test_validation_refuses_a_number_naming_the_field_and_never_echoing_it() -> None:
    with pytest.raises(ValidationError) as caught:
        parse_record(visit_note_data(observations=f"マイナンバー {NUMBER} を見せられた"), REF)
    [problem] = caught.value.problems
    assert problem.field == "observations" and NUMBER not in problem.value
    assert "マイナンバー" in problem.expected_ja and NUMBER not in caught.value.message_ja
    with pytest.raises(ValidationError) as caught:  # with its other problems, all at once
        parse_record(gathering_data(note=f"{NUMBER}", helpers=-1), REF)
    assert {p.field for p in caught.value.problems} == {"note", "helpers"}


def test_a_draft_never_keeps_the_number(tmp_path: Path) -> None:
    with Store(tmp_path / "s") as store:
        form = RecordForm.open(store, REF, "concern", None, "山田", place_id=IBASHO.id)
        form.change(observed=f"番号 {NUMBER} を言っていた").result(timeout=10)
        assert "observed" in form.problems
        assert NUMBER in form.data["observed"]  # still on screen, to be removed
        draft = store.draft(form.id)
        assert draft is not None and NUMBER not in str(draft)
        assert "＊＊＊＊" in draft["observed"]
        assert store.all("concern") == []


def test_the_hub_refuses_a_pushed_number(hub: Hub, field: Field) -> None:
    data = {**concern_data(observed=f"個人番号 {NUMBER}"), "device_id": field.store.device_id}
    [result] = push_raw(hub, field.token, [data])
    assert result["status"] == "rejected"
    assert [p["field"] for p in result["problems"]] == ["observed"]  # type: ignore[union-attr]
    assert NUMBER not in str(result)
    ok = dataclasses.replace(visit_note(observations="電話 090-1234-5678 を聞いた"),
                             device_id=field.store.device_id)  # a warning, not a refusal
    [accepted] = push_raw(hub, field.token, [ok.to_dict()])
    assert accepted["status"] == "accepted"


@pytest.mark.parametrize("number", [NUMBER, f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}",
                                    NUMBER.translate(str.maketrans("0123456789",
                                                                   "０１２３４５６７８９"))])
def test_typed_key_by_key_no_prefix_of_the_number_reaches_the_disk(tmp_path: Path,
                                                                   number: str) -> None:
    store = Store(tmp_path / "data")
    try:
        form = RecordForm.open(store, REF, "visit_note", None, "山田 花子", place_id=IBASHO.id)
        text = f"運営の方と相談。番号 {number}"
        on_disk = []
        for i in range(1, len(text) + 1):
            form.change(observations=text[:i]).result()
            kept = store.draft(form.id) or store.get("visit_note", form.id) or {}
            on_disk.append(str(kept.get("observations", "")))
            # what the screen shows is what was typed
            assert form.data["observations"] == text[:i]
        digits = [re.sub(r"\D", "", d.translate(str.maketrans("０１２３４５６７８９",
                                                              "0123456789"))) for d in on_disk]
        assert max(len(d) for d in digits) == 0, on_disk
        assert on_disk[-1].endswith("＊" * 4)  # the refused number, masked in the draft
        assert "observations" in form.problems
        # removing the number saves the note
        form.change(observations="運営の方と相談。").result()
        assert store.get("visit_note", form.id)["observations"] == "運営の方と相談。"
    finally:
        store.close()


def test_text_going_on_past_digits_is_saved_and_leaving_writes_what_was_held(
        tmp_path: Path) -> None:
    store = Store(tmp_path / "data")
    try:
        form = RecordForm.open(store, REF, "visit_note", None, "山田 花子", place_id=IBASHO.id)
        form.change(observations="次回は12").result()
        assert form.held and form.state_text(lambda key, **kw: key) == "form.typing"
        assert store.get("visit_note", form.id) is None and store.draft(form.id) is None
        form.change(observations="次回は12日").result()
        assert not form.held and store.get("visit_note", form.id)["observations"] == "次回は12日"
        form.change(observations="次回は12日、電話 090-1234-5678").result()
        assert form.held  # up to 11 digits: it could still become a number
        assert "電話番号" in (form.warning("observations", "ja") or "")
        form.change(observations="山田花子さん 090-1234-5678 に連絡").result()
        both = form.warning("observations", "ja") or ""
        assert "氏名" in both and "電話番号" in both  # every kind found is said, once each
        form.change(observations="次回は12日、電話 090-1234-5678").result()
        form.flush().result()  # the screen is left: what was typed is kept
        assert store.get("visit_note", form.id)["observations"].endswith("5678")
        assert form.flush() is None
    finally:
        store.close()


@pytest.mark.parametrize(("text", "growing"), [
    ("番号 1234", True), ("番号 1234-", True), ("１２３４ ５６７８", True), ("", False),
    ("12日に", False), (NUMBER, False), ("1234567890123", False), (f"番号 {NUMBER[:11]}", True),
    (f"{NUMBER[:4]} {NUMBER[4:8]} {NUMBER[8:]}", False)])
def test_what_could_still_become_a_number(text: str, growing: bool) -> None:
    assert GUARDS.could_become_number(text) is growing


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(["田中さん", "090-1234-5678", "a@b.jp", "１２３４", "-", " ", "\n",
                                 f"12345678901{check_digit('12345678901')}", "様", "電話",
                                 "４５６７８９０１２３４５"]), max_size=8).map("".join))
def test_refusals_are_the_refused_findings_of_check(text: str) -> None:
    assert GUARDS.refusals(text) == [f for f in GUARDS.check(text) if f.severity == REFUSE]
