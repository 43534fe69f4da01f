"""What a disclosure request (開示請求) hands to the person who asked, as XLSX and PDF: a
cover that says what is included and what the council did with it (each provision to a
third party), then every version of each record, the office's actions, the history and the
provisions. Written for that person: Japanese labels, never the system's codes; the
records numbered 記録1, 記録2… (the audit log keeps which concern each number is); every
date and time in Japan time. Pure rendering of `Disclosure`, built by hub/disclosure.py."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from core.domain import clock
from core.domain.reference import Reference
from hub.documents import pdf as pdfkit
from hub.documents.sheet import DATE, MINUTE, print_ready
from hub.provisions import HEADER as PROVISION_HEADER
from hub.provisions import rows as provision_rows

TITLE = "保有個人データの開示"
UNKNOWN = "（不明）"  # a key the reference data no longer names: never shown as the key
SHEETS = {"保有している記録": "気づいた職員が記録した内容（修正された版・食い違う版を含む）",
          "事務局の対応": "事務局の対応（状況・つなぎ先・結果など）",
          "経過": "記録を受け取ってからの経過（閲覧・対応・提供・開示）",
          "第三者提供記録": "第三者への提供の記録（個人情報保護法第29条）"}
HELD = ["記録", "版", "気づいた日", "場所", "年代", "性別", "呼び名", "分類", "緊急度",
        "本人の同意", "法的根拠", "根拠の補足", "気づいたこと", "つなぎ先（候補）",
        "次の確認日", "記録した職員", "受信日時（日本時間）"]
ACTED = ["記録", "状況", "つなぎ先", "つないだ日", "方法", "結果・フィードバック", "終了日",
         "法的根拠（事務局）", "根拠の補足", "更新日時（日本時間）", "更新した職員"]
STORY = ["記録", "日時（日本時間）", "誰が", "何を"]
FORMATS = {"保有している記録": {"気づいた日": DATE, "次の確認日": DATE,
                         "受信日時（日本時間）": MINUTE},
           "事務局の対応": {"つないだ日": DATE, "終了日": DATE, "更新日時（日本時間）": MINUTE},
           "経過": {"日時（日本時間）": MINUTE},
           "第三者提供記録": {"提供日": DATE, "記録日時（日本時間）": MINUTE, "保存期限": DATE}}
OFFICE_ACTIONS = ("office_part_written", "concern_read", "disclosed", "provided")


@dataclass(frozen=True)
class Version:
    rev: int
    doc: Mapping[str, Any]
    staff: str
    received: dt.datetime | str  # an instant as stored
    conflicting: bool = False  # kept for review beside the version in force


@dataclass
class Held:
    """One concern about the person, with all that goes with it."""
    number: int
    versions: list[Version]
    part: Mapping[str, Any] | None
    history: Sequence[Mapping[str, Any]] = ()
    given: Sequence[Mapping[str, Any]] = ()  # provisions.listing rows

    @property
    def name(self) -> str:
        return f"記録{self.number}"


@dataclass(frozen=True)
class Disclosure:
    council: str
    made_on: dt.date
    records: list[Held]
    places: Mapping[str, str]  # place id -> name


class Words:
    """The reference data's Japanese words for the keys a record holds."""

    def __init__(self, ref: Reference, places: Mapping[str, str]) -> None:
        self.ref, self.places = ref, places

    def label(self, enum: str, key: object) -> str:
        if not key:
            return ""
        option = self.ref.option(enum, key) if isinstance(key, str) else None
        return option.label.ja if option else UNKNOWN

    def destination(self, key: object) -> str:
        if not key:
            return ""
        found = next((d for d in self.ref.destinations if d.key == key), None)
        return found.label.ja if found else UNKNOWN

    def place(self, key: object) -> str:
        return self.places.get(str(key or ""), UNKNOWN if key else "")

    def subject(self, doc: Mapping[str, Any]) -> str:
        return "・".join(x for x in (self.place(doc.get("place_id")),
                                     self.label("age_bands", doc.get("subject_age_band")),
                                     self.label("genders", doc.get("subject_gender")),
                                     str(doc.get("subject_alias") or "")) if x)


def _day(iso: object) -> str:
    text = str(iso or "")
    try:
        d = dt.date.fromisoformat(text[:10])
    except ValueError:
        return text
    return f"{d.year}年{d.month}月{d.day}日"


def _version_name(v: Version) -> str:
    return f"第{v.rev}版" + ("（食い違う版）" if v.conflicting else "")


def _what(e: Mapping[str, Any], w: Words) -> str:
    """A history event as the person reads it."""
    detail = e.get("detail") or {}
    action = e.get("action")
    if action == "office_part_written":
        words = [f"事務局が対応を記録: {w.label('concern_status', detail.get('status'))}"]
        if detail.get("destination"):
            words.append(f"つなぎ先: {w.destination(detail['destination'])}")
        return "　".join(words + [str(detail.get(k) or "") for k in ("method", "feedback")
                                  if detail.get(k)])
    if action == "provided":
        items = "・".join(w.label("provision_items", k) for k in detail.get("items") or [])
        return (f"第三者に提供: {detail.get('recipient_name') or w.destination(detail.get('recipient'))}"
                f"（{items}）根拠: {w.label('legal_basis', detail.get('basis'))}")
    rev = f"（第{detail['rev']}版）" if detail.get("rev") else ""
    return {"received": f"記録を端末から受信{rev}",
            "updated": f"職員が修正した版を受信{rev}",
            "conflict": f"食い違う版を受信{rev}（確認のため保存）",
            "concern_read": "事務局が閲覧", "disclosed": "開示請求により開示"}.get(
        str(action), "記録の取り扱い")


def _who(e: Mapping[str, Any]) -> str:
    actor = str(e.get("actor") or "")
    if e.get("action") in OFFICE_ACTIONS:
        return f"事務局（{actor}）" if actor else "事務局"
    return actor or "職員"


def tables(d: Disclosure, ref: Reference) -> dict[str, list[list[Any]]]:
    """The four tables, rows after a heading row, the records named by their number."""
    w = Words(ref, d.places)
    held: list[list[Any]] = [list(HELD)]
    acted: list[list[Any]] = [list(ACTED)]
    story: list[list[Any]] = [list(STORY)]
    given: list[list[Any]] = [[*PROVISION_HEADER[:-1], "記録"]]
    for r in d.records:
        for v in r.versions:
            doc = v.doc
            held.append([r.name, _version_name(v), doc.get("observed_on") or "",
                         w.place(doc.get("place_id")),
                         w.label("age_bands", doc.get("subject_age_band")),
                         w.label("genders", doc.get("subject_gender")),
                         doc.get("subject_alias") or "",
                         "・".join(w.label("concern_categories", k)
                                   for k in doc.get("categories") or []),
                         w.label("urgency", doc.get("urgency")),
                         w.label("consent", doc.get("consent")),
                         w.label("legal_basis", doc.get("legal_basis")),
                         doc.get("legal_basis_note") or "", doc.get("observed") or "",
                         w.destination(doc.get("suggested_destination")),
                         doc.get("follow_up_on") or "", v.staff, clock.minute(v.received)])
        p = r.part
        if p:
            acted.append([r.name, w.label("concern_status", p.get("status")),
                          w.destination(p.get("destination")), p.get("referred_on") or "",
                          p.get("method") or "", p.get("feedback") or "",
                          p.get("closed_on") or "", w.label("legal_basis", p.get("legal_basis")),
                          p.get("legal_basis_note") or "",
                          clock.minute(p["updated_at"]) if p.get("updated_at") else "",
                          f"事務局（{p['updated_by']}）" if p.get("updated_by") else ""])
        for e in r.history:
            story.append([r.name, clock.minute(e["at"]), _who(e), _what(e, w)])
        for row in provision_rows(r.given, ref, d.places)[1:]:
            given.append([*row[:-1], r.name])
    return {"保有している記録": held, "事務局の対応": acted, "経過": story, "第三者提供記録": given}


def provided(d: Disclosure, ref: Reference) -> list[str]:
    """What the council did with the records: each provision to a third party, in a line."""
    w = Words(ref, d.places)
    out = []
    for r in d.records:
        for g in sorted(r.given, key=lambda g: g["provided_on"]):
            items = "・".join(w.label("provision_items", k) for k in g["items"])
            out.append(f"{_day(g['provided_on'])}　{r.name}を{g['recipient_name']}に提供"
                       f"（提供した項目: {items}／根拠: {w.label('legal_basis', g['basis'])}）")
    return out


def cover(d: Disclosure, ref: Reference) -> list[tuple[str, str]]:
    """The cover's lines: what this is, about whom, what it holds, what was done with it."""
    w = Words(ref, d.places)
    who = list(dict.fromkeys(w.subject(r.versions[0].doc) for r in d.records if r.versions))
    counts = {name: len(rows) - 1 for name, rows in tables(d, ref).items()}
    lines = [("作成日", _day(d.made_on.isoformat())), ("作成者", d.council),
             ("開示を求めた方", "、".join(who) or "—"),
             ("この開示に含まれるもの",
              f"気づきの記録 {len(d.records)}件（{d.records[0].name}〜{d.records[-1].name}）" if
              d.records else "なし")]
    for r in d.records:
        first = r.versions[0].doc if r.versions else {}
        lines.append((r.name, f"{_day(first.get('observed_on'))}　{w.place(first.get('place_id'))}"
                              f"（版 {len(r.versions)}件・経過 {len(r.history)}件・"
                              f"第三者提供 {len(r.given)}件）"))
    lines += [(name, f"{what}: {counts[name]}件") for name, what in SHEETS.items()]
    done = provided(d, ref)
    lines.append(("事務局が行ったこと（第三者への提供）",
                  "\n".join(done) if done else "第三者への提供はありません。"))
    lines.append(("写真について", PHOTOS))
    lines.append(("日時について", "日時はすべて日本時間です。"))
    return lines


# what the export says of photos: none is linked to a person's records, by construction
PHOTOS = ("写真はこの開示に含まれません。写真は集い・訪問記録・立ち上げ相談に付けるもので、"
          "気づき（本人についての記録）には付けられない仕組みのため、本人の記録に結び付く写真は"
          "ありません。")


def xlsx(d: Disclosure, ref: Reference) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    front = book.active
    front.title = "表紙"
    front.append([TITLE, ""])
    front["A1"].font = Font(bold=True, size=14)
    front.merge_cells("A1:B1")
    for label, text in cover(d, ref):
        front.append([label, text])
        front.cell(front.max_row, 1).font = Font(bold=True)
    print_ready(front, council=d.council, title=TITLE, limits={1: 20, 2: 70}, landscape=False)
    for name, rows in tables(d, ref).items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
        wanted = FORMATS.get(name, {})
        print_ready(sheet, council=d.council, title=f"{TITLE}　{name}", frozen_columns=1,
                    formats={i + 1: wanted[h] for i, h in enumerate(rows[0]) if h in wanted})
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def pdf(d: Disclosure, ref: Reference) -> bytes:
    """The same for reading and printing: the cover, then each record on its own."""
    doc = pdfkit.document(d.council, TITLE, TITLE)
    doc.add_page()
    doc.set_font("jp", size=9)
    doc.cell(0, 6, pdfkit.printable(doc, d.council), align="R", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("jp", size=16)
    doc.cell(0, 10, TITLE, align="C", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("jp", size=10)
    lines = cover(d, ref)
    w = Words(ref, d.places)
    body = tables(d, ref)
    texts = [str(c) for rows in body.values() for row in rows for c in row]
    if pdfkit.lacks(doc, texts + [t for _, t in lines]):
        lines.append(("〓について", "〓 はこのPDFで表示できない文字です。同じ内容のExcelファイルに"
                                   "は元の文字があります。"))
    pdfkit.table(doc, [["項目", "内容"], *([a, b] for a, b in lines)], (0.3, 0.7))
    for r in d.records:
        doc.add_page()
        doc.set_font("jp", size=14)
        doc.cell(0, 9, r.name, new_x="LMARGIN", new_y="NEXT")
        for v in r.versions:
            _heading(doc, f"記録の内容（{_version_name(v)}）")
            row = next(x for x in body["保有している記録"][1:]
                       if x[0] == r.name and x[1] == _version_name(v))
            pdfkit.table(doc, [["項目", "内容"], *([h, _shown(h, x)] for h, x in zip(
                HELD[2:], row[2:], strict=True))], (0.3, 0.7))
        acted = [x for x in body["事務局の対応"][1:] if x[0] == r.name]
        if acted:
            _heading(doc, "事務局の対応")
            pdfkit.table(doc, [["項目", "内容"], *([h, _shown(h, x)] for h, x in zip(
                ACTED[1:], acted[0][1:], strict=True))], (0.3, 0.7))
        _heading(doc, "経過")
        pdfkit.table(doc, [["日時（日本時間）", "誰が", "何を"], *(
            [_shown("日時", e[1]), e[2], e[3]] for e in body["経過"][1:] if e[0] == r.name)],
            (0.22, 0.2, 0.58))
        _heading(doc, "第三者への提供")
        given = [g for g in r.given]
        if given:
            pdfkit.table(doc, [["提供日", "提供先", "提供した項目", "根拠"], *(
                [_day(g["provided_on"]), g["recipient_name"],
                 "・".join(w.label("provision_items", k) for k in g["items"]),
                 w.label("legal_basis", g["basis"])] for g in given)],
                (0.16, 0.26, 0.36, 0.22))
        else:
            doc.set_font("jp", size=9)
            doc.cell(0, 6, "この記録を第三者に提供したことはありません。", new_x="LMARGIN",
                     new_y="NEXT")
    return bytes(doc.output())


def _heading(doc: Any, text: str) -> None:
    doc.ln(2)
    doc.set_font("jp", size=11)
    doc.cell(0, 7, f"■ {text}", new_x="LMARGIN", new_y="NEXT")
    doc.set_font("jp", size=9)


def _shown(heading: str, value: Any) -> str:
    """A table's value as the PDF prints it: dates and times written out in Japanese."""
    text = str(value or "")
    if "日時" in heading and len(text) == 16:
        return f"{_day(text)} {text[11:]}"
    if heading.endswith("日") and len(text) == 10:
        return _day(text)
    return text

