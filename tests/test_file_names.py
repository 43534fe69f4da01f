"""File names made from data (a place's name in its 実績報告書's name), on SQLite and
PostgreSQL: safe on every OS and in the download's header, readable in Japanese, and the
CLI never writes outside --out."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from urllib.parse import unquote

import httpx
import pytest

from hub.documents.filenames import content_disposition, inside, safe_name
from hub.places import import_places
from tests.hubs import Hub
from tests.test_reports import KOMOREBI

HOSTILE = "x/../../escape"


def rename(hub: Hub, name: str) -> None:
    with hub.engine.begin() as conn:
        import_places(conn, [{**KOMOREBI.to_dict(), "name": name, "rev": KOMOREBI.rev + 1}],
                      "test")


def header_names(header: str) -> tuple[str, str]:
    """The ASCII `filename` and the decoded `filename*` of a Content-Disposition."""
    plain = header.split('filename="', 1)[1].split('"', 1)[0]
    utf8 = unquote(header.split("filename*=UTF-8''", 1)[1].split(";", 1)[0])
    return plain, utf8


@pytest.mark.parametrize("name", [
    "x/../../escape.pdf", "..\\..\\boot.ini", "..", ".", "", "CON.pdf", "lpt1", "com¹.txt",
    "a\x00b\x1fc\u202egpj.exe", "a:b*c?d\"e<f>g|h.csv", " trailing. ", "\n\r\t.xlsx",
    "あ" * 300 + ".xlsx", "😀" * 100,
])
def test_a_name_from_data_is_one_safe_file_name(name: str) -> None:
    safe = safe_name(name)
    assert safe and ".." not in safe and len(safe.encode()) <= 200
    assert not set(safe) & set('/\\:*?"<>|') and all(c >= " " and c != "\x7f" for c in safe)
    assert "\u202e" not in safe and safe == safe.strip(" .")
    assert safe.split(".")[0].upper() not in {"CON", "LPT1", "COM¹"}
    if name.endswith((".xlsx", ".pdf")) and name.strip(". \n\r\t").count(".") <= 1 \
            and name[:-5].strip(". \n\r\t"):
        assert safe.endswith(name.rsplit(".", 1)[1])  # the extension survives a cut
    header = content_disposition(name)
    assert header.isascii() and "/" not in header and ".." not in header
    assert header_names(header)[1] == safe


def test_japanese_stays_readable() -> None:
    assert safe_name("jisseki-FY2025-こもれび広場（東町）.pdf") == \
        "jisseki-FY2025-こもれび広場（東町）.pdf"
    plain, utf8 = header_names(content_disposition("jisseki-FY2025-こもれび広場.pdf"))
    assert utf8 == "jisseki-FY2025-こもれび広場.pdf" and plain.isascii()
    assert plain.startswith("jisseki-FY2025-") and plain.endswith(".pdf")


def test_inside_refuses_a_link_out_of_the_folder(tmp_path: Path) -> None:
    out, elsewhere = tmp_path / "out", tmp_path / "elsewhere"
    out.mkdir()
    elsewhere.mkdir()
    (out / "report.pdf").symlink_to(elsewhere / "report.pdf")
    from hub.errors import OutsideFolder

    with pytest.raises(OutsideFolder) as info:
        inside(out, "report.pdf")
    assert "report.pdf" in info.value.message and info.value.message_ja
    assert inside(out, HOSTILE + ".pdf").parent == out.resolve()


def test_the_office_download_names_a_hostile_place_safely(hub: Hub, office: httpx.Client
                                                          ) -> None:
    for name, expected in ((HOSTILE, "jisseki-FY2025-x_._._escape"),
                           ("こもれび広場", "jisseki-FY2025-こもれび広場")):
        rename(hub, name)
        for fmt in ("pdf", "xlsx"):
            got = office.get(f"/places/{KOMOREBI.id}/annual-report",
                             params={"fiscal_year": 2025, "format": fmt})
            assert got.status_code == 200, got.text
            header = got.headers["content-disposition"]
            assert "/" not in header and ".." not in header, header
            plain, utf8 = header_names(header)
            assert utf8 == f"{expected}.{fmt}" and plain.isascii() and plain.endswith(fmt)
        report = office.get("/reports", params={"fiscal_year": 2025, "format": "xlsx",
                                                "place_id": KOMOREBI.id})
        assert report.status_code == 200, report.text
        header = report.headers["content-disposition"]
        assert "/" not in header and ".." not in header, header


def test_export_never_writes_outside_out(tmp_path: Path, hub: Hub) -> None:
    rename(hub, HOSTILE)
    out = tmp_path / "deep" / "er" / "out"
    # the folders the hostile name's ".." would climb through, as a user might have them
    (out / "jisseki-FY2025-x").mkdir(parents=True)
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path),
           "IBASHO_HUB_DATABASE_URL": hub.database_url}
    for fmt in ("xlsx", "pdf"):
        run = subprocess.run([sys.executable, "-m", "hub.cli", "export", "--fiscal-year",
                              "2025", "--format", fmt, "--place", KOMOREBI.id, "--out",
                              str(out)], capture_output=True, text=True, timeout=120, env=env)
        assert run.returncode == 0, run.stderr
    assert sorted(p.name for p in out.iterdir() if p.is_file()) == [
        "jisseki-FY2025-x_._._escape.pdf", "jisseki-FY2025-x_._._escape.xlsx"]
    assert not list((out / "jisseki-FY2025-x").iterdir())
    assert [p for p in tmp_path.rglob("*escape*") if p.parent != out] == []
