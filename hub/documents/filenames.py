"""File names made from data (a place's name in a report's name): safe on every OS and in
an HTTP header, and still readable in Japanese. Every such name goes through `safe_name`;
a download names it with `content_disposition`; the CLI writes it with `inside`."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from urllib.parse import quote

from hub.errors import OutsideFolder

# the bytes most file systems allow a name, less room for a copy's " (1)" suffix
MAX_BYTES = 200
# Windows refuses these in a name; / and \ are separators everywhere
FORBIDDEN = re.compile(r'[<>:"/\\|?*]')
# Windows refuses these as a name's stem, whatever the extension or the case
RESERVED = {"CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$",
            *(f"{d}{n}" for d in ("COM", "LPT") for n in "123456789¹²³")}
EXTENSION = re.compile(r"^[A-Za-z0-9]{1,8}$")


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    kept = []
    for c in text:
        kind = unicodedata.category(c)
        if c in "\t\n\r" or kind in ("Zl", "Zp"):
            kept.append(" ")
        elif not kind.startswith("C"):  # control, format (a bidi override disguises an
            kept.append(c)              # extension), private and unassigned: dropped
    text = "".join(kept)
    text = FORBIDDEN.sub("_", text)
    text = re.sub(r"\.{2,}", ".", text)  # no "..", the parent folder on every OS
    return re.sub(r"\s+", " ", text)


def _cut(text: str, limit: int) -> str:
    data = text.encode("utf-8")[:limit]
    return data.decode("utf-8", errors="ignore")  # never half a character


def safe_name(name: str, *, fallback: str = "file", limit: int = MAX_BYTES) -> str:
    """`name` as one file name: no separators, no "..", no control characters, none of
    Windows' reserved names or characters, no leading or trailing dot or space, at most
    `limit` bytes in UTF-8 (the extension kept when cut). Japanese stays as it is."""
    cleaned = _clean(name)
    stem, dot, ext = cleaned.rpartition(".")
    if not dot or not EXTENSION.match(ext) or not stem.strip(" ."):
        stem, ext = cleaned, ""
    stem = _cut(stem.strip(" ."), limit - (len(ext) + 1 if ext else 0)).strip(" .")
    if not stem:
        stem = fallback
    if stem.split(".")[0].strip().upper() in RESERVED:
        stem = f"_{stem}"
    return f"{stem}.{ext}" if ext else stem


def ascii_name(name: str) -> str:
    """An ASCII stand-in for a safe name, for clients that do not read `filename*`."""
    plain = "".join(c if " " <= c < "\x7f" else "_" for c in safe_name(name))
    return re.sub(r"_{2,}", "_", plain)


def content_disposition(name: str) -> str:
    """An attachment header (RFC 6266): an ASCII `filename` and the real one, UTF-8 and
    percent-encoded, in `filename*` (RFC 5987), which browsers prefer."""
    safe = safe_name(name)
    return f"attachment; filename=\"{ascii_name(safe)}\"; filename*=UTF-8''{quote(safe, safe='')}"


def inside(folder: Path, name: str) -> Path:
    """Where to write `name` in `folder`: made safe, and refused if it would still land
    anywhere but directly in `folder` (a link planted there, say)."""
    root = folder.resolve()
    path = (root / safe_name(name)).resolve()
    if path.parent != root:
        raise OutsideFolder(f"refused to write {name!r}: it is not a file in {root}",
                            message_ja=f"{root} の外には書き込みません（{name}）。")
    return path
