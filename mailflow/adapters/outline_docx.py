"""A department's copy of the outline: its sections shaded, a note under each heading,
and the list of its sections at the top.

Why mark a copy of the office's own file instead of generating a new one: the department
should fill in exactly the document the office wrote (same numbering, same wording), and
see at a glance which parts are theirs. The marks are plain Word formatting (paragraph
shading, an italic note), so the copy stays editable and converts with LibreOffice.
"""

from __future__ import annotations

import io
import re
from collections.abc import Sequence
from pathlib import Path

import docx
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Pt, RGBColor
from lxml import etree

from mailflow.adapters.docx_read import _check_package, _Reader, open_document, read_docx
from mailflow.core.outline import (
    MARK_STYLE,
    outline_spans,
    parse_outline,
    section_label,
    top_sections,
)
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Department, Outline

SHADE = "FFF2CC"  # light yellow: visible on screen and in grey-scale print
NOTE_COLOR = RGBColor(0xC0, 0x00, 0x00)
# w:pPr children that must come after w:shd (ECMA-376 CT_PPr order)
_AFTER_SHD = tuple(
    f"w:{tag}"
    for tag in re.findall(
        r"\w+",
        "tabs suppressAutoHyphens kinsoku wordWrap overflowPunct topLinePunct autoSpaceDE "
        "autoSpaceDN bidi adjustRightInd snapToGrid spacing ind contextualSpacing "
        "mirrorIndents suppressOverlap jc textDirection textAlignment textboxTightWrap "
        "outlineLvl divId cnfStyle rPr sectPr pPrChange",
    )
)


def mark_outline(
    outline_docx: bytes | Path,
    outline: Outline,
    department: Department,
    departments: Sequence[Department] = (),
) -> bytes:
    """The outline .docx with ``department``'s sections marked, as bytes.

    ``departments`` (optional) lets the note name co-writers by name instead of code.
    """
    if isinstance(outline_docx, bytes | bytearray):
        data, label = bytes(outline_docx), "outline.docx"
    else:
        try:
            data, label = Path(outline_docx).read_bytes(), str(outline_docx)
        except OSError as exc:
            raise MailflowError(t("outline.docx_unreadable", name=outline_docx, error=exc)) from exc
    _check_package(data, label)
    document = open_document(data, label)
    body = document.element.body
    children = list(body)
    spans = outline_spans(_Reader(document).blocks())
    mine = [s for s in outline.sections if department.code in s.assignees]
    missing = [s.key for s in mine if s.key not in spans]
    if missing:
        raise MailflowError(
            t("outline.mark_mismatch", name=label, keys=", ".join(missing)),
            t("outline.mark_mismatch_hint"),
        )
    starts = sorted(first for first, _ in spans.values())
    body_end = next((i for i, el in enumerate(children) if el.tag == qn("w:sectPr")), len(children))
    names = {d.code: d.name for d in departments}
    _ensure_style(document)
    for section in mine:
        first, _last = spans[section.key]
        later = [i for i in starts if i > first]
        end = later[0] if later else body_end
        for el in children[first:end]:
            _shade(el)
        note = _note_paragraph(document, _note_text(section.assignees, department, names))
        children[first].addnext(note)
    _insert_summary(document, outline, department, children[0] if children else None)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def _note_text(assignees: tuple[str, ...], department: Department, names: dict[str, str]) -> str:
    others = [names.get(c, c) for c in assignees if c != department.code]
    text = t("outline.mark_note", department=department.name)
    if others:
        text += " " + t("outline.mark_note_with", others=", ".join(others))
    return text


def _shade(el: etree._Element) -> None:
    """Paragraph shading on a paragraph, or on every paragraph of a table/content control."""
    paragraphs = [el] if el.tag == qn("w:p") else list(el.iter(qn("w:p")))
    for p in paragraphs:
        ppr = p.get_or_add_pPr()
        old = ppr.find(qn("w:shd"))
        if old is not None:
            ppr.remove(old)
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), SHADE)
        ppr.insert_element_before(shd, *_AFTER_SHD)


def _ensure_style(document: docx.document.Document) -> None:
    """The paragraph style that tells parse_outline "mailflow wrote this, skip it"."""
    if MARK_STYLE not in [s.name for s in document.styles]:
        style = document.styles.add_style(MARK_STYLE, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = document.styles["Normal"]


def _note_paragraph(document: docx.document.Document, text: str) -> etree._Element:
    p = document.add_paragraph(style=MARK_STYLE)
    run = p.add_run(text)
    run.italic = True
    run.bold = True
    run.font.size = Pt(12)
    run.font.color.rgb = NOTE_COLOR
    _shade(p._p)
    return p._p


def _insert_summary(
    document: docx.document.Document,
    outline: Outline,
    department: Department,
    before: etree._Element | None,
) -> None:
    """Heading "Các mục <phòng> viết" and one line per top-most section, at the top."""
    lines = [t("outline.mark_summary", department=department.name)]
    sections = top_sections(outline, department.code)
    lines += [f"- {section_label(outline, s)}" for s in sections] or [t("outline.mark_none")]
    made = []
    for i, text in enumerate([*lines, ""]):
        p = document.add_paragraph(style=MARK_STYLE)
        if text:
            run = p.add_run(text)
            run.bold = i == 0
            run.font.size = Pt(13)
            if i == 0:
                run.font.color.rgb = NOTE_COLOR
        if i == 0:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
        if text:
            _shade(p._p)
        made.append(p._p)
    if before is None:
        return
    for el in made:
        before.addprevious(el)


def load_outline(path: Path, departments: Sequence[Department]) -> Outline:
    """Read and parse a campaign's outline file (what ``send`` and ``outline`` start from)."""
    return parse_outline(read_docx(Path(path)), departments)
