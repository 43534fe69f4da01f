"""Build the bundled Japanese font: a JIS X 0208 subset of Noto Sans CJK JP.

Flutter's web client fetches CJK fallback fonts from a CDN, so offline Japanese
would render as boxes (DESIGN §9). We ship a subset instead of the 16 MB face:
every JIS X 0208 character (the set Japanese administrative text is written in),
ASCII, half-width katakana and a few symbols staff type (①, 〒, ～, ㈱ ...).

Only the Japanese forms are kept. The face also carries, for each CJK locale, its own
forms of thousands of kanji (`locl` for Chinese and Korean text); those doubled the file,
and the browser client loads the whole file before the lock screen shows (a sixth of a
second here, `benchmarks.startup`). Japanese text, and Latin text in a Japanese
UI, shape exactly as before: the features HarfBuzz applies by default are kept, with the
Japanese `locl` (quotes and dashes in their Japanese forms).

Reproduce with Debian's fonts-noto-cjk installed:
    .venv/bin/python scripts/make_font.py
"""

from __future__ import annotations

import sys
from pathlib import Path

from fontTools import subset
from fontTools.ttLib import TTCollection, TTFont

SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
TARGET = Path(__file__).resolve().parent.parent / "assets" / "fonts" / "NotoSansJP-JIS0208.otf"
OTHER_CJK = {"KOR ", "ZHH ", "ZHS ", "ZHT "}  # OpenType language tags: Korean, Chinese
EXTRA = (
    "①②③④⑤⑥⑦⑧⑨⑩〒～㈱㈲№℡°±×÷〜・ー－‐―…‥–—‘’“”•·éèàüö"
    "「」『』【】〈〉《》（）［］｛｝！？：；、。，．￥＄％＃＆＊＠"
)


def jis_x_0208() -> set[str]:
    chars: set[str] = set()
    for row in range(0x21, 0x7F):
        for cell in range(0x21, 0x7F):
            try:
                chars.add(bytes([row | 0x80, cell | 0x80]).decode("euc_jp"))
            except UnicodeDecodeError:
                continue
    return chars


def japanese_only(font: TTFont) -> None:
    """Drop the Chinese and Korean language systems, and with them the features only
    they use (their `locl` forms), before the subsetter follows the features to glyphs."""
    for tag in ("GSUB", "GPOS"):
        table = font[tag]
        for record in table.table.ScriptList.ScriptRecord:
            kept = [ls for ls in record.Script.LangSysRecord if ls.LangSysTag not in OTHER_CJK]
            record.Script.LangSysRecord = kept
            record.Script.LangSysCount = len(kept)
        table.prune_features()  # added by fontTools.subset


def main() -> int:
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 1
    chars = jis_x_0208() | {chr(c) for c in range(0x20, 0x7F)} | set(EXTRA)
    chars |= {chr(c) for c in range(0xFF61, 0xFFA0)}  # half-width katakana
    font = TTCollection(str(SOURCE)).fonts[0]  # index 0 is the JP face
    japanese_only(font)
    options = subset.Options()  # the default layout features: what HarfBuzz applies
    options.name_IDs = ["*"]
    options.notdef_outline = True
    subsetter = subset.Subsetter(options)
    subsetter.populate(text="".join(sorted(chars)))
    subsetter.subset(font)
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(TARGET))
    print(f"{TARGET}: {len(chars)} characters, {len(font.getGlyphOrder())} glyphs, "
          f"{TARGET.stat().st_size / 1e6:.1f} MB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
