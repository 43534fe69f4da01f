"""A picture made fit to keep: shrunk, turned upright, every piece of metadata gone.

Pillow ships for Android among Flet's packages, so this runs on the tablet itself: what
is kept (and later sent) is a JPEG of at most `long_side` pixels re-encoded from its pixels
alone — no EXIF (GPS above all), no XMP, no ICC profile, no comment. The day it was taken
is read from EXIF *before* anything is dropped. A picture's pixel count is checked from its
header before it is decoded; a JPEG is decoded at the smallest scale that still covers the
long side (Pillow's draft mode), so a large photo never sits in memory at full size.
"""

from __future__ import annotations

import datetime as dt
import io
import warnings
from dataclasses import dataclass
from pathlib import Path

from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError

from core.domain import clock
from field_app.store.errors import StoreError
from field_app.store.photo_settings import PhotoSettings

# JPEG markers that carry metadata: APP1 (EXIF, XMP), APP2 (ICC), APP13 (IPTC), COM
_METADATA = {0xE1: "APP1", 0xE2: "APP2", 0xED: "APP13", 0xFE: "COM"}


class PhotoError(StoreError):
    """A picture that cannot be kept; says which file and what is expected."""

    def __init__(self, name: str, why_en: str, why_ja: str) -> None:
        super().__init__(f"photo {name!r}: {why_en}", message_ja=f"写真「{name}」：{why_ja}")
        self.name = name


@dataclass(frozen=True)
class Prepared:
    jpeg: bytes  # what is kept and sent
    width: int
    height: int
    thumbnail: bytes
    taken_on: dt.date | None  # from EXIF, when the camera said and it is believable


def prepare(source: bytes | Path, name: str, settings: PhotoSettings,
            today: dt.date | None = None) -> Prepared:
    """Shrink and strip the picture in `source` (its bytes, or a path to it)."""
    today = today or clock.today()
    try:
        with warnings.catch_warnings():
            # Pillow only warns below twice its limit: here that is a refusal, like above it
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(source) if isinstance(source, bytes) else source)
    except (Image.DecompressionBombWarning, Image.DecompressionBombError):
        raise _too_big(name, settings) from None
    except (UnidentifiedImageError, OSError, ValueError):
        raise PhotoError(name, "not a picture this app can read; choose a JPEG or PNG photo",
                         "画像として読めません。JPEG または PNG の写真を選んでください。") from None
    with opened as img:
        width, height = img.size
        if width * height > settings.max_source_pixels:
            raise _too_big(name, settings)
        taken = _taken_on(img, today)
        img.draft("RGB", (settings.long_side, settings.long_side))
        try:
            img.load()
            upright = _upright(img)
        except (OSError, ValueError, SyntaxError):  # truncated, corrupt
            raise PhotoError(name, "the file is damaged or incomplete",
                             "ファイルが壊れているか、途中までしかありません。") from None
    upright.thumbnail((settings.long_side, settings.long_side), Image.Resampling.LANCZOS)
    # a new image from the pixels alone: nothing of the original's `info` can follow it
    clean = Image.frombytes(upright.mode, upright.size, upright.tobytes())
    jpeg = _encode(clean, settings.jpeg_quality)
    small = clean.copy()
    small.thumbnail((settings.thumbnail_px, settings.thumbnail_px), Image.Resampling.LANCZOS)
    thumbnail = _encode(small, 80)
    for encoded in (jpeg, thumbnail):
        if metadata_markers(encoded):  # never expected: refuse rather than keep it
            raise PhotoError(name, "metadata could not be removed", "位置情報などを取り除けませんでした。")
    return Prepared(jpeg, clean.width, clean.height, thumbnail, taken)


def _too_big(name: str, settings: PhotoSettings) -> PhotoError:
    mp = settings.max_source_megapixels
    return PhotoError(name, f"more than {mp} million pixels; take or choose a smaller photo",
                      f"画素数が多すぎます（{mp}00万画素まで）。小さい写真を選んでください。")


def _taken_on(img: Image.Image, today: dt.date) -> dt.date | None:
    """The day the camera says it took the picture (EXIF DateTimeOriginal, else
    DateTimeDigitized); None when it says nothing believable (a clock never set, a day
    still to come)."""
    try:
        exif = img.getexif()
        ifd = exif.get_ifd(ExifTags.IFD.Exif)
    except Exception:  # metadata that cannot be read is simply not used
        return None
    for tag in (ExifTags.Base.DateTimeOriginal, ExifTags.Base.DateTimeDigitized):
        raw = ifd.get(tag)
        if isinstance(raw, bytes):
            raw = raw.decode("ascii", "replace")
        if not isinstance(raw, str):
            continue
        try:
            day = dt.datetime.strptime(raw.strip()[:10], "%Y:%m:%d").date()
        except ValueError:
            continue
        if dt.date(2000, 1, 1) <= day <= today:
            return day
    return None


def _upright(img: Image.Image) -> Image.Image:
    """Turned as the camera meant, in colours a JPEG without a profile shows right."""
    turned = _srgb(ImageOps.exif_transpose(img) or img)  # a turned copy keeps the profile
    if turned.mode in ("RGB", "L"):
        return turned
    if turned.mode in ("RGBA", "LA", "PA") or (turned.mode == "P" and "transparency" in turned.info):
        rgba = turned.convert("RGBA")
        flat = Image.new("RGB", rgba.size, (255, 255, 255))
        flat.paste(rgba, mask=rgba.getchannel("A"))
        return flat
    return turned.convert("RGB")


def _srgb(img: Image.Image) -> Image.Image:
    """A picture with its own colour profile (Adobe RGB, Display P3) converted to sRGB,
    since the profile itself is not kept; as it is when that cannot be done."""
    icc = img.info.get("icc_profile")
    if not icc or img.mode not in ("RGB", "CMYK"):
        return img
    try:
        from PIL import ImageCms

        converted = ImageCms.profileToProfile(
            img, ImageCms.ImageCmsProfile(io.BytesIO(icc)), ImageCms.createProfile("sRGB"),
            outputMode="RGB")
    except Exception:  # no colour management in this build, or a broken profile
        return img
    return converted if converted is not None else img


def _encode(img: Image.Image, quality: int) -> bytes:
    out = io.BytesIO()
    img.save(out, "JPEG", quality=quality, optimize=True)
    return out.getvalue()


def metadata_markers(jpeg: bytes) -> list[str]:
    """The metadata segments a JPEG carries before its image data (none, once kept)."""
    found: list[str] = []
    if jpeg[:2] != b"\xff\xd8":
        return ["not a JPEG"]
    i = 2
    while i + 4 <= len(jpeg) and jpeg[i] == 0xFF:
        marker = jpeg[i + 1]
        if marker == 0xDA:  # start of scan: the header is over
            break
        length = int.from_bytes(jpeg[i + 2:i + 4], "big")
        if marker in _METADATA:
            found.append(_METADATA[marker])
        i += 2 + length
    return found
