"""The legal basis of a concern (APPI 第27条): consent, or a basis recorded when there is none;
the report duty an emergency points to; what each choice allows, as data."""

from __future__ import annotations

import pytest

from core.domain import legal_basis
from core.domain.concern import parse_office_part
from core.domain.errors import ValidationError
from core.domain.kinds import parse_record
from tests.factories import REF, concern, concern_data

KEYS = {"consent", "life_body_emergency", "support_meeting_106_6", "abuse_report_elder",
        "abuse_report_child", "dv_protection", "other_law"}


def problems(data: dict) -> dict[str, object]:
    with pytest.raises(ValidationError) as info:
        parse_record(data, REF)
    return {p.field: p for p in info.value.problems}


def test_the_bases_are_data_with_labels_and_what_each_allows() -> None:
    assert REF.keys("legal_basis") == KEYS
    for option in (*REF.enums["legal_basis"], *REF.enums["consent"]):
        assert option.label.ja and option.label.en
        assert legal_basis.allows(option, "ja") and legal_basis.allows(option, "en")
    assert {o.key for o in REF.enums["consent"] if o.attrs.get("given")} == {"written", "verbal"}


@pytest.mark.parametrize("consent", ["refused", "not_asked", "not_possible"])
def test_a_sensitive_category_without_consent_needs_a_basis(consent: str) -> None:
    found = problems(concern_data(categories=["health"], consent=consent))
    assert set(found) == {"legal_basis"}
    assert "法的根拠" in found["legal_basis"].expected_ja
    for basis in KEYS - {"consent", "other_law"}:
        assert concern(categories=["health"], consent=consent, legal_basis=basis).legal_basis \
            == basis


def test_consent_given_needs_no_basis_and_a_plain_category_needs_none() -> None:
    assert concern(categories=["health"], consent="written").legal_basis == ""
    assert concern(categories=["isolation"], consent="not_asked").legal_basis == ""


def test_consent_is_a_basis_only_when_it_was_given() -> None:
    assert set(problems(concern_data(categories=["isolation"], consent="refused",
                                     legal_basis="consent"))) == {"legal_basis"}
    assert concern(consent="verbal", legal_basis="consent").legal_basis == "consent"


def test_another_law_is_named() -> None:
    found = problems(concern_data(categories=["health"], consent="not_possible",
                                  legal_basis="other_law"))
    assert set(found) == {"legal_basis_note"}
    done = concern(categories=["health"], consent="not_possible", legal_basis="other_law",
                   legal_basis_note="生活困窮者自立支援法 第23条")
    assert done.legal_basis_note.startswith("生活困窮者")
    assert set(problems(concern_data(legal_basis="court_order"))) == {"legal_basis"}
    assert set(problems(concern_data(legal_basis_note="x" * 201))) == {"legal_basis_note"}


@pytest.mark.parametrize(("band", "category", "duty"), [
    ("80s_plus", "abuse_suspected", "abuse_report_elder"),
    ("child", "abuse_suspected", "abuse_report_child"),
    ("infant", "abuse_suspected", "abuse_report_child"),
    ("40s_50s", "dv", "dv_protection"),
])
def test_an_emergency_with_abuse_points_to_the_report_duty(band: str, category: str,
                                                          duty: str) -> None:
    data = concern_data(categories=[category], subject_age_band=band, consent="not_possible",
                        urgency="emergency", suggested_destination="emergency")
    found = problems(data)
    assert set(found) == {"legal_basis"}
    label = REF.option("legal_basis", duty)
    assert label is not None and label.label.ja in found["legal_basis"].expected_ja
    assert legal_basis.law(REF, duty) in found["legal_basis"].expected_ja
    # another basis is lawful too, but the duty is still pointed out until it is the basis
    data["legal_basis"] = "life_body_emergency"
    parse_record(data, REF)
    assert legal_basis.notices(REF, data)[0].ja.startswith("通報義務があります")
    data["legal_basis"] = duty
    parse_record(data, REF)
    assert legal_basis.notices(REF, data) == []


def test_no_duty_where_the_age_band_has_none() -> None:
    assert legal_basis.report_duty(REF, ["abuse_suspected"], "40s_50s") is None
    assert legal_basis.report_duty(REF, ["isolation"], "80s_plus") is None
    assert legal_basis.notices(REF, concern_data(urgency="high", categories=["dv"])) == []


def test_the_basis_a_referral_rests_on() -> None:
    plain = concern_data(categories=["isolation"], consent="not_asked")
    assert legal_basis.basis_of(REF, plain, None) is None
    assert legal_basis.basis_of(REF, concern_data(consent="written"), None) == \
        legal_basis.Basis("consent", "", "device")
    device = concern_data(categories=["health"], consent="refused", legal_basis="other_law",
                          legal_basis_note="法")
    assert legal_basis.basis_of(REF, device, {}) == legal_basis.Basis("other_law", "法", "device")
    office = {"legal_basis": "support_meeting_106_6", "legal_basis_note": "12月支援会議"}
    assert legal_basis.basis_of(REF, plain, office) == \
        legal_basis.Basis("support_meeting_106_6", "12月支援会議", "office")


def test_the_office_records_a_basis_of_its_own() -> None:
    part = parse_office_part({"status": "triaged", "legal_basis": "support_meeting_106_6"}, REF)
    assert part.legal_basis == "support_meeting_106_6"
    # consent obtained after the visit is the office's to record
    assert parse_office_part({"status": "triaged", "legal_basis": "consent"}, REF).legal_basis \
        == "consent"
    with pytest.raises(ValidationError) as info:
        parse_office_part({"status": "triaged", "legal_basis": "other_law"}, REF)
    assert [p.field for p in info.value.problems] == ["office.legal_basis_note"]


def test_the_office_cannot_write_the_devices_consent_or_basis() -> None:
    for field in ("consent", "observed", "subject_alias"):
        with pytest.raises(ValidationError) as info:
            parse_office_part({"status": "triaged", field: "written"}, REF)
        assert [p.field for p in info.value.problems] == [f"office.{field}"]


def test_a_device_cannot_write_the_office_basis() -> None:
    data = concern_data(office={"status": "triaged", "legal_basis": "support_meeting_106_6"})
    with pytest.raises(ValidationError) as info:
        parse_record(data, REF, from_device=True)
    assert {p.field for p in info.value.problems} == {"office"}


def test_the_note_is_guarded_like_other_free_text() -> None:
    from core.domain.guards import check_digit

    number = "12345678901"
    number += str(check_digit(number))
    found = problems(concern_data(categories=["health"], consent="refused",
                                  legal_basis="other_law", legal_basis_note=f"番号 {number}"))
    assert set(found) == {"legal_basis_note"}
    assert number not in str(found["legal_basis_note"].value)
