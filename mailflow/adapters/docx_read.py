"""A .docx → the neutral block stream that outline parsing and report matching read.

Why a block stream and not python-docx objects: the core is pure and format-blind, and
departments reply in Word, LibreOffice, WPS, Google Docs and phone editors that express
the same heading in different ways (a Heading style, a bold run, direct formatting, Word
automatic numbering whose "I."/"1." is not in the text at all). Everything the core
needs to recognise structure is resolved here once: effective bold/italic through the
style chain, heading level from style names (also localised) or ``w:outlineLvl``, and the
visible auto-number computed from ``numbering.xml``.

Indexing contract (assembly relies on it): ``Block.index`` is the position of the element
in ``list(document.element.body)`` — every top-level child counts, comments and
``w:sectPr`` included, so ``body[block.index]`` is the element to copy. A top-level
content control (``w:sdt``) or ``w:customXml`` wrapper yields one block per paragraph or
table inside it, and all of them carry the wrapper's index: copying that index copies the
whole control once (callers that copy ranges should de-duplicate indexes). Intake's docx
form has no such wrapper any more (``flatten_structure``: one report in one control was
copied under every section it matched); forms archived before it still may.

Safety: the package is opened as a zip first; a part with a DOCTYPE/ENTITY declaration,
an over-large or non-zip file, or anything python-docx cannot open raises MailflowError
so intake can quarantine the file instead of crashing.
"""

from __future__ import annotations

import io
import re
import unicodedata
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import NamedTuple

import docx
from docx.opc.exceptions import PackageNotFoundError
from docx.opc.packuri import PackURI
from lxml import etree

from mailflow.adapters import bytescan
from mailflow.core.names import clean, fold, to_letters, to_roman
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import Block, BlockKind

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
_W = f"{{{W}}}"
TAG_P, TAG_TBL, TAG_SDT, TAG_CUSTOM = _W + "p", _W + "tbl", _W + "sdt", _W + "customXml"
TAG_R, TAG_T, TAG_TAB, TAG_BR, TAG_CR = _W + "r", _W + "t", _W + "tab", _W + "br", _W + "cr"
TAG_NBH, TAG_DRAWING, TAG_PICT = _W + "noBreakHyphen", _W + "drawing", _W + "pict"
TAG_TXBX, TAG_DEL = _W + "txbxContent", _W + "del"
VAL = _W + "val"

MAX_UNCOMPRESSED = 300 * 1024 * 1024  # a report is never this big; a zip bomb is
_XML_PART = re.compile(r"(\.xml|\.rels|\.vml)$", re.IGNORECASE)
_HEADING_NAME = re.compile(
    r"^(?:heading|tieu de|đề mục|de muc|titre|uberschrift|titulo|titolo|kop|naglowek|"
    r"nagłowek|nadpis|overskrift|rubrik|заголовок|标题|標題|見出し|제목)\s*(\d)$"
)


def read_docx(source: Path | bytes, name: str = "") -> tuple[Block, ...]:
    """Read a .docx (path or bytes) into blocks, one per top-level body child.

    ``name`` is only used in error messages (the attachment's file name).
    """
    data, label = _load(source, name)
    _check_package(data, label)
    return _Reader(open_document(data, label)).blocks()


_MAIN_TYPES = (
    b"application/vnd.ms-word.document.macroEnabled.main+xml",
    b"application/vnd.openxmlformats-officedocument.wordprocessingml.template.main+xml",
    b"application/vnd.ms-word.template.macroEnabledTemplate.main+xml",
)
_DOCX_TYPE = b"application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"


#: What zipfile and zlib raise on damaged, hostile or exotic archives (fuzzing found each):
#: version/compression methods it does not know, encrypted members, bad deflate streams.
ZIP_ERRORS: tuple[type[Exception], ...] = (
    zipfile.BadZipFile,
    zlib.error,
    NotImplementedError,
    RuntimeError,
    EOFError,
    OSError,
    ValueError,
    KeyError,
)


def open_document(data: bytes, label: str) -> docx.document.Document:
    """python-docx Document from checked bytes; .docm/.dotx are read as the .docx they hold.

    Macros are never run or kept: only the main part's declared type is relabelled so
    python-docx agrees to read the text of a reply someone saved as .docm or a template.
    """
    try:
        return docx.Document(io.BytesIO(data))
    except ValueError as exc:
        try:
            fixed = _relabel_main_part(data)
        except ZIP_ERRORS as exc2:
            raise _unreadable(label, exc2) from exc2
        if fixed is None:
            raise _unreadable(label, exc) from exc
        try:
            return docx.Document(io.BytesIO(fixed))
        except (PackageNotFoundError, etree.XMLSyntaxError, *ZIP_ERRORS) as exc2:
            raise _unreadable(label, exc2) from exc2
    except KeyError as exc:  # a relationship to a part the zip lacks: read the rest
        try:
            return docx.Document(io.BytesIO(without_missing_parts(data)))
        except (PackageNotFoundError, etree.XMLSyntaxError, *ZIP_ERRORS) as exc2:
            raise _unreadable(label, exc) from exc2
    except (PackageNotFoundError, etree.XMLSyntaxError, *ZIP_ERRORS) as exc:
        raise _unreadable(label, exc) from exc


def without_missing_parts(data: bytes) -> bytes:
    """The package with every relationship to a part it does not hold left out.

    python-docx refuses a whole file when one relationship names a part the zip lacks
    ("There is no item named 'word/media/image16.png' in the archive": seen in real
    files). Without those relationships the text and every picture the file does hold
    are read; a picture that pointed to the missing part is then a dangling reference,
    which the draft writer turns into a visible placeholder.
    """
    buf = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as z,
        zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as out,
    ):
        names = set(z.namelist())
        for info in z.infolist():
            body = z.read(info)
            if info.filename.endswith(".rels"):
                body = _rels_without_missing(info.filename, body, names)
            out.writestr(info, body)
    return buf.getvalue()


def _rels_without_missing(rels_name: str, data: bytes, names: set[str]) -> bytes:
    root = etree.fromstring(data)
    folder = rels_name.rsplit("/_rels/", 1)[0] if "/_rels/" in rels_name else ""
    for rel in list(root):
        if rel.get("TargetMode") == "External":
            continue
        if part_name(folder, rel.get("Target") or "") not in names:
            root.remove(rel)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def part_name(folder: str, target: str) -> str:
    """The zip member a relationship's ``target`` names, from the ``folder`` of the part
    that holds the relationship: python-docx's own rule (``PackURI.from_rel_ref``), without
    the leading slash of a pack URI."""
    return str(PackURI.from_rel_ref("/" + folder.strip("/"), target)).lstrip("/")


def _unreadable(label: str, exc: Exception) -> MailflowError:
    error = re.sub(r"file '<_io\.BytesIO object at 0x[0-9a-f]+>' ", "", str(exc))
    return MailflowError(
        t("outline.docx_unreadable", name=label, error=error), t("outline.docx_unreadable_hint")
    )


def _relabel_main_part(data: bytes) -> bytes | None:
    with zipfile.ZipFile(io.BytesIO(data)) as zin:
        try:
            types = zin.read("[Content_Types].xml")
        except KeyError:
            return None
        if not any(mt in types for mt in _MAIN_TYPES):
            return None
        for mt in _MAIN_TYPES:
            types = types.replace(mt, _DOCX_TYPE)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zout:
            for info in zin.infolist():
                body = types if info.filename == "[Content_Types].xml" else zin.read(info)
                zout.writestr(info, body)
    return out.getvalue()


def _load(source: Path | bytes, name: str) -> tuple[bytes, str]:
    if isinstance(source, bytes | bytearray):
        return bytes(source), name or "(docx)"
    try:
        return Path(source).read_bytes(), name or str(source)
    except OSError as exc:
        raise MailflowError(t("outline.docx_unreadable", name=source, error=exc)) from exc


def _check_package(data: bytes, label: str) -> None:
    """Refuse what python-docx would parse unsafely or choke on, before it sees it."""
    hint = t("outline.docx_unreadable_hint")
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except ZIP_ERRORS as exc:
        raise MailflowError(t("outline.docx_not_zip", name=label), hint) from exc
    if sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise MailflowError(t("outline.docx_too_big", name=label), hint)
    with zf:
        for info in infos:
            if not _XML_PART.search(info.filename) and info.filename != "[Content_Types].xml":
                continue
            try:
                raw = zf.read(info)
            except ZIP_ERRORS as exc:
                raise MailflowError(
                    t("outline.docx_unreadable", name=label, error=exc), hint
                ) from exc
            if raw[:2] in (b"\xff\xfe", b"\xfe\xff"):
                raw = raw.decode("utf-16", errors="replace").encode("utf-8")
            if b"<!DOCTYPE" in raw or b"<!ENTITY" in raw:
                raise MailflowError(t("outline.docx_doctype", name=label, part=info.filename), hint)


# --- styles -----------------------------------------------------------------------------


def _on(el: etree._Element | None) -> bool | None:
    """A w:b / w:i toggle: absent → None, present → its boolean value."""
    if el is None:
        return None
    return el.get(VAL, "true").lower() not in ("0", "false", "off", "none")


@dataclass
class _Style:
    name: str
    based_on: str | None
    bold: bool | None
    italic: bool | None
    outline_level: int | None
    num_id: str | None
    ilvl: int | None


@dataclass
class _Resolved:
    name: str
    bold: bool | None
    italic: bool | None
    heading_level: int | None
    num_id: str | None
    ilvl: int


class _Styles:
    """styles.xml as a dict, with each style's inherited properties resolved once."""

    def __init__(self, document: docx.document.Document) -> None:
        self.styles: dict[str, _Style] = {}
        self.default_para: str | None = None
        self.doc_bold: bool | None = None
        self.doc_italic: bool | None = None
        self._cache: dict[str, _Resolved] = {}
        try:
            root = document.styles.element
        except (KeyError, ValueError):
            return
        rpr = root.find(f"{_W}docDefaults/{_W}rPrDefault/{_W}rPr")
        if rpr is not None:
            self.doc_bold, self.doc_italic = _on(rpr.find(_W + "b")), _on(rpr.find(_W + "i"))
        for st in root.iterchildren(_W + "style"):
            sid = st.get(_W + "styleId")
            if not sid:
                continue
            name_el, based = st.find(_W + "name"), st.find(_W + "basedOn")
            ppr, rpr = st.find(_W + "pPr"), st.find(_W + "rPr")
            lvl = num = ilvl = None
            if ppr is not None:
                o = ppr.find(_W + "outlineLvl")
                if o is not None and (o.get(VAL) or "").isdigit():
                    lvl = int(o.get(VAL))
                num_pr = ppr.find(_W + "numPr")
                if num_pr is not None:
                    n, i = num_pr.find(_W + "numId"), num_pr.find(_W + "ilvl")
                    num = n.get(VAL) if n is not None else None
                    ilvl = (
                        int(i.get(VAL)) if i is not None and (i.get(VAL) or "").isdigit() else None
                    )
            self.styles[sid] = _Style(
                name=name_el.get(VAL, sid) if name_el is not None else sid,
                based_on=based.get(VAL) if based is not None else None,
                bold=_on(rpr.find(_W + "b")) if rpr is not None else None,
                italic=_on(rpr.find(_W + "i")) if rpr is not None else None,
                outline_level=lvl,
                num_id=num,
                ilvl=ilvl,
            )
            if st.get(_W + "type") == "paragraph" and st.get(_W + "default") in ("1", "true", "on"):
                self.default_para = sid

    def resolve(self, sid: str | None) -> _Resolved:
        """Inherited properties of a style (basedOn chain), cached: O(1) per paragraph."""
        key = sid or self.default_para or ""
        hit = self._cache.get(key)
        if hit is not None:
            return hit
        chain: list[_Style] = []
        seen: set[str] = set()
        cur: str | None = key
        while cur and cur in self.styles and cur not in seen and len(chain) < 50:
            seen.add(cur)
            chain.append(self.styles[cur])
            cur = self.styles[cur].based_on
        bold = next((s.bold for s in chain if s.bold is not None), None)
        italic = next((s.italic for s in chain if s.italic is not None), None)
        name = chain[0].name if chain else (sid or "")
        level = _heading_from_name(name)
        if level is None:
            lvl = next((s.outline_level for s in chain if s.outline_level is not None), None)
            if lvl is not None and lvl < 9:
                level = lvl + 1
        num_id = next((s.num_id for s in chain if s.num_id is not None), None)
        ilvl = next((s.ilvl for s in chain if s.ilvl is not None), 0)
        res = _Resolved(name, bold, italic, level, num_id, ilvl)
        self._cache[key] = res
        return res

    def char_style(self, sid: str) -> tuple[bool | None, bool | None]:
        r = self.resolve(sid) if sid in self.styles else None
        return (r.bold, r.italic) if r else (None, None)


def _heading_from_name(name: str) -> int | None:
    # folded (diacritics away), or as written: folding splits Hangul into its letters
    m = _HEADING_NAME.match(fold(name)) or _HEADING_NAME.match(" ".join(name.lower().split()))
    if m:
        return int(m.group(1))
    m = re.match(r"^heading\s*(\d)$", name.strip(), re.IGNORECASE)
    return int(m.group(1)) if m else None


# --- numbering --------------------------------------------------------------------------


@dataclass
class _Level:
    fmt: str = "decimal"
    text: str = "%1."
    start: int = 1
    restart: int | None = None  # w:lvlRestart: restart after this (1-based) level
    legal: bool = False


@dataclass
class _Num:
    abstract: str
    overrides: dict[int, int] = field(default_factory=dict)  # ilvl → startOverride
    level_overrides: dict[int, _Level] = field(default_factory=dict)


class _Numbering:
    """numbering.xml, and the running counters that produce each visible label.

    Word continues a list across ``w:num`` instances that share an abstract definition
    unless the instance has a ``w:startOverride``; such an instance gets its own counters.
    """

    def __init__(self, document: docx.document.Document) -> None:
        self.abstract: dict[str, dict[int, _Level]] = {}
        self.nums: dict[str, _Num] = {}
        self.counters: dict[str, dict[int, int]] = {}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError, ValueError, AttributeError):
            return
        for ab in root.iterchildren(_W + "abstractNum"):
            self.abstract[ab.get(_W + "abstractNumId", "")] = {
                int(lv.get(_W + "ilvl", "0")): _parse_level(lv)
                for lv in ab.iterchildren(_W + "lvl")
            }
        for num in root.iterchildren(_W + "num"):
            ab_el = num.find(_W + "abstractNumId")
            entry = _Num(ab_el.get(VAL, "") if ab_el is not None else "")
            for ov in num.iterchildren(_W + "lvlOverride"):
                ilvl = int(ov.get(_W + "ilvl", "0"))
                so = ov.find(_W + "startOverride")
                if so is not None and (so.get(VAL) or "").lstrip("-").isdigit():
                    entry.overrides[ilvl] = int(so.get(VAL))
                lv = ov.find(_W + "lvl")
                if lv is not None:
                    entry.level_overrides[ilvl] = _parse_level(lv)
            self.nums[num.get(_W + "numId", "")] = entry

    def label(self, num_id: str | None, ilvl: int) -> str:
        """Advance the counters for one numbered paragraph and return its visible label."""
        if not num_id or num_id == "0" or num_id not in self.nums:
            return ""
        num = self.nums[num_id]
        levels = dict(self.abstract.get(num.abstract, {}))
        levels.update(num.level_overrides)
        if not levels:
            return ""
        ilvl = max(0, min(ilvl, 8))
        key = f"n{num_id}" if (num.overrides or num.level_overrides) else f"a{num.abstract}"
        counters = self.counters.get(key)
        if counters is None:
            counters = {}
            for lvl, start in num.overrides.items():
                counters[lvl] = start - 1
            self.counters[key] = counters
        level = levels.get(ilvl, _Level())
        counters[ilvl] = counters.get(ilvl, level.start - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            # w:lvlRestart N: restart when a level above N (1-based) appears; 0: never
            restart = levels.get(deeper, _Level()).restart
            if restart is None or ilvl < restart:
                del counters[deeper]
        if level.fmt == "bullet":
            return "+" if level.text.strip() == "+" else "-"
        if level.fmt == "none":
            return ""

        def repl(m: re.Match[str]) -> str:
            k = int(m.group(1)) - 1
            lv = levels.get(k, _Level())
            value = counters.get(k, lv.start)
            return _format(value, "decimal" if level.legal and k < ilvl else lv.fmt)

        return re.sub(r"%([1-9])", repl, level.text).strip()


def _parse_level(lv: etree._Element) -> _Level:
    def val(tag: str) -> str | None:
        el = lv.find(_W + tag)
        return el.get(VAL) if el is not None else None

    start = val("start")
    restart = val("lvlRestart")
    return _Level(
        fmt=val("numFmt") or "decimal",
        text=val("lvlText") or "",
        start=int(start) if start and start.lstrip("-").isdigit() else 1,
        restart=int(restart) if restart and restart.isdigit() else None,
        legal=_on(lv.find(_W + "isLgl")) or False,
    )


def _format(n: int, fmt: str) -> str:
    if fmt in ("upperRoman", "lowerRoman"):
        return to_roman(n, fmt == "upperRoman") if n > 0 else str(n)
    if fmt in ("upperLetter", "lowerLetter"):
        return to_letters(n, fmt == "upperLetter")
    if fmt == "decimalZero":
        return f"{n:02d}"
    return str(n)


# --- paragraphs and tables ------------------------------------------------------------


class _Reader:
    def __init__(self, document: docx.document.Document) -> None:
        self.body = document.element.body
        self.styles = _Styles(document)
        self.numbering = _Numbering(document)

    def blocks(self) -> tuple[Block, ...]:
        out: list[Block] = []
        for index, child in enumerate(self.body):
            for el in _unwrap(child):
                if el.tag == TAG_P:
                    out.append(self.paragraph(index, el))
                elif el.tag == TAG_TBL:
                    out.append(self.table(index, el))
        return tuple(out)

    def paragraph(self, index: int, p: etree._Element) -> Block:
        ppr = p.find(_W + "pPr")
        style_id = None
        num_id: str | None = None
        ilvl: int | None = None
        outline: int | None = None
        if ppr is not None:
            ps = ppr.find(_W + "pStyle")
            style_id = ps.get(VAL) if ps is not None else None
            num_pr = ppr.find(_W + "numPr")
            if num_pr is not None:
                n, i = num_pr.find(_W + "numId"), num_pr.find(_W + "ilvl")
                num_id = n.get(VAL) if n is not None else None
                if i is not None and (i.get(VAL) or "").isdigit():
                    ilvl = int(i.get(VAL))
            o = ppr.find(_W + "outlineLvl")
            if o is not None and (o.get(VAL) or "").isdigit() and int(o.get(VAL)) < 9:
                outline = int(o.get(VAL)) + 1
        style = self.styles.resolve(style_id)
        if num_id is None:
            num_id = style.num_id
        if ilvl is None:
            ilvl = style.ilvl
        label = self.numbering.label(num_id, ilvl) if num_id and num_id != "0" else ""
        text, bold, italic, image = self._runs(p, style)
        level = outline if outline is not None else style.heading_level
        kind = BlockKind.IMAGE if image and not text else BlockKind.PARAGRAPH
        return Block(
            index=index,
            kind=kind,
            text=text,
            style=style.name,
            bold=bold,
            italic=italic,
            heading_level=level,
            number_label=label,
            numbered=bool(num_id and num_id != "0" and num_id in self.numbering.nums),
            has_image=image,
        )

    def _runs(self, p: etree._Element, style: _Resolved) -> tuple[str, bool, bool, bool]:
        """Text and the share of it that is bold/italic, resolving each run's formatting."""
        parts: list[str] = []
        total = bold_chars = italic_chars = 0
        image = False
        text_boxes = p.find(f".//{TAG_TXBX}") is not None
        # deleted / moved-away text of a tracked change is never report text
        revised = p.find(f".//{_W}moveFrom") is not None or p.find(f".//{_W}del") is not None
        p_bold = style.bold if style.bold is not None else self.styles.doc_bold
        p_italic = style.italic if style.italic is not None else self.styles.doc_italic
        for r in p.iter(TAG_R):
            if text_boxes and _inside(r, p, TAG_TXBX):
                continue
            if revised and (_inside(r, p, _W + "del") or _inside(r, p, _W + "moveFrom")):
                continue
            rpr = r.find(_W + "rPr")
            b = i = None
            if rpr is not None:
                b, i = _on(rpr.find(_W + "b")), _on(rpr.find(_W + "i"))
                rs = rpr.find(_W + "rStyle")
                if rs is not None and (b is None or i is None):
                    cb, ci = self.styles.char_style(rs.get(VAL, ""))
                    b = cb if b is None else b
                    i = ci if i is None else i
            b = p_bold if b is None else b
            i = p_italic if i is None else i
            run_text: list[str] = []
            for child in r:
                tag = child.tag
                if tag == TAG_T:
                    run_text.append(child.text or "")
                elif tag in (TAG_TAB, TAG_BR, TAG_CR):
                    run_text.append(" ")
                elif tag == TAG_NBH:
                    run_text.append("-")
                elif tag in (TAG_DRAWING, TAG_PICT) or tag.endswith("}object"):
                    image = True
                elif tag.endswith("}AlternateContent"):
                    image = image or _has_picture(child)
            s = "".join(run_text)
            parts.append(s)
            n = len(s.strip())
            total += n
            bold_chars += n if b else 0
            italic_chars += n if i else 0
        text = clean("".join(parts))
        return (
            text,
            total > 0 and bold_chars * 2 >= total,
            total > 0 and italic_chars * 2 >= total,
            image,
        )

    def table(self, index: int, tbl: etree._Element) -> Block:
        rows: list[tuple[str, ...]] = []
        image = False
        for tr in _children(tbl, _W + "tr"):
            cells: list[str] = []
            for tc in _children(tr, _W + "tc"):
                paras = []
                for p in tc.iter(TAG_P):
                    text, _, _, img = self._runs(p, self.styles.resolve(None))
                    image = image or img
                    if text:
                        paras.append(text)
                cells.append("\n".join(paras))
            rows.append(tuple(cells))
        text = "\n".join(" | ".join(c for c in row if c) for row in rows if any(row))
        return Block(
            index=index,
            kind=BlockKind.TABLE,
            text=text,
            style=_table_style(tbl),
            cells=tuple(rows),
            has_image=image,
        )


def _unwrap(el: etree._Element) -> Iterator[etree._Element]:
    """The paragraphs/tables of a body child, looking through sdt and customXml wrappers."""
    tag = el.tag
    if tag in (TAG_P, TAG_TBL):
        yield el
    elif tag == TAG_SDT:
        content = el.find(_W + "sdtContent")
        if content is not None:
            for child in content:
                yield from _unwrap(child)
    elif tag == TAG_CUSTOM:
        for child in el:
            yield from _unwrap(child)


def _children(el: etree._Element, tag: str) -> Iterator[etree._Element]:
    """Direct children with ``tag``, also those wrapped in sdt/customXml (rows, cells)."""
    for child in el:
        if child.tag == tag:
            yield child
        elif child.tag == TAG_SDT:
            content = child.find(_W + "sdtContent")
            if content is not None:
                yield from _children(content, tag)
        elif child.tag == TAG_CUSTOM:
            yield from _children(child, tag)


def _has_picture(el: etree._Element) -> bool:
    return el.find(f".//{TAG_DRAWING}") is not None or el.find(f".//{TAG_PICT}") is not None


def _inside(el: etree._Element, stop: etree._Element, tag: str) -> bool:
    parent = el.getparent()
    while parent is not None and parent is not stop:
        if parent.tag == tag:
            return True
        parent = parent.getparent()
    return False


def _table_style(tbl: etree._Element) -> str:
    el = tbl.find(f"{_W}tblPr/{_W}tblStyle")
    return el.get(VAL, "") if el is not None else ""


# --- tracked changes: accepted in the docx form ------------------------------------------

_REV_REMOVE = frozenset(
    _W + name
    for name in (
        "del",
        "moveFrom",
        "moveFromRangeStart",
        "moveFromRangeEnd",
        "moveToRangeStart",
        "moveToRangeEnd",
        "rPrChange",
        "pPrChange",
        "sectPrChange",
        "tblPrChange",
        "tblPrExChange",
        "trPrChange",
        "tcPrChange",
        "tblGridChange",
        "numberingChange",
        "cellDel",
        "cellIns",
        "cellMerge",
    )
)
_REV_UNWRAP = frozenset({_W + "ins", _W + "moveTo"})
#: a document holding none of these has no tracked change to accept (nothing below would
#: change it), so it is not parsed. Each is searched through the whole main part, so
#: they are as few as still cover every mark: ``<w:del`` stands for ``<w:del `` and
#: ``<w:del>`` (and ``<w:delText``, only ever inside one), ``<w:move`` for ``<w:moveFrom``
#: and ``<w:moveTo``; ``<w:ins`` keeps its end, or every table border (``<w:insideH``)
#: would be parsed for nothing.
_REV_TAGS = (
    b"<w:del",
    b"<w:ins ",
    b"<w:ins>",
    b"<w:move",
    b"<w:cell",  # cellIns, cellDel, cellMerge: the only tags that start so
    b"Change",
)
#: the searches above assume the main part binds WordprocessingML once, to ``w:``, as Word
#: and LibreOffice write it; a part that binds it otherwise (another prefix, a default
#: namespace, a second prefix beside ``w:``) is always parsed
_W_URI = b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
_W_BINDING = b"xmlns:w=" + _W_URI


def _may_hold_revisions(xml: bytes) -> bool:
    """False only when the main part surely holds no tracked change (a byte search;
    ``bytescan``: SIMD, the same answers as ``in``)."""
    if xml.count(_W_URI) != 1 or _W_BINDING not in xml:
        return True
    return bytescan.contains_any(xml, _REV_TAGS)


def accept_revisions(
    data: bytes,
    parts: Mapping[str, bytes] | None = None,
    parsed: Callable[[bytes], etree._Element | None] | None = None,
) -> tuple[bytes, int]:
    """A .docx with every tracked change accepted; (bytes, number of changes).

    Why accept (not keep them as Word revisions): the draft is the Office's text, and a
    department's own unfinished edits are not the Office's to review; deleted text
    (``w:del``/``w:delText``, ``w:moveFrom``) must never read as report text, inserted
    text (``w:ins``, ``w:moveTo``) is what the department meant to send. A paragraph
    whose mark was deleted joins the next one, a deleted table row goes, formatting
    changes keep their new formatting. Only the main document part is rewritten; the
    bytes come back unchanged when there is nothing to accept. ``parts`` (name as stored →
    inflated bytes, of ``data`` itself) spare the unzip when the intake checks already
    read the package: a document without tracked changes is then never unzipped here.
    ``parsed(main part)`` may give the main part's tree, parsed already (``unpack``).
    """
    root = None
    if parts is not None:
        main = _main_name(set(parts), parts.get("_rels/.rels", b""))
        if main is None or not _may_hold_revisions(parts[main]):
            return data, 0
        root = parsed(parts[main]) if parsed is not None else None
    zf = zipfile.ZipFile(io.BytesIO(data))
    main = _main_part(zf)
    if main is None:
        return data, 0
    if root is None:
        xml = zf.read(main)
        if not _may_hold_revisions(xml):
            return data, 0
        root = _parse_main(xml)
    changes = 0
    # rows deleted or inserted as a whole
    for tr_pr in list(root.iter(_W + "trPr")):
        for mark in list(tr_pr):
            if mark.tag == _W + "del":
                row = tr_pr.getparent()
                if row is not None and row.getparent() is not None:
                    row.getparent().remove(row)
                    changes += 1
                break
            if mark.tag == _W + "ins":
                tr_pr.remove(mark)
                changes += 1
    # paragraph marks deleted: the paragraph joins the next one
    for rpr in list(root.iter(_W + "rPr")):
        ppr = rpr.getparent()
        if ppr is None or ppr.tag != _W + "pPr":
            continue
        for mark in list(rpr):
            if mark.tag in (_W + "ins", _W + "moveTo"):
                rpr.remove(mark)
                changes += 1
            elif mark.tag in (_W + "del", _W + "moveFrom"):
                rpr.remove(mark)
                changes += 1
                p = ppr.getparent()
                nxt = p.getnext() if p is not None else None
                if p is not None and nxt is not None and nxt.tag == TAG_P:
                    content = [c for c in p if c.tag != _W + "pPr"]
                    nxt_ppr = nxt.find(_W + "pPr")
                    at = 1 if nxt_ppr is not None else 0
                    for offset, c in enumerate(content):
                        nxt.insert(at + offset, c)
                    p.getparent().remove(p)
    for el in list(root.iter(*_REV_REMOVE)):
        parent = el.getparent()
        if parent is None:
            continue
        _keep_tail(el)
        parent.remove(el)
        changes += 1
    for el in list(root.iter(*_REV_UNWRAP)):
        parent = el.getparent()
        if parent is None:
            continue
        at = parent.index(el)
        for offset, child in enumerate(list(el)):
            parent.insert(at + offset, child)
        _keep_tail(el)
        parent.remove(el)
        changes += 1
    if not changes:
        return data, 0
    new_xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            dst.writestr(info, new_xml if info.filename == main else zf.read(info))
    return out.getvalue(), changes


def _parse_main(xml: bytes) -> etree._Element:
    """The main part's tree, parsed as ``unpack``'s well-formedness check parses it (no
    entities, network, DTD or huge tree), so a tree it hands over is this very tree."""
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False
    )
    return etree.fromstring(xml, parser)


def _keep_tail(el: etree._Element) -> None:
    if el.tail and el.tail.strip():
        prev = el.getprevious()
        if prev is not None:
            prev.tail = (prev.tail or "") + el.tail
        else:
            parent = el.getparent()
            parent.text = (parent.text or "") + el.tail


def _main_part(zf: zipfile.ZipFile) -> str | None:
    names = {i.filename for i in zf.infolist()}
    try:
        rels = zf.read("_rels/.rels")
    except KeyError:
        rels = b""
    return _main_name(names, rels)


def _main_name(names: set[str], rels: bytes) -> str | None:
    """The main document part named by the package relationships (as stored), if present."""
    m = re.search(rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"', rels) or re.search(
        rb'Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"', rels
    )
    if m:
        name = m.group(1).decode("utf-8", "replace")
        if name in names:
            return name
    return "word/document.xml" if "word/document.xml" in names else None


# --- structure: the docx form's body made flat ----------------------------------------------

_MC = "{http://schemas.openxmlformats.org/markup-compatibility/2006}"
_SHAPE_PICTURES = (
    "{http://schemas.openxmlformats.org/drawingml/2006/main}blip",
    "{http://schemas.openxmlformats.org/drawingml/2006/chart}chart",
    "{urn:schemas-microsoft-com:vml}imagedata",
    _W + "object",
)
#: a main part holding none of these has nothing to flatten (byte search, as for revisions)
_FLAT_TAGS = (b"<w:sdt>", b"<w:sdt ", b"<w:customXml", b"<w:txbxContent")
_BLOCK_TAGS = frozenset({TAG_P, TAG_TBL, TAG_SDT, TAG_CUSTOM})


#: a table whose grid has one column (Word and LibreOffice always write the grid)
_ONE_COLUMN = re.compile(rb"<w:tblGrid>\s*<w:gridCol\b[^>]*/>\s*</w:tblGrid>")


def _may_need_flattening(xml: bytes) -> bool:
    if xml.count(_W_URI) != 1 or _W_BINDING not in xml:
        return True
    if bytescan.contains_any(xml, _FLAT_TAGS):
        return True
    return bytescan.contains(xml, b"<w:tblGrid>") and _ONE_COLUMN.search(xml) is not None


class Flattened(NamedTuple):
    """``flatten_form``'s answer: the bytes, the number of changes, and how many content
    controls lost their placeholder prompt (an intake note kept with the document)."""

    data: bytes
    changes: int
    prompts_dropped: int


def flatten_structure(
    data: bytes,
    parts: Mapping[str, bytes] | None = None,
    parsed: Callable[[bytes], etree._Element | None] | None = None,
) -> tuple[bytes, int]:
    """The docx form's body made flat; (bytes, number of changes). See ``flatten_form``."""
    flat = flatten_form(data, parts, parsed)
    return flat.data, flat.changes


def flatten_form(
    data: bytes,
    parts: Mapping[str, bytes] | None = None,
    parsed: Callable[[bytes], etree._Element | None] | None = None,
) -> Flattened:
    """The docx form's body made flat.

    Why: the draft copies a part as the body children ``[block_start, block_end)``, and
    the reader gives every paragraph inside a top-level wrapper the wrapper's index — so a
    report a document system or a Word template puts in ONE content control (``w:sdt``) or
    ``w:customXml`` gave every part the same element, and the draft copied the whole
    report under each section it matched (every text twice or more). And text typed in a
    text box was never read (only carried with its anchor paragraph): a section whose
    body was a text box was "no content", its text missing from the draft. So, once, at
    intake (the original is archived untouched):

    - a content control still showing its placeholder (``w:showingPlcHdr``: "Click or tap
      here to enter text") loses the prompt: it is a template's, not the department's —
      but only when its text IS the prompt (its glossary placeholder, or one of Word's own
      prompts): template fillers and LibreOffice round trips leave the flag on real text,
      which keeps its text and loses the flag;
    - a text box (DrawingML ``wps`` with its VML Fallback copy, or VML alone, or a group
      of them) that holds text, and no picture outside its own paragraphs (a picture fill,
      a photo grouped with the box: those would go with the shape), is replaced by its
      paragraphs and tables (a photo inside them moves out with them),
      in order, right after its anchor paragraph — read once (the Choice, not also the
      Fallback), segmented with the rest and copied once; the box's frame is not kept;
    - top-level content controls and customXml wrappers give way to their content (a
      lock on a control would also stop the Office editing its own draft);
    - a top-level table of ONE column (a 1x1 border "frame" around the report, or a
      column whose rows are the report's headings and paragraphs) gives way to its
      cells' content: it holds no data to keep in columns, and inside it the headings
      could not cut the report into sections (it was one part, held for review).

    Tables keep their row and cell controls (the draft copies a table whole). Only the
    main document part is rewritten; the bytes come back unchanged when nothing applies.
    """
    root = None
    if parts is not None:
        main = _main_name(set(parts), parts.get("_rels/.rels", b""))
        if main is None or not _may_need_flattening(parts[main]):
            return Flattened(data, 0, 0)
        root = parsed(parts[main]) if parsed is not None else None
    zf = zipfile.ZipFile(io.BytesIO(data))
    main = _main_part(zf)
    if main is None:
        return Flattened(data, 0, 0)
    if root is None:
        xml = zf.read(main)
        if not _may_need_flattening(xml):
            return Flattened(data, 0, 0)
        root = _parse_main(xml)
    body = root.find(_W + "body")
    if body is None:
        return Flattened(data, 0, 0)
    main_part = main
    changes, dropped = _blank_placeholders(body, lambda: _glossary(zf, main_part, parts))
    changes += _unbox(body)
    for _ in range(4):  # a frame inside a control inside a frame…: each round one layer
        done = _unwrap_body(body) + _unframe(body)
        changes += done
        if not done:
            break
    if changes:
        changes += _end_in_paragraphs(body)
    if not changes:
        return Flattened(data, 0, 0)
    new_xml = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in zf.infolist():
            dst.writestr(info, new_xml if info.filename == main else zf.read(info))
    return Flattened(out.getvalue(), changes, dropped)


#: Word's own placeholder prompts (English, Vietnamese), folded as ``_prompt_fold`` folds
_KNOWN_PROMPTS = frozenset(
    {
        "click or tap here to enter text",
        "click here to enter text",
        "click or tap to enter a date",
        "click here to enter a date",
        "choose an item",
        "choose a building block",
        "bấm hoặc gõ nhẹ vào đây để nhập văn bản",
        "bấm hoặc gõ vào đây để nhập văn bản",
        "bấm vào đây để nhập văn bản",
        "bấm hoặc gõ nhẹ để nhập ngày",
        "bấm vào đây để nhập ngày",
        "chọn một mục",
    }
)


def _prompt_fold(text: str) -> str:
    """Text compared with a prompt: NFC, case folded, spaces collapsed, no end stop."""
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", text)).strip().casefold()
    return text.rstrip(" .…:")


def _sdt_text(content: etree._Element) -> str:
    paragraphs = list(content.iter(TAG_P))
    if not paragraphs:  # a run-level control
        return "".join(t.text or "" for t in content.iter(TAG_T))
    return " ".join("".join(t.text or "" for t in p.iter(TAG_T)) for p in paragraphs)


def _glossary(zf: zipfile.ZipFile, main: str, parts: Mapping[str, bytes] | None) -> dict[str, str]:
    """The glossary document's docParts: name → folded text (a control's placeholder)."""

    def read(name: str) -> bytes | None:
        if parts is not None and name in parts:
            return parts[name]
        try:
            return zf.read(name)
        except KeyError:
            return None

    folder, _, base = main.rpartition("/")
    rels = read(f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels") or b""
    m = re.search(rb'Type="[^"]*/glossaryDocument"[^>]*Target="([^"]+)"', rels) or re.search(
        rb'Target="([^"]+)"[^>]*Type="[^"]*/glossaryDocument"', rels
    )
    name = part_name(folder, m.group(1).decode("utf-8", "replace")) if m else ""
    xml = read(name) if name else None
    if xml is None:
        return {}
    try:
        root = _parse_main(xml)
    except etree.XMLSyntaxError:
        return {}
    out: dict[str, str] = {}
    for part in root.iter(_W + "docPart"):
        label = part.find(f"{_W}docPartPr/{_W}name")
        content = part.find(_W + "docPartBody")
        if label is not None and content is not None and label.get(VAL):
            out[label.get(VAL) or ""] = _prompt_fold(_sdt_text(content))
    return out


def _blank_placeholders(
    body: etree._Element, glossary: Callable[[], dict[str, str]]
) -> tuple[int, int]:
    """Content controls showing their placeholder keep their paragraphs, not the prompt;
    (changes, prompts dropped).

    Why the text is compared: ``w:showingPlcHdr`` is only a flag. Template fillers and
    LibreOffice round trips leave it on a control holding the department's real text,
    which Word shows; dropping that text would lose it without a word. So the runs go
    only when the text is the control's placeholder (its glossary docPart, or one of
    Word's prompts); otherwise the text stays and the stale flag goes.
    """
    n = dropped = 0
    top = body.getroottree().getroot()
    known: dict[str, str] | None = None
    for sdt in list(body.iter(TAG_SDT)):
        pr = sdt.find(_W + "sdtPr")
        content = sdt.find(_W + "sdtContent")
        flag = pr.find(_W + "showingPlcHdr") if pr is not None else None
        if pr is None or content is None or flag is None or not _on(flag):
            continue
        if sdt.getroottree().getroot() is not top:  # inside a control already emptied
            continue
        text = _prompt_fold(_sdt_text(content))
        ref = pr.find(f"{_W}placeholder/{_W}docPart")
        prompt = not text or text in _KNOWN_PROMPTS
        if not prompt and ref is not None and ref.get(VAL):
            known = glossary() if known is None else known
            prompt = known.get(ref.get(VAL) or "") == text
        if not prompt:  # real text under a stale flag: keep it
            pr.remove(flag)
            n += 1
            continue
        for child in list(content):
            if child.tag == TAG_P:
                _empty_paragraph(child)
            elif child.tag in (TAG_TBL, TAG_SDT, TAG_CUSTOM, _W + "tr", _W + "tc"):
                for p in child.iter(TAG_P):
                    _empty_paragraph(p)
            else:  # a run-level control: its runs are the prompt
                content.remove(child)
        n += 1
        dropped += 1
    return n, dropped


def _empty_paragraph(p: etree._Element) -> None:
    for child in list(p):
        if child.tag != _W + "pPr":
            p.remove(child)


def _unbox(body: etree._Element) -> int:
    """Text boxes holding text (and no picture of the shape's own) → their blocks after the
    anchor paragraph."""
    n = 0
    for _ in range(4):  # a box inside a box comes out on the next round
        anchors: dict[int, etree._Element] = {}
        for box in body.iter(TAG_TXBX):
            if _inside(box, body, TAG_TXBX):
                continue
            p = next(box.iterancestors(TAG_P), None)
            if p is not None:
                anchors.setdefault(id(p), p)
        done = 0
        for p in anchors.values():
            done += _unbox_paragraph(p)
        n += done
        if not done:
            break
    return n


def _unbox_paragraph(p: etree._Element) -> int:
    n = 0
    after = p
    for holder in list(p.iter(_MC + "AlternateContent", TAG_PICT, TAG_DRAWING)):
        if holder.getparent() is None or _inside(holder, p, TAG_TXBX):
            continue
        parent = holder.getparent()
        if parent.tag != TAG_R:  # a drawing inside AlternateContent: handled with it
            continue
        if holder.tag == _MC + "AlternateContent":
            choice = holder.find(_MC + "Choice")
            source = (
                choice
                if choice is not None and choice.find(f".//{TAG_TXBX}") is not None
                else holder.find(_MC + "Fallback")
            )
        else:
            source = holder
        if source is None:
            continue
        boxes = [b for b in source.iter(TAG_TXBX) if not _inside(b, source, TAG_TXBX)]
        # a picture of the shape itself (a fill, a picture grouped with the box) would go
        # with the shape; one in the box's own paragraphs moves out with them
        if not boxes or any(
            not _inside(pic, source, TAG_TXBX) for pic in source.iter(*_SHAPE_PICTURES)
        ):
            continue
        blocks = [el for b in boxes for el in b if el.tag in _BLOCK_TAGS]
        if not any((t.text or "").strip() for el in blocks for t in el.iter(TAG_T)):
            continue
        _keep_tail(holder)
        parent.remove(holder)
        if not any(c.tag != _W + "rPr" for c in parent):
            _keep_tail(parent)
            parent.getparent().remove(parent)
        for el in blocks:
            after.addnext(el)
            after = el
        n += 1
    return n


def _unwrap_body(body: etree._Element) -> int:
    """Top-level content controls and customXml wrappers → their content, in place."""
    n = 0
    while True:
        wrappers = [c for c in body if c.tag in (TAG_SDT, TAG_CUSTOM)]
        if not wrappers:
            return n
        for w in wrappers:
            if w.tag == TAG_SDT:
                content = w.find(_W + "sdtContent")
                items = list(content) if content is not None else []
            else:
                items = [c for c in w if c.tag != _W + "customXmlPr"]
            for item in items:
                w.addprevious(item)
            body.remove(w)
            n += 1


def _unframe(body: etree._Element) -> int:
    """Top-level one-column tables → their cells' blocks, in order."""
    n = 0
    for tbl in [c for c in body if c.tag == TAG_TBL]:
        rows = list(_children(tbl, _W + "tr"))
        cells = [list(_children(tr, _W + "tc")) for tr in rows]
        if not rows or any(len(c) != 1 for c in cells):
            continue
        for (tc,) in cells:
            for el in [c for c in tc if c.tag in _BLOCK_TAGS]:
                tbl.addprevious(el)
        body.remove(tbl)
        n += 1
    return n


def _end_in_paragraphs(body: etree._Element) -> int:
    """Every table cell, and the body, ends in a paragraph again; the number added.

    Why: a text box's blocks go after its anchor paragraph, so a box holding a table,
    anchored in a cell's last paragraph, left the cell ending in ``w:tbl``. Word requires a
    paragraph as a cell's last element (it reports "unreadable content" and repairs the
    draft); the body before ``w:sectPr`` likewise. A cell-level content control or
    customXml that now ends in a table gets its paragraph inside it, as Word writes it.
    """
    n = 0
    for holder in [body, *body.iter(_W + "tc")]:
        el = holder
        while True:
            blocks = [c for c in el if c.tag in _BLOCK_TAGS]
            last = blocks[-1] if blocks else None
            if last is None or last.tag == TAG_P:
                break
            if last.tag == TAG_SDT:
                content = last.find(_W + "sdtContent")
                if content is None:
                    break
                el = content
                continue
            if last.tag == TAG_CUSTOM:
                el = last
                continue
            # a table: an empty paragraph after it (before the body's sectPr)
            last.addnext(etree.Element(TAG_P))
            n += 1
            break
        if el is holder and holder is not body and last is None:
            holder.append(etree.Element(TAG_P))
            n += 1
    return n
