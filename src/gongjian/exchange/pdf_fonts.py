"""Fonts for PDF pages drawn with reportlab (no layout engine): the faces the printable HTML names,
found through fontconfig, cut to the characters a document uses and registered with reportlab.

reportlab embeds TrueType outlines only, and the free CJK faces Debian ships (Noto Serif/Sans CJK)
are OpenType with PostScript (CFF) outlines in a collection. `font(families, chars)` therefore
subsets the face to `chars` with fontTools (a few hundred glyphs: a quarter of a second) and turns
the cubic outlines into quadratic ones (cu2qu) before handing it to reportlab, which subsets and
embeds it again as it writes. The same face and characters give the same registered font, kept
for the process (a bounded number of them: an evicted one is dropped from reportlab's registry).
"""

from __future__ import annotations

import hashlib
import io
import shutil
import subprocess
from collections import OrderedDict
from functools import lru_cache
from typing import Any

from django.utils.translation import gettext as _

from gongjian.core.errors import GongjianError

KEPT = 16  # registered subsets kept per process


class FontMissing(GongjianError):
    code = "font_missing"
    http_status = 422


@lru_cache(maxsize=64)
def locate(family: str) -> tuple[str, int] | None:
    """(file, index in a collection) of an installed face, through fontconfig; None when no
    installed face has that family name (fontconfig would otherwise answer with a fallback)."""
    exe = shutil.which("fc-match")
    if exe is None:
        return None
    done = subprocess.run(  # noqa: S603 - fontconfig with a fixed pattern
        [exe, "-f", "%{family}|%{file}|%{index}", family],
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0 or done.stdout.count("|") != 2:
        return None
    names, path, index = done.stdout.split("|")
    wanted = family.split(":")[0].casefold()
    if wanted not in {n.strip().casefold() for n in names.split(",")}:
        return None
    return path, int(index or 0)


def first_installed(families: tuple[str, ...]) -> tuple[str, int]:
    for family in families:
        found = locate(family)
        if found is not None:
            return found
    raise FontMissing(
        _("服务器未安装通报所需字体（%(f)s），无法生成 PDF；请下载 .docx。")
        % {"f": "、".join(f.split(":")[0] for f in families)}
    )


@lru_cache(maxsize=8)
def _source(path: str, index: int) -> Any:
    """The installed face, opened once per process (tables are read when first used)."""
    from fontTools.ttLib import TTFont

    return TTFont(path, fontNumber=index, lazy=True)


def _truetype(path: str, index: int, chars: str, tag: str) -> bytes:
    """A new face with the glyphs of `chars` only, TrueType outlines (cubic ones turned into
    quadratic ones), the source's advance widths and vertical metrics, its PostScript name
    ending in `tag` (reportlab names a subset's objects in the PDF after it: two cuts of one
    face in one document must not share them). Built glyph by glyph: fontTools' subsetter
    reads every layout table of a CJK face first, a second or more each time."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.cu2quPen import Cu2QuPen
    from fontTools.pens.recordingPen import DecomposingRecordingPen
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    source = _source(path, index)
    cmap = source.getBestCmap()
    glyphs = source.getGlyphSet()
    metrics = source["hmtx"].metrics
    mapping = {ord(c): cmap[ord(c)] for c in set(chars) if ord(c) in cmap}
    order = [".notdef", *sorted(set(mapping.values()) - {".notdef"})]
    outlines = {}
    for name in order:
        recorded = DecomposingRecordingPen(glyphs)  # components drawn in place
        glyphs[name].draw(recorded)
        pen = TTGlyphPen(None)
        recorded.replay(Cu2QuPen(pen, 1.0, reverse_direction="CFF " in source))
        outlines[name] = pen.glyph()
    hhea, os2 = source["hhea"], source["OS/2"]
    names = source["name"]
    family = names.getDebugName(1) or "Face"
    postscript = names.getDebugName(6) or family.replace(" ", "")
    builder = FontBuilder(source["head"].unitsPerEm, isTTF=True)
    builder.setupGlyphOrder(order)
    builder.setupCharacterMap(mapping)
    builder.setupGlyf(outlines)
    builder.setupHorizontalMetrics({n: metrics[n] for n in order})
    builder.setupHorizontalHeader(ascent=hhea.ascent, descent=hhea.descent)
    builder.setupNameTable(
        {"familyName": family, "styleName": names.getDebugName(2) or "Regular",
         "psName": f"{postscript}-{tag}"}
    )  # fmt: skip
    builder.setupOS2(
        sTypoAscender=os2.sTypoAscender,
        sTypoDescender=os2.sTypoDescender,
        usWinAscent=os2.usWinAscent,
        usWinDescent=os2.usWinDescent,
        fsType=0,
    )
    builder.setupPost()
    out = io.BytesIO()
    builder.save(out)
    return out.getvalue()


_REGISTERED: OrderedDict[str, None] = OrderedDict()


def font(families: tuple[str, ...], chars: str) -> str:
    """The reportlab name of the first installed of `families` (fontconfig patterns, e.g.
    "Noto Serif CJK SC:bold"), able to draw `chars`."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    path, index = first_installed(families)
    wanted = "".join(sorted(set(chars) | set(" 0123456789—")))
    key = hashlib.sha1(f"{path}|{index}|{wanted}".encode(), usedforsecurity=False).hexdigest()
    name = f"gj{key[:16]}"
    if name in _REGISTERED:
        _REGISTERED.move_to_end(name)
        return name
    pdfmetrics.registerFont(TTFont(name, io.BytesIO(_truetype(path, index, wanted, tag=key[:8]))))
    _REGISTERED[name] = None
    while len(_REGISTERED) > KEPT:
        old, _kept = _REGISTERED.popitem(last=False)
        pdfmetrics._fonts.pop(old, None)  # reportlab keeps every registered font otherwise
    return name


def coverage(families: tuple[str, ...]) -> frozenset[int]:
    """The code points the first installed of `families` draws (a face may lack some: the
    free cwTeX 仿宋 is a traditional-Chinese face without 2,379 of GB 2312's 6,763 hanzi)."""
    return frozenset(_source(*first_installed(families)).getBestCmap())


def runs(text: str, covered: frozenset[int]) -> list[tuple[bool, str]]:
    """`text` cut into runs the face draws (True) and runs a fallback face must draw (False)."""
    out: list[tuple[bool, str]] = []
    for ch in text:
        own = ord(ch) in covered
        if out and out[-1][0] == own:
            out[-1] = (own, out[-1][1] + ch)
        else:
            out.append((own, ch))
    return out
