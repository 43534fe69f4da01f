"""Real SIGKILLs at random moments: every acknowledged save survives, the store always opens."""

from __future__ import annotations

import subprocess
import sys
import uuid
from pathlib import Path

from tests.crash import acknowledged, run_kills


def test_every_acknowledged_save_survives_sigkill(tmp_path: Path) -> None:
    saves = run_kills(24, tmp_path / "data", seed=20261126, max_seconds=240)
    assert saves > 24  # the children really were saving when they were killed


def test_the_harness_reads_every_line_a_child_printed_before_it_looked() -> None:
    """The cause of a fresh-clone failure ("acknowledged record … is gone"): a child that
    printed many lines before the parent read the first had the rest read past the buffer,
    so a later line began mid-id. Every line must come back whole."""
    ids = [str(uuid.uuid4()) for _ in range(1000)]  # within a pipe's buffer
    script = "import sys\nfor i in sys.stdin.read().split():\n    print(i, 1, flush=True)\n"
    proc = subprocess.Popen([sys.executable, "-c", script], stdin=subprocess.PIPE,
                            stdout=subprocess.PIPE)
    assert proc.stdin is not None and proc.stdout is not None
    proc.stdin.write(" ".join(ids).encode())
    proc.stdin.close()
    proc.wait(timeout=60)  # everything is printed before the parent reads a line
    first = proc.stdout.readline()
    assert acknowledged(proc, first) == [(i, 1) for i in ids]
