"""A department's .docx → the same document with nothing in it that can act, once, at intake.

Why: a report is read by mailflow and then copied into the Office's draft, which the
Office opens in Word and LibreOffice converts to PDF. Anything in the package that
*does* something when opened — a DDE field that starts a program, an INCLUDETEXT /
INCLUDEPICTURE field or a linked picture that fetches a URL or reads a server file, an
embedded OLE package holding an .exe, an altChunk of HTML Word renders but mailflow never
reads, a remote template — would travel from one compromised mailbox to the Office's
workstation. So every accepted .docx (as sent, or as LibreOffice converted it) is
rewritten here into the form the draft uses:

- fields are replaced by their last result text (DDE/DDEAUTO fields vanish entirely);
  a hyperlink keeps its text and shows its http(s) URL after it;
- every external relationship is dropped; an element that used one becomes a short
  visible placeholder from the catalogue (a picture, a sub-document) or is removed (a
  template, a frame, a mail-merge source);
- embedded OLE objects become their preview picture; the embedding leaves the package;
- altChunk HTML/text becomes ordinary paragraphs (so it is read, matched and reviewed
  like the rest); any other altChunk becomes a placeholder paragraph;
- macros anywhere in the package, embeddings included, refuse the whole document;
- pictures larger than the pixel bound are downscaled (JPEG) or replaced by a placeholder.

What was removed is counted by kind (``Result.removed``) and recorded with the document.
The original bytes are never touched: the archive keeps them.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import threading
import zipfile
from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from posixpath import dirname, join, normpath
from typing import Any

from lxml import etree

from mailflow.adapters import bytescan
from mailflow.i18n import t

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
V = "urn:schemas-microsoft-com:vml"
O = "urn:schemas-microsoft-com:office:office"  # noqa: E741 - the namespace's usual prefix
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
CT = "http://schemas.openxmlformats.org/package/2006/content-types"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"

#: relationship types whose target must never stay, internal or external
_DROPPED_TYPES = (
    "/oleobject",
    "/package",
    "/control",
    "/afchunk",
    "/subdocument",
    "/attachedtemplate",
    "/frame",
    "/vbaproject",
    "/activexcontrol",
    "/activexcontrolbinary",
)
#: fields whose result came from outside the document
_LINKED_FIELDS = frozenset(
    {"INCLUDETEXT", "INCLUDEPICTURE", "INCLUDE", "IMPORT", "LINK", "DATABASE", "RD"}
)
_DDE_FIELDS = frozenset({"DDE", "DDEAUTO"})
_SHOWN_SCHEMES = ("http://", "https://", "mailto:")
_URLISH = re.compile(r"^\s*(?:[a-z][a-z0-9+.-]{1,20}:|\\\\|//)", re.IGNORECASE)
_MACRO_TYPES = (b"macroenabled", b"vbaproject", b"vbadata")
_NESTED_MAX_DEPTH = 3
_PARSER_LOCK = threading.Lock()

#: a part without one of these (and without a dropped relationship) is left unparsed
_ACTIVE_MARKERS = (b"fldChar", b"fldSimple", b"instrText", b"object", b"altChunk", b"href", b"src=")


def has_active(raw: bytes) -> bool:
    """Whether a part holds anything the sanitiser may have to change (so must be parsed).

    Seven substring searches (``bytescan``: SIMD, the same answers as ``in``): measured
    faster than one compiled alternation (the regex engine tries every position whose
    byte starts one of the words; the searches skip).
    """
    return bytescan.contains_any(raw, _ACTIVE_MARKERS)


#: digests of parts found to need nothing: not a story part (no fields, objects or
#: chunks to look at), no relationship dropped, and their VML links clean. For such a
#: part the outcome is a function of its bytes alone (see ``sanitize``), so the same
#: bytes met again (a template's theme: every Word file carries ``a:objectDefaults``,
#: one of the markers) are not parsed again. Keyed by BLAKE2b of the bytes; bounded.
_INERT: set[bytes] = set()
_INERT_MAX = 4096


def _remember_inert(key: bytes) -> None:
    if len(_INERT) >= _INERT_MAX:
        _INERT.clear()  # bounded; the next documents fill it again
    _INERT.add(key)


#: what a relationships part (key ``("rels", source part, bytes)``) or the
#: ``[Content_Types].xml`` part (key ``("types", bytes)``) says, as read by ``_Package``:
#: every reply from one template carries the same ``_rels/.rels``, ``[Content_Types].xml``
#: and mostly the same ``document.xml.rels``, so each is parsed once. The reading is a
#: function of exactly that key (the whole bytes, compared on a hit), so a part of other
#: bytes is read anew; callers get copies of the dicts (their values are frozen).
#: Bounded in entries and in the size of the parts kept as keys.
_READ: dict[tuple[str, bytes] | tuple[str, str, bytes], Any] = {}
_READ_MAX = 256
#: larger parts are read every time: a template's relationships are 1–3 KB, and this keeps
#: the memory (keys and the relationships read from them) to a few MB whatever a mail holds
_READ_MAX_PART = 8 * 1024


def _remember_read(key: tuple[str, bytes] | tuple[str, str, bytes], value: object) -> None:
    if len(key[-1]) > _READ_MAX_PART:
        return
    if len(_READ) >= _READ_MAX:
        _READ.clear()  # bounded; the next documents fill it again
    _READ[key] = value


_HTML_TYPES = ("text/html", "application/xhtml+xml", "message/rfc822", "multipart/related")


class Refused(Exception):
    """The document cannot be accepted at all; ``reason`` is an ``intake.unpack.*`` key."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = {k: str(v) for k, v in params.items()}


@dataclass(frozen=True)
class Bounds:
    """Caps on one document's parts (``[intake]`` in config.toml)."""

    xml_max_part_bytes: int = 32 * 1024 * 1024
    xml_max_elements: int = 1_000_000
    picture_max_pixels: int = 40_000_000
    nested_max_bytes: int = 50 * 1024 * 1024  # bytes inflated while looking into embeddings


@dataclass
class Result:
    docx: bytes  # the original object itself when nothing had to change
    removed: dict[str, int] = field(default_factory=dict)

    @property
    def params(self) -> tuple[tuple[str, str], ...]:
        """The counts as document params: ``("removed_<kind>", "<n>")``, sorted."""
        return tuple((f"removed_{k}", str(n)) for k, n in sorted(self.removed.items()) if n)


# --- bounds that are checked before anything is parsed ------------------------------


def count_elements(part: bytes, name: str, limit: int) -> int:
    """Count the elements of one XML part by streaming; refuse past ``limit``.

    A tree is never built: each element is cleared as soon as it ends, so a part with
    millions of elements costs time proportional to its size and almost no memory. The
    count returned may be an upper bound (when that bound is already within ``limit``).
    """
    # an upper bound at C speed first: every element has one start tag, and "<" that opens
    # no element (end tags, declarations, comments, CDATA) only makes the bound larger
    upper = part.count(b"<") - part.count(b"</") - part.count(b"<?") - part.count(b"<!")
    if upper <= limit:
        return max(upper, 0)
    count = 0
    context = etree.iterparse(
        io.BytesIO(part),
        events=("start",),
        huge_tree=False,
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
    )
    try:
        for _event, elem in context:
            count += 1
            if count > limit:
                raise Refused("intake.unpack.xml_elements", part=name, limit=limit)
            if count % 2048 == 0:  # drop what is already read
                parent = elem.getparent()
                if parent is not None:
                    while elem.getprevious() is not None:
                        del parent[0]
                    while parent.getprevious() is not None and parent.getparent() is not None:
                        del parent.getparent()[0]
    except etree.XMLSyntaxError as exc:
        raise Refused("intake.unpack.damaged", error=f"{name}: {exc}"[:200]) from None
    return count


def picture_size(data: bytes) -> tuple[int, int] | None:
    """Width and height from a PNG, GIF, BMP or JPEG header; None when unknown."""
    if data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) >= 24:
        w, h = struct.unpack(">II", data[16:24])
        return w, h
    if data[:4] in (b"GIF8",) and len(data) >= 10:
        w, h = struct.unpack("<HH", data[6:10])
        return w, h
    if data[:2] == b"BM" and len(data) >= 26:
        w, h = struct.unpack("<ii", data[18:26])
        return abs(w), abs(h)
    if data[:2] == b"\xff\xd8":
        i = 2
        while i + 9 < len(data):
            if data[i] != 0xFF:
                i += 1
                continue
            marker = data[i + 1]
            if marker in (0xD8, 0x01) or 0xD0 <= marker <= 0xD7 or marker == 0xFF:
                i += 1 if marker == 0xFF else 2
                continue
            length = struct.unpack(">H", data[i + 2 : i + 4])[0]
            if 0xC0 <= marker <= 0xCF and marker not in (0xC4, 0xC8, 0xCC):
                h, w = struct.unpack(">HH", data[i + 5 : i + 9])
                return w, h
            i += 2 + length
        return None
    return None


def _downscale_jpeg(data: bytes, limit: int) -> bytes | None:
    """A smaller JPEG for the draft, decoded at 1/2–1/8 scale so memory stays bounded.

    Returns None when Pillow is missing or even the reduced decode would exceed ``limit``.
    """
    try:
        from PIL import Image
    except ImportError:
        return None
    size = picture_size(data)
    if size is None:
        return None
    w, h = size
    target = max(1, limit // 4)
    scale = (target / max(w * h, 1)) ** 0.5
    tw, th = max(1, int(w * scale)), max(1, int(h * scale))
    with _PARSER_LOCK:  # MAX_IMAGE_PIXELS is process-wide; we bound the decode ourselves
        saved = Image.MAX_IMAGE_PIXELS
        Image.MAX_IMAGE_PIXELS = None
        try:
            img: Image.Image = Image.open(io.BytesIO(data))
            img.draft("RGB", (tw, th))
        finally:
            Image.MAX_IMAGE_PIXELS = saved
    if img.size[0] * img.size[1] > limit:
        return None
    if img.mode not in ("RGB", "L"):  # CMYK and the like: JPEG wants one of these
        img = img.convert("RGB")
    img.thumbnail((tw, th))
    out = io.BytesIO()
    img.save(out, "JPEG", quality=85)
    return out.getvalue()


# --- the package ----------------------------------------------------------------------


@dataclass(frozen=True)
class _Rel:
    rid: str
    type: str
    target: str
    external: bool
    part: str  # resolved part name (lower case) for internal targets, "" otherwise


def _rels_source(rels_name: str) -> str:
    """``word/_rels/document.xml.rels`` → ``word/document.xml``; ``_rels/.rels`` → ``""``."""
    folder, base = rels_name.rsplit("/", 1) if "/" in rels_name else ("", rels_name)
    parent = folder[: -len("_rels")].rstrip("/")
    return join(parent, base[: -len(".rels")]) if base != ".rels" else ""


def _rels_name(part: str) -> str:
    folder, base = part.rsplit("/", 1) if "/" in part else ("", part)
    return join(folder, "_rels", base + ".rels")


def _parse(data: bytes) -> etree._Element:
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    return etree.fromstring(data, parser)


def _serialise(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


class _Package:
    def __init__(
        self, data: bytes, bounds: Bounds, members: Sequence[tuple[str, bytes]] | None = None
    ) -> None:
        self.bounds = bounds
        if members is None:  # not read yet by the caller's checks: inflate here
            zf = zipfile.ZipFile(io.BytesIO(data))
            members = [(i.filename, zf.read(i)) for i in zf.infolist() if not i.is_dir()]
        self.order: list[str] = []
        self.parts: dict[str, bytes] = {}  # lower-case name → bytes
        self.names: dict[str, str] = {}  # lower-case name → name as stored
        for name, blob in members:
            if name.endswith("/"):  # a directory entry (ZipInfo.is_dir)
                continue
            low = name.lower()
            self.order.append(low)
            self.names[low] = name
            self.parts[low] = blob
        self.deleted: set[str] = set()
        self.changed: set[str] = set()
        self.removed: dict[str, int] = {}
        self.types = self._content_types()

    def note(self, kind: str, n: int = 1) -> None:
        self.removed[kind] = self.removed.get(kind, 0) + n

    def _content_types(self) -> tuple[dict[str, str], dict[str, str]]:
        raw = self.parts.get("[content_types].xml", b"")
        known = _READ.get(("types", raw))
        if known is not None:
            overrides, defaults = known
            return dict(overrides), dict(defaults)
        overrides = {}
        defaults = {}
        if raw:
            root = _parse(raw)
            for el in root:
                if el.tag == f"{{{CT}}}Override":
                    overrides[el.get("PartName", "").lstrip("/").lower()] = el.get(
                        "ContentType", ""
                    )
                elif el.tag == f"{{{CT}}}Default":
                    defaults[el.get("Extension", "").lower()] = el.get("ContentType", "")
        _remember_read(("types", raw), (dict(overrides), dict(defaults)))
        return overrides, defaults

    def content_type(self, part: str) -> str:
        overrides, defaults = self.types
        if part in overrides:
            return overrides[part].lower()
        return defaults.get(part.rsplit(".", 1)[-1], "").lower()

    def rels(self, source: str) -> dict[str, _Rel]:
        name = _rels_name(source) if source else "_rels/.rels"
        raw = self.parts.get(name)
        out: dict[str, _Rel] = {}
        if raw is None:
            return out
        known = _READ.get(("rels", source, raw))
        if known is not None:
            return dict(known)
        for el in _parse(raw):
            target = el.get("Target", "")
            external = el.get("TargetMode", "").lower() == "external"
            part = ""
            if not external:
                if target.startswith("/"):
                    part = normpath(target.lstrip("/")).lower()
                else:
                    part = normpath(join(dirname(source), target)).lower()
            out[el.get("Id", "")] = _Rel(
                el.get("Id", ""), el.get("Type", ""), target, external, part
            )
        _remember_read(("rels", source, raw), dict(out))
        return out

    def drop_rels(self, source: str, ids: set[str]) -> None:
        name = _rels_name(source) if source else "_rels/.rels"
        raw = self.parts.get(name)
        if raw is None or not ids:
            return
        root = _parse(raw)
        for el in list(root):
            if el.get("Id") in ids:
                root.remove(el)
        self.parts[name] = _serialise(root)
        self.changed.add(name)

    def referenced(self) -> set[str]:
        """Every internal part some remaining relationship points at."""
        out: set[str] = set()
        for name in self.parts:
            if name.endswith(".rels") and name not in self.deleted:
                for rel in self.rels(_rels_source(name)).values():
                    if rel.part:
                        out.add(rel.part)
        return out

    def write(self) -> bytes:
        if self.deleted:
            raw = self.parts.get("[content_types].xml")
            if raw is not None:
                root = _parse(raw)
                for el in list(root):
                    if (
                        el.tag == f"{{{CT}}}Override"
                        and el.get("PartName", "").lstrip("/").lower() in self.deleted
                    ):
                        root.remove(el)
                self.parts["[content_types].xml"] = _serialise(root)
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
            for low in self.order:
                if low in self.deleted:
                    continue
                zf.writestr(self.names[low], self.parts[low])
        return out.getvalue()


# --- macros anywhere ----------------------------------------------------------------------


def _check_macros(pkg: _Package) -> None:
    """Refuse the document when any part, or anything embedded in it, carries macros."""
    ct = pkg.parts.get("[content_types].xml", b"").lower()
    for marker in _MACRO_TYPES:
        if marker in ct:
            raise Refused("intake.unpack.macros", where="[Content_Types].xml")
    budget = [pkg.bounds.nested_max_bytes]
    for low, data in pkg.parts.items():
        _check_blob(data, low, 1, budget)


def _check_blob(data: bytes, where: str, depth: int, budget: list[int]) -> None:
    base = where.rsplit("/", 1)[-1].lower()
    if base in ("vbaproject.bin", "vbadata.xml") or base.endswith((".docm", ".xlsm", ".pptm")):
        raise Refused("intake.unpack.macros", where=where[:200])
    if depth > _NESTED_MAX_DEPTH:
        return
    if data[:4] == ZIP_MAGIC:
        _check_nested_zip(data, where, depth, budget)
    elif data[:8] == OLE_MAGIC:
        _check_ole(data, where, depth, budget)


def _check_nested_zip(data: bytes, where: str, depth: int, budget: list[int]) -> None:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return  # not a readable zip: it leaves the package with its embedding anyway
    for info in infos:
        inner = f"{where}!{info.filename}"
        low = info.filename.lower()
        if low.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml"):
            raise Refused("intake.unpack.macros", where=inner[:200])
        if low == "[content_types].xml" or low.endswith((".bin", ".docx", ".docm", ".xlsx")):
            if info.file_size > budget[0]:
                raise Refused("intake.unpack.macros_unchecked", where=inner[:200])
            budget[0] -= info.file_size
            try:
                blob = zf.read(info)
            except Exception:  # a broken embedding is removed with the rest, not read
                continue
            if low == "[content_types].xml":
                for marker in _MACRO_TYPES:
                    if marker in blob.lower():
                        raise Refused("intake.unpack.macros", where=inner[:200])
            else:
                _check_blob(blob, inner, depth + 1, budget)


def _check_ole(data: bytes, where: str, depth: int, budget: list[int]) -> None:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception:  # not a readable OLE file: removed with its embedding, never opened
        return
    try:
        for entry in ole.listdir(streams=True, storages=True):
            low = [s.lower() for s in entry]
            if any(s.startswith(("macros", "_vba_project", "vba")) for s in low):
                raise Refused("intake.unpack.macros", where=f"{where}!{'/'.join(entry)}"[:200])
        for entry in ole.listdir(streams=True, storages=False):
            size = ole.get_size(entry)
            if size > budget[0]:
                raise Refused("intake.unpack.macros_unchecked", where=where[:200])
            budget[0] -= size
            blob = ole.openstream(entry).read()
            start = blob.find(ZIP_MAGIC, 0, 4096)
            inner = f"{where}!{'/'.join(entry)}"
            if start >= 0:
                _check_blob(blob[start:], inner, depth + 1, budget)
            elif blob[:8] == OLE_MAGIC:
                _check_blob(blob, inner, depth + 1, budget)
    finally:
        ole.close()


# --- the story parts --------------------------------------------------------------------


def _w(name: str) -> str:
    return f"{{{W}}}{name}"


def _text_run(text: str) -> etree._Element:
    run = etree.Element(_w("r"))
    t_el = etree.SubElement(run, _w("t"))
    t_el.text = text
    t_el.set(XML_SPACE, "preserve")
    return run


def _text_el(text: str) -> etree._Element:
    t_el = etree.Element(_w("t"))
    t_el.text = text
    t_el.set(XML_SPACE, "preserve")
    return t_el


def _paragraph(text: str) -> etree._Element:
    p = etree.Element(_w("p"))
    p.append(_text_run(text))
    return p


def _field_kind(instr: str) -> tuple[str, str]:
    """(first word upper-cased, first quoted or bare argument) of a field instruction."""
    words = instr.strip().split(None, 1)
    if not words:
        return "", ""
    name = words[0].lstrip("\\").upper()
    rest = words[1] if len(words) > 1 else ""
    m = re.match(r'\s*"([^"]*)"|\s*(\S+)', rest)
    arg = (m.group(1) if m and m.group(1) is not None else (m.group(2) if m else "")) or ""
    return name, arg


def _field_count(pkg: _Package, name: str) -> None:
    if name in _DDE_FIELDS:
        pkg.note("dde")
    elif name in _LINKED_FIELDS:
        pkg.note("linked_fields")
    else:
        pkg.note("fields")


def _url_run(url: str, shown: str) -> etree._Element | None:
    if url.lower().startswith(_SHOWN_SCHEMES) and url not in shown:
        return _text_run(f" ({url})")
    return None


@dataclass
class _Field:
    instr: str = ""
    result: bool = False
    kind: str = ""
    arg: str = ""
    shown: str = ""


def _complex_fields(pkg: _Package, root: etree._Element) -> bool:
    """fldChar begin … instrText … separate … result … end → the result runs only."""
    if root.find(f".//{_w('fldChar')}") is None and root.find(f".//{_w('instrText')}") is None:
        return False
    stack: list[_Field] = []
    gone: list[tuple[etree._Element, etree._Element]] = []  # (run, child): applied after
    after: list[tuple[etree._Element, etree._Element]] = []  # (run, new run after it)
    markers = (_w("fldChar"), _w("instrText"), _w("delInstrText"))
    # the tree is walked once and changed only afterwards: an lxml iterator must not see
    # its tree change, and a list of every run would cost memory on a long document
    for run in root.iter(_w("r")):
        if not stack and not any(c.tag in markers for c in run):
            continue
        for child in run:
            tag = child.tag
            if tag == _w("fldChar"):
                kind = child.get(_w("fldCharType"))
                if kind == "begin":
                    stack.append(_Field())
                elif kind == "separate" and stack:
                    top = stack[-1]
                    top.result = True
                    top.kind, top.arg = _field_kind(top.instr)
                elif kind == "end" and stack:
                    top = stack.pop()
                    if not top.result:
                        top.kind, top.arg = _field_kind(top.instr)
                    _field_count(pkg, top.kind)
                    if top.kind == "HYPERLINK" and not any(
                        f.kind in _DDE_FIELDS or not f.result for f in stack
                    ):
                        extra = _url_run(top.arg, top.shown)
                        if extra is not None:
                            after.append((run, extra))
                    if stack:
                        stack[-1].shown += top.shown
                gone.append((run, child))
            elif tag in (_w("instrText"), _w("delInstrText")):
                if stack and not stack[-1].result:
                    stack[-1].instr += child.text or ""
                gone.append((run, child))
            elif tag == _w("rPr"):
                continue
            elif stack and any(not f.result or f.kind in _DDE_FIELDS for f in stack):
                gone.append((run, child))
            elif stack and tag == _w("t"):
                stack[-1].shown += child.text or ""
    for run, extra in after:
        run.addnext(extra)
    touched: dict[int, etree._Element] = {}
    for run, child in gone:
        if child.getparent() is run:
            run.remove(child)
        touched[id(run)] = run
    for run in touched.values():
        parent = run.getparent()
        if parent is not None and all(c.tag == _w("rPr") for c in run):
            parent.remove(run)
    return True


def _simple_fields(pkg: _Package, root: etree._Element) -> bool:
    found = list(root.iter(_w("fldSimple")))
    for fld in reversed(found):  # innermost first: an outer one then moves them as they are
        parent = fld.getparent()
        if parent is None:
            continue
        name, arg = _field_kind(fld.get(_w("instr"), ""))
        _field_count(pkg, name)
        index = parent.index(fld)
        parent.remove(fld)
        if name in _DDE_FIELDS:
            continue
        kept = [c for c in fld if c.tag != _w("fldData")]
        shown = "".join(x.text or "" for c in kept for x in c.iter(_w("t")))
        if name == "HYPERLINK":
            extra = _url_run(arg, shown)
            if extra is not None:
                kept.append(extra)
        for offset, child in enumerate(kept):
            parent.insert(index + offset, child)
    return bool(found)


def _objects(pkg: _Package, root: etree._Element, dropped: set[str]) -> bool:
    """Embedded / linked OLE objects → their preview picture, or a placeholder."""
    found = list(root.iter(_w("object")))
    for obj in found:
        parent = obj.getparent()
        if parent is None:
            continue
        pkg.note("ole_objects")
        for el in list(obj.iter()):
            local = etree.QName(el).localname if isinstance(el.tag, str) else ""
            if local in ("OLEObject", "control", "objectEmbed", "objectLink", "movie"):
                _remove_with_its_parts(el, dropped)
        drawing = obj.find(_w("drawing"))
        if drawing is not None:
            parent.replace(obj, drawing)
        elif obj.find(f"{{{V}}}shape") is not None:
            obj.tag = _w("pict")
            for name in list(obj.attrib):
                del obj.attrib[name]
        else:
            parent.replace(obj, _text_el(t("sanitise.placeholder_object")))
    # OLE pieces outside w:object (older VML writers): the object goes, the shape stays
    for el in list(root.iter(f"{{{O}}}OLEObject")):
        if _remove_with_its_parts(el, dropped):
            pkg.note("ole_objects")
            found.append(el)
    return bool(found)


def _remove_with_its_parts(el: etree._Element, dropped: set[str]) -> bool:
    """Remove ``el``; the relationships its r: attributes name go to ``dropped`` (their
    parts leave the package). False when ``el`` had no parent to leave."""
    for name, value in el.attrib.items():
        if name.startswith(f"{{{R}}}"):
            dropped.add(value)
    owner = el.getparent()
    if owner is None:
        return False
    owner.remove(el)
    return True


class _HtmlText(HTMLParser):
    """Visible-or-not text of an HTML altChunk, one string per block; scripts are skipped."""

    _SKIP = frozenset({"script", "style", "head", "title", "noscript", "template", "object"})
    _BLOCK = frozenset(
        {"p", "div", "br", "li", "tr", "td", "th", "table", "ul", "ol", "dt", "dd", "hr"}
        | {"h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "section", "article"}
        | {"header", "footer"}
    )

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.blocks: list[str] = []
        self.current: list[str] = []
        self.skip = 0

    def flush(self) -> None:
        text = " ".join("".join(self.current).split())
        if text:
            self.blocks.append(text)
        self.current = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skip += 1
        elif tag in self._BLOCK:
            self.flush()

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP:
            self.skip = max(0, self.skip - 1)
        elif tag in self._BLOCK:
            self.flush()

    def handle_data(self, data: str) -> None:
        if not self.skip:
            self.current.append(data)


def _decode(data: bytes) -> str:
    if data[:3] == b"\xef\xbb\xbf":
        return data[3:].decode("utf-8", "replace")
    if data[:2] in (b"\xff\xfe", b"\xfe\xff"):
        return data.decode("utf-16", "replace")
    m = re.search(rb'charset=["\']?([A-Za-z0-9_.:-]+)', data[:4096])
    if m:
        try:
            return data.decode(m.group(1).decode("ascii"), "replace")
        except LookupError:
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1258", "replace")


def _chunk_blocks(pkg: _Package, part: str) -> list[str] | None:
    data = pkg.parts.get(part)
    if data is None or len(data) > pkg.bounds.xml_max_part_bytes:
        return None
    ctype = pkg.content_type(part)
    ext = part.rsplit(".", 1)[-1]
    if ctype.startswith(_HTML_TYPES) or ext in ("htm", "html", "xhtml", "mht", "mhtml"):
        parser = _HtmlText()
        parser.feed(_decode(data))
        parser.close()
        parser.flush()
        return parser.blocks
    if ctype.startswith("text/plain") or ext == "txt":
        return [" ".join(line.split()) for line in _decode(data).splitlines() if line.strip()]
    return None


def _alt_chunks(
    pkg: _Package, root: etree._Element, rels: dict[str, _Rel], dropped: set[str]
) -> bool:
    found = list(root.iter(_w("altChunk")))
    for chunk in found:
        parent = chunk.getparent()
        if parent is None:
            continue
        rid = chunk.get(f"{{{R}}}id", "")
        dropped.add(rid)
        rel = rels.get(rid)
        blocks = _chunk_blocks(pkg, rel.part) if rel and rel.part else None
        pkg.note("altchunks")
        index = parent.index(chunk)
        parent.remove(chunk)
        if blocks is None:
            blocks = [t("sanitise.placeholder_altchunk")]
        for offset, text in enumerate(blocks):
            parent.insert(index + offset, _paragraph(text))
    return bool(found)


def _references(el: etree._Element) -> Iterator[str]:
    for name, value in el.attrib.items():
        if name.startswith(f"{{{R}}}") or name == f"{{{O}}}relid":
            yield value


_PICTURE_TAGS = frozenset(
    {
        "{http://schemas.openxmlformats.org/drawingml/2006/main}blip",
        f"{{{V}}}imagedata",
        f"{{{V}}}fill",
        f"{{{V}}}stroke",
        f"{{{V}}}textpath",
    }
)
_PICTURE_CONTAINERS = (_w("drawing"), _w("pict"), _w("object"), _w("background"))


def _replace_in_run(el: etree._Element, text: str) -> bool:
    """Replace the run child holding ``el`` by placeholder text; False when not in a run."""
    node: etree._Element | None = el
    while node is not None:
        parent = node.getparent()
        if parent is not None and parent.tag == _w("r"):
            parent.replace(node, _text_el(text))
            return True
        node = parent
    return False


def _attached(el: etree._Element, root: etree._Element) -> bool:
    top = el
    for ancestor in el.iterancestors():
        top = ancestor
    return top is root


def _remove_picture(el: etree._Element) -> None:
    node: etree._Element | None = el
    while node is not None and node.tag not in _PICTURE_CONTAINERS:
        node = node.getparent()
    target = node if node is not None else el
    parent = target.getparent()
    if parent is not None:
        parent.remove(target)


def _unwrap(el: etree._Element, extra: etree._Element | None) -> None:
    parent = el.getparent()
    if parent is None:
        return
    index = parent.index(el)
    children = list(el)
    parent.remove(el)
    if extra is not None:
        children.append(extra)
    for offset, child in enumerate(children):
        parent.insert(index + offset, child)


#: elements with a relationship attribute; VML elements with a link attribute (C speed)
_REFERRING = etree.XPath(f"//*[@*[namespace-uri()='{R}'] or @o:relid]", namespaces={"o": O})
#: the elements of the VML namespaces (``v:``, ``o:``), in document order: where a linked
#: picture carries its path in an ``href``/``src`` attribute. An ``iter`` by namespace
#: runs in C; the XPath it replaces (``namespace-uri()`` asked of every element of the
#: part) cost ~0.1 ms per parsed part. The attributes are looked at by ``_dangling``.
_VML_TAGS = (f"{{{V}}}*", f"{{{O}}}*")


def _dangling(
    pkg: _Package, root: etree._Element, rels: dict[str, _Rel], dropped: set[str], big: set[str]
) -> bool:
    """Every element still using a dropped relationship becomes text, a placeholder or goes."""
    changed = False
    for el in root.iter(*_VML_TAGS):  # o:href="file://…" and the like: a path, no relationship
        for name, value in list(el.attrib.items()):
            if etree.QName(name).localname in ("href", "src") and _URLISH.match(value):
                del el.attrib[name]
                changed = True
    for el in _REFERRING(root) if dropped else ():
        ids = [v for v in _references(el) if v in dropped]
        if not ids or not _attached(el, root):
            continue  # already removed with an ancestor
        changed = True
        rel = rels.get(ids[0])
        local = etree.QName(el).localname
        kept = [v for v in _references(el) if v not in dropped and v in rels]
        if el.tag in _PICTURE_TAGS and kept:  # linked AND embedded: keep the embedded copy
            for name, value in list(el.attrib.items()):
                if value in ids:
                    del el.attrib[name]
            pkg.note("external_links")
            continue
        if el.tag == _w("hyperlink"):
            target = rel.target if rel else ""
            shown = "".join(x.text or "" for x in el.iter(_w("t")))
            if not target.lower().startswith(_SHOWN_SCHEMES):
                pkg.note("external_links")
            nxt = el.getnext()  # Word splits one link into several runs of w:hyperlink
            same = nxt is not None and nxt.tag == el.tag and ids[0] in _references(nxt)
            _unwrap(el, None if same else _url_run(target, shown))
        elif el.tag in _PICTURE_TAGS:
            oversized = rel is not None and rel.part in big
            pkg.note("big_pictures" if oversized else "external_pictures")
            text = t(
                "sanitise.placeholder_big_picture" if oversized else "sanitise.placeholder_picture"
            )
            if not _replace_in_run(el, text):
                _remove_picture(el)
        elif local in ("hlinkClick", "hlinkHover", "hlinkMouseOver"):  # a link on a shape
            if not (rel.target if rel else "").lower().startswith(_SHOWN_SCHEMES):
                pkg.note("external_links")
            el.getparent().remove(el)
        elif local == "externalData":  # a chart's workbook: the chart keeps its cached values
            if rel is None or rel.external:
                pkg.note("other_links")
            el.getparent().remove(el)
        elif local == "subDoc":
            pkg.note("subdocuments")
            parent = el.getparent()
            if parent is not None:
                parent.replace(el, _text_run(t("sanitise.placeholder_subdoc")))
        elif local == "attachedTemplate":
            pkg.note("templates")
            el.getparent().remove(el)
        elif local in ("dataSource", "headerSource", "src"):
            node = el
            while node.getparent() is not None and etree.QName(node).localname != "mailMerge":
                node = node.getparent()
            if etree.QName(node).localname == "mailMerge" and node.getparent() is not None:
                pkg.note("mail_merge")
                node.getparent().remove(node)
            elif el.getparent() is not None:
                pkg.note("other_links")
                el.getparent().remove(el)
        elif local in ("frame", "sourceFileName", "frameset"):
            pkg.note("frames")
            node = el
            while node.getparent() is not None and etree.QName(node).localname != "frame":
                node = node.getparent()
            target = node if etree.QName(node).localname == "frame" else el
            if target.getparent() is not None:
                target.getparent().remove(target)
        else:
            pkg.note("other_links")
            if not _replace_in_run(el, t("sanitise.placeholder_object")):
                parent = el.getparent()
                if parent is not None:
                    parent.remove(el)
    return changed


# --- pictures ---------------------------------------------------------------------------


def _pictures(pkg: _Package) -> set[str]:
    """Downscale oversized pictures in place; return the parts that must become placeholders."""
    big: set[str] = set()
    limit = pkg.bounds.picture_max_pixels
    for low in list(pkg.parts):
        data = pkg.parts[low]
        size = picture_size(data)
        if size is None or size[0] * size[1] <= limit:
            continue
        smaller = _downscale_jpeg(data, limit) if data[:2] == b"\xff\xd8" else None
        if smaller is not None:
            pkg.parts[low] = smaller
            pkg.changed.add(low)
            pkg.note("pictures_downscaled")
        else:
            big.add(low)
    return big


# --- the whole ----------------------------------------------------------------------------


def sanitize(
    data: bytes,
    bounds: Bounds | None = None,
    members: Sequence[tuple[str, bytes]] | None = None,
    quiet: Collection[str] = (),
    parsed: Callable[[bytes], etree._Element | None] | None = None,
) -> Result:
    """The draft's form of one accepted .docx; raises ``Refused`` for macros anywhere.

    The caller has already checked the package (sizes, DOCTYPEs, element counts);
    what comes back is ``data`` itself when nothing needed removing. ``members`` are the
    package's (name, inflated bytes) in zip order when the caller's checks already read
    them (each part is then inflated once per document); ``quiet`` names (lower case) the
    parts the caller found without any of ``_ACTIVE_MARKERS`` (see ``has_active``).
    ``parsed(raw)`` gives the tree of a part the caller parsed already with the options of
    ``_parse`` (the same tree; taken once), or None.
    """
    pkg = _Package(data, bounds or Bounds(), members)
    _check_macros(pkg)
    big = _pictures(pkg)
    dropped_targets: set[str] = set()
    sources = [_rels_source(n) for n in pkg.order if n.endswith(".rels")]
    xml_parts = [
        n for n in pkg.order if n.endswith((".xml", ".vml")) and n not in ("[content_types].xml",)
    ]
    rels_by_source = {s: pkg.rels(s) for s in sources}
    for part in xml_parts:
        if part in pkg.deleted:
            continue
        rels = rels_by_source.get(part, {})
        dropped = {
            r.rid
            for r in rels.values()
            if r.external or r.type.lower().endswith(_DROPPED_TYPES) or r.part in big
        }
        raw = pkg.parts[part]
        if not dropped and ((part in quiet and part not in pkg.changed) or not has_active(raw)):
            continue
        inert = b""
        if not dropped and part not in pkg.changed:
            inert = hashlib.blake2b(raw, digest_size=16, person=b"inert").digest()
            if inert in _INERT:
                continue
        root = parsed(raw) if parsed is not None else None
        try:
            root = _parse(raw) if root is None else root
        except etree.XMLSyntaxError:
            root = None  # an unreadable side part: Word refuses it too; the draft skips it
        changed = False
        story = root is not None and root.tag.startswith(f"{{{W}}}")
        if root is not None and story:
            changed |= _simple_fields(pkg, root)
            changed |= _complex_fields(pkg, root)
            changed |= _objects(pkg, root, dropped)
            changed |= _alt_chunks(pkg, root, rels, dropped)
        if root is not None:
            changed |= _dangling(pkg, root, rels, dropped, big)
        if inert and root is not None and not story and not changed:
            _remember_inert(inert)
        if changed and root is not None:
            pkg.parts[part] = _serialise(root)
            pkg.changed.add(part)
        if dropped:
            dropped_targets |= {rels[i].part for i in dropped if i in rels and rels[i].part}
            pkg.drop_rels(part, dropped)
    # relationships from parts that are not XML (none in practice) or the package root
    for source, rels in rels_by_source.items():
        if source in xml_parts:
            continue
        dropped = {
            r.rid for r in rels.values() if r.external or r.type.lower().endswith(_DROPPED_TYPES)
        }
        if dropped:
            pkg.note("other_links", len(dropped))
            dropped_targets |= {rels[i].part for i in dropped if rels[i].part}
            pkg.drop_rels(source, dropped)
    if dropped_targets or big:
        still = pkg.referenced()
        for part in (dropped_targets | big) - still:
            if part in pkg.parts:
                pkg.deleted.add(part)
                rels_part = _rels_name(part)
                if rels_part in pkg.parts:
                    pkg.deleted.add(rels_part)
    # anything left in the embeddings folder that nothing points at any more
    embedded = [
        low for low in pkg.order if low.startswith("word/embeddings/") and low not in pkg.deleted
    ]
    still = pkg.referenced() if embedded else set()
    for low in embedded:
        if low not in still:
            pkg.deleted.add(low)
    comments = len(_COMMENT.findall(pkg.parts.get("word/comments.xml", b"")))
    if comments:  # not report text, and the draft does not carry them: say so
        pkg.note("comments", comments)
    if not pkg.changed and not pkg.deleted:
        return Result(data, pkg.removed)
    return Result(pkg.write(), pkg.removed)


#: one reviewer's comment in word/comments.xml (any prefix)
_COMMENT = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?comment[\s>/]")


# --- telling people what went -------------------------------------------------------------

#: kinds in the order people read them; ordinary fields (page numbers, tables of contents)
#: are replaced by their text and left out of the department's receipt as noise
KINDS = (
    "dde",
    "linked_fields",
    "ole_objects",
    "altchunks",
    "external_pictures",
    "external_links",
    "templates",
    "subdocuments",
    "frames",
    "mail_merge",
    "other_links",
    "pictures_downscaled",
    "big_pictures",
    "comments",
    "fields",
)


def removed_counts(params: dict[str, str] | tuple[tuple[str, str], ...]) -> dict[str, int]:
    """``removed_<kind>`` params of one document → {kind: count}, in ``KINDS`` order."""
    items = dict(params)
    out: dict[str, int] = {}
    for kind in KINDS:
        try:
            n = int(items.get(f"removed_{kind}", 0))
        except (TypeError, ValueError):
            n = 0
        if n > 0:
            out[kind] = n
    return out


def removed_lines(
    detail: str | dict[str, object] | None, lang: str | None = None, fields: bool = False
) -> list[str]:
    """One "  • <what>: <n>" line per kind removed from the documents of one mail.

    ``detail`` is the mail's detail (JSON text or dict) where intake keeps
    ``documents: [{"ordinal", "params", "origin"}]``; ``fields`` also lists ordinary
    fields (the draft's appendix does, the receipt does not).
    """
    import json

    if isinstance(detail, str):
        try:
            detail = json.loads(detail)
        except ValueError:
            return []
    if not isinstance(detail, dict):
        return []
    total: dict[str, int] = {}
    docs = detail.get("documents")
    for doc in docs if isinstance(docs, list) else []:
        params = doc.get("params") if isinstance(doc, dict) else None
        if isinstance(params, dict):
            for kind, n in removed_counts(params).items():
                total[kind] = total.get(kind, 0) + n
    return [
        f"  • {t(f'sanitise.kind.{kind}', lang)}: {total[kind]}"
        for kind in KINDS
        if kind in total and (fields or kind != "fields")
    ]
