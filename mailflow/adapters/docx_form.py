"""The "docx form" of a received document that is not a .docx: a .docx made at intake.

Why: the matcher reads blocks from a .docx and the draft copies a part's paragraphs and
tables from it, so a PDF's text, a scan's OCR text, a spreadsheet or an HTML-only mail
becomes a plain .docx once, when the mail is taken in (ONE extraction per document,
stored in the archive next to the original). Later steps never reopen the original.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterable, Sequence

import docx
import docx.document
from docx.oxml.ns import qn
from docx.shared import Pt


def new_document() -> docx.document.Document:
    """An empty document from python-docx's template (styles Heading 1-9, Table Grid)."""
    doc = docx.Document()
    body = doc.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):
            body.remove(child)
    return doc


def to_bytes(doc: docx.document.Document) -> bytes:
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def paragraphs_docx(paragraphs: Iterable[str]) -> bytes:
    """One paragraph per non-blank line: the same blocks the text reader makes."""
    doc = new_document()
    for line in paragraphs:
        if line.strip():
            doc.add_paragraph(_clean(line.strip()))
    return to_bytes(doc)


def add_table(
    doc: docx.document.Document,
    rows: Sequence[Sequence[str]],
    merges: Iterable[tuple[int, int, int, int]] = (),
    *,
    header: bool = True,
) -> None:
    """A Word table (style "Table Grid"), first row bold and repeated as header.

    ``merges`` are (first row, first col, last row, last col), 0-based and inclusive; a
    merge that falls outside the table or overlaps one already made is left unmerged.
    """
    if not rows:
        return
    width = max(len(r) for r in rows)
    if width == 0:
        return
    table = doc.add_table(rows=len(rows), cols=width)
    with contextlib.suppress(KeyError):  # a template without it: a plain table
        table.style = doc.styles["Table Grid"]
    for r, row in enumerate(rows):
        cells = table.rows[r].cells
        for c in range(width):
            value = _clean(row[c]) if c < len(row) else ""
            if value:
                para = cells[c].paragraphs[0]
                run = para.add_run(value)
                if header and r == 0:
                    run.bold = True
    if header:
        tr_pr = table.rows[0]._tr.get_or_add_trPr()
        tbl_header = tr_pr.makeelement(qn("w:tblHeader"), {})
        tr_pr.append(tbl_header)
    taken: set[tuple[int, int]] = set()
    for r0, c0, r1, c1 in merges:
        if not (0 <= r0 <= r1 < len(rows) and 0 <= c0 <= c1 < width):
            continue
        span = {(r, c) for r in range(r0, r1 + 1) for c in range(c0, c1 + 1)}
        if len(span) < 2 or span & taken:
            continue
        try:
            table.cell(r0, c0).merge(table.cell(r1, c1))
        except Exception:  # python-docx refuses odd shapes: keep the cells apart
            continue
        taken |= span
        # merging concatenates the cells' paragraphs: keep only the first non-empty one
        cell = table.cell(r0, c0)
        paras = cell.paragraphs
        keep = next((p for p in paras if p.text.strip()), paras[0])
        for p in paras:
            if p is not keep:
                p._p.getparent().remove(p._p)


def note_paragraph(doc: docx.document.Document, text: str) -> None:
    """An italic, small note (e.g. "only the first 2000 rows are shown")."""
    para = doc.add_paragraph()
    run = para.add_run(text)
    run.italic = True
    run.font.size = Pt(9)


def _clean(text: str) -> str:
    """Characters XML 1.0 cannot hold (control codes from odd files) are dropped."""
    return "".join(
        ch
        for ch in text
        if ch in "\t\n"
        or (ord(ch) >= 0x20 and ch not in "\ufffe\uffff" and not 0xD800 <= ord(ch) <= 0xDFFF)
    )
