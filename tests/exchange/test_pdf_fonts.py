"""Faces for the PDF pages drawn without a layout engine (exchange.pdf_fonts)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from reportlab.pdfgen.canvas import Canvas

from gongjian.exchange.pdf_fonts import FontMissing, coverage, first_installed, font, runs


def test_two_cuts_of_one_face_in_one_document_each_draw_their_characters(
    tmp_path: Path,
) -> None:
    """reportlab names a subset's PDF objects after the face: two cuts of Noto Serif CJK in one
    file shared them and the second drew empty boxes."""
    first = font(("Noto Serif CJK SC",), "长乐区福清市")
    second = font(("Noto Serif CJK SC",), "并列第一名次")
    assert first != second
    path = tmp_path / "f.pdf"
    c = Canvas(str(path))
    c.setFont(first, 12)
    c.drawString(72, 700, "长乐区福清市")
    c.setFont(second, 12)
    c.drawString(72, 680, "并列第一名次")
    c.save()
    text = subprocess.run(  # noqa: S603
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "长乐区福清市" in text and "并列第一名次" in text


def test_the_same_face_and_characters_are_registered_once() -> None:
    assert font(("Noto Sans CJK SC:bold",), "名次单位") == font(
        ("Noto Sans CJK SC:bold",), "单位名次"
    )


def test_a_face_no_installed_font_has_is_refused_by_name() -> None:
    with pytest.raises(FontMissing, match="无此字体样例"):
        first_installed(("无此字体样例",))


def test_characters_the_free_fangsong_lacks_go_to_the_fallback() -> None:
    covered = coverage(("cwTeXFangSong",))
    assert ord("攻") in covered and ord("坚") not in covered  # a traditional-Chinese face
    assert runs("攻坚行动", covered) == [(True, "攻"), (False, "坚"), (True, "行"), (False, "动")]
