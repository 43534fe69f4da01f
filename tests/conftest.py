from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.store import Store

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    s.close()
