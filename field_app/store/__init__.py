"""On-device persistence: the only code that touches TinyDB or the data files."""

from field_app.store.errors import StoreCorruptError, StoreError, StoreFullError, StoreLockedError
from field_app.store.store import Store

__all__ = ["Store", "StoreCorruptError", "StoreError", "StoreFullError", "StoreLockedError"]
