"""An activity photo (活動写真) attached to a gathering, a visit note or a start-up.

The record is what the office needs to know about the picture; the picture itself travels
apart from it, addressed by its SHA-256 (`sha256`), after the record it belongs to. A photo
is never attached to a concern: a concern is about one person, a photo of them is not a
record of activity (DESIGN §4, third plan). Written by the device that took it.

`use` says what the picture may be used for: `report` (報告書に使用可: the people in it
agreed, or cannot be recognised) or `record_only` (記録のみ), the default: a photo is kept
for the record unless someone decided it may be shown.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from core.domain.record import Record, check_meta, rebuild
from core.domain.reference import Reference
from core.domain.validation import Checker

# the kinds a photo may belong to: activity, never a person's concern
ATTACHABLE = ("gathering", "visit_note", "startup")
USES = ("record_only", "report")
CONTENT_TYPES = ("image/jpeg",)  # what the tablet keeps after shrinking and stripping
LONG_SIDE = 2048  # pixels: the longest side a kept photo may have
MAX_BYTES = 8 * 1024 * 1024  # a kept photo is far smaller; past this it was not shrunk
_SHA256 = re.compile(r"[0-9a-f]{64}")

FIELDS = ("record_id", "record_kind", "sha256", "size", "width", "height", "content_type",
          "taken_on", "caption", "use")


@dataclass(frozen=True, kw_only=True)
class Photo(Record):
    kind: str = "photo"
    record_id: str
    record_kind: str
    sha256: str  # of the kept (shrunk, stripped) JPEG: the bytes' address
    size: int
    width: int
    height: int
    content_type: str = "image/jpeg"
    taken_on: str  # the day the picture was taken (Japan time), or attached when unknown
    caption: str = ""
    use: str = "record_only"

    SENSITIVE = ("caption",)

    @property
    def for_report(self) -> bool:
        return self.use == "report"


def parse_photo(data: Mapping[str, Any], ref: Reference, *,
                today: dt.date | None = None) -> Photo:
    c = Checker(data)
    c.only(Record.META + FIELDS)
    meta = check_meta(c, "photo")
    sha = data.get("sha256")
    if not isinstance(sha, str) or not _SHA256.fullmatch(sha):
        c.fail("sha256", sha, "the SHA-256 of the photo's bytes (64 lower-case hex digits)",
               "写真の SHA-256（16進数64桁・小文字）")
        sha = ""
    day = c.date("taken_on", required=True)
    if day and today and day > today + dt.timedelta(days=1):
        c.fail("taken_on", data.get("taken_on"), "a date not in the future", "未来ではない日付")
    body: dict[str, Any] = dict(
        record_id=c.uuid("record_id", required=True),
        record_kind=c.choice("record_kind", ATTACHABLE, required=True),
        sha256=sha,
        size=c.integer("size", required=True, minimum=1, maximum=MAX_BYTES),
        width=c.integer("width", required=True, minimum=1, maximum=LONG_SIDE),
        height=c.integer("height", required=True, minimum=1, maximum=LONG_SIDE),
        content_type=c.choice("content_type", CONTENT_TYPES, default="image/jpeg"),
        taken_on=day.isoformat() if day else "",
        caption=c.text("caption", max_len=200),
        use=c.choice("use", USES, default="record_only"),
    )
    c.raise_if_any()
    return rebuild(Photo, {**meta, **body})
