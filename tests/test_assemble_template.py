"""The draft template follows Decree 30/2020 and stays editable with Word's own styles."""

from __future__ import annotations

import io
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt

from mailflow.samples.draft_template import BODY_MARKER, build_template

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def template() -> docx.document.Document:
    return docx.Document(io.BytesIO(build_template()))


def test_page_is_a4_with_decree_margins(template: docx.document.Document) -> None:
    s = template.sections[0]
    assert abs(s.page_width - Mm(210)) < Mm(1) and abs(s.page_height - Mm(297)) < Mm(1)
    assert Mm(20) <= s.top_margin <= Mm(25) and Mm(20) <= s.bottom_margin <= Mm(25)
    assert Mm(30) <= s.left_margin <= Mm(35) and Mm(15) <= s.right_margin <= Mm(20)


def test_body_is_times_new_roman_justified_with_first_line_indent(
    template: docx.document.Document,
) -> None:
    normal = template.styles["Normal"]
    assert normal.font.name == "Times New Roman" and Pt(13) <= normal.font.size <= Pt(14)
    pf = normal.paragraph_format
    assert pf.alignment == WD_ALIGN_PARAGRAPH.JUSTIFY
    assert Cm(1) <= pf.first_line_indent <= Cm(1.27)


@pytest.mark.parametrize("level", [1, 2, 3, 4, 5])
def test_heading_styles_use_times_new_roman_not_theme_fonts(
    template: docx.document.Document, level: int
) -> None:
    style = template.styles[f"Heading {level}"]
    fonts = style.element.rPr.find(qn("w:rFonts"))
    assert fonts.get(qn("w:ascii")) == "Times New Roman"
    assert fonts.get(qn("w:asciiTheme")) is None


def test_header_block_and_body_marker_are_present(template: docx.document.Document) -> None:
    cells = [c.text for c in template.tables[0].rows[0].cells]
    assert "UBND TỈNH QUẢNG TRỊ" in cells[0] and "SỞ KHOA HỌC VÀ CÔNG NGHỆ" in cells[0]
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in cells[1] and "Độc lập" in cells[1]
    texts = [p.text for p in template.paragraphs]
    assert BODY_MARKER in texts and "{title}" in texts


def test_committed_template_matches_generator_layout() -> None:
    committed = docx.Document(str(ROOT / "templates" / "draft.docx"))
    assert BODY_MARKER in [p.text for p in committed.paragraphs]
    assert committed.styles["Heading 1"].font.name == "Times New Roman"
