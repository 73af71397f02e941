"""An HTML-only mail body → a .docx, treated from then on like an attached .docx.

Why: many mail clients send only HTML (no text/plain), and departments paste tables
into the body. Flattening it to text loses the tables and the headings, so the body is
rebuilt as a .docx: h1–h6 become Heading paragraphs, bold-only lines bold paragraphs,
list items paragraphs (numbered ones keep their number as text), tables Word tables
(colspan/rowspan merged). Nothing is fetched: images (``cid:`` logos and signatures,
remote pictures) are dropped, scripts and styles too. The quoted original of a reply
(Gmail, Outlook, Thunderbird, Apple Mail markers) is cut before anything is built.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import docx.document

from mailflow.adapters import docx_form
from mailflow.core.reply_body import kept_lines

_BLOCK = frozenset(
    [
        "p",
        "div",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "ul",
        "ol",
        "li",
        "table",
        "blockquote",
        "pre",
        "section",
        "article",
        "header",
        "footer",
        "address",
        "center",
        "dl",
        "dt",
        "dd",
        "hr",
        "form",
        "fieldset",
        "main",
        "aside",
        "nav",
        "figure",
        "figcaption",
    ]
)
_DROP = frozenset(
    [
        "script",
        "style",
        "head",
        "title",
        "noscript",
        "template",
        "iframe",
        "object",
        "svg",
        "img",
        "meta",
    ]
)
_QUOTE_CLASSES = ("gmail_quote", "yahoo_quoted", "moz-cite-prefix", "protonmail_quote")
_QUOTE_IDS = ("appendonsend", "divrplyfwdmsg", "mail-editor-reference-message-container")
_SPACE = re.compile(r"\s+")


@dataclass
class _Para:
    runs: list[tuple[str, bool, bool]] = field(default_factory=list)  # text, bold, italic
    level: int = 0  # heading level, 0 = body
    prefix: str = ""

    def text(self) -> str:
        return _SPACE.sub(" ", "".join(r[0] for r in self.runs)).strip()


def parse(html: str):  # type: ignore[no-untyped-def]
    """The HTML as an lxml tree (no network, no entities resolved)."""
    import lxml.html

    parser = lxml.html.HTMLParser(no_network=True, remove_comments=True, remove_pis=True)
    try:
        root = lxml.html.document_fromstring(html or "<html></html>", parser=parser)
    except Exception:  # empty or unparsable: an empty document
        root = lxml.html.document_fromstring("<html><body></body></html>")
    return root


def strip_quoted(root) -> None:  # type: ignore[no-untyped-def]
    """Remove the quoted original of a reply and everything after an Outlook separator."""
    for el in list(root.iter()):
        if not isinstance(el.tag, str):
            continue
        cls = (el.get("class") or "").lower()
        ident = (el.get("id") or "").lower()
        if (el.tag == "blockquote" and (el.get("type") or "").lower() == "cite") or any(
            c in cls for c in _QUOTE_CLASSES
        ):
            _remove(el)
        elif ident in _QUOTE_IDS:
            _remove_from(el)


def _remove(el) -> None:  # type: ignore[no-untyped-def]
    parent = el.getparent()
    if parent is not None:
        tail = el.tail
        parent.remove(el)
        if tail and tail.strip():  # keep text that followed the element
            prev = parent.text or ""
            parent.text = prev + tail


def _remove_from(el) -> None:  # type: ignore[no-untyped-def]
    """Remove ``el`` and everything after it in document order."""
    node = el
    while node is not None and node.getparent() is not None:
        parent = node.getparent()
        for sib in list(node.itersiblings()):
            parent.remove(sib)
        node.tail = None
        node = parent
    if el.getparent() is not None:
        el.getparent().remove(el)


class _Builder:
    def __init__(self, doc: docx.document.Document, max_rows: int, max_cols: int) -> None:
        self.doc = doc
        self.max_rows = max_rows
        self.max_cols = max_cols
        #: grid cells that row/column spans may fill in the whole body: a hostile body of
        #: ``<td rowspan=50 colspan=50>`` would otherwise cost 2,500 entries per cell
        self.span_budget = max_rows * max_cols
        self.para = _Para()
        #: what the body holds, in order: a paragraph, or a table (rows, merges)
        self.items: list[_Para | tuple[list[list[str]], list[tuple[int, int, int, int]]]] = []

    def flush(self) -> None:
        para, self.para = self.para, _Para()
        if para.text():
            self.items.append(para)

    def lines(self) -> list[str]:
        """One line of text per item, for the reply/signature cut."""
        out = []
        for item in self.items:
            if isinstance(item, _Para):
                out.append(item.prefix + item.text())
            else:
                out.append(" | ".join(v for row in item[0] for v in row if v))
        return out

    def emit(self, keep: int) -> int:
        """Write the first ``keep`` items into the document; how many were written."""
        for item in self.items[:keep]:
            if isinstance(item, _Para):
                self.paragraph(item)
            else:
                docx_form.add_table(self.doc, item[0], item[1], header=True)
        return min(keep, len(self.items))

    def paragraph(self, para: _Para) -> None:
        text = para.text()
        if para.level:
            self.doc.add_heading(docx_form._clean(para.prefix + text), level=min(para.level, 9))
        else:
            out = self.doc.add_paragraph()
            if para.prefix:
                out.add_run(para.prefix)
            first = True
            for chunk, bold, italic in _merge_runs(para.runs):
                chunk = _SPACE.sub(" ", chunk)
                if first:
                    chunk = chunk.lstrip()
                    first = False
                if not chunk:
                    continue
                run = out.add_run(docx_form._clean(chunk))
                run.bold = bold or None
                run.italic = italic or None
            # trailing space of the last run
            if out.runs:
                out.runs[-1].text = out.runs[-1].text.rstrip()

    def walk(self, el, bold: bool = False, italic: bool = False) -> None:  # type: ignore[no-untyped-def]
        tag = el.tag if isinstance(el.tag, str) else ""
        tag = tag.lower()
        if tag in _DROP:
            self.tail(el, bold, italic)
            return
        if tag == "table":
            self.flush()
            if _layout(el):  # a table used for layout: its cells are the body
                for tr in _rows(el):
                    for cell in tr:
                        if isinstance(cell.tag, str) and cell.tag.lower() in ("td", "th"):
                            self.flush()
                            if cell.text:
                                self.para.runs.append((cell.text, bold, italic))
                            for child in cell:
                                self.walk(child, bold, italic)
                            self.flush()
            else:
                self.table(el)
            self.tail(el, bold, italic)
            return
        if tag in ("ul", "ol"):
            self.flush()
            self.listing(el, tag == "ol", bold, italic)
            self.tail(el, bold, italic)
            return
        heading = int(tag[1]) if re.fullmatch(r"h[1-6]", tag) else 0
        block = tag in _BLOCK
        if block:
            self.flush()
            if heading:
                self.para.level = heading
        if tag == "br":
            self.flush()
            self.tail(el, bold, italic)
            return
        b = bold or tag in ("b", "strong") or _css_bold(el)
        i = italic or tag in ("i", "em")
        if el.text:
            self.para.runs.append((el.text, b, i))
        for child in el:
            self.walk(child, b, i)
        if block:
            self.flush()
        self.tail(el, bold, italic)

    def tail(self, el, bold: bool, italic: bool) -> None:  # type: ignore[no-untyped-def]
        if el.tail:
            self.para.runs.append((el.tail, bold, italic))

    def listing(self, el, numbered: bool, bold: bool, italic: bool) -> None:  # type: ignore[no-untyped-def]
        n = int(el.get("start") or 1) if (el.get("start") or "1").isdigit() else 1
        for li in el:
            if not isinstance(li.tag, str) or li.tag.lower() != "li":
                if isinstance(li.tag, str):
                    self.walk(li, bold, italic)
                continue
            self.flush()
            self.para.prefix = f"{n}. " if numbered else "- "
            n += 1
            if li.text:
                self.para.runs.append((li.text, bold, italic))
            for child in li:
                self.walk(child, bold, italic)
            self.flush()

    def table(self, el) -> None:  # type: ignore[no-untyped-def]
        grid: dict[tuple[int, int], str] = {}
        merges: list[tuple[int, int, int, int]] = []
        r = 0
        for tr in _rows(el):
            if r >= self.max_rows:
                break
            c = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag.lower() not in ("td", "th"):
                    continue
                while (r, c) in grid:
                    c += 1
                if c >= self.max_cols:  # past the columns the draft keeps
                    break
                span_c = min(_span(cell.get("colspan")), self.max_cols - c)
                span_r = min(_span(cell.get("rowspan")), self.max_rows - r)
                if span_c * span_r > 1:
                    if span_c * span_r > self.span_budget:  # spent: the cell stays one cell
                        span_c = span_r = 1
                    else:
                        self.span_budget -= span_c * span_r
                text = _SPACE.sub(" ", cell.text_content()).strip()
                for dr in range(span_r):
                    for dc in range(span_c):
                        grid[(r + dr, c + dc)] = text if (dr, dc) == (0, 0) else ""
                if span_c > 1 or span_r > 1:
                    merges.append((r, c, r + span_r - 1, c + span_c - 1))
                c += span_c
            r += 1
        if not grid:
            return
        nrows = min(max(k[0] for k in grid) + 1, self.max_rows)
        ncols = min(max(k[1] for k in grid) + 1, self.max_cols)
        rows = [[grid.get((i, j), "") for j in range(ncols)] for i in range(nrows)]
        if not any(v for row in rows for v in row):
            return
        if ncols == 1 or (nrows == 1 and ncols <= 2):
            # a layout table (one column): its cells are paragraphs, not a table
            for row in rows:
                for v in row:
                    if v:
                        self.items.append(_Para(runs=[(v, False, False)]))
            return
        self.items.append((rows, merges))


def _rows(table) -> Iterator:  # type: ignore[no-untyped-def]
    """The table's own rows (thead/tbody/tfoot included, nested tables' rows not)."""
    for child in table:
        if not isinstance(child.tag, str):
            continue
        tag = child.tag.lower()
        if tag == "tr":
            yield child
        elif tag in ("thead", "tbody", "tfoot"):
            for tr in child:
                if isinstance(tr.tag, str) and tr.tag.lower() == "tr":
                    yield tr


def _layout(table) -> bool:  # type: ignore[no-untyped-def]
    """A table that only lays out the page: one column, or tables inside it."""
    if table.find(".//table") is not None:
        return True
    widths = [
        sum(1 for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th"))
        for tr in _rows(table)
    ]
    return bool(widths) and max(widths) <= 1


def _span(value: str | None) -> int:
    try:
        return min(max(int(value or 1), 1), 50)
    except ValueError:
        return 1


def _css_bold(el) -> bool:  # type: ignore[no-untyped-def]
    style = (el.get("style") or "").lower().replace(" ", "")
    return "font-weight:bold" in style or bool(re.search(r"font-weight:[6-9]00", style))


def _merge_runs(runs: list[tuple[str, bool, bool]]) -> list[tuple[str, bool, bool]]:
    out: list[tuple[str, bool, bool]] = []
    for text, bold, italic in runs:
        if out and out[-1][1:] == (bold, italic):
            out[-1] = (out[-1][0] + text, bold, italic)
        else:
            out.append((text, bold, italic))
    return out


def html_docx(html: str, *, max_rows: int = 2000, max_cols: int = 50) -> tuple[bytes, int]:
    """The .docx of an HTML body (quoted original cut) and how many blocks it holds."""
    root = parse(html)
    strip_quoted(root)
    body = root.find("body")
    doc = docx_form.new_document()
    builder = _Builder(doc, max_rows, max_cols)
    builder.walk(body if body is not None else root)
    builder.flush()
    count = builder.emit(kept_lines(builder.lines()))
    return docx_form.to_bytes(doc), count


def has_data_table(html: str) -> bool:
    """Whether the body (quoted original cut) holds a table of data: the plain-text
    alternative of such a mail flattens it, so the HTML is the better reading."""
    if "<table" not in html.lower():
        return False
    root = parse(html)
    strip_quoted(root)
    for table in root.iter("table"):
        if _layout(table):
            continue
        rows = [
            [c for c in tr if isinstance(c.tag, str) and c.tag.lower() in ("td", "th")]
            for tr in _rows(table)
        ]
        if len(rows) >= 2 and max(len(r) for r in rows) >= 2:
            return True
    return False
