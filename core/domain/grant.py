"""A place's grant for one fiscal year, from application to settlement (office-owned;
DESIGN §4, second plan). Pure: the hub checks and stores it, the console edits it, the
tablet shows its status.

Steps, each recorded by the office: the application (date received, amount requested, the
plan, budget lines), the decision (an approved amount no more than the program's cap and
the request, its date and any conditions attached; or a refusal with its reason), payments
(date, amount), the 実績報告 received (date; income and expense lines by category, the
categories being data; the group's self-evaluation) and the settlement (確定額, and the
refund due when it is below what was paid). The status follows from what is recorded:
申請受付 → 交付決定 (or 不交付) → 交付済 → 実績報告受付 → 額確定 / 返還. Amounts are whole yen.

A 実績報告 reports a whole fiscal year: one received before the year's last day (31 March)
is early, and is taken only with the reason for it (`early_reason`), kept with the report.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.errors import ValidationError
from core.domain.fiscal import fiscal_year_bounds
from core.domain.problem import Problem
from core.domain.validation import Checker

STEPS = ("application", "decision", "payments", "report", "settlement")
NONE, APPLIED, DECIDED, REFUSED, PAID, REPORTED, SETTLED, REFUND = (
    "none", "applied", "decided", "refused", "paid", "reported", "settled", "refund")
STATUSES = (NONE, APPLIED, DECIDED, REFUSED, PAID, REPORTED, SETTLED, REFUND)
# what the office waits for next, by status (shown on the tablet)
WAITING = {NONE: "application", APPLIED: "decision", DECIDED: "payment", PAID: "report",
           REPORTED: "settlement", REFUSED: "", SETTLED: "", REFUND: "refund"}
MAX_YEN = 100_000_000
MAX_LINES = 50
# each step's body as the office sends it (what check_step accepts; the guard test walks
# these): free text among them is read with Checker.text, which refuses an individual number
STEP_FIELDS: dict[str, tuple[str, ...]] = {
    "application": ("received_on", "requested_yen", "plan", "budget"),
    "decision": ("decided_on", "approved", "approved_yen", "conditions", "refusal_reason"),
    "payments": ("payments",),
    "report": ("received_on", "income", "expenses", "self_evaluation", "early_reason"),
    "settlement": ("settled_on", "confirmed_yen", "note"),
}
LINE_FIELDS = ("category", "amount", "note")  # a budget, income or expense line
PAYMENT_FIELDS = ("paid_on", "amount")


@dataclass(frozen=True)
class Line:
    category: str
    amount: int
    note: str = ""


@dataclass(frozen=True)
class Figures:
    requested: int
    approved: int
    paid: int
    income: int
    expenses: int
    confirmed: int | None
    refund: int


def status(grant: Mapping[str, Any]) -> str:
    """The grant's status from the steps recorded so far."""
    settlement, report = grant.get("settlement"), grant.get("report")
    decision, payments = grant.get("decision"), grant.get("payments") or []
    if settlement:
        return REFUND if figures(grant).refund > 0 else SETTLED
    if report:
        return REPORTED
    if decision and not decision.get("approved"):
        return REFUSED
    if payments:
        return PAID
    if decision:
        return DECIDED
    return APPLIED if grant.get("application") else NONE


def figures(grant: Mapping[str, Any]) -> Figures:
    application = grant.get("application") or {}
    decision = grant.get("decision") or {}
    report = grant.get("report") or {}
    settlement = grant.get("settlement") or {}
    paid = sum(int(p["amount"]) for p in grant.get("payments") or [])
    confirmed = settlement.get("confirmed_yen")
    return Figures(
        requested=int(application.get("requested_yen") or 0),
        approved=int(decision.get("approved_yen") or 0) if decision.get("approved") else 0,
        paid=paid,
        income=sum(int(x["amount"]) for x in report.get("income") or []),
        expenses=sum(int(x["amount"]) for x in report.get("expenses") or []),
        confirmed=int(confirmed) if confirmed is not None else None,
        refund=max(0, paid - int(confirmed)) if confirmed is not None else 0)


def suggested_confirmed(grant: Mapping[str, Any]) -> int:
    """確定額 as usually settled: the approved amount, or the spending if that is less."""
    f = figures(grant)
    return min(f.approved, f.expenses)


def check_step(step: str, data: Any, grant: Mapping[str, Any], cap_yen: int,
               categories: Mapping[str, Collection[str]], today: dt.date, *,
               fiscal_year: int) -> dict[str, Any]:
    """Check one step of the grant for `fiscal_year` as the office sends it, against what is
    recorded before it; returns the stored form. Raises ValidationError with every problem,
    each naming its field."""
    if step not in STEPS:
        raise ValidationError([Problem("step", repr(step), "one of: " + ", ".join(STEPS),
                                       "手続きの種類")])
    if not isinstance(data, Mapping):
        raise ValidationError([Problem(step, repr(data)[:40], "an object", "オブジェクト")])
    c = Checker(data)
    c.only(STEP_FIELDS[step])
    out: dict[str, Any]
    if step == "application":
        out = {"received_on": _day(c, "received_on", today),
               "requested_yen": c.integer("requested_yen", required=True, maximum=MAX_YEN),
               "plan": c.text("plan", max_len=4000),
               "budget": _lines(c, "budget", categories["expenses"])}
    elif step == "decision":
        _after(c, grant, "application", "the application", "申請の受付")
        approved = c.boolean("approved", default=True)
        amount = c.integer("approved_yen", required=approved, maximum=MAX_YEN)
        requested = figures(grant).requested
        # each refusal says the limit and by how much it is passed: "120000" alone does not
        # tell an officer which rule it broke
        if approved and amount > cap_yen:
            c.fail("approved_yen", amount,
                   f"at most the program's grant cap of ¥{cap_yen:,} (¥{amount - cap_yen:,} over)",
                   f"この事業の助成上限額 {cap_yen:,}円 以下。{amount - cap_yen:,}円 超えています",
                   "over_cap")
        if approved and grant.get("application") and amount > requested:
            c.fail("approved_yen", amount,
                   f"at most the amount requested, ¥{requested:,} (¥{amount - requested:,} over)",
                   f"申請額 {requested:,}円 以下。{amount - requested:,}円 超えています",
                   "over_request")
        reason = c.text("refusal_reason", max_len=2000)
        if not approved and not reason.strip():
            c.fail("refusal_reason", reason, "the reason for refusing (required)",
                   "不交付の理由（必須）")
        out = {"decided_on": _day(c, "decided_on", today), "approved": approved,
               "approved_yen": amount if approved else 0,
               "conditions": c.text("conditions", max_len=2000), "refusal_reason": reason}
    elif step == "payments":
        decision = grant.get("decision") or {}
        if not decision.get("approved"):
            c.fail("decision", None, "an approved decision first", "先に交付決定を記録してください")
        lines = data.get("payments")
        payments: list[dict[str, Any]] = []
        if not isinstance(lines, list) or len(lines) > MAX_LINES:
            c.fail("payments", lines, f"a list of at most {MAX_LINES} payments",
                   f"{MAX_LINES}件以内の支払いのリスト")
            lines = []
        for i, raw in enumerate(lines):
            line = Checker(raw if isinstance(raw, Mapping) else {})
            line.only(PAYMENT_FIELDS)
            payments.append({"paid_on": _day(line, "paid_on", today),
                             "amount": line.integer("amount", required=True, minimum=1,
                                                    maximum=MAX_YEN)})
            c.problems += [x.under(f"payments[{i}]") for x in line.problems]
        total = sum(int(x["amount"]) for x in payments)
        granted = int(decision.get("approved_yen") or 0)
        if decision.get("approved") and total > granted:
            c.fail("payments", total,
                   f"no more in all than approved, ¥{granted:,} (¥{total - granted:,} over)",
                   f"合計が交付決定額 {granted:,}円 以下。{total - granted:,}円 超えています",
                   "over_approved")
        out = {"payments": payments}
    elif step == "report":
        if not (grant.get("decision") or {}).get("approved"):
            c.fail("decision", None, "an approved decision first", "先に交付決定を記録してください")
        received = _day(c, "received_on", today)
        out = {"received_on": received,
               "income": _lines(c, "income", categories["income"]),
               "expenses": _lines(c, "expenses", categories["expenses"]),
               "self_evaluation": c.text("self_evaluation", max_len=4000)}
        reason = c.text("early_reason", max_len=2000)
        last = fiscal_year_bounds(fiscal_year)[1]
        if received and received < last.isoformat():
            if not reason.strip():
                c.fail("early_reason", reason,
                       f"why the report comes before FY{fiscal_year} ends on {last} "
                       "(required: it was received before the year's last day)",
                       f"{fiscal_year}年度の終わり（{last.month}月{last.day}日）より前に"
                       "報告する理由（年度末より前の受付のため必須）")
            out["early_reason"] = reason
    else:
        _after(c, grant, "report", "the 実績報告", "実績報告の受付")
        confirmed = c.integer("confirmed_yen", required=True, maximum=MAX_YEN)
        f = figures(grant)
        if confirmed > f.approved:
            c.fail("confirmed_yen", confirmed,
                   f"at most the approved amount, ¥{f.approved:,} "
                   f"(¥{confirmed - f.approved:,} over)",
                   f"交付決定額 {f.approved:,}円 以下。{confirmed - f.approved:,}円 超えています",
                   "over_approved")
        out = {"settled_on": _day(c, "settled_on", today), "confirmed_yen": confirmed,
               "note": c.text("note", max_len=2000)}
    c.raise_if_any()
    return out


def _after(c: Checker, grant: Mapping[str, Any], step: str, en: str, ja: str) -> None:
    if not grant.get(step):
        c.fail(step, None, f"{en} recorded first", f"先に{ja}を記録してください")


def _day(c: Checker, name: str, today: dt.date) -> str:
    day = c.date(name, required=True)
    if day and day > today:
        c.fail(name, day.isoformat(), "a date not in the future", "未来ではない日付")
    return day.isoformat() if day else ""


def _lines(c: Checker, name: str, allowed: Collection[str]) -> list[dict[str, Any]]:
    raw = c.data.get(name, [])
    if not isinstance(raw, list) or len(raw) > MAX_LINES:
        c.fail(name, raw, f"a list of at most {MAX_LINES} lines", f"{MAX_LINES}行以内のリスト")
        return []
    out = []
    for i, item in enumerate(raw):
        line = Checker(item if isinstance(item, Mapping) else {})
        line.only(LINE_FIELDS)
        out.append({"category": line.choice("category", allowed, required=True),
                    "amount": line.integer("amount", required=True, maximum=MAX_YEN),
                    "note": line.text("note", max_len=200)})
        c.problems += [p.under(f"{name}[{i}]") for p in line.problems]
    return out
