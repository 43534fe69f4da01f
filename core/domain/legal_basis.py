"""What makes passing a concern on lawful (APPI 第27条): the person's consent, or a legal
basis when there is none — protecting life or body, a 支援会議 (社会福祉法 §106-6), an elder
or child abuse report, DV protection, another law. The keys, labels, what each allows and
which report duty a category points to are data (`legal_basis` in assets/data/enums.json).

Two writers, never the same field (DESIGN §6): the authoring device records the basis it
relied on beside the consent; the office may record one of its own (a support meeting held
later, consent obtained later), which then counts instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.domain.reference import Label, Option, Reference

CONSENT, OTHER_LAW = "consent", "other_law"
NOTE_MAX = 200


@dataclass(frozen=True)
class Basis:
    """The basis a provision rests on, and whose record it is (device or office)."""

    key: str
    note: str
    by: str  # "device" | "office"


def consent_given(ref: Reference, consent: object) -> bool:
    option = ref.option("consent", consent) if isinstance(consent, str) else None
    return bool(option and option.attrs.get("given"))


def sensitive(ref: Reference, categories: Sequence[str]) -> bool:
    return any((o := ref.option("concern_categories", k)) and o.attrs.get("sensitive")
               for k in categories)


def report_duty(ref: Reference, categories: Sequence[str], age_band: object) -> Option | None:
    """The report duty a concern's categories and age band point to (an abuse report, DV
    protection), or None."""
    for option in ref.enums["legal_basis"]:
        duty = option.attrs.get("duty")
        if not isinstance(duty, Mapping) or duty.get("category") not in categories:
            continue
        bands = duty.get("age_bands")
        if bands is None or age_band in bands:
            return option
    return None


def allows(option: Option | None, lang: str) -> str:
    """One line on what a consent or basis choice allows (shown where it is chosen)."""
    return str(option.attrs.get(f"allows_{lang}", "")) if option else ""


def law(ref: Reference, key: str) -> str:
    option = ref.option("legal_basis", key)
    return str(option.attrs.get("law", "")) if option else ""


def missing(ref: Reference, key: str, duty: Option | None) -> Label:
    """What a concern without consent needs, naming the report duty it points to."""
    if duty is not None:
        where = law(ref, duty.key)
        return Label(f"法的根拠が必要です（同意がありません）。通報義務があります: {duty.label.ja}"
                     f"（{where}）",
                     f"a legal basis (there is no consent); this points to the report duty: "
                     f"{duty.label.en} ({where})")
    return Label("法的根拠が必要です（要配慮個人情報で、本人の同意がありません）",
                 "a legal basis (sensitive information without the person's consent)")


def check(c: Any, ref: Reference, *, consent: object, categories: Sequence[str],
          age_band: object, require: bool, office: bool = False) -> tuple[str, str]:
    """Check `legal_basis` and `legal_basis_note` with the Checker `c`; `require`: a basis
    is needed when consent is not given (the device: for sensitive categories). `office`:
    the office's own record, which may say consent was obtained after the visit."""
    key = c.choice("legal_basis", ref.keys("legal_basis"))
    note = c.text("legal_basis_note", max_len=NOTE_MAX)
    bad = {p.field for p in c.problems}
    given = consent_given(ref, consent)
    if key == CONSENT and not given and not office:
        c.fail("legal_basis", key, "consent as the basis only when consent is written or verbal",
               "「本人の同意」は同意が書面か口頭のときだけ選べます")
    elif require and not given and not key and "legal_basis" not in bad:
        words = missing(ref, key, report_duty(ref, categories, age_band))
        c.fail("legal_basis", None, words.en, words.ja)
    option = ref.option("legal_basis", key) if key else None
    if option is not None and option.attrs.get("needs_text") and not note \
            and "legal_basis_note" not in bad:
        c.fail("legal_basis_note", None, "the law it rests on", "根拠となる法令を書いてください")
    return key, note


def basis_of(ref: Reference, concern: Mapping[str, Any], office: Mapping[str, Any] | None
             ) -> Basis | None:
    """The basis a referral of `concern` rests on: the office's own record, else the
    device's, else the consent given; None when there is neither consent nor a basis."""
    part = office or {}
    if part.get("legal_basis"):
        return Basis(str(part["legal_basis"]), str(part.get("legal_basis_note") or ""), "office")
    if concern.get("legal_basis"):
        return Basis(str(concern["legal_basis"]), str(concern.get("legal_basis_note") or ""),
                     "device")
    if consent_given(ref, concern.get("consent")):
        return Basis(CONSENT, "", "device")
    return None


def notices(ref: Reference, data: Mapping[str, Any]) -> list[Label]:
    """Advice that does not block saving: an emergency with a category that carries a report
    duty says which, whatever basis was chosen."""
    if data.get("urgency") != "emergency":
        return []
    duty = report_duty(ref, list(data.get("categories") or []), data.get("subject_age_band"))
    if duty is None or data.get("legal_basis") == duty.key:
        return []
    where = law(ref, duty.key)
    return [Label(f"通報義務があります: {duty.label.ja}（{where}）。根拠に「{duty.label.ja}」を"
                  "選べます。",
                  f"There is a duty to report: {duty.label.en} ({where}). You can choose it as "
                  "the basis.")]
