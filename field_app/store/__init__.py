"""On-device persistence: the only code that touches TinyDB or the data files."""

from field_app.store.device import open_sealed, open_with_pin
from field_app.store.errors import (
    StoreCorruptError,
    StoreError,
    StoreFullError,
    StoreLockedError,
    StoreSealedError,
)
from field_app.store.store import Store

__all__ = ["Store", "StoreCorruptError", "StoreError", "StoreFullError", "StoreLockedError",
           "StoreSealedError", "open_sealed", "open_with_pin"]
