"""How the tablet keeps photos, as data (`assets/data/photos.json`): the size a photo is
shrunk to, its thumbnail, the storage budget and how long a sent photo stays whole."""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from pathlib import Path

from core.domain.photo import LONG_SIDE
from core.reference_data import ASSETS_DIR

# key -> (lowest, highest) accepted
_RANGES = {"budget_mb": (1, 100_000), "retention_days_after_sent": (0, 3650),
           "thumbnail_px": (64, 1024), "long_side": (256, LONG_SIDE), "jpeg_quality": (50, 95),
           "max_source_megapixels": (1, 89)}  # 89: Pillow's own bomb limit starts above it


@dataclass(frozen=True)
class PhotoSettings:
    budget_mb: int = 500
    retention_days_after_sent: int = 30
    thumbnail_px: int = 320
    long_side: int = LONG_SIDE
    jpeg_quality: int = 85
    max_source_megapixels: int = 80

    @property
    def budget_bytes(self) -> int:
        return self.budget_mb * 1024 * 1024

    @property
    def max_source_pixels(self) -> int:
        return self.max_source_megapixels * 1_000_000


@functools.cache
def photo_settings(assets: Path = ASSETS_DIR) -> PhotoSettings:
    """The shipped settings; a value out of its range is refused naming the key."""
    with open(assets / "data" / "photos.json", encoding="utf-8") as f:
        data = json.load(f)
    values: dict[str, int] = {}
    for key, (low, high) in _RANGES.items():
        value = data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            raise ValueError(f"data/photos.json {key}: {value!r}; expected a whole number "
                             f"from {low} to {high}")
        values[key] = value
    return PhotoSettings(**values)
