"""This device's store, opened the one way it is meant to be: sealed under the data key
that the staff member's PIN unlocks (DESIGN §8). The app, the benchmarks and the tools
all open it through here."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from core.keyring import Keyring
from field_app.store.sealing import sealed_codec
from field_app.store.store import Store


def open_sealed(data_dir: Path, key: bytes, **options: Any) -> Store:
    """The store under `data_dir`, sealed with the data key (a store written before its
    first PIN is rewritten sealed on the spot)."""
    return Store(data_dir, codec=sealed_codec(key), **options)


def open_with_pin(data_dir: Path, pin: str, **options: Any) -> Store:
    """Unlock the data key with the PIN (the keyring's waits after wrong PINs apply), then
    open the store with it."""
    return open_sealed(data_dir, Keyring.at(data_dir).unlock(pin), **options)
