"""Real SIGKILLs at random moments: every acknowledged save survives, the store always opens."""

from __future__ import annotations

from pathlib import Path

from tests.crash import run_kills


def test_every_acknowledged_save_survives_sigkill(tmp_path: Path) -> None:
    saves = run_kills(24, tmp_path / "data", seed=20261126, max_seconds=240)
    assert saves > 24  # the children really were saving when they were killed
