"""Would a received file act when a person opens it? The check before an original is
mailed on to the Office (H33).

The Office mail carries the originals of the documents that gave the draft no text, so a
person can read them (a scan, a photo, a spreadsheet without a reader). Those are the
department's own bytes, never sanitised: a file that runs code, fetches an address or reads
a share when it is opened must not travel on from one compromised mailbox to the Office's
machine. ``active_content`` names what such a file holds, or "" for a file that only shows
itself; the draft's appendix then names the file with its archive path and why it was not
attached.

The check reads the file, never runs or converts it, and is bounded: what it cannot read
within the bounds (a zip bomb, a damaged package) counts as "unchecked", which withholds it
too. It looks at the container itself (zip members, OLE streams, PDF objects, RTF control
words, markup), so a file of any name is judged by what it is.
"""

from __future__ import annotations

import base64
import html
import io
import logging
import os
import posixpath
import re
import resource
import zipfile
import zlib

log = logging.getLogger("mailflow.inert")

#: what a withheld file holds, each with its catalogue line ``assemble.withheld.<kind>``
KINDS = ("programs", "macros", "scripts", "links", "objects", "unchecked")

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
#: bytes inflated per zip member / in all, PDF streams inflated in all: past them, unchecked
MEMBER_MAX = 16 * 1024 * 1024
TOTAL_MAX = 96 * 1024 * 1024
MEMBERS_MAX = 5_000

#: file kinds Windows runs, installs, mounts or follows when a person opens them
_RUNNABLE = frozenset(
    [
        "exe",
        "com",
        "scr",
        "pif",
        "bat",
        "cmd",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "wsc",
        "ps1",
        "psm1",
        "psd1",
        "hta",
        "msi",
        "msp",
        "mst",
        "lnk",
        "url",
        "scf",
        "reg",
        "jar",
        "cpl",
        "dll",
        "ocx",
        "sys",
        "drv",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "appx",
        "appxbundle",
        "msix",
        "msixbundle",
        "application",
        "appref-ms",
        "gadget",
        "chm",
        "hlp",
        "inf",
        "settingcontent-ms",
        "library-ms",
        "search-ms",
        "searchconnector-ms",
        "website",
        "desktop",
        "sh",
        "bash",
        "run",
        "apk",
        "dmg",
        "pkg",
        "xll",
        "xlam",
        "ppam",
        "docm",
        "dotm",
        "xlsm",
        "xltm",
        "pptm",
        "potm",
        "ppsm",
        "sldm",
        "one",
        "onepkg",
        "mht",
        "mhtml",
        "xbap",
        "svgz",
        # R2 #5 (H36): more kinds Windows or Office acts on when they are opened
        *("rdp", "msc", "diagcab", "diagpkg", "diagcfg", "appinstaller", "sct", "shs", "shb"),
        *("accdb", "accde", "accdr", "accda", "mdb", "mde", "ade", "adp", "mda", "mdw", "mdz"),
        *("theme", "themepack", "deskthemepack", "jnlp", "xlsb", "xlm", "xla", "wll", "ppa"),
        *("py", "pyw", "pyc", "pyo", "pyz", "pyzw", "vb", "ws", "msh", "msh1", "msh2"),
        *("ps1xml", "ps2", "ps2xml", "psc1", "psc2", "mshxml", "msh1xml", "msh2xml"),
        *("iqy", "dqy", "rqy", "oqy", "slk", "odc", "udl", "msu", "ppkg", "vsto", "ins", "isp"),
        *("mcf", "prf", "ksh", "csh", "command"),
    ]
)
#: archives mailflow does not open (a .zip is opened and each file judged on its own)
_ARCHIVES = frozenset(
    {
        *("7z", "rar", "gz", "tgz", "bz2", "tbz2", "xz", "txz", "zst", "lz", "lzma", "tar"),
        *("cab", "arj", "ace", "lzh", "lha", "z", "uue", "xxe", "wim", "sit", "sitx"),
    }
)
_ARCHIVE_MAGICS = (
    b"7z\xbc\xaf\x27\x1c",  # 7-Zip
    b"Rar!\x1a\x07",  # RAR
    b"\x1f\x8b\x08",  # gzip
    b"\xfd7zXZ\x00",  # xz
    b"\x28\xb5\x2f\xfd",  # zstd
    b"MSCF\x00\x00\x00\x00",  # cabinet
)
_SHOWN = re.compile(rb"(?i)^(?:https?|mailto):")
#: a target that goes somewhere: a scheme, a host (//, \\\\) — not a name beside the file
_ADDRESS = re.compile(rb"(?i)^(?:[a-z][a-z0-9+.-]*:|//|\\\\|/)")
_LOCAL_DRIVE = re.compile(rb"(?i)^(?:file:///?)?[a-z]:[\\/]")
#: Word fields that fetch, read a file or run a program when updated
_FETCHING_FIELDS = re.compile(
    rb"(?i)\b(?:INCLUDEPICTURE|INCLUDETEXT|INCLUDE|DDEAUTO|DDE|LINK|IMPORT|DATABASE)\b"
)
#: a field's code under any prefix: ``<x:instrText>`` is Word's when x names its namespace
_INSTR = re.compile(
    rb"<(?:\w+:)?(?:instrText|delInstrText)\b[^>]*>([^<]*)<"
    rb"|\b(?:\w+:)?instr=\"([^\"]*)\"|\b(?:\w+:)?instr='([^']*)'"
)
_REL = re.compile(rb"<Relationship\b[^>]*>")
_ATTR = re.compile(rb"""\b(Type|Target|TargetMode)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
#: ODF elements whose href is loaded, not clicked
_ODF_LOADED = re.compile(
    rb"<(?:draw:image|draw:object|draw:object-ole|draw:plugin|draw:applet|draw:floating-frame"
    rb"|text:section-source|table:table-source|office:dde-source|svg:font-face-uri)\b[^>]*"
    rb"xlink:href\s*=\s*[\"'](?:[a-z][a-z0-9+.-]*:|/|\\\\)",
    re.IGNORECASE,
)
_MARKUP_SCRIPT = re.compile(rb"(?i)<script\b|\bon[a-z]+\s*=|javascript:|vbscript:")
_MARKUP_REMOTE = re.compile(
    rb"(?i)(?:\b(?:src|data|background|action|poster|codebase)\s*=\s*[\"']?|url\(\s*[\"']?|"
    rb"@import\s+[\"']?|<link\b[^>]*\bhref\s*=\s*[\"']?)(?!data:|cid:)(?:[a-z][a-z0-9+.-]*:|//|\\\\)"
)
#: an address, not a name beside the file or a picture carried inline
_REMOTE_URL = re.compile(rb"(?i)(?!data:|cid:)(?:[a-z][a-z0-9+.-]*:|//|\\\\)")
#: elements that load what their href names when shown (SVG pictures and uses, frames), and
#: a page that goes elsewhere by itself (meta refresh) (R2 #5, H36)
_MARKUP_LOADED = re.compile(
    rb"(?i)<(?:\w+:)?(?:image|use|feimage|img|iframe|frame|embed|script|audio|video|source|track)"
    rb"\b[^>]*?\s(?:xlink:)?href\s*=\s*[\"']?(?!data:|cid:|#)(?:[a-z][a-z0-9+.-]*:|//|\\\\)"
    rb"|<meta\b[^>]*\bhttp-equiv\s*=\s*[\"']?refresh\b[^>]*\burl\s*="
    rb"|<meta\b[^>]*\burl\s*=[^>]*\bhttp-equiv\s*=\s*[\"']?refresh\b"
)
_SRCSET = re.compile(rb"""(?i)\b(?:srcset|imagesrcset)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]*))""")
#: a VML picture or fill loading its file by address, with no relationship at all
_VML_URL = re.compile(
    rb"<v:[a-z]+\b[^>]*\b(?:src|o:href)\s*=\s*[\"'](?:[a-z][a-z0-9+.-]*:|//|\\\\)",
    re.IGNORECASE,
)
_DTD = re.compile(rb"<!DOCTYPE[^>]*\[|<!ENTITY", re.IGNORECASE)
_PDF_NAME = re.compile(rb"/(?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})+")
_PDF_SCRIPTS = frozenset(
    {b"/JavaScript", b"/JS", b"/Launch", b"/XFA", b"/SubmitForm", b"/ImportData", b"/RichMedia"}
)
_PDF_OBJECTS = frozenset({b"/EmbeddedFile", b"/EmbeddedFiles", b"/FileAttachment"})
_PDF_LINKS = frozenset({b"/GoToR", b"/GoToE"})
#: a control word ends at its first non-letter: ``\\objdata1`` is ``\\objdata`` (Word ignores the 1)
_RTF_OBJECT = re.compile(rb"\\(?:object|objdata|objautlink|objlink|objupdate)(?![a-z])")
_RTF_TEMPLATE = re.compile(rb"\\\*\s*\\template(?![a-z])")
_RTF_FIELD = re.compile(rb"\\fldinst(?![a-z])")


class _Unchecked(Exception):
    """The file could not be read within the bounds."""


class _Budget:
    """What reading one file may cost, shared by every zip nested in it and every PDF stream:
    a file cannot buy itself a fresh allowance by nesting (R2 #1, H36)."""

    def __init__(self) -> None:
        self.bytes = TOTAL_MAX
        self.members = MEMBERS_MAX

    def spend(self, size: int, members: int = 0) -> None:
        self.bytes -= size
        self.members -= members
        if self.bytes < 0 or self.members < 0:
            raise _Unchecked


#: a zip inside a zip inside a zip is read; one level more is "unchecked" (Explorer opens
#: nested zips with a click each, so a member is never mailed on unexamined)
ZIP_DEPTH = 2
#: what a picture viewer opens: a file named as a picture and starting as one is shown,
#: whatever its metadata holds (an XMP packet starts ``<?xml``)
_PICTURE_MAGICS = (
    b"\xff\xd8\xff",
    b"\x89PNG\r\n\x1a\n",
    b"GIF87a",
    b"GIF89a",
    b"II*\x00",
    b"MM\x00*",
)
_PICTURE_EXTS = frozenset({"jpg", "jpeg", "jpe", "jfif", "png", "gif", "tif", "tiff"})
_MARKUP_EXTS = ("htm", "html", "xhtml", "xht", "svg", "xml", "xsl", "xslt", "shtml")


def active_content(name: str, data: bytes) -> str:
    """The kind of active content ``data`` (a file called ``name``) holds, or "".

    One of ``KINDS``; "unchecked" when the file cannot be read within the bounds. Never
    raises: one odd file is one withheld attachment, never a failed draft.
    """
    try:
        return _judge(name, data, _Budget(), 0)
    except _Unchecked:
        return "unchecked"
    except Exception:  # a reader's own error on a broken file: not checked, not sent
        return "unchecked"


def bounded_active_content(name: str, data: bytes, *, timeout: float, max_memory_mb: int) -> str:
    """``active_content`` in a child process of its own, killed past ``timeout`` seconds
    and unable to grow by more than ``max_memory_mb``; "unchecked" if it does not finish.

    Why: the check runs at every assembly, in the assembling process with the campaign's
    lock held, on bytes a department chose. The readers it uses have costs no budget here
    can bound (a bzip2 member inflates a whole compressed chunk at once; a markup or PDF
    scan can be quadratic), so the operating system bounds them: a timeout, an out-of-memory
    death or any error of the child withholds the original as "unchecked" (never attached
    unexamined) and the draft is still built (R3 #2, H38).
    """
    from mailflow.adapters import workpool

    def work(_job: str) -> str:
        _cap_memory(max_memory_mb)
        return active_content(name, data)

    for end in workpool.run_all(work, [name], workers=1, timeout=timeout):
        if end.ok and isinstance(end.result, str) and end.result in ("", *KINDS):
            return end.result
        log.warning("checking %s did not finish: %s", name, end.error or "no verdict")
    return "unchecked"


def _cap_memory(extra_mb: int) -> None:
    """Cap this (forked) process's address space at what it maps now plus ``extra_mb``: a
    fork maps all its parent maps, so a fixed cap would be too small or meaningless."""
    if extra_mb <= 0:
        return
    try:
        with open("/proc/self/statm", encoding="ascii") as f:
            mapped = int(f.read().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError):
        return
    limit = mapped + extra_mb * 1024 * 1024
    _soft, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _judge(name: str, data: bytes, budget: _Budget, depth: int) -> str:
    """``active_content`` for a file or a zip member ``depth`` zips down."""
    # Windows drops trailing dots and spaces when it names a file: "setup.exe." is setup.exe
    base = name.replace("\\", "/").rsplit("/", 1)[-1].rstrip(". ").lower()
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    if ext in _RUNNABLE or data[:2] == b"MZ" or data[:4] == b"\x7fELF" or data[:2] == b"#!":
        return "programs"
    if ext in _ARCHIVES or data.startswith(_ARCHIVE_MAGICS) or data[257:262] == b"ustar":
        return "unchecked"  # an archive no reader here opens: what it holds is unknown
    head = data[:4096].lower()
    mime = b"mime-version:" in head or b"multipart/related" in head
    if mime and ext not in _NOT_MHT and not data.startswith((ZIP_MAGIC, OLE_MAGIC, b"%PDF-")):
        return "programs"  # MIME HTML: Word opens it as .doc, with editdata.mso macros (R3 #3)
    # every reader that would open the file judges it, and the worst verdict counts: 22
    # bytes of an empty zip end record after a PDF must not make it "a zip of nothing",
    # and a zip named .html is read by a browser that finds a script in its comment (R3 #1)
    views: set[str] = set()
    contained = False
    if data[:4] == ZIP_MAGIC or zipfile.is_zipfile(io.BytesIO(data)):
        contained = True
        views.add("unchecked" if depth > ZIP_DEPTH else _zip(data, budget, depth))
    if data[:8] == OLE_MAGIC:
        contained = True
        views.add(_ole(data, budget))
    if b"%PDF-" in data[:1024] or ext == "pdf":
        contained = True
        views.add(_pdf(data, budget))
    if data.lstrip()[:4] == b"{\\rt":  # Word opens anything starting {\rt as RTF ({\rtx…)
        contained = True
        views.add(_rtf(data))
    picture = ext in _PICTURE_EXTS and data.startswith(_PICTURE_MAGICS)
    if ext in _MARKUP_EXTS or (
        not contained
        and not picture
        and any(m in head for m in (b"<html", b"<svg", b"<!doctype", b"<?xml", b"<script"))
    ):
        views.add(_markup(data))
    return _first(views)


#: names a MIME-headed file is opened as mail or text by, never as MIME HTML
_NOT_MHT = frozenset({"eml", "msg", "txt", "mbox", "log", "csv"})


def _first(found: set[str]) -> str:
    for kind in KINDS:
        if kind in found:
            return kind
    return ""


# --- zip packages: Office Open XML, OpenDocument, plain archives --------------------------


def _zip(data: bytes, budget: _Budget, depth: int) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unchecked from exc
    infos = zf.infolist()
    if len(infos) > MEMBERS_MAX:
        raise _Unchecked
    budget.spend(0, len(infos))
    raws = [i.filename.replace("\\", "/").lower() for i in infos]
    # the names a person's unzip gives them: Windows drops trailing dots and spaces
    folded = ["/".join(seg.rstrip(". ") for seg in raw.split("/")) for raw in raws]
    if len(set(folded)) != len(folded):
        return "unchecked"  # two members of one name: readers disagree on which counts
    found: set[str] = set()
    inside: set[str] = set()  # what the members hold, judged as files of their own
    books = _chart_books(zf, infos, folded, budget)
    for info, raw, low in zip(infos, raws, folded, strict=True):
        if raw.startswith("/") or ".." in raw.split("/") or ":" in raw:
            return "unchecked"
        if info.flag_bits & 0x1:
            return "unchecked"  # an encrypted member cannot be looked into
        if _extra_ids(info.extra) & {0x7075}:
            # Info-ZIP Unicode Path: 7-Zip and WinRAR unzip "notes.txt" under the name it
            # holds ("notes.js"), which Python ignores (R3 #12, H38)
            return "unchecked"
        named = _member_name(low)
        if low in books and not low.rsplit("/", 1)[-1].startswith("oleobject"):
            named.discard("objects")  # a chart's own workbook (still judged below)
        found |= named
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            # Office and ordinary zips store or deflate; zipfile bounds only deflate's
            # output, a bzip2/LZMA chunk inflates whole before any size check (R3 #2, H38)
            return "unchecked"
        if info.is_dir() or _shown_picture(zf, info, low):
            continue
        if info.file_size > MEMBER_MAX:
            raise _Unchecked
        budget.spend(info.file_size)
        blob = _read_member(zf, info)
        if low.endswith((".xml", ".rels", ".vml")):
            found |= _package_xml(low, blob)
            continue
        if low.endswith((".svg", ".htm", ".html")):
            found |= _package_xml(low, blob)
        # every other member is judged as the file it becomes when unzipped (R2 #1, H36)
        try:
            kind = _judge(low, blob, budget, depth + 1)
        except Exception:  # one member a reader here cannot read: that member is unchecked
            if budget.bytes < 0 or budget.members < 0:
                raise _Unchecked from None
            kind = "unchecked"
        if kind:
            inside.add(kind)
    # what the package itself says (its parts, names, relationships) names it first
    return _first(found) or _first(inside)


def _chart_books(
    zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo], folded: list[str], budget: _Budget
) -> set[str]:
    """The members that are charts' workbooks: the .xlsx a chart part's ``package``
    relationship names (R3 #8, H38)."""
    books: set[str] = set()
    for info, low in zip(infos, folded, strict=True):
        if "charts/_rels/" not in low or not low.endswith(".rels") or info.flag_bits & 0x1:
            continue
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            continue  # the member loop says unchecked
        if info.file_size > MEMBER_MAX:
            raise _Unchecked
        budget.spend(info.file_size)
        folder = posixpath.dirname(low[: -len(".rels")].replace("/_rels/", "/"))
        for tag in _REL.findall(_read_member(zf, info)):
            attrs = {
                m.group(1): _xml_text(m.group(2) or m.group(3) or b"") for m in _ATTR.finditer(tag)
            }
            if not attrs.get(b"Type", b"").lower().endswith(b"/package"):
                continue
            target = attrs.get(b"Target", b"").strip().decode("utf-8", "replace").lower()
            if target.startswith("/"):
                books.add(posixpath.normpath(target.lstrip("/")))
            else:
                books.add(posixpath.normpath(posixpath.join(folder, target)))
    return books


def _extra_ids(extra: bytes) -> set[int]:
    """The header ids of a zip member's extra fields."""
    ids: set[int] = set()
    pos = 0
    while pos + 4 <= len(extra):
        ids.add(int.from_bytes(extra[pos : pos + 2], "little"))
        pos += 4 + int.from_bytes(extra[pos + 2 : pos + 4], "little")
    return ids


def _member_name(low: str) -> set[str]:
    """What a package member's name alone says it is (a zip member or a Flat OPC part)."""
    found: set[str] = set()
    base = low.rsplit("/", 1)[-1]
    ext = base.rsplit(".", 1)[-1] if "." in base else ""
    if "vbaproject" in base or "vbadata" in base or low.startswith(("basic/", "scripts/")):
        found.add("macros")
    if "macrosheet" in low:  # xl/macrosheets/: Excel 4.0 macros, run by Auto_Open
        found.add("macros")
    if ext in _RUNNABLE and not low.endswith((".xml", ".rels")):
        found.add("programs")
    if "/activex/" in f"/{low}" or "/embeddings/" in f"/{low}" or base.startswith("oleobject"):
        found.add("objects")
    return found


def _shown_picture(zf: zipfile.ZipFile, info: zipfile.ZipInfo, low: str) -> bool:
    """A member named and starting as a picture: a viewer shows it, so only its first bytes
    are read (a report's photos never spend the budget; one named .png holding a program
    does not start as a PNG and is read whole)."""
    base = low.rsplit("/", 1)[-1]
    if base.rsplit(".", 1)[-1] not in _PICTURE_EXTS or info.flag_bits & 0x1:
        return False
    try:
        with zf.open(info) as f:
            return f.read(16).startswith(_PICTURE_MAGICS)
    except Exception:  # read whole below, where a broken member is unchecked
        return False


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than it declares (a lying size header is a bomb)."""
    try:
        with zf.open(info) as f:
            blob = f.read(info.file_size + 1)
    except (RuntimeError, zipfile.BadZipFile, NotImplementedError, OSError, zlib.error) as exc:
        raise _Unchecked from exc
    if len(blob) > info.file_size:
        raise _Unchecked
    return blob


def _rels(blob: bytes, chart: bool = False) -> set[str]:
    """What the relationships in ``blob`` load or embed. A chart's workbook (a ``package``
    relationship of a chart part to an .xlsx) holds the chart's numbers and does nothing
    when the file is opened: not an object (R3 #8, H38; the workbook is judged itself)."""
    found: set[str] = set()
    for tag in _REL.findall(blob):
        # an XML reader undoes character references: TargetMode="&#69;xternal" is External
        attrs = {
            m.group(1): _xml_text(m.group(2) or m.group(3) or b"") for m in _ATTR.finditer(tag)
        }
        rtype = attrs.get(b"Type", b"").rsplit(b"/", 1)[-1].lower()
        target = attrs.get(b"Target", b"").strip()
        chart_book = chart and rtype == b"package" and target.lower().endswith(b".xlsx")
        if chart_book:
            pass
        elif rtype in (b"oleobject", b"package", b"control", b"afchunk", b"activexcontrolbinary"):
            found.add("objects")
        if rtype in (b"xlmacrosheet", b"xlintlmacrosheet", b"vbaproject"):
            found.add("macros")
        if attrs.get(b"TargetMode", b"").strip() != b"External":
            continue
        if rtype == b"hyperlink" and (_SHOWN.match(target) or not _ADDRESS.match(target)):
            continue  # a link a person clicks, shown by Word before it goes anywhere
        if rtype == b"attachedtemplate" and _LOCAL_DRIVE.match(target):
            continue  # the author's own Normal.dotm: a path on the reader's own disk
        found.add("links")
    return found


def _xml_text(raw: bytes) -> bytes:
    """Text or an attribute value as an XML reader gives it: references undone."""
    if b"&" not in raw:
        return raw
    return html.unescape(raw.decode("utf-8", "replace")).encode("utf-8")


_CDATA = re.compile(rb"<!\[CDATA\[(.*?)\]\]>", re.DOTALL)


def _no_cdata(blob: bytes) -> bytes:
    """``blob`` with each CDATA section written as escaped text (what it means to a reader)."""
    if b"<![CDATA[" not in blob:
        return blob
    return _CDATA.sub(lambda m: m.group(1).replace(b"&", b"&amp;").replace(b"<", b"&lt;"), blob)


def _package_xml(name: str, blob: bytes) -> set[str]:
    found: set[str] = set()
    if _DTD.search(blob):
        found.add("unchecked")
    low = blob.lower()
    if b"macroenabled" in low or b"vbaproject" in low or b"script:event-listener" in low:
        found.add("macros")
    if b"macrosheet" in low:  # the content type or relationship of an Excel 4.0 macro sheet
        found.add("macros")
    if name.endswith(".rels"):
        return found | _rels(blob, chart="charts/_rels/" in name)
    if b"mso-application" in low[:4096] or b"<pkg:package" in low[:4096]:
        found |= _flat_office(blob, low)
    if b"altchunk" in low or b"<o:oleobject" in low or _word_object(blob):
        found.add("objects")
    # Word joins a field's instrText runs with nothing between them ("INCL" + "UDEPICTURE"),
    # reads CDATA as text and undoes character references (R3 #4, H38)
    codes = [
        _xml_text(b"".join(g for g in m.groups() if g)) for m in _INSTR.finditer(_no_cdata(blob))
    ]
    if codes and any(_FETCHING_FIELDS.search(sep.join(codes)) for sep in (b"", b" ")):
        found.add("links")
    if b"<f" in blob and re.search(rb"<f[^>]*>[^<]*\w\|(?:'|&apos;)[^<]*!", blob):
        found.add("links")  # a DDE formula in a sheet: =cmd|' /C calc'!A0
    if b"ddelink" in low or b"olelink" in low or b"dde-connection" in low:
        found.add("links")
    base = re.search(rb"<(?:\w+:)?HyperlinkBase>\s*([^<\s][^<]*)<", blob)
    if base and not _SHOWN.match(base.group(1)):
        found.add("links")  # every relative link of the file then points at that share
    if _ODF_LOADED.search(blob) or _VML_URL.search(blob):
        found.add("links")
    if name.endswith((".svg", ".htm", ".html")) and _MARKUP_SCRIPT.search(blob):
        found.add("scripts")
    return found


_W_NAMESPACES = (
    b"http://schemas.openxmlformats.org/wordprocessingml/2006/main",
    b"http://purl.oclc.org/ooxml/wordprocessingml/main",
    b"http://schemas.microsoft.com/office/word/2003/wordml",
)
_XMLNS = re.compile(rb"""xmlns:(\w+)\s*=\s*["']([^"']*)["']""")


def _word_object(blob: bytes) -> bool:
    """An embedded object (``<w:object>``) under whatever prefix the part binds to Word's
    namespace: ``<x:object>`` is the same element to Word (R2 #5, H36)."""
    prefixes = {b"w"} | {m.group(1) for m in _XMLNS.finditer(blob) if m.group(2) in _W_NAMESPACES}
    return any(re.search(rb"<" + re.escape(p) + rb":object\b", blob) for p in prefixes)


def _flat_office(blob: bytes, low: bytes) -> set[str]:
    """A whole Office document in one XML file (Flat OPC ``pkg:package`` or Word 2003 XML),
    which Word opens on a double-click through ``mso-application`` (R2 #5, H36): its parts'
    relationships and names are judged as a zip package's are."""
    found = _rels(blob)
    for m in re.finditer(rb"""pkg:name\s*=\s*["']([^"']*)["']""", blob):
        found |= _member_name(m.group(1).decode("latin-1").lower().lstrip("/"))
    if b"editdata.mso" in low:  # Word 2003 XML's macros, an ActiveMime blob
        found.add("macros")
    if b"oledata.mso" in low or b"<w:docoledata" in low:
        found.add("objects")
    template = re.search(rb"""<\w+:attachedTemplate\b[^>]*\bval\s*=\s*["']([^"']*)["']""", blob)
    if template:
        target = template.group(1).strip()
        if _ADDRESS.match(target) and not _LOCAL_DRIVE.match(target):
            found.add("links")
    return found


# --- legacy Office (OLE compound files) ----------------------------------------------------


def _ole(data: bytes, budget: _Budget) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others on broken files
        raise _Unchecked from exc
    try:
        streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=True)}
        book = next((s for s in ("Workbook", "Book") if ole.exists(s)), None)
        macro_sheet = book is not None and _xls_macro_sheet(ole, book, budget)
    finally:
        ole.close()
    if macro_sheet or any(
        s.startswith(("macros", "_vba_project_cur", "vba")) or "/vba/" in f"/{s}/" for s in streams
    ):
        return "macros"
    if any(s.startswith(("objectpool", "mbd")) or "\x01ole10native" in s for s in streams):
        return "objects"
    if "powerpoint document" in streams:
        # PowerPoint 97-2003 keeps its VBA and its embedded objects as records inside this
        # one stream, not as storages: not read here (R3 #6, H38)
        return "unchecked"
    wide = data.replace(b"\x00", b"")  # field codes are in the text: UTF-16 or a code page
    if re.search(rb"(?i)\b(?:INCLUDEPICTURE|INCLUDETEXT|DDEAUTO)\b", wide):
        return "links"
    return ""  # an encrypted package (EncryptedPackage) cannot be looked into: its password
    # is the department's; the Office needs the file to open it, and it is said as encrypted


def _xls_macro_sheet(ole: object, stream: str, budget: _Budget) -> bool:
    """Whether an .xls workbook's globals name an Excel 4.0 macro sheet (or a VBA module
    sheet): a BOUNDSHEET record (0x0085) whose sheet-type byte is 1 (or 6). Excel runs an
    Auto_Open macro sheet on opening, VBA or not (R2 #5, H36)."""
    size = min(ole.get_size(stream), MEMBER_MAX)  # type: ignore[attr-defined]
    budget.spend(size)
    with ole.openstream(stream) as f:  # type: ignore[attr-defined]
        book = f.read(size)
    pos = 0
    while pos + 4 <= len(book):
        rtype, length = (
            int.from_bytes(book[pos : pos + 2], "little"),
            int.from_bytes(book[pos + 2 : pos + 4], "little"),
        )
        body = book[pos + 4 : pos + 4 + length]
        if rtype == 0x0085 and len(body) >= 6 and body[5] in (1, 6):
            return True
        if rtype == 0x000A:  # EOF: the end of the globals, where every sheet is named
            return False
        pos += 4 + length
    if size < ole.get_size(stream):  # type: ignore[attr-defined]
        raise _Unchecked  # globals past the bound: the sheets cannot all be seen
    return False


# --- PDF ------------------------------------------------------------------------------------

_PDF_ESCAPED_NAME = re.compile(
    rb"/(?:[A-Za-z0-9_.+-]|#[0-9A-Fa-f]{2})*#[0-9A-Fa-f]{2}[^\s/<>\[\]()]*"
)
_PDF_FILTER = re.compile(rb"/Filter\s*(\[[^\]]*\]|/[A-Za-z0-9]+)")
_PDF_IMAGE = re.compile(rb"/Subtype\s*/Image\b")
#: an action run when the document or a page opens (or on another event), not on a click
_PDF_AUTO = re.compile(rb"/(?:OpenAction|AA)\b\s*")
_PDF_URI_ACTION = re.compile(rb"/S\s*/URI\b")
_PDF_REF = re.compile(rb"(\d+)\s+(\d+)\s+R\b")
_PDF_ACTION_TYPE = re.compile(rb"/S\s*/[A-Za-z]")
_PDF_PAGE = re.compile(rb"/Type\s*/Pages?\b")
_PDF_NEXT = re.compile(rb"/Next\s*")


def _unhash(chunk: bytes) -> bytes:
    """Names with ``#xx`` escapes written plainly (``/Open#41ction`` is ``/OpenAction``)."""
    if b"#" not in chunk:
        return chunk
    return _PDF_ESCAPED_NAME.sub(
        lambda m: re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m.group()),
        chunk,
    )


def _pdf_decode(head: bytes, raw: bytes, budget: _Budget) -> bytes | None:
    """The stream's bytes under its filter chain, or None when a filter is not read here."""
    m = _PDF_FILTER.search(head)
    filters = re.findall(rb"/([A-Za-z0-9]+)", m.group(1)) if m else [b"FlateDecode"]
    out = raw
    for f in filters:
        if f in (b"FlateDecode", b"Fl"):
            z = zlib.decompressobj()
            try:
                out = z.decompress(out, budget.bytes + 1)
            except zlib.error:
                return None
            budget.spend(len(out))
        elif f in (b"ASCIIHexDecode", b"AHx"):
            digits = re.sub(rb"\s", b"", out.split(b">", 1)[0])
            try:
                out = bytes.fromhex((digits + b"0" * (len(digits) % 2)).decode("ascii"))
            except ValueError:
                return None
        elif f in (b"ASCII85Decode", b"A85"):
            text = re.sub(rb"\s", b"", out.split(b"~>", 1)[0])
            try:
                out = base64.a85decode(text + b"~>", adobe=True)
            except ValueError:
                return None
        else:
            return None
    return out


def _pdf(data: bytes, budget: _Budget) -> str:
    """Names of actions and attachments in the file and in its decoded streams (object
    streams hide dictionaries), with ``#xx`` escapes undone (``/J#61vaScript``)."""
    chunks = [_unhash(data)]
    objstm: dict[int, bytes] = {}  # objects kept in object streams, by number
    for m in re.finditer(rb"(?<!end)stream\r?\n", data):
        start = m.end()
        head = _unhash(data[max(0, data.rfind(b" obj", 0, m.start())) : m.start()])
        is_objstm = b"/ObjStm" in head
        if is_objstm and b"/Predictor" in head:
            raise _Unchecked  # its rows carry predictor tags: names are not read (R3 #5)
        # a picture's samples: no names are read from them. A dictionary holding a string
        # is not trusted to be a picture's (a string can hide " obj" and the real start)
        if _PDF_IMAGE.search(head) and not is_objstm and b"(" not in head and b")" not in head:
            continue
        end = data.find(b"endstream", start)
        if end < 0:
            break
        decoded = _pdf_decode(head, data[start:end], budget)
        if decoded is None:
            if is_objstm:
                raise _Unchecked  # the objects it holds cannot be read here
            continue  # a picture or another filter: nothing to read as names
        decoded = _unhash(decoded)
        chunks.append(decoded)
        if is_objstm:
            objstm.update(_objstm_objects(head, decoded))
    names: set[bytes] = set()
    for chunk in chunks:
        names.update(_PDF_NAME.findall(chunk))
    if names & _PDF_SCRIPTS:
        return "scripts"
    if names & _PDF_OBJECTS:
        return "objects"
    if names & _PDF_LINKS:
        return "links"
    auto = b"/OpenAction" in names or b"/AA" in names
    if auto and any(_opens_address(c, chunks, objstm) for c in chunks):
        return "links"
    return ""


def _objstm_objects(head: bytes, text: bytes) -> dict[int, bytes]:
    first = re.search(rb"/First\s+(\d+)", head)
    if not first:
        return {}
    at = int(first.group(1))
    nums = [int(n) for n in re.findall(rb"\d+", text[:at])]
    pairs = list(zip(nums[::2], nums[1::2], strict=False))
    out: dict[int, bytes] = {}
    for i, (num, off) in enumerate(pairs):
        stop = at + pairs[i + 1][1] if i + 1 < len(pairs) else len(text)
        out[num] = text[at + off : stop]
    return out


def _opens_address(chunk: bytes, chunks: list[bytes], objstm: dict[int, bytes]) -> bool:
    """Whether an /OpenAction or /AA (an action run on opening, not on a click) goes to an
    address (/S /URI): the reader contacts it when the file opens. A link annotation's
    /URI, clicked by a person, is not one (R2 #5, H36)."""
    for m in _PDF_AUTO.finditer(chunk):
        value = chunk[m.end() : m.end() + 65536]
        if value.startswith(b"<<"):
            if _action_goes_out(_pdf_dict(value), chunks, objstm, 0):
                return True
        else:
            ref = re.match(_PDF_REF, value)
            if ref and _action_goes_out(_pdf_object(ref, chunks, objstm), chunks, objstm, 0):
                return True
    return False


def _pdf_dict(text: bytes) -> bytes:
    """The ``<< … >>`` dictionary ``text`` starts with, nested ones included."""
    level = 0
    for m in re.finditer(rb"<<|>>", text):
        level += 1 if m.group() == b"<<" else -1
        if level == 0:
            return text[: m.end()]
    return text


def _pdf_object(ref: re.Match[bytes], chunks: list[bytes], objstm: dict[int, bytes]) -> bytes:
    num, gen = int(ref.group(1)), int(ref.group(2))
    if num in objstm:
        return objstm[num]
    header = re.compile(rb"(?<!\d)%d\s+%d\s+obj\b" % (num, gen))
    for chunk in chunks:
        found = header.search(chunk)
        if found:
            stop = chunk.find(b"endobj", found.end())
            return chunk[found.end() : stop if stop >= 0 else found.end() + 65536]
    return b""


def _action_goes_out(
    action: bytes, chunks: list[bytes], objstm: dict[int, bytes], depth: int
) -> bool:
    """An action (or /AA dictionary of actions) that is, or refers to, or is followed by
    (/Next), a /URI action; three references deep at most.

    Only actions are followed: a GoTo's destination (a page) and the page's link
    annotations are what a person clicks, not what runs on opening (R3 #8, H38)."""
    is_action = _PDF_ACTION_TYPE.search(action) is not None and not _PDF_PAGE.search(action)
    if depth > 0 and not is_action:
        return False  # a destination array, a page: nothing runs from it
    if _PDF_URI_ACTION.search(action):
        return True
    if depth >= 3:
        return False
    follow = action  # an /AA dictionary (or a destination): each value may be an action
    if is_action:
        nxt = _PDF_NEXT.search(action)
        if nxt is None:
            return False
        follow = action[nxt.end() : nxt.end() + 65536]
        if follow.startswith(b"<<"):
            return _action_goes_out(_pdf_dict(follow), chunks, objstm, depth)
        end = follow.find(b"]") if follow.startswith(b"[") else -1
        ref = re.match(_PDF_REF, follow)
        follow = follow[: end + 1] if end >= 0 else (ref.group() if ref else b"")
    return any(
        _action_goes_out(_pdf_object(ref, chunks, objstm), chunks, objstm, depth + 1)
        for ref in _PDF_REF.finditer(follow[:65536])
    )


# --- RTF and markup -------------------------------------------------------------------------


def _rtf(data: bytes) -> str:
    if _RTF_OBJECT.search(data):
        return "objects"
    if _RTF_TEMPLATE.search(data):
        return "links"
    for m in _RTF_FIELD.finditer(data):
        if _FETCHING_FIELDS.search(_rtf_field_code(data, m.start())):
            return "links"
    return ""


_RTF_HEX = re.compile(rb"\\'([0-9a-fA-F]{2})")
_RTF_CONTROL = re.compile(rb"\\[a-zA-Z]+-?[0-9]*[ ]?|\\[^a-zA-Z]|[{}\r\n]")


def _rtf_field_code(data: bytes, start: int, limit: int = 20_000) -> bytes:
    """A field's instruction as Word reads it: the text of its ``\\fldinst`` group to the
    group's end (nested groups included), ``\\'hh`` escapes decoded, control words and
    braces dropped — ``INCL{}UDEPICTURE`` and ``\\'49NCLUDEPICTURE`` are INCLUDEPICTURE
    (review 3, item 7). Bounded: at most ``limit`` bytes are looked at."""
    depth, i, end = 0, start, min(len(data), start + limit)
    while i < end:
        ch = data[i]
        if ch == 0x5C:  # a backslash escapes the next byte (\{, \}, \\)
            i += 2
            continue
        if ch == 0x7B:
            depth += 1
        elif ch == 0x7D:
            depth -= 1
            if depth < 0:
                break
        i += 1
    code = _RTF_HEX.sub(lambda m: bytes([int(m.group(1), 16)]), data[start:i])
    return _RTF_CONTROL.sub(b"", code.replace(b"\\fldinst", b" "))


#: a character reference (decimal or hex); one for an ASCII character is read as it
_CHAR_REF = re.compile(rb"&#(?:[xX]([0-9a-fA-F]{1,6})|([0-9]{1,7}));?")
#: blanks after an attribute value's opening quote (a browser drops them from an address)
_QUOTE_BLANKS = re.compile(rb"(=\s*[\"'])[\x00-\x20]+")
#: a script address whose scheme a browser reads through tabs and line breaks
_SCRIPT_SCHEME = re.compile(rb"(?i)(?:java|vb)script:")
#: a <base> naming an address makes every relative address of the page remote
_BASE_REMOTE = re.compile(
    rb"(?i)<base\b[^>]*?\bhref\s*=\s*[\"']?(?!data:|cid:|#)(?:[a-z][a-z0-9+.-]*:|//|\\\\)"
)
#: an XML file that a viewer styles from an address
_XML_STYLESHEET = re.compile(
    rb"(?i)<\?xml-stylesheet\b[^>]*?\bhref\s*=\s*[\"']?(?:[a-z][a-z0-9+.-]*:|//|\\\\)"
)


def _as_read(data: bytes) -> bytes:
    """Markup as a browser reads its addresses: ASCII character references decoded
    (``&#104;ttp:``), blanks after a value's opening quote dropped (review 3, item 7)."""

    def char(m: re.Match[bytes]) -> bytes:
        n = int(m.group(1), 16) if m.group(1) else int(m.group(2))
        return bytes([n]) if 0 < n < 128 else m.group(0)

    return _QUOTE_BLANKS.sub(rb"\1", _CHAR_REF.sub(char, data))


def _markup(data: bytes) -> str:
    if len(data) > MEMBER_MAX:
        raise _Unchecked
    if _MARKUP_SCRIPT.search(data):
        return "scripts"
    data = _as_read(data)
    if _MARKUP_SCRIPT.search(data) or _SCRIPT_SCHEME.search(re.sub(rb"[\t\r\n]+", b"", data)):
        return "scripts"
    low = data[:4096].lower()
    if b"mso-application" in low or b"<pkg:package" in low:
        office = _first(_package_xml("flat.xml", data))  # Word opens it on a double-click
        if office:
            return office
    if _DTD.search(data):
        return "unchecked"
    if (
        _MARKUP_REMOTE.search(data)
        or _MARKUP_LOADED.search(data)
        or _BASE_REMOTE.search(data)
        or _XML_STYLESHEET.search(data)
        or _srcset_remote(data)
    ):
        return "links"
    return ""


def _srcset_remote(data: bytes) -> bool:
    """A ``srcset`` naming an address among its pictures (each is ``url [width]``)."""
    for m in _SRCSET.finditer(data):
        value = m.group(1) or m.group(2) or m.group(3) or b""
        for candidate in value.split(b","):
            url = candidate.strip().split(None, 1)[0] if candidate.strip() else b""
            if _REMOTE_URL.match(url):
                return True
    return False
