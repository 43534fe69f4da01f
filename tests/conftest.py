from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from field_app.store import Store

os.environ.setdefault("IBASHO_SCRYPT_LOG2N", "14")  # fast PINs in tests; the app calibrates

ARTIFACTS = Path(__file__).parent / "artifacts"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    s = Store(tmp_path / "data")
    yield s
    s.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def hub_db(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    from tests.hubs import database_url

    with database_url(request.param, tmp_path) as url:
        yield url


@pytest.fixture
def hub(hub_db: str) -> Iterator[object]:
    from tests.hubs import prepared_engine, serve_in_thread

    engine = prepared_engine(hub_db)
    with serve_in_thread(engine, hub_db) as running:
        yield running
    engine.dispose()
