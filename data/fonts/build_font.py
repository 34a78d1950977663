#!/usr/bin/env python3
"""Produce data/fonts/NotoSansSC-Regular-GBK.otf from Debian's fonts-noto-cjk.

Run once by hand (not at build time); see README.md beside this file.

    python3 build_font.py NotoSansCJK-Regular.ttc NotoSansSC-Regular-GBK.otf

Needs fontTools (PyPI `fonttools`, MIT). Keeps every character of GBK (all of
GB 2312 plus the 20,902 unified ideographs U+4E00..U+9FA5 and GBK's symbols),
ASCII, Latin-1 and a few marks, plus every character used in the repository's
data/ files that the source font has. Outlines, hinting and the name table are
kept as they are; layout (GSUB/GPOS/BASE) and vertical-metrics tables are dropped
since the PDF renderer lays out glyph by glyph.
"""
import pathlib
import sys

from fontTools import subset
from fontTools.ttLib import TTCollection

SC_INDEX = 2  # face 2 of NotoSansCJK-Regular.ttc is "Noto Sans CJK SC"


def gbk_chars():
    out = set()
    for lead in range(0x81, 0xFF):
        for trail in list(range(0x40, 0x7F)) + list(range(0x80, 0xFF)):
            try:
                out.add(bytes([lead, trail]).decode("gbk"))
            except UnicodeDecodeError:
                pass
    return out


def main():
    src, dst = sys.argv[1], sys.argv[2]
    chars = gbk_chars()
    chars |= {chr(c) for c in range(0x20, 0x7F)}
    chars |= {chr(c) for c in range(0xA0, 0x100)}
    chars |= set("•‧✓✔✗✘☑☐€№℃※〇")
    data_dir = pathlib.Path(__file__).resolve().parent.parent
    for p in data_dir.rglob("*"):
        if "fonts" in p.relative_to(data_dir).parts:
            continue
        if p.is_file() and p.suffix in {".csv", ".toml", ".txt", ".md"}:
            chars |= set(p.read_text(encoding="utf-8", errors="ignore"))

    face = TTCollection(src).fonts[SC_INDEX]
    face.recalcTimestamp = False  # keep head.modified: reproducible output
    assert face["name"].getDebugName(4) == "Noto Sans CJK SC", "wrong face index"
    cmap = face.getBestCmap()
    unicodes = sorted(ord(c) for c in chars if ord(c) in cmap)

    opts = subset.Options()
    opts.layout_features = []
    opts.drop_tables += ["GSUB", "GPOS", "BASE", "VORG", "vhea", "vmtx"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=unicodes)
    sub.subset(face)
    face.save(dst)
    print(f"{dst}: {len(unicodes)} characters")


if __name__ == "__main__":
    main()
