"""Generate ``templates/draft.docx``: the Decree 30/2020 report layout the draft starts from.

The template is a normal Word file that the Office may edit (agency names, fonts,
margins, heading looks): assembly only fills the ``{kind}``, ``{place_date}``,
``{title}`` and ``{draft_note}`` placeholders and replaces the ``{body}`` paragraph with
the draft. This module exists so the file can be rebuilt from code when it is lost or
broken: ``python -m mailflow.samples.draft_template templates/draft.docx``.

Layout (Decree 30/2020/NĐ-CP, Appendix I): A4 portrait; margins top/bottom 20 mm,
left 30 mm, right 15 mm; Times New Roman; body 14 pt justified with a 1.27 cm first-line
indent; page numbers centred in the header, not on the first page; agency block left,
national motto right; "BÁO CÁO" and the title centred and bold.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor
from docx.styles.style import CharacterStyle, ParagraphStyle
from docx.text.paragraph import Paragraph

# The custom paragraph styles the writer uses: the writer owns their names (an adapter
# does not import a sample builder), the template is built to match them.
from mailflow.adapters.draft_docx import (
    APPENDIX_HEADING,
    APPENDIX_TITLE,
    ATTRIBUTION,
    BODY_MARKER,
    GRID_TEXT,
    MISSING,
    PART_LABEL,
)

FONT = "Times New Roman"
BODY_PT = 14
PARENT_AGENCY = "UBND TỈNH QUẢNG TRỊ"
AGENCY = "SỞ KHOA HỌC VÀ CÔNG NGHỆ"
NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
NUMBER = "Số:        /BC-SKHCN"  # the Office fills the number when it issues the report


# heading looks by level: (size, bold, italic, centred)
_HEADINGS = {
    1: (14, True, False, True),
    2: (14, True, False, False),
    3: (14, True, False, False),
    4: (14, True, True, False),
    5: (14, False, True, False),
}


def _pin_fonts(rpr: Any) -> None:
    """``rpr``'s fonts: Times New Roman in every script slot, and nothing else."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        del fonts.attrib[attr]
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)


def _set_font(style: CharacterStyle, size: float | None = None) -> None:
    """Pin every script slot to Times New Roman; theme fonts would otherwise win."""
    rpr = style.element.get_or_add_rPr()
    _pin_fonts(rpr)
    if size is not None:
        style.font.size = Pt(size)


def _doc_defaults(doc: object) -> None:
    styles = doc.styles.element  # type: ignore[attr-defined]
    rpr = styles.find(qn("w:docDefaults") + "/" + qn("w:rPrDefault") + "/" + qn("w:rPr"))
    if rpr is None:
        return
    _pin_fonts(rpr)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:val"), "vi-VN")


def _styles(doc: object) -> None:
    styles = doc.styles  # type: ignore[attr-defined]
    _doc_defaults(doc)
    normal = styles["Normal"]
    _set_font(normal, BODY_PT)
    pf = normal.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
    pf.first_line_indent = Cm(1.27)
    pf.space_before = Pt(0)
    pf.space_after = Pt(6)
    pf.line_spacing = 1.15
    for level, (size, bold, italic, centred) in _HEADINGS.items():
        st = styles[f"Heading {level}"]
        _set_font(st, size)
        st.font.bold = bold
        st.font.italic = italic
        st.font.color.rgb = RGBColor(0, 0, 0)
        hp = st.paragraph_format
        hp.space_before = Pt(6)
        hp.space_after = Pt(6)
        hp.keep_with_next = True
        hp.alignment = WD_ALIGN_PARAGRAPH.CENTER if centred else WD_ALIGN_PARAGRAPH.JUSTIFY
        hp.first_line_indent = Cm(0) if centred else Cm(1.27)
    for name in ("Title", "Table Grid", "List Bullet", "List Number", "Footnote Text"):
        if name in [s.name for s in styles]:
            _set_font(styles[name])

    def para_style(
        name: str,
        size: float,
        *,
        bold: bool = False,
        italic: bool = False,
        align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY,
        indent: float = 1.27,
    ) -> ParagraphStyle:
        st = styles.add_style(name, WD_STYLE_TYPE.PARAGRAPH)
        st.base_style = normal
        st.quick_style = True
        _set_font(st, size)
        st.font.bold = bold
        st.font.italic = italic
        st.paragraph_format.alignment = align
        st.paragraph_format.first_line_indent = Cm(indent)
        return st

    attr = para_style(ATTRIBUTION, 11, italic=True, align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
    attr.paragraph_format.space_after = Pt(8)
    attr.font.color.rgb = RGBColor(0x40, 0x40, 0x40)
    missing = para_style(MISSING, 13, bold=True, italic=True)
    missing.font.color.rgb = RGBColor(0xC0, 0x00, 0x00)
    para_style(PART_LABEL, 13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
    grid = para_style(GRID_TEXT, 11, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0)
    grid.paragraph_format.space_after = Pt(0)
    grid.paragraph_format.line_spacing = 1.0
    sub = para_style(APPENDIX_HEADING, 13, bold=True, align=WD_ALIGN_PARAGRAPH.LEFT, indent=0)
    sub.paragraph_format.space_before = Pt(12)
    sub.paragraph_format.keep_with_next = True
    app = para_style(APPENDIX_TITLE, 14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
    app.paragraph_format.page_break_before = True
    # visible in Word's navigation pane without being a "Heading N" of the outline
    ppr = app.element.get_or_add_pPr()
    lvl = OxmlElement("w:outlineLvl")
    lvl.set(qn("w:val"), "0")
    ppr.append(lvl)


def _rule(par: Paragraph, width_cm: float, col_cm: float) -> None:
    """A short centred line under a block, drawn as a bottom border on an empty paragraph."""
    side = max((col_cm - width_cm) / 2, 0)
    par.paragraph_format.left_indent = Cm(side)
    par.paragraph_format.right_indent = Cm(side)
    ppr = par._p.get_or_add_pPr()
    bdr = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for k, v in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(k), v)
    bdr.append(bottom)
    ppr.insert(0, bdr)


def _line(
    cell_or_doc: object,
    text: str,
    size: float,
    *,
    bold: bool = False,
    italic: bool = False,
    first: bool = False,
) -> Paragraph:
    par = cell_or_doc.paragraphs[0] if first else cell_or_doc.add_paragraph()  # type: ignore[attr-defined]
    pf = par.paragraph_format
    pf.alignment = WD_ALIGN_PARAGRAPH.CENTER
    pf.first_line_indent = Cm(0)
    pf.space_after = Pt(0)
    pf.line_spacing = 1.0
    if text:
        run = par.add_run(text)
        run.font.size = Pt(size)
        run.bold = bold
        run.italic = italic
    return par


def _no_borders(table: object) -> None:
    tbl_pr = table._tbl.tblPr  # type: ignore[attr-defined]
    borders = OxmlElement("w:tblBorders")
    for side in ("top", "left", "bottom", "right", "insideH", "insideV"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:val"), "nil")
        borders.append(el)
    tbl_pr.append(borders)


def _fixed_widths(table: object, widths: tuple[int, ...]) -> None:
    """Column widths that Word and LibreOffice both honour: grid, cells and fixed layout."""
    tbl = table._tbl  # type: ignore[attr-defined]
    for col, width in zip(tbl.tblGrid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(int(width.twips)))  # type: ignore[attr-defined]
    for row in table.rows:  # type: ignore[attr-defined]
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl.tblPr.append(layout)


def _page_number_header(section: object) -> None:
    section.different_first_page_header_footer = True  # type: ignore[attr-defined]
    par = section.header.paragraphs[0]  # type: ignore[attr-defined]
    par.alignment = WD_ALIGN_PARAGRAPH.CENTER
    par.paragraph_format.first_line_indent = Cm(0)
    run = par.add_run()
    for tag, attrs, text in (
        ("w:fldChar", {"w:fldCharType": "begin"}, None),
        ("w:instrText", {"xml:space": "preserve"}, " PAGE "),
        ("w:fldChar", {"w:fldCharType": "separate"}, None),
        ("w:t", {}, "2"),
        ("w:fldChar", {"w:fldCharType": "end"}, None),
    ):
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if text:
            el.text = text
        run._r.append(el)
    run.font.size = Pt(13)


def build_template() -> bytes:
    """The draft template as .docx bytes."""
    doc = Document()
    _styles(doc)
    sec = doc.sections[0]
    sec.start_type = WD_SECTION.NEW_PAGE
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(20), Mm(20)
    sec.left_margin, sec.right_margin = Mm(30), Mm(15.1)  # 15 mm rounds below 15 in twips
    sec.header_distance, sec.footer_distance = Mm(10), Mm(10)
    _page_number_header(sec)

    table = doc.add_table(rows=1, cols=2)
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    table.autofit = False
    _no_borders(table)
    left, right = table.rows[0].cells
    _fixed_widths(table, (Cm(7.0), Cm(9.5)))
    _line(left, PARENT_AGENCY, 12, first=True)
    _line(left, AGENCY, 12, bold=True)
    _rule(_line(left, "", 13), 2.5, 7.0)
    _line(left, "", 6)
    _line(left, NUMBER, 13)
    _line(right, NATION, 12, bold=True, first=True)
    _line(right, MOTTO, 13, bold=True)
    _rule(_line(right, "", 13), 5.8, 9.5)
    _line(right, "", 6)
    _line(right, "{place_date}", 14, italic=True)

    _line(doc, "", 10)
    _line(doc, "{kind}", 14, bold=True)
    _line(doc, "{title}", 14, bold=True)
    _rule(_line(doc, "", 14), 3.0, 16.5)
    note = _line(doc, "{draft_note}", 11, italic=True)
    note.paragraph_format.space_before = Pt(6)
    note.paragraph_format.space_after = Pt(12)
    doc.add_paragraph(BODY_MARKER)
    doc.core_properties.title = "Báo cáo (dự thảo)"
    doc.core_properties.author = "mailflow"
    doc.core_properties.language = "vi-VN"
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def write_template(path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_bytes(build_template())
    tmp.replace(path)
    return path


if __name__ == "__main__":  # pragma: no cover - a maintenance command
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "templates/draft.docx")
    print(write_template(target))
