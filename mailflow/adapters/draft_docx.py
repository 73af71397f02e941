"""DraftPlan → the consolidated draft .docx, built on ``templates/draft.docx``.

Parts are copied element by element from the departments' own files with docxcompose's
``Composer`` machinery (styles mapped by name onto the draft's, numbering, images,
footnotes and other relationships carried over), so tables, pictures, lists, footnotes
and run formatting survive. ``DraftComposer`` keeps that machinery but caches what the
stock ``Composer`` recomputes for every element (the list of the draft's styles, the
footnotes XML, image hashes, numbering ids) and opens each source file once: that is
what makes a 200-part draft faster than a bare ``Composer.append`` of the same files.

What the copy changes on purpose:
- Heading styles (and outline levels) inside a part become bold Normal paragraphs, so
  only the outline's headings reach Word's navigation pane and table of contents.
- A part's own section breaks are replaced by the draft's page setup; a landscape run
  of pages keeps its orientation inside breaks of its own, so the pages around it stay
  portrait.
- Comments and header/footer references are dropped (they would dangle).
"""

from __future__ import annotations

import io
import zipfile
from copy import deepcopy
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from docx import Document
from docx.image.image import Image
from docx.opc.constants import CONTENT_TYPE as CT
from docx.opc.constants import RELATIONSHIP_TYPE as RT
from docx.opc.oxml import serialize_part_xml
from docx.opc.packuri import PackURI
from docx.opc.part import Part
from docx.oxml import OxmlElement, parse_xml
from docx.oxml.ns import qn
from docx.shared import Cm
from docxcompose.composer import Composer
from docxcompose.image import ImageWrapper
from lxml import etree

from mailflow.adapters.archive import write_atomic
from mailflow.adapters.docx_read import part_name, without_missing_parts
from mailflow.core.draft_plan import DraftPlan, Note, PlanSection
from mailflow.errors import MailflowError
from mailflow.i18n import t
from mailflow.model import PlacedPart

#: Custom paragraph styles the writer uses: the contract with templates/draft.docx, which
#: mailflow/samples/draft_template.py builds with these names.
ATTRIBUTION = "Attribution"
MISSING = "Missing Part"
APPENDIX_TITLE = "Appendix Title"
APPENDIX_HEADING = "Appendix Heading"
PART_LABEL = "Part Label"
GRID_TEXT = "Grid Text"
BODY_MARKER = "{body}"

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"
VO = "urn:schemas-microsoft-com:office:office"
_R_ATTRS = (f"{{{R}}}id", f"{{{R}}}embed", f"{{{R}}}link", f"{{{R}}}pict")
_STYLE_TAGS = (qn("w:pStyle"), qn("w:rStyle"), qn("w:tblStyle"))
_DROP_TAGS = frozenset(
    {
        qn("w:commentRangeStart"),
        qn("w:commentRangeEnd"),
        qn("w:headerReference"),
        qn("w:footerReference"),
    }
)
_NOTE_KINDS = {
    "footnote": (RT.FOOTNOTES, CT.WML_FOOTNOTES, "/word/footnotes.xml"),
    "endnote": (RT.ENDNOTES, CT.WML_ENDNOTES, "/word/endnotes.xml"),
}
_NOTES_XML = (
    '<w:{kind}s xmlns:w="{w}" xmlns:r="{r}">'
    '<w:{kind} w:type="separator" w:id="-1"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:separator/></w:r></w:p></w:{kind}>'
    '<w:{kind} w:type="continuationSeparator" w:id="0"><w:p><w:pPr><w:spacing w:after="0" '
    'w:line="240" w:lineRule="auto"/></w:pPr><w:r><w:continuationSeparator/></w:r></w:p>'
    "</w:{kind}></w:{kind}s>"
)


@dataclass(frozen=True)
class PartIssue:
    """Something of one part that did not reach the draft as sent, and why (for the appendix)."""

    part: PlacedPart
    key: str
    params: tuple[tuple[str, str], ...] = ()


@dataclass
class DraftDocument:
    """The rendered draft and what a person should know about how it was made."""

    data: bytes
    warnings: list[str] = field(default_factory=list)
    issues: list[PartIssue] = field(default_factory=list)  # also listed in the appendix


def _w(tag: str) -> str:
    return f"{{{W}}}{tag}"


class _Source:
    """One department file opened once, with the lookups every part of it needs."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.doc = _open_lenient(path)
        self.children = list(self.doc.element.body)
        styles = self.doc.styles.element
        self.style_by_id: dict[str, Any] = {
            s.get(_w("styleId")): s for s in styles.iterchildren(_w("style"))
        }
        self.id2name = {s.style_id: s.name for s in self.doc.styles}
        self.heading_ids = {sid for sid in self.style_by_id if self._is_heading(sid)}
        self.landscape = self._orientations()
        self._notes: dict[str, dict[str, Any]] = {}

    def _is_heading(self, style_id: str) -> bool:
        seen: set[str] = set()
        sid: str | None = style_id
        while sid and sid not in seen:
            seen.add(sid)
            el = self.style_by_id.get(sid)
            if el is None:
                return False
            name = (self.id2name.get(sid) or "").lower()
            if name.startswith("heading") or name in ("title", "subtitle"):
                return True
            if el.find(f"{_w('pPr')}/{_w('outlineLvl')}") is not None:
                lvl = el.find(f"{_w('pPr')}/{_w('outlineLvl')}").get(_w("val"))
                if lvl is not None and lvl.isdigit() and int(lvl) < 9:
                    return True
            based = el.find(_w("basedOn"))
            sid = based.get(_w("val")) if based is not None else None
        return False

    def _orientations(self) -> list[bool]:
        """For each body child, whether the page it sits on is landscape."""
        flags: list[bool] = []
        pending = 0
        for el in self.children:
            flags.append(False)
            pending += 1
            sect = el.find(f"{_w('pPr')}/{_w('sectPr')}") if el.tag == _w("p") else None
            if el.tag == _w("sectPr"):
                sect = el
            if sect is not None:
                land = _is_landscape(sect)
                for i in range(len(flags) - pending, len(flags)):
                    flags[i] = land
                pending = 0
        return flags

    def notes(self, kind: str) -> dict[str, Any]:
        if kind not in self._notes:
            reltype = _NOTE_KINDS[kind][0]
            try:
                part = self.doc.part.part_related_by(reltype)
            except KeyError:
                self._notes[kind] = {}
            else:
                root = parse_xml(part.blob)
                self._notes[kind] = {n.get(_w("id")): n for n in root.iterchildren(_w(kind))}
                self._notes[kind]["__part__"] = part
        return self._notes[kind]


def _is_landscape(sect: Any) -> bool:
    size = sect.find(_w("pgSz"))
    if size is None:
        return False
    if size.get(_w("orient")) == "landscape":
        return True
    try:
        return int(size.get(_w("w"), "0")) > int(size.get(_w("h"), "0"))
    except ValueError:
        return False


class DraftComposer(Composer):
    """docxcompose's Composer with the per-element recomputation cached away."""

    def __init__(self, doc: Any, *, lang: str | None = None, max_pixels: int = 0) -> None:
        super().__init__(doc)
        self.lang = lang
        self.max_pixels = max_pixels  # 0: no bound
        #: what the copy of the current part left out: (catalogue key, params)
        self.problems: list[tuple[str, dict[str, str]]] = []
        self._our_ids = {s.get(_w("styleId")) for s in doc.styles.element.iterchildren(_w("style"))}
        self._style_name2id = {s.name: s.style_id for s in doc.styles}
        self._images: dict[str, Any] = {p.sha1: p for p in self.pkg.image_parts}
        self._note_roots: dict[str, tuple[Any, Any, int]] = {}
        self._num_next: tuple[int, int] | None = None
        self._sources: dict[str, _Source] = {}
        self._current: _Source | None = None
        self.breaks = 0

    # --- sources -----------------------------------------------------------------
    def source(self, path: str) -> _Source:
        if path not in self._sources:
            self._sources[path] = _Source(path)
        return self._sources[path]

    def release(self, path: str) -> None:
        """Forget an opened source: a 200-part draft must not hold 200 documents."""
        self._sources.pop(path, None)
        if self._current is not None and self._current.path == path:
            self._current = None

    def use(self, src: _Source) -> None:
        self._current = src
        self._style_id2name = src.id2name
        self.reset_reference_mapping()

    # --- styles: the hot path of the stock Composer ----------------------------------
    def add_styles(self, doc: Any, element: Any) -> None:
        src = self._current
        assert src is not None
        used: dict[str, None] = {}
        for el in element.iter(*_STYLE_TAGS):
            used.setdefault(el.get(_w("val")), None)
        for style_id in used:
            ours = self.mapped_style_id(style_id)
            if ours not in self._our_ids:
                self._copy_style(src, style_id)
            if ours != style_id and ours is not None:
                for el in element.iter(*_STYLE_TAGS):
                    if el.get(_w("val")) == style_id:
                        el.set(_w("val"), ours)

    def _copy_style(self, src: _Source, style_id: str) -> None:
        """Bring a style the draft lacks, with the styles it is based on or linked to."""
        el = src.style_by_id.get(style_id)
        if el is None or style_id in self._our_ids:
            return
        copy = deepcopy(el)
        self.doc.styles.element.append(copy)
        self._our_ids.add(style_id)
        name = src.id2name.get(style_id)
        if name:
            self._style_name2id.setdefault(name, style_id)
        if copy.find(f".//{_w('numId')}") is not None:
            self.add_numberings(src.doc, copy)
        for tag in ("basedOn", "link", "next"):
            ref = copy.find(_w(tag))
            if ref is None:
                continue
            target = ref.get(_w("val"))
            mapped = self.mapped_style_id(target)
            if mapped in self._our_ids:
                ref.set(_w("val"), mapped)
            else:
                self._copy_style(src, target)

    def add_linked_styles(self, doc: Any, element: Any) -> None:  # handled in _copy_style
        return

    # --- numbering ids: counters instead of a scan per element -------------------------
    def _next_numbering_ids(self) -> tuple[int, int]:
        if self._num_next is None:
            self._num_next = super()._next_numbering_ids()
        return self._num_next

    def _insert_num(self, element: Any) -> None:
        super()._insert_num(element)
        n, a = self._next_numbering_ids()
        self._num_next = (max(n, int(element.get(_w("numId"))) + 1), a)

    def _insert_abstract_num(self, element: Any) -> None:
        super()._insert_abstract_num(element)
        n, a = self._next_numbering_ids()
        self._num_next = (n, max(a, int(element.get(_w("abstractNumId"))) + 1))

    # --- images: one hash per image, never decoded, never fetched ----------------------
    def add_images(self, doc: Any, element: Any, part: Any = None) -> None:
        """Carry embedded pictures; a linked, missing or oversized one becomes a placeholder.

        A picture whose relationship is external (``r:link``, or an ``r:embed`` pointing
        outside the package) would make Word fetch a URL or read a local file when the
        Office opens the draft, and python-docx cannot copy it anyway; a picture the
        package lacks (an old archive, a broken writer) has nothing to copy. Both become
        a short visible placeholder and a line in the appendix, never an exception.
        """
        target = part if part is not None else self.doc.part
        for blip in list(element.iter(qn("a:blip"))):
            svg = _drop_related_extensions(blip)
            rid = blip.get(f"{{{R}}}embed")
            link = blip.get(f"{{{R}}}link")
            if link:
                del blip.attrib[f"{{{R}}}link"]
            if not rid:
                if link:
                    self._placeholder(blip, "assemble.picture_external")
                elif svg:  # an SVG with no PNG beside it: blank unless said (R2 #9, H36)
                    self._placeholder(blip, "assemble.picture_svg_only")
                continue
            rel = doc.part.rels.get(rid)
            if rel is None:
                self._placeholder(blip, "assemble.picture_missing")
            elif rel.is_external:
                self._placeholder(blip, "assemble.picture_external")
            else:
                new = self._relate_checked(rel.target_part, target, blip)
                if new:
                    blip.set(f"{{{R}}}embed", new)

    def add_shapes(self, doc: Any, element: Any) -> None:
        for shape in list(element.iter(f"{{{V}}}imagedata")):
            rid = shape.get(f"{{{R}}}id")
            rel = doc.part.rels.get(rid) if rid else None
            if rel is None or rel.is_external:
                key = "assemble.picture_external" if rel is not None else "assemble.picture_missing"
                if rel is not None or rid or shape.get(f"{{{VO}}}href") or shape.get("src"):
                    self._placeholder(shape, key)
                continue
            new = self._relate_checked(rel.target_part, self.doc.part, shape)
            if new:
                shape.set(f"{{{R}}}id", new)

    def _relate_checked(self, img_part: Any, target: Any, where: Any) -> str:
        """Relate the picture unless its header says it has more pixels than allowed.

        Only the header is read (python-docx's parsers read width and height, they do
        not decode): assembly's memory never grows with a picture's pixel count, and the
        draft's PDF conversion never has to decode a 30,000 × 30,000 picture either.
        """
        pixels = _pixels(img_part.blob)
        if self.max_pixels and pixels > self.max_pixels:
            self._placeholder(where, "assemble.picture_too_large", pixels=pixels)
            return ""
        return self._relate_image(img_part, target)

    def _relate_image(self, img_part: Any, target: Any) -> str:
        sha1 = img_part.sha1
        ours = self._images.get(sha1)
        if ours is None:
            ours = self.pkg.image_parts._add_image_part(ImageWrapper(img_part))
            self._images[sha1] = ours
        return target.relate_to(ours, RT.IMAGE)

    def _placeholder(self, where: Any, key: str, **params: object) -> None:
        """Replace the run holding a picture by a short visible note, and record why."""
        self.problems.append((key, {k: str(v) for k, v in params.items()}))
        text = t(key + "_placeholder", self.lang, **params)
        run = where
        while run is not None and run.tag != _w("r"):
            run = run.getparent()
        note = _make("w:r")
        tx = _make("w:t")
        tx.text = text
        tx.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
        note.append(tx)
        if run is not None and run.getparent() is not None:
            run.addprevious(note)
            run.getparent().remove(run)
        elif where.getparent() is not None:  # a picture outside any run: drop it whole
            where.getparent().remove(where)

    # --- footnotes and endnotes: parsed once, serialised once ---------------------------
    def add_footnotes(self, doc: Any, element: Any) -> None:
        for kind in _NOTE_KINDS:
            refs = list(element.iter(_w(f"{kind}Reference")))
            if refs:
                self._copy_notes(kind, refs)

    def _notes_root(self, kind: str) -> tuple[Any, Any, int]:
        if kind not in self._note_roots:
            reltype, ctype, name = _NOTE_KINDS[kind]
            try:
                part = self.doc.part.part_related_by(reltype)
                root = parse_xml(part.blob)
            except KeyError:
                xml = _NOTES_XML.format(kind=kind, w=W, r=R).encode()
                part = Part(PackURI(name), ctype, xml, self.pkg)
                self.doc.part.relate_to(part, reltype)
                root = parse_xml(xml)
            ids = [int(n.get(_w("id"), "0")) for n in root.iterchildren(_w(kind))]
            self._note_roots[kind] = (part, root, max([0, *ids]) + 1)
        return self._note_roots[kind]

    def _copy_notes(self, kind: str, refs: list[Any]) -> None:
        src = self._current
        assert src is not None
        notes = src.notes(kind)
        part, root, next_id = self._notes_root(kind)
        for ref in refs:
            original = notes.get(ref.get(_w("id")))
            if original is None:  # a reference to nothing: keep the text, drop the mark
                run = ref.getparent()
                run.getparent().remove(run)
                continue
            note = deepcopy(original)
            note.set(_w("id"), str(next_id))
            ref.set(_w("id"), str(next_id))
            next_id += 1
            _strip(note)
            self.add_styles(src.doc, note)
            self._relink(notes["__part__"], part, note)
            root.append(note)
        self._note_roots[kind] = (part, root, next_id)

    def _relink(self, src_part: Any, dst_part: Any, element: Any) -> None:
        """Carry relationships of a note (links, pictures) to the draft's notes part."""
        for el in list(element.iter()):
            for attr in _R_ATTRS:
                rid = el.get(attr)
                if not rid:
                    continue
                rel = src_part.rels.get(rid)
                if rel is None:
                    del el.attrib[attr]
                elif rel.reltype == RT.IMAGE and rel.is_external:
                    self._placeholder(el, "assemble.picture_external")
                    break
                elif rel.reltype == RT.IMAGE:
                    new = self._relate_checked(rel.target_part, dst_part, el)
                    if not new:
                        break
                    el.set(attr, new)
                elif rel.is_external and rel.reltype != RT.HYPERLINK:
                    del el.attrib[attr]
                    self.problems.append(("assemble.link_external", {}))
                else:
                    el.set(attr, self.add_relationship(src_part, dst_part, rel).rId)

    # --- body ------------------------------------------------------------------------------
    def copy_elements(
        self, src: _Source, start: int, end: int, rows: tuple[int, int] | None = None
    ) -> list[Any]:
        """Copy body children [start, end) of ``src`` with everything they refer to.

        ``rows``: only rows [a, b) of the table at ``start`` (with its first row, the
        header), counted as the reader counts them (through row content controls)."""
        self.use(src)
        out: list[Any] = []
        picked = [
            (i, el)
            for i, el in enumerate(src.children[max(start, 0) : end], start=max(start, 0))
            if isinstance(el.tag, str) and el.tag != _w("sectPr")
        ]
        if rows is not None:
            first = picked[0] if picked else None
            table = _wrapped_table(first[1]) if first is not None else None
            if first is not None and table is None and first[1].tag in _WRAPPERS:
                return []  # an old form's control holding several tables: its text, quietly
            if first is None or table is None:
                raise ValueError(f"no table at {start} to cut rows {rows} from")
            picked = [(first[0], _table_rows(table, rows))]
        runs = _orientation_runs([(src.landscape[i], el) for i, el in picked])
        if any(land for land, _ in runs):
            if runs[0][0]:
                out.append(self._section_break(landscape=False))
            for land, els in runs:
                out.extend(self._copy_one(src, el) for el in els)
                if land:
                    out.append(self._section_break(landscape=True))
                elif (land, els) != runs[-1]:
                    out.append(self._section_break(landscape=False))
        else:
            out.extend(self._copy_one(src, el) for _, el in picked)
        return out

    def heading_notes(self, src: _Source, index: int) -> Any | None:
        """A paragraph of the footnote/endnote references of the heading at ``index``
        (copied, their notes carried over), or None when it has none."""
        if not 0 <= index < len(src.children):
            return None
        heading = src.children[index]
        if heading.tag != _w("p"):  # an old form's wrapper: its notes go with its paragraphs
            return None
        refs = [
            r
            for r in heading.iter(_w("r"))
            if r.find(_w("footnoteReference")) is not None
            or r.find(_w("endnoteReference")) is not None
        ]
        if not refs:
            return None
        holder = OxmlElement("w:p")
        for r in refs:
            holder.append(deepcopy(r))
        return self._copy_one(src, holder)

    def _copy_one(self, src: _Source, original: Any) -> Any:
        el = deepcopy(original)
        _strip(el)
        _demote_headings(el, src.heading_ids)
        _no_indent_in_cells_and_pictures(el)
        _rows_hold_together(el)
        self.add_referenced_parts(src.doc.part, self.doc.part, el)
        self.add_styles(src.doc, el)
        # docxcompose compiles an XPath per call; a tag scan in C first skips the calls
        # for the many elements with nothing to do (a linear pass stays a cheap one)
        if _has(el, _NUM_ID):
            self.add_numberings(src.doc, el)
        if _has(el, _P_STYLE):
            self.restart_first_numbering(src.doc, el)
        self.add_images(src.doc, el)
        if _has(el, _DGM_RELIDS):
            self.add_diagrams(src.doc, el)
        self.add_shapes(src.doc, el)
        self.add_footnotes(src.doc, el)
        return el

    def add_referenced_parts(self, src_part: Any, dst_part: Any, element: Any) -> None:
        key = f"{{{R}}}id"
        for el in element.iter():
            rid = el.get(key)
            if not rid:
                continue
            rel = src_part.rels.get(rid)
            if rel is None:
                del el.attrib[key]
                continue
            if rel.reltype in (RT.IMAGE, RT.HEADER, RT.FOOTER):
                continue
            if rel.is_external and rel.reltype != RT.HYPERLINK:
                # a linked OLE object, sub-document or frame: Word would fetch it
                del el.attrib[key]
                self.problems.append(("assemble.link_external", {}))
                continue
            el.set(key, self.add_relationship(src_part, dst_part, rel).rId)

    def _section_break(self, *, landscape: bool) -> Any:
        """An empty paragraph closing a section with the draft's own page setup."""
        self.breaks += 1
        sect = deepcopy(self.doc.element.body.sectPr)
        for el in sect.findall(_w("titlePg")):
            sect.remove(el)
        size = sect.find(_w("pgSz"))
        if size is not None:
            w, h = int(size.get(_w("w"))), int(size.get(_w("h")))
            if landscape:
                size.set(_w("w"), str(max(w, h)))
                size.set(_w("h"), str(min(w, h)))
                size.set(_w("orient"), "landscape")
            else:
                size.set(_w("w"), str(min(w, h)))
                size.set(_w("h"), str(max(w, h)))
                size.attrib.pop(_w("orient"), None)
        kind = sect.find(_w("type"))
        if kind is not None:
            sect.remove(kind)
        p = _el("w:p")
        ppr = _el("w:pPr")
        ppr.append(sect)
        p.append(ppr)
        return p

    def finish(self) -> None:
        """Per-document fix-ups the stock Composer repeats after every insert: do them once."""
        for part, root, _ in self._note_roots.values():
            if hasattr(part, "_element"):
                part._element = root
            else:
                part._blob = serialize_part_xml(root)
        self.renumber_bookmarks()
        self.renumber_docpr_ids()
        self.renumber_nvpicpr_ids()
        if self.breaks:
            body = self.doc.element.body
            final = body.sectPr
            title = final.find(_w("titlePg"))
            first = body.find(f"{_w('p')}/{_w('pPr')}/{_w('sectPr')}")
            if title is not None and first is not None:
                final.remove(title)
                first.append(title)


_NUM_ID = qn("w:numId")
_P_STYLE = qn("w:pStyle")
_DGM_RELIDS = "{http://schemas.openxmlformats.org/drawingml/2006/diagram}relIds"


def _has(el: Any, tag: str) -> bool:
    return next(el.iter(tag), None) is not None


def _orientation_runs(items: list[tuple[bool, Any]]) -> list[tuple[bool, list[Any]]]:
    runs: list[tuple[bool, list[Any]]] = []
    for land, el in items:
        if runs and runs[-1][0] == land:
            runs[-1][1].append(el)
        else:
            runs.append((land, [el]))
    return runs


def _drop_related_extensions(blip: Any) -> bool:
    """A picture's extensions that name a relationship of their own go; the picture stays.

    An SVG picture (``asvg:svgBlip r:embed``) or an image layer (``a14:imgLayer``) points
    at a second part that the copy does not carry: left in, the draft holds a relationship
    id it does not define and Word opens it only after a "repair". The SVG itself may hold
    script and outside references. The PNG the blip names is what older Word shows anyway.
    True when an SVG went: with no PNG beside it, the picture is then a placeholder.
    """
    svg = False
    for ext in list(blip.iter(qn("a:ext"))):
        if any(a.startswith(f"{{{R}}}") for d in ext.iter() for a in d.attrib):
            svg = svg or any(etree.QName(d).localname == "svgBlip" for d in ext.iter())
            ext.getparent().remove(ext)
    for lst in list(blip.iter(qn("a:extLst"))):
        if len(lst) == 0:
            lst.getparent().remove(lst)
    return svg


def _strip(el: Any) -> None:
    """Drop what cannot come along: the part's section breaks, comments, header links."""
    doomed = [e for e in el.iter() if e.tag in _DROP_TAGS or e.tag == _w("sectPr")]
    for e in el.iter(_w("commentReference")):
        run = e.getparent()
        doomed.append(run if run is not None and run.tag == _w("r") else e)
    for e in doomed:
        parent = e.getparent()
        if parent is not None:
            parent.remove(e)


def _demote_headings(el: Any, heading_ids: set[str]) -> None:
    """Headings inside a part become bold body text so the outline alone drives navigation."""
    paragraphs = [el] if el.tag == _w("p") else list(el.iter(_w("p")))
    for p in paragraphs:
        ppr = p.find(_w("pPr"))
        if ppr is None:
            continue
        demote = False
        style = ppr.find(_w("pStyle"))
        if style is not None and style.get(_w("val")) in heading_ids:
            ppr.remove(style)
            demote = True
        lvl = ppr.find(_w("outlineLvl"))
        if lvl is not None:
            ppr.remove(lvl)
            demote = demote or lvl.get(_w("val")) != "9"
        if not demote:
            continue
        ppr.get_or_add_ind().set(_w("firstLine"), "720")
        for run in p.iter(_w("r")):
            run.get_or_add_rPr().get_or_add_b()


_AFTER_CANT_SPLIT = frozenset(
    _w(n)
    for n in ("trHeight", "tblHeader", "tblCellSpacing", "jc", "hidden", "ins", "del", "trPrChange")
)


def _keep_heading_notes(els: list[Any], notes: Any | None) -> None:
    """The notes of a heading left out go at the end of the part's first paragraph (or in
    a paragraph of their own before a table): a note is never lost with its heading."""
    if notes is None:
        return
    first = els[0]
    if first.tag == _w("p"):
        for run in list(notes):
            first.append(run)
    else:
        els.insert(0, notes)


def _table_rows(tbl: Any, rows: tuple[int, int]) -> Any:
    """A copy of ``tbl`` keeping its first row and rows [a, b); a row content control left
    without rows goes too."""
    cut = deepcopy(tbl)
    keep = {0, *range(rows[0], rows[1])}
    for n, tr in enumerate(list(_rows_of(cut))):
        if n not in keep:
            parent = tr.getparent()
            parent.remove(tr)
            while parent.tag == _w("sdtContent") and not len(parent):
                sdt = parent.getparent()
                parent = sdt.getparent()
                parent.remove(sdt)
    return cut


_WRAPPERS = (_w("sdt"), _w("customXml"))


def _wrapped_table(el: Any) -> Any | None:
    """The table at a body index: the element itself, or — on a docx form stored before
    intake made forms flat (session 22) — the one table inside a top-level content control
    or customXml, to which the reader gave the wrapper's index. None when there is no
    table or more than one (the rows could be any of them)."""
    if el.tag == _w("tbl"):
        return el
    if el.tag not in _WRAPPERS:
        return None
    found: list[Any] = []
    stack = [el]
    while stack:
        node = stack.pop()
        for child in node:
            if child.tag == _w("tbl"):
                found.append(child)
            elif child.tag in _WRAPPERS or child.tag == _w("sdtContent"):
                stack.append(child)
    return found[0] if len(found) == 1 else None


def _rows_of(el: Any) -> Any:
    """The table's rows in order, also those inside row content controls / customXml."""
    for child in el:
        if child.tag == _w("tr"):
            yield child
        elif child.tag == _w("sdt"):
            content = child.find(_w("sdtContent"))
            if content is not None:
                yield from _rows_of(content)
        elif child.tag == _w("customXml"):
            yield from _rows_of(child)


def _rows_hold_together(el: Any) -> None:
    """A table row never breaks across pages (a half row on a page reads as a lost line).

    Word still breaks a row taller than a page; every other row moves whole.
    """
    for tr in el.iter(_w("tr")):
        trpr = tr.find(_w("trPr"))
        if trpr is None:
            trpr = _el("w:trPr")
            prex = tr.find(_w("tblPrEx"))
            tr.insert(0 if prex is None else 1, trpr)
        if trpr.find(_w("cantSplit")) is not None:
            continue
        flag = _el("w:cantSplit")
        later = next((c for c in trpr if c.tag in _AFTER_CANT_SPLIT), None)
        if later is None:
            trpr.append(flag)
        else:
            later.addprevious(flag)


def _no_indent_in_cells_and_pictures(el: Any) -> None:
    """The draft's body indent suits running text, not table cells or picture lines."""
    if el.tag == _w("tbl"):
        paragraphs = list(el.iter(_w("p")))
    elif el.tag == _w("p") and el.find(f".//{_w('drawing')}") is not None and not _text(el):
        paragraphs = [el]
    else:
        return
    for p in paragraphs:
        ppr = p.find(_w("pPr"))
        if ppr is None:
            ppr = _el("w:pPr")
            p.insert(0, ppr)
        if ppr.find(_w("ind")) is None:
            ppr.get_or_add_ind().set(_w("firstLine"), "0")  # python-docx keeps schema order


def _text(el: Any) -> str:
    return "".join(t.text or "" for t in el.iter(_w("t")))


def _el(tag: str) -> Any:
    return OxmlElement(tag)


_make = _el


# --- rendering -------------------------------------------------------------------------


class _Writer:
    """Writes the draft's body in order, each element put before one anchor.

    ``anchor.addprevious`` costs the same at the 100,000th element as at the first;
    ``body.insert(index, el)`` walks the children to the index every time, which made
    a 100,000-paragraph reply take minutes (quadratic).
    """

    def __init__(
        self, composer: DraftComposer, anchor: Any, lang: str | None, *, text_only: bool = False
    ) -> None:
        self.c = composer
        self.body = composer.doc.element.body
        self.anchor = anchor
        self.lang = lang
        self.text_only = text_only
        self.warnings: list[str] = []
        self.issues: list[PartIssue] = []
        self._ids = composer._style_name2id
        self.uses: dict[str, int] = {}  # parts still to copy per source: close after the last

    def t(self, n: Note) -> str:
        return t(n.key, self.lang, **n.kwargs)

    def put(self, el: Any) -> None:
        self.anchor.addprevious(el)

    def para(
        self, text: str, style: str | None = None, *, bold: bool = False, italic: bool = False
    ) -> Any:
        p = _make("w:p")
        if style:
            ppr = _make("w:pPr")
            ps = _make("w:pStyle")
            ps.set(qn("w:val"), self._ids.get(style, style.replace(" ", "")))
            ppr.append(ps)
            p.append(ppr)
        if text:
            r = _make("w:r")
            if bold or italic:
                rpr = _make("w:rPr")
                if bold:
                    rpr.append(_make("w:b"))
                if italic:
                    rpr.append(_make("w:i"))
                r.append(rpr)
            tx = _make("w:t")
            tx.text = text
            tx.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            r.append(tx)
            p.append(r)
        self.put(p)
        return p

    def heading(self, sec: PlanSection) -> None:
        if sec.number.startswith("Phần"):
            self.para(sec.number, PART_LABEL)
        level = min(max(sec.level, 1), 9)
        self.para(sec.heading or sec.number, f"Heading {level}")

    def part(self, part: PlacedPart) -> None:
        """Copy one part; whatever goes wrong stays with this part (isolation).

        A part whose file cannot be opened or copied is written as its plain text with
        a visible note, and listed in the appendix with the reason; the rest of the
        draft is built as usual. Pictures left out (linked, missing, oversized) leave a
        placeholder in place and a line in the appendix.
        """
        self.c.problems = []
        failed = ""
        if part.source and not self.text_only:
            els: list[Any] = []
            try:
                src = self.c.source(part.source)
                els = self.c.copy_elements(src, part.block_start, part.block_end, part.rows)
                if els and part.dropped_heading is not None:
                    _keep_heading_notes(els, self.c.heading_notes(src, part.dropped_heading))
            except Exception as exc:  # any unreadable file or element: keep its text, say so
                failed = _detail(exc)
                self.c.problems = []
                self.warnings.append(
                    t("assemble.source_bad", self.lang, path=part.source, detail=failed)
                )
            finally:
                self.uses[part.source] = self.uses.get(part.source, 1) - 1
                if self.uses[part.source] <= 0 or failed:
                    self.c.release(part.source)
            for el in els:
                self.put(el)
            for key, params in self.c.problems:
                self.issues.append(PartIssue(part, key, tuple(sorted(params.items()))))
            if els:
                return
        if failed:
            self.issues.append(PartIssue(part, "assemble.part_failed", (("detail", failed),)))
            self.para(t("assemble.part_as_text", self.lang), ATTRIBUTION)
        lines = [ln.strip() for ln in part.text.splitlines() if ln.strip()]
        if not lines:
            self.para(t("assemble.part_no_text", self.lang), ATTRIBUTION)
        for line in lines:
            self.para(line)

    def attribution(self, n: Note, late: bool, part: PlacedPart | None = None) -> None:
        text = self.t(n) + (t("assemble.late_flag", self.lang) if late else "")
        if part is not None and part.from_scan:  # OCR text: the Office checks the original
            text += t("assemble.ocr_flag", self.lang)
        self.para(text, ATTRIBUTION)

    def table(self, rows: list[list[str]], widths_cm: list[float] | None = None) -> None:
        table = self.c.doc.add_table(rows=len(rows), cols=len(rows[0]))
        style_id = self._ids.get("Table Grid")
        if style_id:
            table.style = self.c.doc.styles["Table Grid"]
        grid_id = self._ids.get(GRID_TEXT, GRID_TEXT.replace(" ", ""))
        for r, row in enumerate(rows):
            for c, text in enumerate(row):
                cell = table.cell(r, c)
                p = cell.paragraphs[0]
                ppr = p._p.get_or_add_pPr()
                ps = _make("w:pStyle")
                ps.set(qn("w:val"), grid_id)
                ppr.insert(0, ps)
                run = p.add_run(text)
                if r == 0:
                    run.bold = True
        if widths_cm:
            grid = table._tbl.tblGrid.findall(qn("w:gridCol"))
            for c, width in enumerate(widths_cm):
                grid[c].set(qn("w:w"), str(Cm(width).twips))
                for cell in table.columns[c].cells:
                    cell.width = Cm(width)
            layout = _el("w:tblLayout")
            layout.set(qn("w:type"), "fixed")
            table._tbl.tblPr.append(layout)
        tbl = table._tbl
        _rows_hold_together(tbl)
        self.body.remove(tbl)
        self.put(tbl)


def _detail(exc: BaseException) -> str:
    """One line for a person: the library's message, never a traceback."""
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text if len(text) <= 200 else text[:199] + "…"


def _pixels(blob: bytes) -> int:
    """Width × height from the picture's header (not decoded); 0 when unknown (EMF, SVG)."""
    try:
        img = Image.from_blob(blob)
        return int(img.px_width) * int(img.px_height)
    except Exception:  # a format python-docx does not parse: pass it through
        return 0


def _open_lenient(path: str) -> Any:
    """Open a department's .docx; a package missing parts its relationships name still opens.

    See ``docx_read.without_missing_parts``: the text and the pictures the file holds
    reach the draft, a picture pointing to the missing part becomes a placeholder.
    """
    try:
        return Document(path)
    except KeyError:
        pass
    return Document(io.BytesIO(without_missing_parts(Path(path).read_bytes())))


def _fill_placeholders(doc: Any, values: dict[str, str]) -> None:
    paragraphs = list(doc.paragraphs)
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                paragraphs.extend(cell.paragraphs)
    for p in paragraphs:
        text = p.text
        if "{" not in text:
            continue
        new = text
        for key, value in values.items():
            new = new.replace("{" + key + "}", value)
        if new != text and p.runs:
            p.runs[0].text = new
            for r in p.runs[1:]:
                r._r.getparent().remove(r._r)


def _yes(flag: bool, lang: str | None) -> str:
    return t("assemble.yes", lang) if flag else t("assemble.no", lang)


def _when(value: Any) -> str:
    return value.strftime("%H:%M %d/%m/%Y") if value else ""


def render_draft(
    plan: DraftPlan,
    template: Path,
    *,
    version: int | None = None,
    lang: str | None = None,
    max_pixels: int = 0,
) -> DraftDocument:
    """Render the plan on the template; unreadable parts fall back to their plain text.

    Each part is isolated (see ``_Writer.part``). Should the draft as a whole still fail
    to build (an element no check foresaw breaking the final fix-ups or the save), it is
    built again with every part as plain text and a warning says so: the Office always
    gets a draft. Only a missing or broken template stops assembly.
    """
    try:
        return _render(plan, template, version, lang, max_pixels, text_only=False)
    except MailflowError:
        raise
    except Exception as exc:
        first = _detail(exc)
    try:
        result = _render(plan, template, version, lang, max_pixels, text_only=True)
    except MailflowError:
        raise
    except Exception as exc:  # not even plain text: no draft at all (exit 1, one line)
        raise MailflowError(
            t("assemble.no_draft", lang, detail=_detail(exc)), t("assemble.no_draft_hint", lang)
        ) from exc
    result.warnings.insert(0, t("assemble.rendered_as_text", lang, detail=first))
    return result


def _render(
    plan: DraftPlan,
    template: Path,
    version: int | None,
    lang: str | None,
    max_pixels: int,
    *,
    text_only: bool,
) -> DraftDocument:
    if not template.is_file():
        raise MailflowError(
            t("assemble.template_missing", lang, path=template),
            t("assemble.template_missing_hint", lang, path=template),
        )
    try:
        doc = Document(str(template))
    except Exception as exc:
        raise MailflowError(
            t("assemble.template_bad", lang, path=template, marker=BODY_MARKER), str(exc)
        ) from exc
    body = doc.element.body
    marker = next(
        (p for p in body.iterchildren(_w("p")) if _text(p).strip() == BODY_MARKER),
        None,
    )
    if marker is None:
        raise MailflowError(t("assemble.template_bad", lang, path=template, marker=BODY_MARKER))
    now = plan.now
    _fill_placeholders(
        doc,
        {
            "place_date": t(
                "assemble.place_date",
                lang,
                place=plan.place or "",
                day=now.day,
                month=now.month,
                year=now.year,
            ),
            "title": plan.title,
            "kind": t("assemble.report_kind", lang),
            # version 0: a preview (`assemble --out` without --keep) that takes no number
            "draft_note": t("assemble.draft_note_preview", lang, when=_when(now))
            if version == 0
            else t("assemble.draft_note", lang, version=version or 1, when=_when(now)),
        },
    )
    composer = DraftComposer(doc, lang=lang, max_pixels=max_pixels)
    w = _Writer(composer, marker, lang, text_only=text_only)
    for p in plan.parts:
        if p.source:
            w.uses[p.source] = w.uses.get(p.source, 0) + 1

    for sec in plan.sections:
        w.heading(sec)
        for item in sec.items:
            if item.part is None:
                w.para(w.t(item.note), MISSING)
                continue
            w.attribution(item.note, item.late, item.part)
            w.part(item.part)

    _appendix(w, plan, lang)
    body.remove(marker)
    composer.finish()
    buf = io.BytesIO()
    doc.save(buf)
    return DraftDocument(buf.getvalue(), w.warnings, w.issues)


def _appendix(w: _Writer, plan: DraftPlan, lang: str | None) -> None:
    w.para(t("assemble.appendix_title", lang), APPENDIX_TITLE)
    w.para(t("assemble.appendix_status", lang), APPENDIX_HEADING)
    rows = [
        [
            t(f"assemble.col_{c}", lang)
            for c in ("department", "sent", "bounced", "away", "received", "late", "missing")
        ]
    ]
    for g in plan.grid:
        away = _yes(g.out_of_office, lang)
        if g.out_of_office and g.returns_on:
            away = t("assemble.away_until", lang, until=g.returns_on.strftime("%d/%m/%Y"))
        rows.append(
            [
                g.name,
                _when(g.sent_at),
                _yes(g.bounced, lang),
                away,
                _when(g.received_at),
                _yes(g.late, lang),
                # the sections themselves, named as the outline does (core.missing's
                # answer, the same list the markers, status and the Office mail give)
                "\n".join(plan.section_name(k) for k in g.missing) or _yes(False, lang),
            ]
        )
    w.table(rows, [3.4, 1.9, 1.2, 1.9, 1.9, 1.3, 4.9])

    w.para(t("assemble.appendix_matrix", lang), APPENDIX_HEADING)
    w.para(t("assemble.matrix_legend", lang), GRID_TEXT, italic=True)
    codes = [c for c, _ in plan.departments]
    rows = [[t("assemble.col_section", lang), *codes]]
    marks = {"received": "✓ {n}", "extra": "+{n}", "missing": "✗", "": ""}
    for line in plan.matrix:
        head = plan.section_name(line.key)  # "2.1. Những kết quả…", as every view names it
        rows.append([head, *(marks[cell.value].format(n=n) for cell, n in line.cells)])
    first = 16.5 - 1.7 * len(codes)
    w.table(rows, [max(first, 5.0), *([1.7] * len(codes))])

    # Parts waiting for a person are IN the draft, here rather than under their best
    # candidate section: the body stays what the Office can sign (nothing unconfirmed in
    # it), each part is in exactly one place, and its number is the one `place` takes.
    w.para(t("assemble.appendix_review", lang), APPENDIX_HEADING)
    if plan.review:
        w.para(t("assemble.appendix_review_hint", lang), GRID_TEXT, italic=True)
    else:
        w.para(t("assemble.appendix_review_none", lang))
    for item in plan.review:
        w.para(w.t(item.reason), MISSING)
        w.attribution(item.note, item.late, item.part)
        w.part(item.part)

    w.para(t("assemble.appendix_leftover", lang), APPENDIX_HEADING)
    if not plan.unsorted:
        w.para(t("assemble.appendix_leftover_none", lang))
    for item in plan.unsorted:
        w.para(w.t(item.reason), MISSING)
        w.attribution(item.note, item.late, item.part)
        w.part(item.part)

    _unread_table(w, plan, lang)


def _say(key: str, params: Any, lang: str | None) -> str:
    """A stored reason key with its params; an unknown key or a missing param shows the key.

    ``assemble.sanitised`` carries intake's ``removed_<kind>`` counts: each kind is named
    by its ``sanitise.kind.<kind>`` label.
    """
    if key == "assemble.sanitised":
        what = "; ".join(
            f"{_say('sanitise.kind.' + k.removeprefix('removed_'), (), lang)} ({n})"
            for k, n in params
        )
        return t(key, lang, what=what)
    try:
        return t(key, lang, **dict(params))
    except (KeyError, IndexError, ValueError):
        return key


def _unread_table(w: _Writer, plan: DraftPlan, lang: str | None) -> None:
    """Documents that gave no text and parts that lost something on the way, one row each."""
    w.para(t("assemble.appendix_unread", lang), APPENDIX_HEADING)
    rows = [[t(f"assemble.col_{c}", lang) for c in ("sender", "file", "reason", "original")]]
    for d in plan.unread:
        who = plan.department_name(d.department) if d.department else ""
        sender = f"{who} ({d.sender})" if who and d.sender else who or d.sender or "-"
        where = "assemble.original_attached" if d.attached else "assemble.original_archived"
        what = ""
        if d.gave_text:
            where = "assemble.original_kept"
        elif d.withheld:
            where = "assemble.original_withheld"
            what = t(f"assemble.withheld.{d.withheld}", lang)
        rows.append(
            [
                sender,
                d.file_name or "-",
                _say(d.reason.key, d.reason.params, lang),
                t(where, lang, path=d.archive_path, what=what),
            ]
        )
    for issue in w.issues:
        p = issue.part
        rows.append(
            [
                plan.department_name(p.department),
                p.attribution.file_name or "-",
                _say(issue.key, issue.params, lang),
                t("assemble.original_in_draft", lang, number=p.part_id or "-"),
            ]
        )
    if len(rows) == 1:
        w.para(t("assemble.appendix_unread_none", lang))
        return
    w.table(rows, [3.6, 3.6, 5.4, 3.9])


def write_draft(
    plan: DraftPlan,
    template: Path,
    out: Path,
    *,
    version: int | None = None,
    lang: str | None = None,
) -> DraftDocument:
    """Render and write atomically (temp file in the same folder, then rename)."""
    result = render_draft(plan, template, version=version, lang=lang)
    write_atomic(out, result.data)
    return result


def dangling_relationships(data: bytes) -> list[str]:
    """Every r:id/r:embed in every XML part that its part's .rels does not define."""
    problems: list[str] = []
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        names = set(z.namelist())
        for name in sorted(names):
            if not name.endswith(".xml") or name.startswith("[") or "/_rels/" in name:
                continue
            folder, base = name.rsplit("/", 1) if "/" in name else ("", name)
            rels_name = f"{folder}/_rels/{base}.rels" if folder else f"_rels/{base}.rels"
            defined: set[str] = set()
            if rels_name in names:
                rels = etree.fromstring(z.read(rels_name))
                for rel in rels:
                    defined.add(rel.get("Id"))
                    if rel.get("TargetMode") != "External":
                        target = part_name(folder, rel.get("Target"))
                        if target not in names:
                            problems.append(f"{rels_name}: {rel.get('Id')} → missing {target}")
            root = etree.fromstring(z.read(name))
            for el in root.iter():
                for attr, value in el.attrib.items():
                    if attr.startswith(f"{{{R}}}") and value and value not in defined:
                        problems.append(f"{name}: {etree.QName(attr).localname}={value}")
    return problems
