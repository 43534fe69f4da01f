"""An early-warning concern (気づき・困りごと) about a person who may need help.

Two writers, never the same field (DESIGN §6): the authoring device writes the
field part; the office writes `office` (triage, referral, feedback). The
subject is pseudonymous: age band, gender, optional initials or nickname.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain import legal_basis
from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

FIELDS = ("place_id", "gathering_id", "observed_on", "subject_age_band", "subject_gender",
          "subject_alias", "categories", "urgency", "consent", "legal_basis", "legal_basis_note",
          "observed",
          "suggested_destination", "follow_up_on", "office")
OFFICE_FIELDS = ("status", "destination", "referred_on", "method", "feedback", "closed_on",
                 "legal_basis", "legal_basis_note", "updated_at", "updated_by")
ALIAS_MAX = 20  # initials or a nickname; a full name does not belong here


@dataclass(frozen=True, kw_only=True)
class OfficePart:
    status: str = "new"
    destination: str = ""
    referred_on: str | None = None
    method: str = ""
    feedback: str = ""
    closed_on: str | None = None
    legal_basis: str = ""  # recorded by the office (a support meeting, consent got later)
    legal_basis_note: str = ""
    updated_at: str = ""
    updated_by: str = ""


@dataclass(frozen=True, kw_only=True)
class Concern(Record):
    kind: str = "concern"
    place_id: str = ""
    gathering_id: str = ""
    observed_on: str
    subject_age_band: str
    subject_gender: str
    subject_alias: str = ""
    categories: tuple[str, ...]
    urgency: str
    consent: str = ""
    legal_basis: str = ""  # when there is no consent (legal_basis.py)
    legal_basis_note: str = ""
    observed: str
    suggested_destination: str = ""
    follow_up_on: str | None = None
    office: OfficePart | None = None

    SENSITIVE = ("subject_age_band", "subject_gender", "subject_alias", "observed")

    def to_dict(self) -> dict[str, Any]:
        out = super().to_dict()
        # asdict-like nesting is not applied by Record.to_dict for dataclasses
        out["office"] = dict(vars(self.office)) if self.office else None
        return out

    @property
    def status(self) -> str:
        return self.office.status if self.office else "new"


def parse_concern(
    data: Mapping[str, Any], ref: Reference, *, today: dt.date | None = None,
    allow_office: bool = True,
) -> Concern:
    """Check a concern. `allow_office=False` is for pushes from devices, which
    must not write the office part."""
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "concern")
    place_id = c.uuid("place_id")
    if place_id and ref.place_programs and place_id not in ref.place_programs:
        c.fail("place_id", place_id, "a known place", "登録済みの場所")
    day = c.date("observed_on", required=True)
    if day and today and day > today + dt.timedelta(days=1):
        c.fail("observed_on", data.get("observed_on"), "a date not in the future", "未来ではない日付")
    follow = c.date("follow_up_on")
    if day and follow and follow < day:
        c.fail("follow_up_on", data.get("follow_up_on"), "on or after the observed date",
               "気づいた日以降の日付")
    categories = c.choices("categories", ref.keys("concern_categories"), min_count=1)
    urgency = c.choice("urgency", ref.keys("urgency"), required=True)
    sensitive = [k for k in categories
                 if (o := ref.option("concern_categories", k)) and o.attrs.get("sensitive")]
    consent = c.choice("consent", ref.keys("consent"), required=bool(sensitive))
    age_band = c.choice("subject_age_band", ref.keys("age_bands"), required=True)
    basis, basis_note = legal_basis.check(c, ref, consent=consent, categories=categories,
                                          age_band=age_band, require=bool(sensitive and consent))
    destination = c.choice("suggested_destination", ref.destination_keys)
    if urgency == "emergency" and not destination and "suggested_destination" not in _bad(c):
        c.fail("suggested_destination", None, "a destination (required for an emergency)",
               "緊急の場合はつなぎ先が必須です")
    body: dict[str, Any] = dict(
        place_id=place_id,
        gathering_id=c.uuid("gathering_id"),
        observed_on=day.isoformat() if day else "",
        subject_age_band=age_band,
        subject_gender=c.choice("subject_gender", ref.keys("genders"), required=True),
        subject_alias=c.text("subject_alias", max_len=ALIAS_MAX),
        categories=categories,
        urgency=urgency,
        consent=consent,
        legal_basis=basis,
        legal_basis_note=basis_note,
        observed=c.text("observed", required=True),
        suggested_destination=destination,
        follow_up_on=follow.isoformat() if follow else None,
        office=None,
    )
    raw_office = data.get("office")
    if raw_office is not None:
        if not allow_office:
            c.fail("office", "…", "no office part (written only by the office)",
                   "事務局欄は端末から書き込めません")
        else:
            body["office"] = _office(c, raw_office, ref)
    c.raise_if_any()
    return rebuild(Concern, {**meta, **body})


def parse_office_part(data: Mapping[str, Any], ref: Reference) -> OfficePart:
    c = Checker({"office": data})
    part = _office(c, data, ref)
    c.raise_if_any()
    return part


def _bad(c: Checker) -> set[str]:
    return {p.field for p in c.problems}


def _office(c: Checker, raw: Any, ref: Reference) -> OfficePart:
    if not isinstance(raw, Mapping):
        c.fail("office", raw, "an object", "オブジェクト")
        return OfficePart()
    o = Checker(raw)
    o.only(OFFICE_FIELDS)
    status = o.choice("status", ref.keys("concern_status"), required=True, default="new")
    destination = o.choice("destination", ref.destination_keys)
    referred_on = o.date("referred_on")
    closed_on = o.date("closed_on")
    if status == "referred" and not destination and "destination" not in _bad(o):
        o.fail("destination", None, "a destination (required to mark referred)",
               "「つなぎ済み」にするにはつなぎ先が必要です")
    if status == "referred" and referred_on is None and "referred_on" not in _bad(o):
        o.fail("referred_on", None, "the referral date (required to mark referred)",
               "「つなぎ済み」にするにはつないだ日が必要です")
    if status == "closed" and closed_on is None and "closed_on" not in _bad(o):
        o.fail("closed_on", None, "the closing date (required to close)", "終了日が必要です")
    basis, basis_note = legal_basis.check(o, ref, consent=None, categories=(), age_band=None,
                                          require=False, office=True)
    part = OfficePart(
        status=status,
        destination=destination,
        referred_on=referred_on.isoformat() if referred_on else None,
        method=o.text("method", max_len=100),
        feedback=o.text("feedback"),
        closed_on=closed_on.isoformat() if closed_on else None,
        legal_basis=basis,
        legal_basis_note=basis_note,
        updated_at=o.timestamp("updated_at"),
        updated_by=o.text("updated_by", max_len=100),
    )
    for p in o.problems:
        c.problems.append(type(p)(f"office.{p.field}", p.value, p.expected_en, p.expected_ja))
    return part
