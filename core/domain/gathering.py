"""One session of a place (開催): when, who came, what happened; or an expected session
that was not held (`held` false, with a reason from data), which is data and not a gap.

Participant categories come from the place's program. `first_time` is a subset
of the participants; `helpers` (運営・ボランティア) are not participants.

A place whose program is recorded monthly (reference.MONTHLY: a テンミリオンハウス open six
days a week) records its openings as one gathering a month from the operator's report
(`covers` month): dated the month's first day, with the usual opening hours, the days it
opened (`opening_days`), and the month's participants as 延べ counts. It stands for that
many sessions wherever sessions are counted (`sessions`); its sessions are not recorded
one by one as well, so nothing is counted twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from core.domain.conditions import MONTH_REPORT
from core.domain.defaults import STAFF_VISITED
from core.domain.problem import CHOICE
from core.domain.record import Record, check_meta, derived, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

FIELDS = ("place_id", "date", "start_time", "end_time", "attendance", "first_time", "helpers",
          "activities", "staff_visited", "note", "held", "not_held_reason", "covers",
          "opening_days")
SESSION, MONTH = "session", MONTH_REPORT  # what a gathering record covers
MAX_COUNT = 10_000


def minutes_between(start: str, end: str) -> int:
    sh, sm = (int(x) for x in start.split(":"))
    eh, em = (int(x) for x in end.split(":"))
    return (eh * 60 + em) - (sh * 60 + sm)


@dataclass(frozen=True, kw_only=True)
class Gathering(Record):
    kind: str = "gathering"
    place_id: str
    date: str
    start_time: str
    end_time: str
    attendance: Mapping[str, int] = field(default_factory=dict)
    first_time: int = 0
    helpers: int = 0
    activities: tuple[str, ...] = ()
    staff_visited: bool = STAFF_VISITED  # as a new record starts (domain.defaults)
    note: str = ""
    held: bool = True
    not_held_reason: str = ""  # when not held: a key of `not_held_reasons`
    covers: str = SESSION  # session | month (the operator's report of a month; see above)
    opening_days: int = 0  # a month's report: the days the place opened that month

    SENSITIVE = ("note",)

    # worked out once per record: a year's assessment asks each gathering many times
    @derived
    def participants(self) -> int:
        return sum(self.attendance.values())

    @derived
    def minutes(self) -> int:
        return minutes_between(self.start_time, self.end_time)

    @derived
    def day(self) -> dt.date:
        return dt.date.fromisoformat(self.date)

    @property
    def monthly(self) -> bool:
        return self.covers == MONTH

    @property
    def sessions(self) -> int:
        """The sessions this record stands for: one, or a month's opening days."""
        return self.opening_days if self.covers == MONTH else 1


class Facts(NamedTuple):
    """What the grant conditions look at in a gathering (conditions.Occasion), read straight
    from its stored form (`facts`): a year's report over tens of thousands of gatherings
    needs these and nothing else. A tuple of plain values is cheap to make, and the garbage
    collector stops tracking it, so holding a year of them does not slow every collection."""

    id: str
    date: str
    start_time: str
    end_time: str
    held: bool
    activities: tuple[str, ...]
    participants: int
    minutes: int
    day: dt.date
    covers: str = SESSION
    sessions: int = 1


_new_tuple = tuple.__new__
_day = dt.date.fromisoformat


# a place meets at the same hours week after week, and a year has 366 days at most: a
# year's facts parse each once (plain dicts: functools.lru_cache made the report 5% slower)
_MINUTES: dict[tuple[str, str], int] = {}
_DAYS: dict[str, dt.date] = {}


def facts(doc: Mapping[str, Any]) -> Facts:
    start, end, date = doc["start_time"], doc["end_time"], doc["date"]  # checked when saved
    hours = (start, end)
    minutes = _MINUTES.get(hours)
    if minutes is None:
        minutes = (int(end[:2]) - int(start[:2])) * 60 + int(end[3:]) - int(start[3:])
        if len(_MINUTES) < 10_000:
            _MINUTES[hours] = minutes
    day = _DAYS.get(date)
    if day is None:
        day = _day(date)
        if len(_DAYS) < 10_000:
            _DAYS[date] = day
    covers = doc.get("covers", SESSION)
    return _new_tuple(Facts, (
        doc["id"], date, start, end, doc.get("held", True), tuple(doc["activities"]),
        sum(doc["attendance"].values()), minutes, day, covers,
        doc.get("opening_days", 0) if covers == MONTH else 1))


def parse_gathering(
    data: Mapping[str, Any], ref: Reference, *, today: dt.date | None = None
) -> Gathering:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "gathering")
    place_id = c.uuid("place_id", required=True)
    program = ref.program_of_place(place_id) if place_id else None
    if place_id and program is None:
        c.fail("place_id", place_id, "a known place", "登録済みの場所")
    day = c.date("date", required=True)
    if day and today and day > today + dt.timedelta(days=1):
        c.fail("date", data.get("date"), "a date not in the future", "未来ではない日付")
    start = c.time("start_time", required=True)
    end = c.time("end_time", required=True)
    if start and end and minutes_between(start, end) <= 0:
        c.fail("end_time", end, f"a time after the start ({start})", f"開始時刻 ({start}) より後の時刻")
    attendance = _attendance(c, program.category_keys if program else None)
    first_time = c.integer("first_time", maximum=MAX_COUNT)
    if first_time > sum(attendance.values()):
        c.fail("first_time", first_time,
               f"no more than the participants ({sum(attendance.values())})",
               f"参加者数 ({sum(attendance.values())}) 以下")
    body: dict[str, Any] = dict(
        place_id=place_id,
        date=day.isoformat() if day else "",
        start_time=start or "",
        end_time=end or "",
        attendance=attendance,
        first_time=first_time,
        helpers=c.integer("helpers", maximum=MAX_COUNT),
        activities=c.choices("activities", ref.keys("activities")),
        staff_visited=c.boolean("staff_visited", default=STAFF_VISITED),
        note=c.text("note"),
        held=c.boolean("held", default=True),
        not_held_reason=c.choice("not_held_reason", ref.keys("not_held_reasons")),
        covers=c.choice("covers", (SESSION, MONTH), default=SESSION),
        opening_days=c.integer("opening_days", maximum=31),
    )
    if program is not None:
        _recorded_as(c, body, program.monthly, day)
    if not body["held"]:
        _not_held(c, body)
    elif body["not_held_reason"]:
        c.fail("not_held_reason", body["not_held_reason"], "no reason for a gathering held",
               "開催した記録に中止理由は不要です")
    c.raise_if_any()
    return rebuild(Gathering, {**meta, **body})


def _recorded_as(c: Checker, body: dict[str, Any], monthly: bool, day: dt.date | None) -> None:
    """A place recorded monthly has a month's report, never a session of its own; a place
    recorded session by session never has a month's report."""
    if body["covers"] == SESSION:
        if monthly:
            c.fail("covers", SESSION, "month: this place's openings are recorded by the "
                   "operator's monthly report", "month（この場所の開所は運営団体の月次報告で記録します）")
        elif body["opening_days"]:
            c.fail("opening_days", body["opening_days"], "opening days only in a month's report",
                   "開所日数は月次報告だけに入れます")
        return
    if not monthly:
        c.fail("covers", MONTH, "session: this place records each session",
               "session（この場所は開催ごとに記録します）")
        return
    if day is not None and day.day != 1:
        c.fail("date", body["date"], "the first day of the month the report covers",
               "報告する月の1日")
    if body["staff_visited"]:
        c.fail("staff_visited", True, "off: a month's report comes from the operator",
               "オフ（月次報告は運営団体からの報告です）")
    if body["held"]:
        last = _month_days(day) if day is not None else 31
        if not 1 <= body["opening_days"] <= last:
            c.fail("opening_days", body["opening_days"],
                   f"the days it opened that month, from 1 to {last} (closed all month: "
                   "not held, with the reason)",
                   f"その月に開所した日数（1〜{last}。1か月閉所の場合は「開催されず」と理由）")
    elif body["opening_days"]:
        c.fail("opening_days", body["opening_days"], "0 for a month it did not open",
               "開所しなかった月は0")


def _month_days(day: dt.date) -> int:
    following = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=1)
    return (following - day.replace(day=1)).days


def _not_held(c: Checker, body: dict[str, Any]) -> None:
    """A gathering not held has a reason (and words, for `other`) and nobody came."""
    if not body["not_held_reason"] and "not_held_reason" not in [p.field for p in c.problems]:
        c.fail("not_held_reason", None, "why it was not held (required)", "開催しなかった理由（必須）")
    if body["not_held_reason"] == "other" and not body["note"].strip():
        c.fail("note", body["note"], "a few words on why (reason: other)", "理由の説明（その他の場合は必須）")
    counted = sum(body["attendance"].values()) + body["first_time"] + body["helpers"]
    if counted:
        c.fail("attendance", counted, "no one counted for a gathering not held",
               "開催しなかった回に参加者は数えません")
    if body["activities"]:
        c.fail("activities", list(body["activities"]), "no activities for a gathering not held",
               "開催しなかった回に活動内容は入れません")


def _attendance(c: Checker, categories: tuple[str, ...] | None) -> dict[str, int]:
    raw = c.data.get("attendance", {})
    if not isinstance(raw, Mapping):
        c.fail("attendance", raw, "an object of category: count", "区分: 人数 のオブジェクト")
        return {}
    counts: dict[str, int] = {}
    for key, value in raw.items():
        name = f"attendance.{key}"
        if categories is not None and key not in categories:
            listed = ", ".join(categories)
            c.fail(name, key, f"a category of this program: {listed}", f"この事業の区分: {listed}",
                   CHOICE, categories)
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            c.fail(name, value, f"a whole number from 0 to {MAX_COUNT}", f"0以上{MAX_COUNT}以下の整数")
            continue
        counts[str(key)] = value
    if categories is not None:
        for key in categories:
            counts.setdefault(key, 0)
    return counts
