"""The hub's commands say what they did, and libraries stay quiet unless asked: `export
--format pdf` printed a hundred lines of font-subsetting INFO around its one line."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text

from hub.cli import load_sample_places
from hub.db.engine import connect
from hub.db.migrate import migrate


def test_export_of_a_place_report_prints_only_what_it_wrote(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'hub.sqlite3'}"
    engine = connect(url)
    migrate(engine)
    load_sample_places(engine)
    with engine.connect() as conn:
        place = conn.execute(text("SELECT id FROM places ORDER BY id LIMIT 1")).scalar_one()
    engine.dispose()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IBASHO_")}
    env["IBASHO_HUB_DATABASE_URL"] = url
    done = subprocess.run(
        [sys.executable, "-m", "hub.cli", "--data-dir", str(tmp_path), "export",
         "--fiscal-year", "2026", "--format", "pdf", "--place", place,
         "--out", str(tmp_path / "out")],
        capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    lines = (done.stdout + done.stderr).splitlines()
    assert len(lines) == 1 and lines[0].startswith("written "), lines
