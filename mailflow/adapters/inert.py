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

import io
import re
import zipfile
import zlib

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
_INSTR = re.compile(
    rb"<w:(?:instrText|delInstrText)\b[^>]*>([^<]*)<|w:instr=\"([^\"]*)\"|w:instr='([^']*)'"
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
_RTF_OBJECT = re.compile(rb"\\(?:object|objdata|objautlink|objlink|objupdate)\b")
_RTF_TEMPLATE = re.compile(rb"\\\*\s*\\template\b")
_RTF_FIELD = re.compile(rb"\\fldinst\b(.{0,400})", re.DOTALL)


class _Unchecked(Exception):
    """The file could not be read within the bounds."""


def active_content(name: str, data: bytes) -> str:
    """The kind of active content ``data`` (a file called ``name``) holds, or "".

    One of ``KINDS``; "unchecked" when the file cannot be read within the bounds. Never
    raises: one odd file is one withheld attachment, never a failed draft.
    """
    try:
        ext = name.lower().rsplit(".", 1)[-1] if "." in name else ""
        if ext in _RUNNABLE or data[:2] == b"MZ" or data[:4] == b"\x7fELF" or data[:2] == b"#!":
            return "programs"
        if ext in _ARCHIVES or data.startswith(_ARCHIVE_MAGICS) or data[257:262] == b"ustar":
            return "unchecked"  # an archive no reader here opens: what it holds is unknown
        if data[:4] == ZIP_MAGIC or zipfile.is_zipfile(io.BytesIO(data)):
            return _zip(data)
        if data[:8] == OLE_MAGIC:
            return _ole(data)
        if b"%PDF-" in data[:1024]:
            return _pdf(data)
        if data.lstrip()[:5] == b"{\\rtf":
            return _rtf(data)
        head = data[:4096].lower()
        if ext in ("htm", "html", "xhtml", "xht", "svg", "xml", "xsl", "xslt", "shtml") or any(
            m in head for m in (b"<html", b"<svg", b"<!doctype", b"<?xml", b"<script")
        ):
            return _markup(data)
        return ""
    except _Unchecked:
        return "unchecked"
    except Exception:  # a reader's own error on a broken file: not checked, not sent
        return "unchecked"


# --- zip packages: Office Open XML, OpenDocument, plain archives --------------------------


def _zip(data: bytes) -> str:
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise _Unchecked from exc
    infos = zf.infolist()
    if len(infos) > MEMBERS_MAX:
        raise _Unchecked
    names = [i.filename for i in infos]
    folded = [n.replace("\\", "/").lower() for n in names]
    if len(set(folded)) != len(folded):
        return "unchecked"  # two members of one name: readers disagree on which counts
    found: set[str] = set()
    budget = TOTAL_MAX
    for info, low in zip(infos, folded, strict=True):
        if low.startswith("/") or ".." in low.split("/") or ":" in low:
            return "unchecked"
        if info.flag_bits & 0x1:
            return "unchecked"  # an encrypted member cannot be looked into
        base = low.rsplit("/", 1)[-1]
        ext = base.rsplit(".", 1)[-1] if "." in base else ""
        if "vbaproject" in base or "vbadata" in base or low.startswith(("basic/", "scripts/")):
            found.add("macros")
        if ext in _RUNNABLE and not low.endswith((".xml", ".rels")):
            found.add("programs")
        if "/activex/" in f"/{low}" or "/embeddings/" in f"/{low}" or base.startswith("oleobject"):
            found.add("objects")
        if info.is_dir() or not low.endswith((".xml", ".rels", ".vml", ".svg", ".htm", ".html")):
            continue
        if info.file_size > MEMBER_MAX or info.file_size > budget:
            raise _Unchecked
        blob = _read_member(zf, info)
        budget -= len(blob)
        found |= _package_xml(low, blob)
    for kind in KINDS:
        if kind in found:
            return kind
    return ""


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


def _package_xml(name: str, blob: bytes) -> set[str]:
    found: set[str] = set()
    if _DTD.search(blob):
        found.add("unchecked")
    low = blob.lower()
    if b"macroenabled" in low or b"vbaproject" in low or b"script:event-listener" in low:
        found.add("macros")
    if name.endswith(".rels"):
        for tag in _REL.findall(blob):
            attrs = {m.group(1): m.group(2) or m.group(3) or b"" for m in _ATTR.finditer(tag)}
            rtype = attrs.get(b"Type", b"").rsplit(b"/", 1)[-1].lower()
            if rtype in (b"oleobject", b"package", b"control", b"afchunk", b"activexcontrolbinary"):
                found.add("objects")
            if attrs.get(b"TargetMode", b"") != b"External":
                continue
            target = attrs.get(b"Target", b"").strip()
            if rtype == b"hyperlink" and (_SHOWN.match(target) or not _ADDRESS.match(target)):
                continue  # a link a person clicks, shown by Word before it goes anywhere
            if rtype == b"attachedtemplate" and _LOCAL_DRIVE.match(target):
                continue  # the author's own Normal.dotm: a path on the reader's own disk
            found.add("links")
        return found
    if b"altchunk" in low or b"<w:object" in low or b"<o:oleobject" in low:
        found.add("objects")
    instr = b" ".join(b"".join(g for g in m.groups() if g) for m in _INSTR.finditer(blob))
    if instr and _FETCHING_FIELDS.search(instr.replace(b"&quot;", b'"')):
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


# --- legacy Office (OLE compound files) ----------------------------------------------------


def _ole(data: bytes) -> str:
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others on broken files
        raise _Unchecked from exc
    try:
        streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=True)}
    finally:
        ole.close()
    if any(
        s.startswith(("macros", "_vba_project_cur", "vba")) or "/vba/" in f"/{s}/" for s in streams
    ):
        return "macros"
    if any(s.startswith(("objectpool", "mbd")) or "\x01ole10native" in s for s in streams):
        return "objects"
    wide = data.replace(b"\x00", b"")  # field codes are in the text: UTF-16 or a code page
    if re.search(rb"(?i)\b(?:INCLUDEPICTURE|INCLUDETEXT|DDEAUTO)\b", wide):
        return "links"
    return ""  # an encrypted package (EncryptedPackage) cannot be looked into: its password
    # is the department's; the Office needs the file to open it, and it is said as encrypted


# --- PDF ------------------------------------------------------------------------------------


def _pdf(data: bytes) -> str:
    """Names of actions and attachments in the file and in its inflated streams (object
    streams hide dictionaries), with ``#xx`` escapes undone (``/J#61vaScript``)."""
    names: set[bytes] = set()
    budget = TOTAL_MAX

    def scan(chunk: bytes) -> None:
        for m in _PDF_NAME.findall(chunk):
            if b"#" in m:
                m = re.sub(rb"#([0-9A-Fa-f]{2})", lambda h: bytes([int(h.group(1), 16)]), m)
            names.add(m)

    scan(data)
    for m in re.finditer(rb"(?<!end)stream\r?\n", data):
        start = m.end()
        head = data[max(0, data.rfind(b" obj", 0, m.start())) : m.start()]
        if b"/Image" in head:
            continue  # a picture's samples: no names are read from them
        end = data.find(b"endstream", start)
        if end < 0:
            break
        z = zlib.decompressobj()
        try:
            inflated = z.decompress(data[start:end], budget + 1)
        except zlib.error:
            continue  # not Flate (a picture, another filter): nothing to read as names
        budget -= len(inflated)
        if budget < 0:
            raise _Unchecked
        scan(inflated)
    if names & _PDF_SCRIPTS:
        return "scripts"
    if names & _PDF_OBJECTS:
        return "objects"
    if names & _PDF_LINKS:
        return "links"
    return ""


# --- RTF and markup -------------------------------------------------------------------------


def _rtf(data: bytes) -> str:
    if _RTF_OBJECT.search(data):
        return "objects"
    if _RTF_TEMPLATE.search(data):
        return "links"
    for m in _RTF_FIELD.finditer(data):
        if _FETCHING_FIELDS.search(m.group(1)):
            return "links"
    return ""


def _markup(data: bytes) -> str:
    if len(data) > MEMBER_MAX:
        raise _Unchecked
    if _MARKUP_SCRIPT.search(data):
        return "scripts"
    if _DTD.search(data):
        return "unchecked"
    if _MARKUP_REMOTE.search(data):
        return "links"
    return ""
