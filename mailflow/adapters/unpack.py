"""One parsed mail → the documents in it, each ok, needing conversion, quarantined or ignored.

Everything a department sends is kept (bytes are returned even for ignored and
quarantined items) but only what is safe to open goes on: a hostile file is decided
on bytes alone, in memory, before any library that could be tricked by it sees it.
Zip members are read with a hard cap on the bytes actually inflated (a zip's declared
sizes can lie), every XML part of an OOXML/ODF file is refused if it carries a DOCTYPE
(the door for entity bombs and external entities), macros and encryption are refused
because we cannot read them and must not run them. Nothing is written to disk here;
only the converter writes, into a temp folder of its own, under names it chooses.

``Extracted.reason`` is a message-catalogue key (``intake.unpack.*``) with ``params``.
"""

from __future__ import annotations

import contextlib
import io
import re
import zipfile
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from email import policy
from email.message import Message
from email.parser import BytesParser
from typing import Any

from mailflow.adapters import bytescan, docx_form, legacy_fonts, mail_parse, sanitize
from mailflow.adapters.convert import Converter
from mailflow.core.filenames import extension, name_problem, safe_name
from mailflow.core.reply_body import strip_reply

OK = "ok"
NEEDS_CONVERSION = "needs-conversion"
QUARANTINED = "quarantined"
IGNORED = "ignored"
#: reason of a document whose expensive reading (PDF text, OCR, LibreOffice, a workbook's
#: tables) waits for the deferred stage; its ``work`` param says which (:func:`finish`)
DEFERRED = "intake.unpack.deferred"

OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ZIP_MAGIC = b"PK\x03\x04"
_EMPTY_ZIP = b"PK\x05\x06"
_EXECUTABLE_EXT = frozenset(
    [
        "exe",
        "com",
        "bat",
        "cmd",
        "scr",
        "pif",
        "js",
        "jse",
        "vbs",
        "vbe",
        "wsf",
        "wsh",
        "ps1",
        "psm1",
        "msi",
        "msp",
        "hta",
        "cpl",
        "jar",
        "lnk",
        "reg",
        "dll",
        "sys",
        "app",
        "apk",
        "sh",
        "bash",
        "iso",
        "img",
        "vhd",
        "vhdx",
        "chm",
        "ocx",
        "gadget",
        "application",
    ]
)
_MACRO_EXT = frozenset({"docm", "dotm", "xlsm", "xltm", "pptm", "potm", "ppsm"})
_OOXML_WORD_EXT = frozenset({"docx", "dotx", "docm", "dotm"})
_OLE_WORD_EXT = frozenset({"doc", "dot", "wps"})
_ODF_EXT = frozenset({"odt", "ott", "fodt"})
_IMAGE_EXT = frozenset(
    ["jpg", "jpeg", "png", "gif", "bmp", "tif", "tiff", "webp", "heic", "emf", "wmf", "svg", "ico"]
)
_SHEET_EXT = frozenset({"xlsx", "xltx", "xls", "xlt", "ods", "ots", "fods"})
#: pictures Tesseract reads: photos and scans of pages
_OCR_EXT = frozenset({"jpg", "jpeg", "png", "tif", "tiff", "bmp", "webp", "gif"})
_OCR_TYPES = frozenset({"image/jpeg", "image/png", "image/tiff", "image/bmp", "image/webp"})
#: OCR output with fewer letters than this is noise from a picture, not a page
_OCR_MIN_LETTERS = 20
_DOCTYPE = re.compile(rb"<!\s*(doctype|entity)", re.IGNORECASE)


@dataclass(frozen=True)
class _Facts:
    """What the checks need from one inflated XML part, found by scanning it once each."""

    lt: int  # b"<" count: no part has more elements than that
    doctype: bool  # a DOCTYPE or ENTITY declaration (refused)
    active: bool  # something the sanitiser may have to change (sanitize.has_active)
    legacy: bool = False  # may name a TCVN3/VNI font (legacy_fonts.names_legacy)


#: A zip member as stored: its (method, compressed size, size, CRC) and its compressed
#: bytes. What is remembered of a member is found by the first (cheap to hash) and holds
#: only if the second is byte for byte the same: the part is inflated and CRC-checked from
#: exactly those bytes, so what was found in it is a function of them. Comparing bytes
#: costs a small fraction of digesting them, and no crafted collision can fool it.
_Meta = tuple[int, int, int, int]
_Key = tuple[_Meta, bytes]

#: facts of the parts met again: the same template parts (styles, themes, numbering,
#: often 90 % of a reply's XML) arrive in reply after reply. (stored bytes, facts) by meta.
_FACTS: dict[_Meta, tuple[bytes, _Facts]] = {}
_FACTS_MAX = 1024  # entries
_FACTS_MAX_BYTES = 8 * 1024 * 1024  # of stored bytes kept to compare with
_facts_bytes = 0
#: inflated bytes of the same parts, (stored bytes, part) by meta: a template part met
#: again is not inflated again (its CRC and size matched when it was first inflated).
#: Bounded in bytes (stored and inflated).
_PARTS: dict[_Meta, tuple[bytes, bytes]] = {}
_PARTS_MAX_BYTES = 16 * 1024 * 1024
_parts_bytes = 0


#: metas of the members met once: a member is remembered (bytes and facts) when it comes
#: AGAIN, so the parts every reply shares (styles, settings, fonts, numbering, theme,
#: relationships, the thumbnail: a dozen and more per .docx) are not inflated and scanned
#: reply after reply, while each reply's own text (its ``document.xml``, met once, however
#: large) is not kept: it would only push the template's parts out of the bounded memory.
#: (Another member of the same meta only makes one be remembered: it is compared then.)
_SEEN_ONCE: set[_Meta] = set()
_SEEN_MAX = 8192


def _recurring(key: _Key | None) -> bool:
    """Whether a member of this meta was met before (it is noted if not)."""
    if key is None:
        return False
    if key[0] in _SEEN_ONCE:
        return True
    if len(_SEEN_ONCE) >= _SEEN_MAX:
        _SEEN_ONCE.clear()  # bounded; a recurring part is simply noted again
    _SEEN_ONCE.add(key[0])
    return False


def _remembered(memory: dict[_Meta, tuple[bytes, Any]], key: _Key | None) -> Any:
    """What ``memory`` holds for exactly this stored member; None if nothing."""
    if key is None:
        return None
    entry = memory.get(key[0])
    if entry is None or entry[0] != key[1]:
        return None
    return entry[1]


def _remember_part(key: _Key | None, part: bytes) -> None:
    """Keep ``part`` for the member ``key`` (its stored bytes are kept with it)."""
    global _parts_bytes
    if key is None or len(part) > _PARTS_MAX_BYTES // 4:
        return
    size = len(part) + len(key[1])
    if _parts_bytes + size > _PARTS_MAX_BYTES:
        _PARTS.clear()  # bounded; the next few documents fill it again
        _parts_bytes = 0
    _PARTS[key[0]] = (key[1], part)
    _parts_bytes += size


def _member_key(data: bytes, info: zipfile.ZipInfo) -> _Key | None:
    """One member as stored (see ``_Meta``): the local header's data, method, sizes, CRC;
    None when the local header is odd (zipfile itself then says what is wrong)."""
    start = info.header_offset
    head = data[start : start + 30]
    if len(head) < 30 or head[:4] != b"PK\x03\x04":
        return None
    name_len = int.from_bytes(head[26:28], "little")
    encoding = "utf-8" if info.flag_bits & 0x800 else "cp437"
    if data[start + 30 : start + 30 + name_len] != info.orig_filename.encode(encoding, "replace"):
        return None  # local and central names differ: zipfile refuses it, let it say so
    start += 30 + name_len + int.from_bytes(head[28:30], "little")
    raw = data[start : start + info.compress_size]  # a copy: compared with ==, kept as is
    if len(raw) != info.compress_size:
        return None
    return (info.compress_type, info.compress_size, info.file_size, info.CRC), raw


def _part_facts(part: bytes, key: _Key | None = None) -> _Facts:
    """Facts of one XML part, remembered for the member ``key`` (not at all without it).

    ``key`` is given (after the inflate and its CRC check succeeded) for a member met
    before; its stored bytes are the same object ``_PARTS`` keeps, when it keeps it.
    """
    global _facts_bytes
    known: _Facts | None = _remembered(_FACTS, key)
    if known is not None:
        return known
    facts = _Facts(
        bytescan.count(part, b"<"),
        _has_doctype(part),
        sanitize.has_active(part),
        legacy_fonts.names_legacy(part),
    )
    if key is not None:
        if len(_FACTS) >= _FACTS_MAX or _facts_bytes + len(key[1]) > _FACTS_MAX_BYTES:
            _FACTS.clear()  # bounded; the next few documents fill it again
            _facts_bytes = 0
        _FACTS[key[0]] = (key[1], facts)
        _facts_bytes += len(key[1])
    return facts


#: a main part larger than this is not kept parsed for a later step (its tree would stay
#: in memory while the sanitiser reads the other parts): that step parses it again
_SHARED_TREE_MAX_BYTES = 4 * 1024 * 1024


class _MainTree:
    """The main part's tree that the well-formedness check built, for the ONE later step
    that would parse the very same bytes again.

    Why: the sanitiser (a part with fields, links or objects), the tracked-change step
    and the flattening (content controls, text boxes) each parse the main part when its
    bytes say they may have work; before, that was a second full parse of the largest
    part of the document (0.3 ms on average over the corpus documents). All four parse
    with the same options (no entities, no network, no DTD, no huge tree), so the tree is
    the one the step would build. Single use: the step that takes it may change it, so
    the next one parses its own (from the bytes that step produced, as before). Given
    only for the same bytes object it was parsed from.
    """

    __slots__ = ("raw", "root")

    def __init__(self, raw: bytes, root: Any) -> None:
        self.raw: bytes | None = raw
        self.root: Any = root

    def take(self, raw: bytes) -> Any:
        """The tree of ``raw`` (once; None after, or for any other bytes)."""
        if self.raw is None or raw is not self.raw:
            return None
        root, self.raw, self.root = self.root, None, None
        return root


@dataclass(frozen=True)
class Limits:
    """Caps that keep one mail from exhausting memory, disk or time."""

    max_file_bytes: int = 25 * 1024 * 1024
    max_total_bytes: int = 200 * 1024 * 1024  # all files of one mail, archives unpacked
    max_items: int = 200
    zip_max_entries: int = 500
    zip_max_inflated: int = 150 * 1024 * 1024  # bytes inflated from all archives of a mail
    zip_max_ratio: float = 100.0
    zip_ratio_min_bytes: int = 1024 * 1024  # ratio is judged on members larger than this
    max_depth: int = 3  # archives / forwarded messages inside each other
    pdf_max_pages: int = 500
    body_max_chars: int = 500_000
    xml_max_part_bytes: int = 32 * 1024 * 1024  # one decoded XML part of a .docx
    xml_max_elements: int = 1_000_000  # all XML elements of one .docx
    picture_max_pixels: int = 40_000_000  # larger pictures: downscaled or a placeholder
    pdf_timeout_seconds: float = 30.0  # reading one PDF's text (pdftotext), all pages
    pdf_max_text_bytes: int = 20_000_000  # text kept from one PDF
    ocr_max_pages: int = 20  # scanned pages recognised per document
    ocr_timeout_seconds: float = 300.0  # OCR of one document, all its pages
    #: share of a PDF page's characters that are not text (no Unicode map in its fonts)
    #: at or above which its text layer is garbage and the page goes to OCR
    pdf_garbled_share: float = 0.3
    image_min_side: int = 500  # pixels; a smaller picture is a logo or icon, not a page
    image_max_pixels: int = 60_000_000  # a larger picture is refused (decompression bomb)
    sheet_max_rows: int = 2000  # rows of one sheet copied into the draft
    sheet_max_cols: int = 50  # columns of one sheet copied into the draft
    sheet_timeout_seconds: float = 120.0  # LibreOffice converting one .xls/.ods


@dataclass(frozen=True)
class Extracted:
    ordinal: int
    name: str  # safe display name, never a path
    content_type: str
    data: bytes  # the original file as sent
    docx: bytes | None = None  # the .docx as sent or as converted
    text: str = ""  # plain text for PDF / body / .txt sources
    status: str = OK  # ok | needs-conversion | quarantined | ignored
    reason: str = ""  # message catalogue key, "intake.unpack.*"
    params: tuple[tuple[str, str], ...] = ()
    origin: str = ""  # where it came from: "", "zip:<name>", "forwarded", "winmail.dat"
    raw_name: str = ""  # the decoded name as the sender wrote it

    @property
    def is_document(self) -> bool:
        return self.status in (OK, NEEDS_CONVERSION) and (
            self.docx is not None or bool(self.text) or self.status == NEEDS_CONVERSION
        )


class _Hostile(Exception):
    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = tuple((k, str(v)) for k, v in params.items())


def _p(**params: object) -> tuple[tuple[str, str], ...]:
    return tuple((k, str(v)) for k, v in params.items())


class _Walker:
    def __init__(self, limits: Limits, defer: bool = False) -> None:
        self.limits = limits
        self.defer = defer  # expensive reading is left for :func:`finish`
        self.items: list[Extracted] = []
        self.pending: list[tuple[int, str]] = []  # (index in items, extension)
        self.total = 0
        self.inflated = 0
        self.documents = 0
        #: the main part's tree from the last ``ooxml_parts``, for ``word`` (see _MainTree)
        self.main_tree: _MainTree | None = None

    # --- adding items ---------------------------------------------------------------

    def add(
        self,
        name: str,
        ctype: str,
        data: bytes,
        status: str,
        reason: str = "",
        params: tuple[tuple[str, str], ...] = (),
        origin: str = "",
        raw_name: str = "",
        docx: bytes | None = None,
        text: str = "",
    ) -> int:
        if status in (OK, NEEDS_CONVERSION, QUARANTINED):
            self.documents += 1
        self.items.append(
            Extracted(
                len(self.items) + 1,
                name,
                ctype,
                data,
                docx,
                text,
                status,
                reason,
                params,
                origin,
                raw_name,
            )
        )
        return len(self.items) - 1

    def rollback(self, mark: int, documents: int) -> None:
        del self.items[mark:]
        self.pending = [(i, e) for i, e in self.pending if i < mark]
        self.documents = documents

    # --- a mail ---------------------------------------------------------------------

    def mail(self, msg: Message, depth: int, origin: str) -> None:
        before = self.documents
        plain: Message | None = None
        html: Message | None = None
        images: list[Message] = []
        for part in mail_parse.walk(msg):
            ctype = mail_parse.content_type(part)
            if ctype in (
                "message/delivery-status",
                "message/disposition-notification",
                "text/rfc822-headers",
                "message/rfc822-headers",
            ):
                continue
            if ctype == "message/rfc822":
                self.forwarded(part, depth, origin)
                continue
            raw_name = mail_parse.filename(part)
            disp = mail_parse.disposition(part)
            if ctype.startswith("image/"):
                images.append(part)  # decided below, once the HTML's cid: references are known
                continue
            if raw_name is None and disp != "attachment" and ctype in ("text/plain", "text/html"):
                if ctype == "text/plain" and plain is None:
                    plain = part
                elif ctype == "text/html" and html is None:
                    html = part
                continue
            if (
                raw_name is None
                and disp != "attachment"
                and ctype.startswith(("text/", "multipart/"))
            ):
                continue
            self.guarded(raw_name, ctype, mail_parse.payload_bytes(part), depth, origin)
        # An inline picture the HTML shows by cid: (logo, signature) is not report
        # content; a named one the body does not show is a photo sent inline: a file.
        shown = _cid_references(html)
        inline: list[Message] = []
        for part in images:
            cid = (part.get("Content-ID") or "").strip().strip("<>").lower()
            data = mail_parse.payload_bytes(part)
            if cid and cid in shown:
                inline.append(part)
            elif mail_parse.disposition(part) == "attachment" or (
                mail_parse.filename(part) and self.page_sized(data)
            ):
                self.guarded(
                    mail_parse.filename(part), mail_parse.content_type(part), data, depth, origin
                )
            else:
                inline.append(part)
        if self.documents == before:
            self.body(plain, html, origin)
        for part in inline:
            raw_name = mail_parse.filename(part) or ""
            self.add(
                safe_name(raw_name, "image"),
                mail_parse.content_type(part),
                mail_parse.payload_bytes(part),
                IGNORED,
                "intake.unpack.inline_image",
                origin=origin,
                raw_name=raw_name,
            )

    def page_sized(self, data: bytes) -> bool:
        """A picture large enough to be a photo or scan of a page (header read only)."""
        from mailflow.adapters import ocr

        try:
            info = ocr.image_info(data, self.limits.image_max_pixels)
        except ocr.ImageProblem:
            return False
        return min(info.width, info.height) >= self.limits.image_min_side

    def forwarded(self, part: Message, depth: int, origin: str) -> None:
        inner = part.get_payload() if part.is_multipart() else None  # leaf: see mail_parse.walk
        if depth + 1 > self.limits.max_depth:
            self.add(
                safe_name(mail_parse.filename(part), "forwarded.eml"),
                "message/rfc822",
                part.as_bytes() if hasattr(part, "as_bytes") else b"",
                QUARANTINED,
                "intake.unpack.too_deep",
                _p(depth=depth + 1),
                origin,
            )
            return
        if isinstance(inner, list) and inner and isinstance(inner[0], Message):
            self.mail(inner[0], depth + 1, "forwarded")

    def body(self, plain: Message | None, html: Message | None, origin: str) -> None:
        source = plain or html
        if source is None:
            return
        try:
            text = mail_parse.part_text(source)
        except Exception:  # an unreadable body is an empty body, never a crash
            text = ""
        if plain is not None and not text.strip() and html is not None:
            source, text = html, mail_parse.part_text(html)
        elif plain is not None and html is not None and self.html_has_table(html):
            source = html  # its tables survive only in the HTML alternative
        text = text[: self.limits.body_max_chars]
        kept = strip_reply(text)
        data = text.encode("utf-8", "surrogatepass")
        if source is html and html is not None and kept.strip() and self.html_body(html, origin):
            return
        if kept.strip():
            self.add(
                "body.txt", "text/plain", data, OK, "intake.unpack.body", origin=origin, text=kept
            )
        else:
            self.add(
                "body.txt", "text/plain", data, IGNORED, "intake.unpack.body_empty", origin=origin
            )

    def html_has_table(self, html: Message) -> bool:
        from mailflow.adapters.html_docx import has_data_table

        try:
            raw = mail_parse.decode_bytes(
                mail_parse.payload_bytes(html), mail_parse.param(html, "content-type", "charset")
            )
            return has_data_table(raw[: self.limits.body_max_chars])
        except Exception:  # a body lxml cannot read: the plain alternative
            return False

    def html_body(self, html: Message, origin: str) -> bool:
        """An HTML-only body as a .docx (headings, lists, tables kept); False when it
        cannot be built, and the plain-text reading is used instead."""
        from mailflow.adapters.html_docx import html_docx

        try:
            source = mail_parse.decode_bytes(
                mail_parse.payload_bytes(html), mail_parse.param(html, "content-type", "charset")
            )[: self.limits.body_max_chars]
            read: str = source
            legacy: tuple[tuple[str, str], ...] = ()
            if legacy_fonts.html_might_hold(source):  # typed in TCVN3/VNI fonts: Unicode
                read, legacy = legacy_fonts.html_to_unicode(source)
            docx, blocks = html_docx(
                read, max_rows=self.limits.sheet_max_rows, max_cols=self.limits.sheet_max_cols
            )
        except Exception:  # lxml / python-docx on a body no one foresaw: the text path
            return False
        if not blocks:
            return False
        self.add(
            "body.html",
            "text/html",
            source.encode("utf-8", "surrogatepass"),
            OK,
            "intake.unpack.body_html",
            legacy,
            origin=origin,
            docx=docx,
            text=read,
        )
        return True

    # --- one file -------------------------------------------------------------------

    def guarded(
        self, raw_name: str | None, ctype: str, data: bytes, depth: int, origin: str
    ) -> None:
        """Handle one file; whatever goes wrong becomes a quarantined item, never an error."""
        mark, documents = len(self.items), self.documents
        try:
            self.file(raw_name, ctype, data, depth, origin)
        except _Hostile as exc:
            self.rollback(mark, documents)
            self.add(
                safe_name(raw_name),
                ctype,
                data,
                QUARANTINED,
                exc.reason,
                exc.params,
                origin,
                raw_name or "",
            )
        except Exception as exc:  # a file that breaks a parser is quarantined, not fatal
            self.rollback(mark, documents)
            self.add(
                safe_name(raw_name),
                ctype,
                data,
                QUARANTINED,
                "intake.unpack.unreadable",
                _p(error=f"{type(exc).__name__}: {exc}"[:300]),
                origin,
                raw_name or "",
            )

    def file(self, raw_name: str | None, ctype: str, data: bytes, depth: int, origin: str) -> None:
        limits = self.limits
        name = safe_name(raw_name, _default_name(ctype))
        ext = extension(name)
        raw = raw_name or ""

        def add(
            status: str,
            reason: str,
            params: tuple[tuple[str, str], ...] = (),
            *,
            docx: bytes | None = None,
            text: str = "",
        ) -> int:
            return self.add(
                name, ctype, data, status, reason, params, origin, raw, docx=docx, text=text
            )

        problem = name_problem(raw) if raw else None
        if problem:
            add(QUARANTINED, "intake.unpack.bad_name", _p(problem=problem, name=raw[:200]))
            return
        if len(self.items) >= limits.max_items:
            add(QUARANTINED, "intake.unpack.too_many_files", _p(limit=limits.max_items))
            return
        if len(data) > limits.max_file_bytes:
            add(
                QUARANTINED,
                "intake.unpack.too_large",
                _p(size=len(data), limit=limits.max_file_bytes),
            )
            return
        if self.total + len(data) > limits.max_total_bytes:
            add(QUARANTINED, "intake.unpack.total_too_large", _p(limit=limits.max_total_bytes))
            return
        self.total += len(data)

        if (
            data[:2] == b"MZ"
            or data[:4] in (b"\x7fELF", b"\xcf\xfa\xed\xfe")
            or ext in _EXECUTABLE_EXT
        ):
            add(QUARANTINED, "intake.unpack.executable", _p(ext=ext or "?"))
            return
        if ext in _MACRO_EXT or "macroenabled" in ctype:
            add(QUARANTINED, "intake.unpack.macros", _p(where=ext or ctype))
            return
        kind = _kind(name, ext, ctype, data)
        if kind == "tnef":
            self.tnef(name, data, depth, origin, raw)
        elif kind == "eml":
            if depth + 1 > limits.max_depth:
                raise _Hostile("intake.unpack.too_deep", depth=depth + 1)
            inner = BytesParser(policy=policy.default).parsebytes(data)
            self.mail(inner, depth + 1, "forwarded")
        elif kind == "docx":
            if data[:8] == OLE_MAGIC:  # an encrypted .docx, or a .doc renamed
                self.queue(add, self.word_binary(data), data)
            else:
                docx, removed = self.word(data)
                add(OK, "intake.unpack.docx", removed, docx=docx)
        elif kind == "doc":
            self.queue(add, self.word_binary(data), data)
        elif kind == "odt":
            self.odf(data)
            self.queue(add, "odt", data)
        elif kind == "rtf":
            self.queue(add, "rtf", data)
        elif kind == "pdf":
            self.pdf(add, data)
        elif kind == "sheet":
            self.sheet(add, ext, data)
        elif kind == "zip":
            self.zip(name, data, depth, raw)
        elif kind == "txt":
            text = mail_parse.decode_bytes(data, None)
            if text.strip():
                add(OK, "intake.unpack.text_file", text=text)
            else:
                add(IGNORED, "intake.unpack.body_empty")
        elif kind == "image":
            self.image(add, ext, ctype, data)
        elif kind == "ole":
            self.word_binary(data)  # raises for encrypted / macro documents
            add(IGNORED, "intake.unpack.unsupported", _p(ext=ext or ctype))
        elif kind == "pk":
            # A zip under another name: a Word document or an archive.
            try:
                self.ooxml(data, word_required=True)
            except _Hostile as exc:
                if exc.reason != "intake.unpack.not_word":
                    raise
                self.zip(name, data, depth, raw)
                return
            docx, removed = self.word(data)
            add(OK, "intake.unpack.docx", removed, docx=docx)
        else:
            add(IGNORED, "intake.unpack.unsupported", _p(ext=ext or ctype))

    def queue(self, add: object, kind: str, data: bytes) -> None:
        assert callable(add)
        if kind == "docx":
            docx, removed = self.word(data)
            add(OK, "intake.unpack.docx", removed, docx=docx)
            return
        index = add(NEEDS_CONVERSION, "intake.unpack.no_converter")
        self.pending.append((index, kind))

    # --- containers -----------------------------------------------------------------

    def open_zip(self, data: bytes) -> zipfile.ZipFile:
        if data[:4] not in (ZIP_MAGIC, _EMPTY_ZIP):
            raise _Hostile("intake.unpack.not_zip")
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        infos = zf.infolist()
        limits = self.limits
        if len(infos) > limits.zip_max_entries:
            raise _Hostile(
                "intake.unpack.zip_entries", count=len(infos), limit=limits.zip_max_entries
            )
        declared = sum(i.file_size for i in infos)
        if self.inflated + declared > limits.zip_max_inflated:
            raise _Hostile("intake.unpack.zip_size", size=declared, limit=limits.zip_max_inflated)
        for info in infos:
            if info.flag_bits & 0x1:
                raise _Hostile("intake.unpack.encrypted", where=info.filename[:100])
            if info.file_size > limits.zip_ratio_min_bytes and (
                info.file_size > limits.zip_max_ratio * max(info.compress_size, 1)
            ):
                raise _Hostile(
                    "intake.unpack.zip_ratio",
                    ratio=int(info.file_size / max(info.compress_size, 1)),
                    limit=int(limits.zip_max_ratio),
                )
        return zf

    def known_member(self, info: zipfile.ZipInfo, key: _Key | None) -> bytes | None:
        """A part inflated before from the very same stored bytes (``_PARTS``), under the
        same budgets as :meth:`read_member`; None when not seen before."""
        part: bytes | None = _remembered(_PARTS, key)
        if part is None:
            return None
        if len(part) > self.limits.zip_max_inflated - self.inflated:
            raise _Hostile(
                "intake.unpack.zip_size", size=len(part), limit=self.limits.zip_max_inflated
            )
        if info.file_size > self.limits.zip_ratio_min_bytes and (
            len(part) > self.limits.zip_max_ratio * max(info.compress_size, 1)
        ):
            raise _Hostile(
                "intake.unpack.zip_ratio",
                ratio=int(len(part) / max(info.compress_size, 1)),
                limit=int(self.limits.zip_max_ratio),
            )
        self.inflated += len(part)
        return part

    def read_member(self, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
        """Inflate one member, stopping as soon as it exceeds what it declared or our budget.

        Only stored and deflated members are read: the stdlib bounds what one read of a
        bzip2 or LZMA member inflates only after the fact (a few hundred bytes can grow by
        hundreds of megabytes in one step), and no Word, LibreOffice or zip tool a
        department uses writes them.
        """
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
            raise _Hostile(
                "intake.unpack.zip_method", name=info.filename[:100], method=info.compress_type
            )
        allowance = min(info.file_size, self.limits.zip_max_inflated - self.inflated)
        try:
            with zf.open(info) as fh:
                data = fh.read(allowance + 1)
        except (
            zipfile.BadZipFile,
            OSError,
            EOFError,
            ValueError,
            NotImplementedError,
            RuntimeError,
        ) as exc:  # zlib.error is an Exception subclass of its own
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        except Exception as exc:
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        if len(data) > allowance:
            raise _Hostile(
                "intake.unpack.zip_size", size=len(data), limit=self.limits.zip_max_inflated
            )
        self.inflated += len(data)
        if info.file_size > self.limits.zip_ratio_min_bytes and (
            len(data) > self.limits.zip_max_ratio * max(info.compress_size, 1)
        ):
            raise _Hostile(
                "intake.unpack.zip_ratio",
                ratio=int(len(data) / max(info.compress_size, 1)),
                limit=int(self.limits.zip_max_ratio),
            )
        return data

    def word(self, data: bytes) -> tuple[bytes, tuple[tuple[str, str], ...]]:
        """A .docx checked, then sanitised into the form the draft uses (see ``sanitize``).

        Returns the sanitised bytes (``data`` itself when nothing had to go) and what was
        removed, as ``removed_<kind>`` params recorded with the document. Each part is
        inflated once: the checks, the sanitiser and the tracked-change step share it.
        """
        members, facts = self.ooxml_parts(data, word_required=True)
        shared, self.main_tree = self.main_tree, None
        parsed = shared.take if shared is not None else None
        limits = self.limits
        bounds = sanitize.Bounds(
            xml_max_part_bytes=limits.xml_max_part_bytes,
            xml_max_elements=limits.xml_max_elements,
            picture_max_pixels=limits.picture_max_pixels,
        )
        quiet = frozenset(name for name, f in facts.items() if not f.active)
        try:
            result = sanitize.sanitize(data, bounds, members, quiet, parsed)
        except sanitize.Refused as exc:
            raise _Hostile(exc.reason, **exc.params) from None
        # tracked changes accepted: deleted text never reads as report text; then text
        # boxes, content controls and customXml wrappers made flat (docx_read)
        from mailflow.adapters.docx_read import accept_revisions, flatten_form

        parts = dict(members) if result.docx is data else None  # same bytes: no unzip
        try:
            accepted, changes = accept_revisions(result.docx, parts, parsed)
            flat, _, prompts = flatten_form(accepted, parts if accepted is data else None, parsed)
        except Exception as exc:  # lxml / zip errors on a part the checks let through
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        params = result.params
        if changes:
            params = (*params, ("revisions_accepted", str(changes)))
        if prompts:  # unfilled content controls: their template prompts are not report text
            params = (*params, ("placeholders_dropped", str(prompts)))
        if any(f.legacy and legacy_fonts.may_decide(n) for n, f in facts.items()):
            # a TCVN3/VNI font is named: the runs typed in it become Unicode
            try:
                flat, legacy = legacy_fonts.to_unicode(flat, parts if flat is data else None)
            except Exception as exc:  # lxml / zip errors on a part the checks let through
                raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
            params = (*params, *legacy)
        return flat, params

    def ooxml(self, data: bytes, word_required: bool) -> bytes:
        """Check an Office Open XML package; return it unchanged when it is safe to read."""
        self.ooxml_parts(data, word_required)
        self.main_tree = None  # nothing here reads it again
        return data

    def ooxml_parts(
        self, data: bytes, word_required: bool
    ) -> tuple[list[tuple[str, bytes]], dict[str, _Facts]]:
        """Check an Office Open XML package (see ``ooxml``); return what the checks read.

        (name as stored, inflated bytes) of every member in zip order, and the facts of
        each XML part by lower-case name, for the sanitiser to use instead of reading again.
        """
        if data[:8] == OLE_MAGIC:
            kind = self.word_binary(data)  # raises "encrypted" for protected .docx
            raise _Hostile("intake.unpack.not_zip", detail=kind)
        if not data:
            raise _Hostile("intake.unpack.empty")
        zf = self.open_zip(data)
        names = {i.filename.lower(): i for i in zf.infolist()}
        _one_member_per_name(zf.infolist(), len(names))
        for info in zf.infolist():
            bad = name_problem(info.filename)
            if bad:
                raise _Hostile("intake.unpack.bad_member", problem=bad, name=info.filename[:100])
            low = info.filename.lower()
            if low.rsplit("/", 1)[-1] in ("vbaproject.bin", "vbadata.xml") or low.endswith(
                "activex.bin"
            ):
                raise _Hostile("intake.unpack.macros", where=info.filename)
        types = names.get("[content_types].xml")
        main = "word/document.xml"
        rels = names.get("_rels/.rels")
        contents: dict[str, bytes] = {}
        facts: dict[str, _Facts] = {}
        members: list[tuple[str, bytes]] = []
        for info in zf.infolist():
            low = info.filename.lower()
            if low.endswith((".xml", ".rels", ".vml")) or info is types:
                if info.file_size > self.limits.xml_max_part_bytes:  # judged before inflating
                    raise _Hostile(
                        "intake.unpack.xml_too_large",
                        part=info.filename[:100],
                        size=info.file_size,
                        limit=self.limits.xml_max_part_bytes,
                    )
                key = _member_key(data, info)
                part = self.known_member(info, key)
                if part is None:
                    part = self.read_member(zf, info)
                    if not _recurring(key):
                        key = None  # a part met once: scanned, not remembered
                    _remember_part(key, part)
                facts[low] = _part_facts(part, key)
                if facts[low].doctype:
                    raise _Hostile("intake.unpack.doctype", part=info.filename)
                contents[low] = part
            else:  # read (CRC check: truncated members fail here) or met before, same bytes
                key = _member_key(data, info)
                part = self.known_member(info, key)
                if part is None:
                    part = self.read_member(zf, info)
                    if _recurring(key):
                        _remember_part(key, part)
            members.append((info.filename, part))
        if (
            types is not None
            and b"macroenabled" in contents.get(types.filename.lower(), b"").lower()
        ):
            raise _Hostile("intake.unpack.macros", where="[Content_Types].xml")
        if rels is not None:
            m = re.search(
                rb'Type="[^"]*/officeDocument"[^>]*Target="/?([^"]+)"',
                contents.get("_rels/.rels", b""),
            )
            m = m or re.search(
                rb'Target="/?([^"]+)"[^>]*Type="[^"]*/officeDocument"',
                contents.get("_rels/.rels", b""),
            )
            if m:
                main = m.group(1).decode("utf-8", "replace").lower()
        if main not in contents:
            raise _Hostile("intake.unpack.not_word", part=main)
        if (
            word_required
            and b"wordprocessingml" not in contents[main][:4000]
            and not main.startswith("word/")
        ):
            raise _Hostile("intake.unpack.not_word", part=main)
        self.count_elements(contents, main, facts)  # streamed: also says when main is not XML
        self.main_tree = None
        root = _well_formed(contents[main], main)
        if len(contents[main]) <= _SHARED_TREE_MAX_BYTES:
            self.main_tree = _MainTree(contents[main], root)
        return members, facts

    def count_elements(
        self, contents: dict[str, bytes], main: str, facts: dict[str, _Facts] | None = None
    ) -> None:
        """All XML elements of the package, streamed, against one budget per document.

        The "<" counts already known bound the elements from above: when their sum is
        within the budget (every ordinary document) nothing is counted again.
        """
        limit = self.limits.xml_max_elements
        if facts is not None and sum(facts[name].lt for name in contents) <= limit:
            return
        left = limit
        for name, part in contents.items():
            try:
                left -= sanitize.count_elements(part, name, left)
            except sanitize.Refused as exc:
                if exc.reason == "intake.unpack.damaged" and name != main:
                    continue  # a broken side part: the sanitiser and the draft skip it
                if exc.reason == "intake.unpack.xml_elements":
                    raise _Hostile(exc.reason, part=name[:100], limit=limit) from None
                raise _Hostile(exc.reason, **exc.params) from None

    def odf(self, data: bytes) -> None:
        if data[:4] != ZIP_MAGIC:
            if data[:5] == b"<?xml":  # flat ODF (.fodt)
                if _has_doctype(data):
                    raise _Hostile("intake.unpack.doctype", part="fodt")
                return
            raise _Hostile("intake.unpack.not_zip")
        zf = self.open_zip(data)
        _one_member_per_name(zf.infolist())
        for info in zf.infolist():
            low = info.filename.lower()
            if low.startswith(("basic/", "scripts/")):
                raise _Hostile("intake.unpack.macros", where=info.filename)
            part = self.read_member(zf, info)
            if low.endswith(".xml") and _has_doctype(part):
                raise _Hostile("intake.unpack.doctype", part=info.filename)
            if low == "meta-inf/manifest.xml" and b"encryption-data" in part:
                raise _Hostile("intake.unpack.encrypted", where="manifest.xml")

    def word_binary(self, data: bytes) -> str:
        """Kind of a legacy Word file to convert ("doc"/"rtf"/"docx"); raise when hostile."""
        if data[:5] == b"{\\rtf":
            return "rtf"
        if data[:4] == ZIP_MAGIC:
            return "docx"
        with _ole_checked(data) as (ole, streams):
            if "worddocument" not in streams:
                raise _Hostile("intake.unpack.not_word_binary")
            fib = ole.openstream("WordDocument").read(32)
            if len(fib) >= 12 and int.from_bytes(fib[10:12], "little") & 0x0100:
                raise _Hostile("intake.unpack.encrypted", where="WordDocument")
        return "doc"

    def pdf(self, add: Callable[..., int], data: bytes) -> None:
        """A PDF's text (poppler, bounded); pages with no text layer through OCR.

        The text becomes the document's docx form (one paragraph per line) here, once:
        matching and the draft read that, never the PDF again.
        """
        if self.defer:
            add(NEEDS_CONVERSION, DEFERRED, _p(work="pdf"))
            return
        from mailflow.adapters import ocr
        from mailflow.adapters import pdf as pdf_text

        limits = self.limits
        try:
            got = pdf_text.extract_text(
                data,
                max_pages=limits.pdf_max_pages,
                timeout=limits.pdf_timeout_seconds,
                max_bytes=limits.pdf_max_text_bytes,
            )
        except pdf_text.PdfProblem as exc:
            raise _Hostile(exc.reason, **dict(exc.params)) from None
        pages = list(got.pages)
        params: dict[str, object] = {"pages": got.page_count}
        if got.page_count > len(pages) or got.capped:
            params["read"] = len(pages)
        # a text layer of garbage (fonts with no Unicode map) is no text: the page goes to OCR
        garbled = [
            n
            for n, text in enumerate(pages, start=1)
            if pdf_text.garbled_share(text) >= limits.pdf_garbled_share
        ]
        for n in garbled:
            pages[n - 1] = ""
        if garbled:
            params["garbled_pages"] = len(garbled)
        blank = [n for n, text in enumerate(pages, start=1) if len(text.strip()) < 3]
        recognised: list[int] = []
        missing = ""
        if blank:
            state = ocr.status()
            if state.ok:
                todo = blank[: limits.ocr_max_pages]
                if len(todo) < len(blank):
                    params["ocr_skipped"] = len(blank) - len(todo)
                try:
                    done = ocr.pdf_pages(data, todo, timeout=limits.ocr_timeout_seconds)
                except ocr.OcrTimeout as exc:
                    done = exc.done
                    params["ocr_timeout"] = int(limits.ocr_timeout_seconds)
                except OSError as exc:
                    done = {}
                    params["ocr_error"] = str(exc)[:200]
                for n, text in done.items():
                    if _letters(text) >= _OCR_MIN_LETTERS:
                        pages[n - 1] = text
                        recognised.append(n)
            else:
                missing = state.detail
        text = "\n".join(p.strip() for p in pages if p.strip())
        if not text.strip():
            if missing:
                add(NEEDS_CONVERSION, "intake.unpack.needs_ocr", _p(**params, detail=missing))
            else:
                add(OK, "intake.unpack.pdf_no_text", _p(**params))
            return
        if missing:
            params["no_text_pages"] = len(blank)
            params["detail"] = missing
        if recognised:
            params.update(ocr=1, ocr_pages=len(recognised))
        add(
            OK,
            "intake.unpack.pdf_ocr" if recognised else "intake.unpack.pdf",
            _p(**params),
            docx=docx_form.paragraphs_docx(text.splitlines()),
            text=text,
        )

    def image(self, add: Callable[..., int], ext: str, ctype: str, data: bytes) -> None:
        """A picture attachment: a photo or scan of a page is read with OCR; a small
        picture (logo, icon) or one with no text is kept and ignored."""
        from mailflow.adapters import ocr

        limits = self.limits
        if ext not in _OCR_EXT and not (not ext and ctype in _OCR_TYPES):
            add(IGNORED, "intake.unpack.image", _p(ext=ext or ctype))
            return
        try:
            info = ocr.image_info(data, limits.image_max_pixels)
        except ocr.ImageProblem as exc:
            raise _Hostile("intake.unpack.damaged", error=str(exc)) from None
        if min(info.width, info.height) < limits.image_min_side:
            add(IGNORED, "intake.unpack.image_small", _p(width=info.width, height=info.height))
            return
        if self.defer:
            add(NEEDS_CONVERSION, DEFERRED, _p(work="image"))
            return
        state = ocr.status()
        if not state.ok:
            add(NEEDS_CONVERSION, "intake.unpack.needs_ocr", _p(pages=1, detail=state.detail))
            return
        try:
            text = ocr.image_text(
                data, timeout=limits.ocr_timeout_seconds, max_pixels=limits.image_max_pixels
            )
        except ocr.OcrTimeout:
            add(
                NEEDS_CONVERSION,
                "intake.unpack.needs_ocr",
                _p(pages=1, detail=f"timeout {int(limits.ocr_timeout_seconds)} s"),
            )
            return
        except (OSError, ocr.ImageProblem) as exc:
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        if _letters(text) < _OCR_MIN_LETTERS:
            add(IGNORED, "intake.unpack.image_no_text", _p(ext=ext or ctype))
            return
        add(
            OK,
            "intake.unpack.image_ocr",
            _p(ocr=1, ocr_pages=1),
            docx=docx_form.paragraphs_docx(text.splitlines()),
            text=text,
        )

    def sheet(self, add: Callable[..., int], ext: str, data: bytes) -> None:
        """.xlsx read here; .xls/.ods checked, then converted to .xlsx at the end."""
        if ext not in _SHEET_EXT:  # found by its declared type: the bytes say which
            ext = "xls" if data[:8] == OLE_MAGIC else "xlsx"
        if ext in ("xlsx", "xltx"):
            self.ooxml(data, word_required=False)
            if self.defer:
                add(NEEDS_CONVERSION, DEFERRED, _p(work=f"sheet:{ext}"))
                return
            docx = self.sheet_docx(data)
            if docx is None:
                add(IGNORED, "intake.unpack.sheet_empty")
            else:
                add(OK, "intake.unpack.sheet", docx=docx)
            return
        if ext in ("ods", "ots", "fods"):
            self.odf(data)
        else:
            self.sheet_binary(data)
        index = add(NEEDS_CONVERSION, "intake.unpack.no_converter")
        self.pending.append((index, f"sheet:{ext}"))

    def sheet_docx(self, xlsx: bytes) -> bytes | None:
        """The Word tables of a workbook's sheets; None when no sheet holds data."""
        from mailflow.adapters import sheets

        limits = sheets.SheetLimits(self.limits.sheet_max_rows, self.limits.sheet_max_cols)
        try:
            found = sheets.read_xlsx(xlsx, limits)
        except sheets.SheetProblem as exc:
            raise _Hostile("intake.unpack.damaged", error=str(exc)) from None
        if not found:
            return None
        return sheets.sheets_docx(found, limits)

    def sheet_binary(self, data: bytes) -> None:
        """Refuse a legacy Excel file that is encrypted, carries macros or is no workbook."""
        with _ole_checked(data) as (_, streams):
            if not {"workbook", "book"} & streams:
                raise _Hostile("intake.unpack.not_word_binary")

    def zip(self, name: str, data: bytes, depth: int, raw: str) -> None:
        if depth + 1 > self.limits.max_depth:
            raise _Hostile("intake.unpack.too_deep", depth=depth + 1)
        zf = self.open_zip(data)
        for info in zf.infolist():
            if info.is_dir():
                continue
            member = _member_name(info)
            base = member.replace("\\", "/").rsplit("/", 1)[-1]
            if (
                member.startswith("__MACOSX/")
                or base in (".DS_Store", "Thumbs.db")
                or base.startswith("~$")
            ):
                continue
            bad = name_problem(member)
            if bad:
                self.add(
                    safe_name(member),
                    "application/octet-stream",
                    b"",
                    QUARANTINED,
                    "intake.unpack.bad_member",
                    _p(problem=bad, name=member[:100]),
                    f"zip:{name}",
                    member,
                )
                continue
            content = self.read_member(zf, info)
            self.guarded(member, _guess_type(member), content, depth + 1, f"zip:{name}")

    def tnef(self, name: str, data: bytes, depth: int, origin: str, raw: str) -> None:
        import tnefparse

        if depth + 1 > self.limits.max_depth:
            raise _Hostile("intake.unpack.too_deep", depth=depth + 1)
        try:
            parsed = tnefparse.TNEF(data)
        except Exception as exc:  # tnefparse raises ValueError, struct.error, ...
            raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
        found = False
        for att in parsed.attachments:
            try:
                att_name = att.long_filename() or att.name
            except Exception:  # names in odd code pages
                att_name = att.name
            if isinstance(att_name, bytes):
                att_name = mail_parse.guess_decode(att_name)
            att_name = (att_name or "").rstrip("\x00")
            payload = att.data if isinstance(att.data, bytes) else b""
            self.guarded(att_name, _guess_type(att_name), payload, depth + 1, "winmail.dat")
            found = True
        if not found:
            self.add(
                name,
                "application/ms-tnef",
                data,
                IGNORED,
                "intake.unpack.tnef_empty",
                origin=origin,
                raw_name=raw,
            )


_BY_EXT = {
    **dict.fromkeys(_OOXML_WORD_EXT, "docx"),
    **dict.fromkeys(_OLE_WORD_EXT, "doc"),
    **dict.fromkeys(_ODF_EXT, "odt"),
    **dict.fromkeys(_IMAGE_EXT, "image"),
    **dict.fromkeys(_SHEET_EXT, "sheet"),
    "rtf": "rtf",
    "pdf": "pdf",
    "zip": "zip",
    "eml": "eml",
    "txt": "txt",
    "text": "txt",
}
_BY_TYPE = (
    ("wordprocessingml", "docx"),
    ("application/msword", "doc"),
    ("application/vnd.ms-word", "doc"),
    ("opendocument.text", "odt"),
    ("spreadsheetml", "sheet"),
    ("opendocument.spreadsheet", "sheet"),
    ("ms-excel", "sheet"),
    ("rtf", "rtf"),
    ("application/pdf", "pdf"),
    ("zip", "zip"),
    ("message/rfc822", "eml"),
    ("ms-tnef", "tnef"),
    ("text/plain", "txt"),
    ("image/", "image"),
)


def _one_member_per_name(infos: list[zipfile.ZipInfo], distinct: int = -1) -> None:
    """Refuse a document package holding two members of one name (case aside: part names
    are case-insensitive). Readers disagree on which one counts (Python's zipfile takes
    the last, others the first), so what was checked and what the Office reads could
    differ. ``distinct``: the count of lower-cased names when the caller has it."""
    if distinct < 0:
        distinct = len({i.filename.lower() for i in infos})
    if distinct == len(infos):
        return
    seen: set[str] = set()
    for info in infos:
        low = info.filename.lower()
        if low in seen:
            raise _Hostile("intake.unpack.duplicate_member", name=info.filename[:100])
        seen.add(low)


@contextlib.contextmanager
def _ole_checked(data: bytes) -> Iterator[tuple[Any, set[str]]]:
    """Open a legacy Office (OLE) file and refuse it when it is encrypted or carries
    macros: the checks every binary Word or Excel file gets before conversion. Yields the
    open file and its lower-cased stream paths for the caller's own kind check."""
    if data[:8] != OLE_MAGIC:
        raise _Hostile("intake.unpack.not_word_binary")
    import olefile

    try:
        ole = olefile.OleFileIO(io.BytesIO(data))
    except Exception as exc:  # olefile raises OSError and others on broken files
        raise _Hostile("intake.unpack.damaged", error=str(exc)[:200]) from None
    try:
        streams = {"/".join(s).lower() for s in ole.listdir(streams=True, storages=True)}
        if {"encryptioninfo", "encryptedpackage"} & streams:
            raise _Hostile("intake.unpack.encrypted", where="EncryptionInfo")
        if any(s.startswith(("macros", "_vba_project_cur", "vba")) for s in streams):
            raise _Hostile("intake.unpack.macros", where="VBA")
        yield ole, streams
    finally:
        ole.close()


def _kind(name: str, ext: str, ctype: str, data: bytes) -> str:
    """What to do with a file: its extension decides (clients mislabel types more often
    than people misname files), then the declared type, then the first bytes."""
    if name.lower() == "winmail.dat":
        return "tnef"
    if ext in _BY_EXT:
        return _BY_EXT[ext]
    if ext in ("", "dat", "bin", "tmp", "att") or ctype == "application/octet-stream":
        for marker, kind in _BY_TYPE:
            if marker in ctype:
                return kind
        if data[:5] == b"%PDF-":
            return "pdf"
        if data[:5] == b"{\\rtf":
            return "rtf"
        if data[:8] == OLE_MAGIC:
            return "ole"
        if data[:4] == ZIP_MAGIC:
            return "pk"
        return "other"
    for marker, kind in _BY_TYPE:
        if marker in ctype and kind in ("tnef", "eml"):
            return kind
    if data[:8] == OLE_MAGIC:
        return "ole"  # an unknown extension: still refuse encrypted / macro containers
    return "other"


_CID = re.compile(r"cid:([^\s\"'>)]+)", re.IGNORECASE)


def _cid_references(html: Message | None) -> set[str]:
    """Content-IDs an HTML body shows (``src="cid:..."``), lower-case."""
    if html is None:
        return set()
    try:
        raw = mail_parse.payload_bytes(html)
    except Exception:  # an unreadable body shows nothing
        return set()
    return {m.group(1).lower() for m in _CID.finditer(raw.decode("utf-8", "replace"))}


def _letters(text: str) -> int:
    return sum(1 for ch in text if ch.isalpha())


def _has_doctype(part: bytes) -> bool:
    # the pattern starts with the literal "<!": where it is absent the regex cannot match
    if bytescan.contains(part, b"<!") and _DOCTYPE.search(part):
        return True
    if part[:2] in (b"\xff\xfe", b"\xfe\xff") or part[:4] in (b"<\x00?\x00", b"\x00<\x00?"):
        for enc in (
            ("utf-16",) if part[:2] in (b"\xff\xfe", b"\xfe\xff") else ("utf-16-le", "utf-16-be")
        ):
            try:
                if _DOCTYPE.search(part.decode(enc, "ignore").encode("utf-8")):
                    return True
            except UnicodeError:
                continue
    return False


def _well_formed(part: bytes, name: str) -> Any:
    """The part's root element; raises "damaged" when it is not well-formed XML."""
    from lxml import etree

    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, huge_tree=False, load_dtd=False
    )
    try:
        return etree.fromstring(part, parser)
    except etree.XMLSyntaxError as exc:
        raise _Hostile("intake.unpack.damaged", error=f"{name}: {exc}"[:200]) from None


def _member_name(info: zipfile.ZipInfo) -> str:
    """Zip member names are UTF-8 only when flagged; otherwise recover the bytes and guess."""
    if info.flag_bits & 0x800:
        return info.filename
    try:
        raw = info.filename.encode("cp437")
    except UnicodeEncodeError:
        return info.filename
    return mail_parse.guess_decode(raw)


def _guess_type(name: str) -> str:
    ext = extension(name)
    return {
        "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        "doc": "application/msword",
        "pdf": "application/pdf",
        "zip": "application/zip",
        "odt": "application/vnd.oasis.opendocument.text",
        "rtf": "application/rtf",
        "txt": "text/plain",
        "eml": "message/rfc822",
    }.get(ext, "application/octet-stream")


def _default_name(ctype: str) -> str:
    ext = {
        "application/pdf": "pdf",
        "application/msword": "doc",
        "application/zip": "zip",
        "text/plain": "txt",
        "message/rfc822": "eml",
    }.get(ctype)
    if "wordprocessingml" in ctype:
        ext = "docx"
    return f"attachment.{ext}" if ext else "attachment"


def extract(
    msg: Message,
    limits: Limits | None = None,
    converter: Converter | None = None,
    defer: bool = False,
) -> list[Extracted]:
    """All files of one mail (and the body when it carries no document), in order.

    Never raises on mail content: every decision ends in an item with a status and a
    reason. Legacy formats are converted in ONE batch per mail at the end. ``defer``:
    PDF text, OCR, LibreOffice conversions and workbook tables are NOT done here; such a
    document is returned checked (what can be judged cheaply on its bytes) but unread,
    status needs-conversion with reason :data:`DEFERRED`, for :func:`finish` to complete
    off the path of ordinary mail.
    """
    walker = _Walker(limits or Limits(), defer)
    try:
        walker.mail(msg, 0, "")
    except Exception as exc:  # a structure no parser expected: keep what we have, say so
        walker.add(
            "mail",
            "message/rfc822",
            b"",
            QUARANTINED,
            "intake.unpack.unreadable",
            _p(error=f"{type(exc).__name__}: {exc}"[:300]),
        )
    items = walker.items
    if walker.pending and defer:
        for index, work in walker.pending:
            items[index] = replace(items[index], reason=DEFERRED, params=_p(work=work))
    elif walker.pending:
        _convert(walker, converter)
    return [replace(item, ordinal=i) for i, item in enumerate(items, start=1)]


def is_deferred(item: Extracted) -> bool:
    """A document whose expensive reading was left for :func:`finish`."""
    return item.status == NEEDS_CONVERSION and item.reason == DEFERRED


def finish(
    items: Sequence[Extracted], limits: Limits | None = None, converter: Converter | None = None
) -> list[Extracted]:
    """Do the expensive reading ``extract(..., defer=True)`` left undone, in place.

    Each deferred item (its ``work`` param: pdf, image, sheet:<ext>, or a LibreOffice
    kind) is read exactly as :func:`extract` would have read it, conversions in one batch
    for all of them; other items are returned as they are. Never raises on content: a
    hostile or unreadable file becomes a quarantined item with its reason, as in a mail.
    """
    walker = _Walker(limits or Limits())
    slots: list[tuple[int, int]] = []  # (index in items, index in walker.items)
    for n, item in enumerate(items):
        if not is_deferred(item):
            continue
        mark = len(walker.items)
        work = dict(item.params).get("work", "")
        _finish_one(walker, item, work)
        if len(walker.items) != mark + 1:  # a walker method added nothing or too much
            del walker.items[mark:]
            walker.add(
                item.name,
                item.content_type,
                item.data,
                QUARANTINED,
                "intake.unpack.unreadable",
                _p(error=f"deferred work {work!r} gave no result"),
            )
        slots.append((n, mark))
    if walker.pending:
        _convert(walker, converter)
    out = list(items)
    for n, index in slots:
        done = walker.items[index]
        out[n] = replace(
            done, ordinal=items[n].ordinal, origin=items[n].origin, raw_name=items[n].raw_name
        )
    return out


def _finish_one(walker: _Walker, item: Extracted, work: str) -> None:
    """One deferred item through the walker step it skipped (hostile: quarantined)."""
    name, ctype, data = item.name, item.content_type, item.data

    def add(
        status: str,
        reason: str,
        params: tuple[tuple[str, str], ...] = (),
        *,
        docx: bytes | None = None,
        text: str = "",
    ) -> int:
        return walker.add(name, ctype, data, status, reason, params, docx=docx, text=text)

    try:
        if work == "pdf":
            walker.pdf(add, data)
        elif work == "image":
            walker.image(add, extension(name), ctype, data)
        elif work.startswith("sheet:"):
            walker.sheet(add, work.split(":", 1)[1], data)
        else:  # a LibreOffice kind (doc, odt, rtf): checked at intake, converted in a batch
            index = add(NEEDS_CONVERSION, "intake.unpack.no_converter")
            walker.pending.append((index, work))
    except _Hostile as exc:
        add(QUARANTINED, exc.reason, exc.params)
    except Exception as exc:  # a file that breaks a parser is quarantined, not fatal
        add(QUARANTINED, "intake.unpack.unreadable", _p(error=f"{type(exc).__name__}: {exc}"[:300]))


def _conversion_failed(item: Extracted, why: str | Exception) -> Extracted:
    """A converted file that could not be taken waits, kept, with the reason: the
    converter's words, a refusal's reason key, or the error a parser raised."""
    if isinstance(why, _Hostile):
        error = why.reason
    elif isinstance(why, Exception):
        error = f"{type(why).__name__}: {why}"
    else:
        error = why
    return replace(item, reason="intake.unpack.conversion_failed", params=_p(error=error[:300]))


def _convert(walker: _Walker, converter: Converter | None) -> None:
    items = walker.items
    if converter is None or not converter.available():
        return
    sheets = [(i, e) for i, e in walker.pending if e.startswith("sheet:")]
    if sheets:
        _convert_sheets(walker, converter, sheets)
        walker.pending = [(i, e) for i, e in walker.pending if not e.startswith("sheet:")]
        if not walker.pending:
            return
    batch: Sequence[tuple[str, bytes]] = [(ext, items[i].data) for i, ext in walker.pending]
    try:
        results = converter.to_docx(batch)
    except Exception as exc:  # the converter failing leaves the files waiting, not lost
        results = [f"{type(exc).__name__}: {exc}"] * len(batch)
    for (index, _ext), result in zip(walker.pending, results, strict=False):
        item = items[index]
        if isinstance(result, bytes):
            checker = _Walker(walker.limits)
            try:
                docx, removed = checker.word(result)
            except Exception as exc:  # hostile, or a parser broke on the converted bytes
                items[index] = _conversion_failed(item, exc)
                continue
            items[index] = replace(
                item, status=OK, docx=docx, reason="intake.unpack.converted", params=removed
            )
        else:
            items[index] = _conversion_failed(item, str(result))


def _convert_sheets(
    walker: _Walker, converter: Converter, pending: Sequence[tuple[int, str]]
) -> None:
    """.xls/.ods → .xlsx (LibreOffice, sandboxed) → checked → Word tables."""
    from mailflow.adapters import sheets

    soffice = getattr(converter, "soffice", "")
    items = walker.items
    for index, kind in pending:
        item = items[index]
        if not soffice:
            continue  # a converter that only knows Word: the sheet waits, kept
        result = sheets.to_xlsx(
            soffice, kind.split(":", 1)[1], item.data, walker.limits.sheet_timeout_seconds
        )
        if isinstance(result, str):
            items[index] = _conversion_failed(item, result)
            continue
        checker = _Walker(walker.limits)
        try:
            checker.ooxml(result, word_required=False)
            docx = checker.sheet_docx(result)
        except Exception as exc:  # hostile, or a parser broke on the converted bytes
            items[index] = _conversion_failed(item, exc)
            continue
        if docx is None:
            items[index] = replace(item, status=IGNORED, reason="intake.unpack.sheet_empty")
            continue
        items[index] = replace(item, status=OK, docx=docx, reason="intake.unpack.sheet_converted")
