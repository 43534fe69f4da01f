"""The photo benchmark, small: two photos through a fast link that drops every 0.3 s, on
SQLite and PostgreSQL. It runs as `make bench` runs it (its own processes); the figures are
not judged here, only that both clients got every photo there and the last line is as the
benchmark's readers expect."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
LAST = re.compile(r"photo-upload: photos=2 ours_s=[\d.]+ restart_s=[\d.]+ ratio=[\d.]+ "
                  r"peak_rss_mb=\d+")


@pytest.mark.parametrize("db", ["sqlite", "postgresql"])
def test_the_photo_benchmark_runs_and_says_what_it_measured(db: str) -> None:
    run = subprocess.run([sys.executable, "-m", "benchmarks.photos", "--photos", "2", "--mb",
                          "0.2", "--rate-kbps", "16000", "--drop-every", "0.3", "--rtt-ms",
                          "10", "--db", db], capture_output=True, text=True, timeout=240,
                         cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    lines = run.stdout.strip().splitlines()
    assert LAST.fullmatch(lines[-1]), lines[-1]
    assert lines[0].startswith("2 photos of 0.2") and f"hub on {db}" in lines[0]
