"""Activity photos at the office, on SQLite and PostgreSQL: a place's gallery for the year
with each photo's record, a record's photos, the picture and a thumbnail made on the hub
(each read audited, never for a viewer), the photos chosen for the 実績報告書 (only those
marked 報告書に使用可, up to the number in data) and the report's photo page in the PDF
(rendered to PNG under tests/artifacts) and the XLSX; how long the hub keeps photos."""

from __future__ import annotations

import dataclasses
import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import text, update

from core.reference_data import photo_settings
from hub import photos
from hub.db import schema
from hub.db.engine import utcnow
from sync.photos import Uploader
from tests.conftest import ARTIFACTS
from tests.factories import IBASHO, SALON, gathering, visit_note
from tests.hubs import Field, Hub, hub_client
from tests.photofiles import Source, declare, jpeg, sha
from tests.test_place_report import pdf_text
from tests.test_roles import session

OFFICE = "/api/v1/office"


def audit(hub: Hub, action: str) -> list[tuple[str, str, dict[str, Any]]]:
    with hub.engine.connect() as conn:
        return [(a, s, json.loads(d)) for a, s, d in conn.execute(text(
            "SELECT actor, subject, detail FROM audit WHERE action = :a ORDER BY seq"),
            {"a": action})]


@dataclasses.dataclass
class Taken:
    id: str
    data: bytes
    record_id: str


def take(field: Field, hub: Hub, seed: int, *, send: bool = True, parent: Any = None,
         **changes: Any) -> Taken:
    data = jpeg(480, 360, seed=seed)
    parent = parent or dataclasses.replace(gathering(place_id=IBASHO.id, date="2026-06-10"),
                                           device_id=field.store.device_id)
    record = declare(field, hub, data, parent=parent, **changes)
    if send:
        Uploader(hub_client(hub.url, field.token).http).send(Source(data))
    return Taken(record.id, data, parent.id)


def test_a_places_gallery_shows_each_photo_with_its_record(field: Field, hub: Hub,
                                                           office: httpx.Client) -> None:
    g = dataclasses.replace(gathering(place_id=IBASHO.id, date="2026-06-10"),
                            device_id=field.store.device_id)
    shown = take(field, hub, 1, parent=g, caption="みんなで昼食づくり", use="report")
    kept_only = take(field, hub, 2, parent=g, use="record_only", taken_on="2026-06-11")
    note = dataclasses.replace(visit_note(place_id=IBASHO.id, date="2026-07-01"),
                               device_id=field.store.device_id)
    unsent = take(field, hub, 3, parent=note, send=False, taken_on="2026-07-01")
    elsewhere = take(field, hub, 4, parent=dataclasses.replace(
        visit_note(place_id=SALON.id), device_id=field.store.device_id))
    last_year = take(field, hub, 5, parent=g, taken_on="2026-03-31")
    got = office.get(f"/places/{IBASHO.id}/photos", params={"fiscal_year": 2026})
    assert got.status_code == 200, got.text
    gallery = got.json()
    rows = {p["id"]: p for p in gallery["photos"]}
    assert list(rows) == [shown.id, kept_only.id, unsent.id]  # by the day taken
    assert elsewhere.id not in rows and last_year.id not in rows
    first = rows[shown.id]
    assert (first["record_id"], first["record_kind"], first["record_day"]) == (
        g.id, "gathering", "2026-06-10")
    assert (first["caption"], first["use"], first["bytes"], first["staff_name"]) == (
        "みんなで昼食づくり", "report", "kept", "山田 花子")
    assert rows[unsent.id]["bytes"] == "waiting" and rows[unsent.id]["record_kind"] == "visit_note"
    assert gallery["report_max"] == photo_settings()["report_photos"] and gallery["chosen"] == []
    [(actor, subject, detail)] = audit(hub, "photos_listed")
    assert (actor, subject, detail) == ("sato", IBASHO.id, {"fiscal_year": 2026, "rows": 3})
    assert "昼食" not in json.dumps(audit(hub, "photos_listed"), ensure_ascii=False)
    # one record's photos
    of_record = office.get(f"/records/{g.id}/photos").json()["photos"]
    assert {p["id"] for p in of_record} == {shown.id, kept_only.id, last_year.id}
    # the picture as kept, and a thumbnail made on the hub
    picture = office.get(f"/photos/{shown.id}")
    assert picture.status_code == 200 and picture.headers["content-type"] == "image/jpeg"
    assert picture.content == shown.data
    small = office.get(f"/photos/{shown.id}/thumbnail")
    assert small.status_code == 200
    with Image.open(io.BytesIO(small.content)) as im:
        assert im.format == "JPEG" and max(im.size) == 320
    assert [(s, d["size"]) for _, s, d in audit(hub, "photo_read")] == [
        (shown.id, "full"), (shown.id, "thumbnail")]
    missing = office.get(f"/photos/{unsent.id}")
    assert missing.status_code == 404 and missing.json()["error"]["message_ja"]


def test_photos_are_for_the_grants_role_never_a_viewer(field: Field, hub: Hub) -> None:
    taken = take(field, hub, 6, use="report")
    for role, status in (("viewer", 403), ("supervisor", 403), ("admin", 403),
                         ("grants", 200)):
        headers = session(hub, f"only_{role}", role)
        for path in (f"/photos/{taken.id}", f"/photos/{taken.id}/thumbnail",
                     f"/records/{taken.record_id}/photos"):
            r = httpx.get(hub.url + OFFICE + path, headers=headers, timeout=30)
            assert r.status_code == status, (role, path, r.status_code)
    # a device's token reads no photo, and writes no report choice
    device = {"Authorization": f"Bearer {field.token}"}
    assert httpx.get(hub.url + OFFICE + f"/photos/{taken.id}", headers=device,
                     timeout=30).status_code == 401
    assert httpx.put(hub.url + OFFICE + f"/places/{IBASHO.id}/report-photos/2026",
                     json={"photos": [taken.id]}, headers=device, timeout=30).status_code == 401
    assert hub.count("report_photos") == 0


def test_the_office_chooses_report_photos_only_among_those_marked_for_the_report(
        field: Field, hub: Hub, office: httpx.Client) -> None:
    most = photo_settings()["report_photos"]
    usable = [take(field, hub, 10 + i, use="report", caption=f"活動の様子 {i}")
              for i in range(most + 1)]
    private = take(field, hub, 30, use="record_only")
    unsent = take(field, hub, 31, use="report", send=False)
    path = f"/places/{IBASHO.id}/report-photos/2026"
    for ids, why in (([private.id], "記録のみ"), ([unsent.id], "届いて"),
                     ([u.id for u in usable], f"{most}枚"), ([usable[0].id] * 2, "1回"),
                     (["00000000-0000-4000-8000-000000000000"], "2026年度")):
        r = office.put(path, json={"photos": ids})
        assert r.status_code == 400, r.text
        [problem] = r.json()["error"]["problems"]
        assert problem["field"] == "photos" and why in problem["expected_ja"], problem
    assert hub.count("report_photos") == 0  # nothing stored half-way
    order = [usable[2].id, usable[0].id]
    r = office.put(path, json={"photos": order})
    assert r.status_code == 200, r.text
    assert r.json()["chosen"] == order
    assert office.get(f"/places/{IBASHO.id}/photos",
                      params={"fiscal_year": 2026}).json()["chosen"] == order
    [(actor, subject, detail)] = audit(hub, "report_photos_chosen")
    assert (actor, subject, detail["photos"]) == ("sato", IBASHO.id, order)
    with hub.engine.connect() as conn:
        assert conn.execute(text("SELECT chosen_by FROM report_photos")).scalars().all() == [
            "sato", "sato"]


def test_the_report_has_a_page_of_the_chosen_photos(tmp_path: Path, field: Field, hub: Hub,
                                                    office: httpx.Client) -> None:
    chosen = [take(field, hub, 40 + i, use="report", taken_on=f"2026-06-1{i}",
                   caption=f"写真の説明その{i + 1}") for i in range(3)]
    office.put(f"/places/{IBASHO.id}/report-photos/2026",
               json={"photos": [c.id for c in chosen]}).raise_for_status()
    # the tablet takes back 報告書に使用可 of one: the report no longer shows it
    withdrawn = field.store.load("photo", chosen[2].id)
    assert withdrawn is not None
    field.store.save(dataclasses.replace(withdrawn, use="record_only", rev=withdrawn.rev + 1))
    field.sync(hub)
    got = office.get(f"/places/{IBASHO.id}/annual-report",
                     params={"fiscal_year": 2026, "format": "pdf"})
    assert got.status_code == 200, got.text
    path = tmp_path / "report.pdf"
    path.write_bytes(got.content)
    words = "".join(pdf_text(path).split())
    assert "活動の様子（写真）" in words
    assert "2026年6月10日写真の説明その1" in words and "写真の説明その2" in words
    assert "写真の説明その3" not in words
    images = subprocess.run(["pdfimages", "-list", str(path)], capture_output=True, text=True,
                            check=True, timeout=60).stdout.splitlines()[2:]
    assert len(images) == 2 and all(" jpeg " in line for line in images)
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pages = int(subprocess.run(["pdfinfo", str(path)], capture_output=True, text=True,
                               check=True, timeout=60).stdout.split("Pages:")[1].split()[0])
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", str(pages), "-l", str(pages),
                    str(path), str(ARTIFACTS / f"report-photos-{hub.database_url[:6]}")],
                   check=True, timeout=120)
    [(_, subject, detail)] = audit(hub, "photos_in_report")
    assert subject == IBASHO.id and detail["photos"] == 2
    book = load_workbook(io.BytesIO(office.get(
        f"/places/{IBASHO.id}/annual-report",
        params={"fiscal_year": 2026, "format": "xlsx"}).content))
    sheet = book["活動写真"]
    assert len(sheet._images) == 2  # type: ignore[attr-defined]
    assert [r[1:] for r in sheet.iter_rows(min_row=3, values_only=True)] == [
        ("2026年6月10日", "写真の説明その1"), ("2026年6月11日", "写真の説明その2")]
    # a viewer's copy has no photo page
    viewer = session(hub, "mori", "viewer")
    theirs = httpx.get(hub.url + OFFICE + f"/places/{IBASHO.id}/annual-report",
                       params={"fiscal_year": 2026, "format": "xlsx"}, headers=viewer,
                       timeout=60)
    assert theirs.status_code == 200
    assert "活動写真" not in load_workbook(io.BytesIO(theirs.content)).sheetnames


def test_photos_are_kept_as_long_as_the_data_says_then_removed(
        tmp_path: Path, field: Field, hub: Hub, office: httpx.Client) -> None:
    old = take(field, hub, 50, use="report", taken_on="2023-06-10")
    recent = take(field, hub, 51, use="report")
    office.put(f"/places/{IBASHO.id}/report-photos/2023",
               json={"photos": [old.id]}).raise_for_status()
    unfinished = jpeg(seed=52)
    declare(field, hub, unfinished)
    client = hub_client(hub.url, field.token).http
    from sync.protocol import PHOTOS_PATH, tus_metadata
    client.post(PHOTOS_PATH, headers={"Tus-Resumable": "1.0.0",
                                      "Upload-Length": str(len(unfinished)),
                                      "Upload-Metadata": tus_metadata({"sha256": sha(unfinished)})}
                ).raise_for_status()
    with hub.engine.begin() as conn:  # left unfinished long ago
        conn.execute(update(schema.photo_blobs).where(
            schema.photo_blobs.c.sha256 == sha(unfinished)).values(
            updated_at=utcnow().replace(year=utcnow().year - 1)))
    run = subprocess.run([sys.executable, "-m", "hub.cli", "retention", "--photo-years", "3"],
                         capture_output=True, text=True, timeout=120,
                         env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                              "IBASHO_HUB_DATABASE_URL": hub.database_url})
    assert run.returncode == 0, run.stderr
    assert "photos are kept 3 years" in run.stdout and "removed 1 photo(s)" in run.stdout
    with hub.engine.connect() as conn:
        assert photos.find(conn, sha(old.data)) is None
        assert photos.find(conn, sha(unfinished)) is None
        assert photos.find(conn, sha(recent.data)) is not None
        assert conn.execute(text("SELECT COUNT(*) FROM photo_chunks")).scalar_one() == \
            len(list(photos.pieces(conn, sha(recent.data))))
    assert hub.count("report_photos") == 0
    gallery = office.get(f"/places/{IBASHO.id}/photos", params={"fiscal_year": 2023}).json()
    assert [(p["id"], p["bytes"]) for p in gallery["photos"]] == [(old.id, "expired")]
    [(actor, _, detail)] = audit(hub, "photos_expired")
    assert actor == "cli" and detail == {"photos": 1, "unfinished": 1}
    wrong = subprocess.run([sys.executable, "-m", "hub.cli", "retention", "--photo-years", "0"],
                           capture_output=True, text=True, timeout=120,
                           env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
                                "IBASHO_HUB_DATABASE_URL": hub.database_url})
    assert wrong.returncode != 0 and "--photo-years" in wrong.stderr


def test_the_disclosure_export_says_photos_are_never_part_of_it(field: Field, hub: Hub,
                                                                office: httpx.Client) -> None:
    from tests.test_office_api import push

    c = push(field, hub, consent="written", subject_alias="Aさん")
    got = office.post("/disclosure/export", json={"concern_ids": [c.id]})
    assert got.status_code == 200
    book = load_workbook(io.BytesIO(got.content))  # its cover says what it holds
    said = " ".join(str(v) for row in book["表紙"].iter_rows(values_only=True) for v in row if v)
    assert "写真はこの開示に含まれません" in said and "気づき" in said
    handed = office.post("/disclosure/export", params={"format": "pdf"},
                         json={"concern_ids": [c.id]})
    assert handed.status_code == 200
    assert "写真はこの開示に含まれません" in "".join(text_of(handed.content).split())


def text_of(data: bytes) -> str:
    import subprocess

    return subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True,
                          check=True, timeout=60).stdout.decode()
