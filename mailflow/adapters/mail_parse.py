"""Raw mail bytes → :class:`ParsedMail`: headers decoded, names readable, never a crash.

Departments reply from every client there is, so nothing here trusts the input to be
well formed: the parser is the compat32 one (tolerant, records defects instead of
raising, and several times faster than ``policy.default``, whose header objects are
built for every header touched), and every header is decoded from its RAW value by our
own code, because reading a malformed header through the policy's header objects can
raise, and because file names arrive in forms the standard library does not all handle:
RFC 2231 with continuations and a charset Python may not know (VISCII), RFC 2047 encoded
words *inside* quotes (as webmail writes them), raw 8-bit UTF-8 or windows-1258. Every
name ends NFC.
"""

from __future__ import annotations

import base64
import binascii
import codecs
import contextlib
import re
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from email import feedparser
from email.message import Message
from email.parser import Parser
from email.policy import Compat32
from email.utils import getaddresses, parsedate_to_datetime
from typing import TYPE_CHECKING
from urllib.parse import unquote_to_bytes

from mailflow.core.identify import DsnRecipient, MailHeaders, normalize_msgid

if TYPE_CHECKING:
    from _typeshed import ReadableBuffer

try:  # a dependency (pyproject.toml); without it the stdlib decodes every body, slower
    import pybase64 as _pybase64
except ImportError:  # pragma: no cover - an environment installed before it was added
    _pybase64 = None  # type: ignore[assignment]

BODY_TEXT_CAP = 20_000

# --- VISCII (RFC 1456): Python ships no codec for it ---------------------------------
# Bytes 0x80-0xFF, then the six C0 positions VISCII reuses for capital letters.
_VISCII_HIGH = (
    "ẠẮẰẶẤẦẨẬẼẸẾỀỂỄỆỐ"  # 0x80
    "ỒỔỖỘỢỚỜỞỊỎỌỈỦŨỤỲ"  # 0x90
    "Õắằặấầẩậẽẹếềểễệố"  # 0xA0
    "ồổỗỠƠộờởịỰỨỪỬơớƯ"  # 0xB0
    "ÀÁÂÃẢĂẳẵÈÉÊẺÌÍĨỳ"  # 0xC0
    "ĐứÒÓÔạỷừửÙÚỹỵÝỡư"  # 0xD0
    "àáâãảăữẫèéêẻìíĩỉ"  # 0xE0
    "đựòóôõỏọụùúũủýợỮ"  # 0xF0
)
_VISCII_LOW = {0x02: "Ẳ", 0x05: "Ẵ", 0x06: "Ẫ", 0x14: "Ỷ", 0x19: "Ỹ", 0x1E: "Ỵ"}
_VISCII_DECODE = "".join(_VISCII_LOW.get(i, chr(i)) for i in range(128)) + _VISCII_HIGH
_VISCII_ENCODE = codecs.charmap_build(_VISCII_DECODE)
VIETNAMESE_LETTERS = frozenset(_VISCII_HIGH) | frozenset(_VISCII_LOW.values())


class _VisciiCodec(codecs.Codec):
    def encode(self, input: str, errors: str = "strict") -> tuple[bytes, int]:
        return codecs.charmap_encode(input, errors, _VISCII_ENCODE)

    def decode(self, input: ReadableBuffer, errors: str = "strict") -> tuple[str, int]:
        return codecs.charmap_decode(input, errors, _VISCII_DECODE)


def _viscii_search(name: str) -> codecs.CodecInfo | None:
    if name.replace("-", "").replace("_", "").replace(".", "").lower() not in (
        "viscii",
        "viscii111",
        "csviscii",
        "viscii11",
    ):
        return None
    codec = _VisciiCodec()
    return codecs.CodecInfo(name="viscii", encode=codec.encode, decode=codec.decode)


codecs.register(_viscii_search)


# --- decoding text whose charset is declared, wrong or missing ------------------------


def _badness(text: str) -> int:
    """How un-Vietnamese a decoded string looks: odd symbols and stray marks cost."""
    text = unicodedata.normalize("NFC", text)
    bad = 0
    for ch in text:
        if ch.isascii():
            bad += 3 if (ord(ch) < 32 and ch not in "\t\r\n") else 0
        elif ch in VIETNAMESE_LETTERS:
            continue
        elif unicodedata.combining(ch) or not ch.isalpha():
            bad += 2
        else:
            bad += 1
    return bad


def guess_decode(data: bytes) -> str:
    """Bytes of unknown charset → text: UTF-8, else the likelier of windows-1258 / VISCII."""
    try:
        return unicodedata.normalize("NFC", data.decode("utf-8"))
    except UnicodeDecodeError:
        pass
    best: tuple[int, int, str] | None = None
    for rank, charset in enumerate(("cp1258", "viscii", "cp1252")):
        text = data.decode(charset, errors="replace")
        score = (_badness(text) + 5 * text.count("\ufffd"), rank, text)
        if best is None or score < best:
            best = score
    assert best is not None
    return unicodedata.normalize("NFC", best[2])


def decode_bytes(data: bytes, charset: str | None) -> str:
    """Decode with the declared charset when Python knows it, else guess; always NFC."""
    cs = (charset or "").strip().strip('"').lower()
    if cs in ("", "us-ascii", "ascii", "unknown-8bit", "x-unknown", "8bit", "default"):
        return guess_decode(data)
    if cs in ("windows-1258", "cp-1258", "x-cp1258"):
        cs = "cp1258"
    try:
        text = data.decode(cs)
    except (LookupError, UnicodeDecodeError, ValueError, TypeError):
        # unknown or hostile charset names (fuzzing found one with a NUL in it)
        return guess_decode(data)
    return unicodedata.normalize("NFC", text)


_ESCAPED_BYTE = re.compile("[\udc80-\udcff]")  # a raw byte, as surrogateescape keeps it


def _recover_8bit(text: str) -> str:
    """Headers with raw 8-bit bytes arrive as surrogate escapes: re-decode those bytes."""
    if text.isascii() or not _ESCAPED_BYTE.search(text):
        return text
    try:
        return guess_decode(text.encode("utf-8", "surrogateescape"))
    except UnicodeEncodeError:  # a surrogate no byte stands for: clean_text replaces it
        return text


_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_text(text: str) -> str:
    """THE cleaning every mail-derived string gets before it can reach the state.

    Raw 8-bit bytes (``Message-ID: <báo-cáo@qlkh>`` written unencoded, latin-1 names)
    arrive from the parser as surrogate escapes, and a hostile charset name
    (``unicode_escape``) can decode to lone surrogates: SQLite cannot store either and
    raises inside the commit. Escaped bytes are re-decoded as their likeliest text, any
    surrogate left becomes U+FFFD, and the result is NFC, so the same header always
    reads the same way whichever field (Message-ID, subject, name, file name) it is.
    """
    if not text or text.isascii():  # no escaped byte, no surrogate, already NFC
        return text or ""
    text = _SURROGATE.sub("\ufffd", _recover_8bit(text))
    return unicodedata.normalize("NFC", text)


_EW = re.compile(r"=\?([^?\s]+)\?([bBqQ])\?([^?]*)\?=")


def _ew_bytes(kind: str, payload: str) -> bytes:
    if kind.lower() == "b":
        clean = re.sub(r"[^A-Za-z0-9+/]", "", payload)
        clean += "=" * (-len(clean) % 4)
        try:
            return base64.b64decode(clean)
        except (ValueError, TypeError):
            return payload.encode("ascii", "replace")
    raw = payload.replace("_", " ").encode("utf-8", "surrogateescape")
    return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)


def decode_words(text: str) -> str:
    """Decode RFC 2047 encoded words anywhere (also inside quotes, as webmail writes them).

    Adjacent words of one charset are joined as BYTES before decoding, because senders
    split multi-byte UTF-8 characters across words.
    """
    text = _recover_8bit(text)
    if "=?" not in text:
        return clean_text(text)
    out: list[str] = []
    pos = 0
    pending: tuple[str, bytearray] | None = None
    for m in _EW.finditer(text):
        between = text[pos : m.start()]
        charset = m.group(1).split("*", 1)[0]
        if pending and not between.strip() and pending[0].lower() == charset.lower():
            pending[1].extend(_ew_bytes(m.group(2), m.group(3)))
        else:
            if pending:
                out.append(decode_bytes(bytes(pending[1]), pending[0]))
                pending = None
            if not (out and not between.strip() and pos > 0):
                out.append(between)
            pending = (charset, bytearray(_ew_bytes(m.group(2), m.group(3))))
        pos = m.end()
    if pending:
        out.append(decode_bytes(bytes(pending[1]), pending[0]))
    out.append(text[pos:])
    return clean_text("".join(out))


_FOLD = re.compile(r"\r?\n(?=[ \t])")


def _unfold(value: object) -> str:
    text = str(value)
    return (_FOLD.sub("", text) if "\n" in text else text).strip()


def raw_header(part: Message, name: str) -> str | None:
    """First raw value of header ``name``, unfolded, without any policy parsing."""
    wanted = name.lower()
    for key, value in part.raw_items():
        if key.lower() == wanted:
            return _unfold(value)
    return None


def raw_headers(part: Message) -> Iterator[tuple[str, str]]:
    for key, value in part.raw_items():
        yield key.lower(), _unfold(value)


# --- Content-Type / Content-Disposition parameters, RFC 2231 --------------------------


def _pieces_by_char(value: str) -> list[str]:
    """``value`` cut at each ";" outside quotes, one character at a time (a backslash in
    quotes escapes the next character); the fast paths of :func:`split_params` match it."""
    pieces: list[str] = []
    cur: list[str] = []
    quoted = escaped = False
    for ch in value:
        if escaped:
            cur.append(ch)
            escaped = False
        elif ch == "\\" and quoted:
            cur.append(ch)
            escaped = True
        elif ch == '"':
            quoted = not quoted
            cur.append(ch)
        elif ch == ";" and not quoted:
            pieces.append("".join(cur))
            cur = []
        else:
            cur.append(ch)
    pieces.append("".join(cur))
    return pieces


def split_params(value: str) -> tuple[str, list[tuple[str, str]]]:
    """ "type/sub; a=1; b=\"x;y\"" → ("type/sub", [("a", "1"), ("b", "x;y")])."""
    if '"' not in value:  # nothing quoted, so nothing escaped: every ";" splits
        pieces = value.split(";")
    elif "\\" not in value:  # quotes but no escape: every ";" between quoted runs splits
        # (the loop below, without its escape state, on whole runs: text before the first
        # '"' and after each closing one is outside quotes; every '"' stays in its piece)
        pieces = [""]
        for index, run in enumerate(value.split('"')):
            if index:
                pieces[-1] += '"'
            if index % 2:  # inside quotes (an unclosed quote runs to the end)
                pieces[-1] += run
            else:
                first, *rest = run.split(";")
                pieces[-1] += first
                pieces.extend(rest)
    else:
        pieces = _pieces_by_char(value)
    main = pieces[0].strip()
    params: list[tuple[str, str]] = []
    for piece in pieces[1:]:
        if "=" not in piece:
            continue
        key, _, val = piece.partition("=")
        val = val.strip()
        if len(val) >= 2 and val[0] == '"' and val[-1] == '"':
            val = val[1:-1]
            if "\\" in val:  # an escaped character (nothing to unescape without one)
                val = re.sub(r"\\(.)", r"\1", val)
        elif val.startswith('"'):
            val = val[1:]
        params.append((key.strip().lower(), val))
    return main, params


def _rfc2231(params: list[tuple[str, str]], name: str) -> str | None:
    """Join ``name*``, ``name*0*``, ``name*1`` … and decode with their charset."""
    segments: dict[int, tuple[bool, str]] = {}
    for key, val in params:
        m = re.fullmatch(re.escape(name) + r"\*(?:(\d+)(\*)?)?", key)
        if not m:
            continue
        if m.group(1) is None:
            segments.setdefault(0, (True, val))
        else:
            segments.setdefault(int(m.group(1)), (bool(m.group(2)), val))
    if not segments:
        return None
    charset = ""
    data = bytearray()
    for index in sorted(segments):
        encoded, val = segments[index]
        if encoded and index == min(segments) and val.count("'") >= 2:
            charset, _lang, val = val.split("'", 2)
        if encoded:  # raw 8-bit bytes arrive as surrogates: keep them as the bytes they were
            data.extend(unquote_to_bytes(val.encode("utf-8", "surrogateescape")))
        else:
            data.extend(val.encode("utf-8", "surrogateescape"))
    text = decode_bytes(bytes(data), charset or None)
    return decode_words(text) if "=?" in text else text


def param(part: Message, header: str, name: str) -> str | None:
    raw = raw_header(part, header)
    if raw is None:
        return None
    _, params = split_params(raw)
    value = _rfc2231(params, name)
    if value is not None:
        return value
    for key, val in params:
        if key == name:
            return decode_words(val)
    return None


def filename(part: Message) -> str | None:
    """The file name as the sender meant it (decoded, NFC) — a display string, never a path."""
    for header, name in (("content-disposition", "filename"), ("content-type", "name")):
        value = param(part, header, name)
        if value and value.strip():
            return clean_text(value.strip())
    return None


_MEDIA_TYPE = re.compile(r"[a-z0-9!#$&^_.+-]+/[a-z0-9!#$&^_.+-]+")


def content_type(part: Message) -> str:
    raw = raw_header(part, "content-type")
    if not raw:
        parent_default = part.get_default_type() if hasattr(part, "get_default_type") else ""
        return parent_default or "text/plain"
    # the type alone: when no quote comes before the first ";", it ends there (no ";"
    # and no quote: all of it), as split_params says
    semi, quote = raw.find(";"), raw.find('"')
    if quote < 0 or 0 <= semi < quote:
        main = raw[:semi] if semi >= 0 else raw
    else:
        main = split_params(raw)[0]
    main = main.strip().lower().replace(" ", "")
    return main if _MEDIA_TYPE.fullmatch(main) else "text/plain"


def disposition(part: Message) -> str:
    raw = raw_header(part, "content-disposition")
    return split_params(raw)[0].lower() if raw else ""


# --- body text ----------------------------------------------------------------------


def _clean_base64(part: Message) -> bytes | None:
    """The body of a base64 leaf whose text is clean base64, decoded by pybase64; None
    for any other part (the stdlib decodes it, as before).

    Why: a reply's attachment is ~700 lines of base64, and the stdlib's decode
    (``get_payload(decode=True)``: a regex validation, then a byte-at-a-time decode) was
    a tenth of a reply's analysis; pybase64's SIMD decode is about five times faster. It
    is used only where the stdlib's own first attempt succeeds, with the same result and
    no defect: an ASCII payload without surrogates whose lines joined are whole quads of
    the alphabet with at most the final padding (``email._encoded_words.decode_b`` with
    ``validate=True``). Anything else — bad characters, missing padding, other
    encodings — falls through to the stdlib, which records its defects as it always did.
    """
    if _pybase64 is None or part.is_multipart():
        return None
    if str(part.get("content-transfer-encoding", "")).lower() != "base64":
        return None
    # the payload as parsed, as the stdlib's own decode reads it: NOT get_payload(), which
    # first decodes raw 8-bit bytes with the part's charset (an EBCDIC charset turns them
    # into ASCII letters that would read as base64 the stdlib never decodes)
    payload = getattr(part, "_payload", None)
    if not isinstance(payload, str):
        return None
    try:
        # the lines joined: bytes.splitlines cuts only at \r and \n, so deleting those is
        # the same join, in one pass instead of a list of ~700 lines
        joined = payload.encode("ascii").translate(None, b"\r\n")
    except UnicodeEncodeError:  # raw 8-bit bytes (surrogates) or wider text: the stdlib's path
        return None
    if len(joined) % 4:
        return None
    try:
        return _pybase64.b64decode(joined, validate=True)
    except binascii.Error:
        return None


def payload_bytes(part: Message) -> bytes:
    """Decoded payload of a leaf part; b"" when there is none or it cannot be decoded."""
    fast = _clean_base64(part)
    if fast is not None:
        return fast
    try:
        data = part.get_payload(decode=True)
    except Exception:  # defective encodings must not stop intake
        data = None
    if isinstance(data, bytes):
        return data
    try:
        raw = part.get_payload()
    except (LookupError, ValueError):  # a charset name the codec lookup rejects (NUL)
        return b""
    if isinstance(raw, str):
        return raw.encode("utf-8", "surrogateescape")
    return b""


def part_text(part: Message) -> str:
    """Text of a text/* part in its declared charset, guessing when that is wrong."""
    text = decode_bytes(payload_bytes(part), param(part, "content-type", "charset"))
    if content_type(part) == "text/html":
        return html_to_text(text)
    return text


_QUOTE_CLASSES = (
    "gmail_quote",
    "gmail_extra",
    "moz-cite-prefix",
    "yahoo_quoted",
    "OutlookMessageHeader",
    "protonmail_quote",
)


def html_to_text(html: str) -> str:
    """Readable text of an HTML body, quoted replies (blockquote, gmail_quote) removed."""
    import lxml.etree
    import lxml.html

    if not html.strip():
        return ""
    try:
        root = lxml.html.document_fromstring(html)
    except (lxml.etree.ParserError, ValueError):
        return re.sub(r"<[^>]+>", " ", html)
    for el in root.xpath("//script|//style|//head|//blockquote"):
        el.drop_tree()
    for cls in _QUOTE_CLASSES:
        for el in root.xpath(f"//*[contains(concat(' ', @class, ' '), ' {cls} ')]"):
            el.drop_tree()
    for el in root.xpath("//*[@id='divRplyFwdMsg' or @id='appendonsend']"):
        parent = el.getparent()
        if parent is not None:
            following = list(el.itersiblings())
            for sib in following:
                sib.drop_tree()
            el.drop_tree()
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        if el.tag in ("br", "p", "div", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table"):
            el.tail = "\n" + (el.tail or "")
        elif el.tag in ("td", "th"):
            el.tail = "\t" + (el.tail or "")
    text = root.text_content()
    text = text.replace("\xa0", " ")
    text = re.sub(r"[ \t]+\n", "\n", text)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


# --- the parsed mail ------------------------------------------------------------------


class _RawPolicy(Compat32):
    """compat32 parsing, and ``part.get(name)`` returns the raw string as received.

    Why: intake decodes every header itself from the raw value (``raw_header``,
    ``decode_words``, ``clean_text``); compat32 would turn a value holding raw 8-bit
    bytes into a ``Header`` object, which callers reading ``part.get(...)`` as text do
    not expect. The payload decoding, the tree and the defects are compat32's own.
    """

    def header_fetch_parse(self, name: str, value: str) -> str:
        return value


RAW_POLICY = _RawPolicy()


class _LineEndAtEnd:
    r"""``email.feedparser.NLCRE_eol`` (``(\r\n|\r|\n)\Z``), searched from the end.

    Why: the stdlib strips the line end before each boundary with ``NLCRE_eol.search
    (payload)``, and a ``\Z`` search tries every position of the payload: 0.2 ms for a
    54 KB base64 attachment, twice per reply, a third of the parse. A match is at most two
    characters long and ends at the end, so the leftmost one starts at ``len - 2`` or
    ``len - 1``: searching from ``len - 2`` finds the very same match (same group, same
    span), in constant time. Installed only over the exact pattern it stands for.
    """

    pattern = re.compile(r"(\r\n|\r|\n)\Z")

    def search(self, text: str) -> re.Match[str] | None:
        return self.pattern.search(text, max(0, len(text) - 2))


_STDLIB_EOL = getattr(feedparser, "NLCRE_eol", None)
if isinstance(_STDLIB_EOL, re.Pattern) and _STDLIB_EOL.pattern == _LineEndAtEnd.pattern.pattern:
    setattr(feedparser, "NLCRE_eol", _LineEndAtEnd())  # noqa: B010 - not in the stubs


#: the stdlib's boundary pattern for a multipart, around ``re.escape("--" + boundary)``
_BOUNDARY_HEAD = "(?P<sep>"
_BOUNDARY_TAIL = r")(?P<end>--)?(?P<ws>[ \t]*)(?P<linesep>\r\n|\r|\n)?$"
_AFTER_SEPARATOR = re.compile(_BOUNDARY_TAIL[1:])
_ESCAPE = re.compile(r"\\(.)", re.DOTALL)


class _Boundary:
    r"""The stdlib's boundary regex of one multipart, matched without compiling it.

    Why: ``FeedParser._parsegen`` compiles a pattern (``_BOUNDARY_HEAD`` + the escaped
    separator + ``_BOUNDARY_TAIL``) for every multipart it meets, and a boundary is
    unique to its mail, so Python's regex cache never helps: 75 µs per reply, a sixth of
    its parse. The separator part is a literal (``re.escape``), so ``match`` is: the line
    starts with the separator, and the fixed rest of the pattern (compiled once) matches
    from there — the same lines match, with the same ``end``, ``ws`` and ``linesep``
    groups, the only ones the parser reads (checked before installing, below).
    """

    __slots__ = ("separator",)

    def __init__(self, separator: str) -> None:
        self.separator = separator

    def match(self, line: str) -> re.Match[str] | None:
        if line.startswith(self.separator):
            return _AFTER_SEPARATOR.match(line, len(self.separator))
        return None


class _FeedparserRe:
    """``re`` as ``email.feedparser`` sees it: ``compile`` of a boundary pattern gives a
    :class:`_Boundary`; every other pattern, and everything else, is ``re``'s own."""

    def __getattr__(self, name: str) -> object:
        return getattr(re, name)

    @staticmethod
    def compile(pattern: object, flags: int = 0) -> object:
        if (
            isinstance(pattern, str)
            and not flags
            and pattern.startswith(_BOUNDARY_HEAD)
            and pattern.endswith(_BOUNDARY_TAIL)
        ):
            escaped = pattern[len(_BOUNDARY_HEAD) : -len(_BOUNDARY_TAIL)]
            separator = _ESCAPE.sub(r"\1", escaped)
            if re.escape(separator) == escaped:  # a literal separator, exactly
                return _Boundary(separator)
        return re.compile(pattern, flags)  # type: ignore[call-overload]


def _boundary_shortcut_fits() -> bool:
    """Whether this Python's feedparser builds the boundary pattern we stand in for and
    reads only the ``end`` and ``linesep`` groups of its matches."""
    parsegen = getattr(getattr(feedparser, "FeedParser", None), "_parsegen", None)
    code = getattr(parsegen, "__code__", None)
    strings = {c for c in getattr(code, "co_consts", ()) if isinstance(c, str)}
    # our match object starts after the separator: a parser that asked where a match
    # starts or what it spans would see a difference, so it must not ask
    called = set(getattr(code, "co_names", ()))
    return (
        getattr(feedparser, "re", None) is re
        and {_BOUNDARY_HEAD, _BOUNDARY_TAIL, "end", "linesep"} <= strings
        and not {"sep", "ws"} & strings
        and not {"start", "span", "groups", "groupdict", "regs", "string"} & called
    )


if _boundary_shortcut_fits():
    setattr(feedparser, "re", _FeedparserRe())  # noqa: B010 - a module attribute


#: bytes decoded at a time by :func:`_as_text`
_DECODE_CHUNK = 4096


def _as_text(data: bytes) -> str:
    """``data.decode("ascii", "surrogateescape")`` — the first thing
    ``BytesParser.parsebytes`` does — piece by piece.

    Why: CPython decodes everything after the first byte over 127 one byte at a time, so a
    reply whose 8-bit text body comes before a 55 KB base64 attachment cost 40 µs to turn
    into text. ASCII is one byte per character and ``surrogateescape`` maps every other byte
    on its own, so the pieces joined are the very same string, and every piece without an
    8-bit byte takes the fast path.
    """
    if data.isascii():
        return data.decode("ascii")
    step = _DECODE_CHUNK
    return "".join(
        data[at : at + step].decode("ascii", "surrogateescape") for at in range(0, len(data), step)
    )


def parse_message(data: bytes) -> Message:
    """The message tree of ``data`` with the fast, tolerant compat32 parser (see above):
    ``BytesParser.parsebytes`` spelled out (decode as it decodes, then ``Parser``)."""
    return Parser(policy=RAW_POLICY).parsestr(_as_text(data))


@dataclass(frozen=True)
class ParsedMail:
    message_id: str
    in_reply_to: str
    references: tuple[str, ...]
    from_addr: str  # lower-case addr-spec, "" when none could be read
    from_name: str
    subject: str
    date: datetime | None  # aware; None when missing or unreadable
    headers: Mapping[str, tuple[str, ...]]  # lower-case name → decoded values, in order
    message: Message = field(repr=False, compare=False)
    defects: tuple[str, ...] = ()
    size: int = 0
    not_mail: str = ""  # why these bytes are not an RFC 5322 mail ("ole2-msg", "no-headers")
    #: Received and Authentication-Results headers, top first, in their real order:
    #: which Authentication-Results count depends on where they sit (RFC 8601 §5).
    trace: tuple[tuple[str, str], ...] = ()


def _angle_addr(raw: str) -> tuple[str, str] | None:
    """(display-name text, addr-spec) of the first ``<…@…>`` outside quotes and comments."""
    quoted = escaped = False
    depth = 0
    start = 0  # where the current mailbox began (after a top-level comma)
    i = 0
    while i < len(raw):
        ch = raw[i]
        if escaped:
            escaped = False
        elif ch == "\\" and (quoted or depth):
            escaped = True
        elif quoted:
            quoted = ch != '"'
        elif ch == '"':
            quoted = True
        elif ch == "(":
            depth += 1
        elif ch == ")" and depth:
            depth -= 1
        elif depth:
            pass
        elif ch == ",":
            start = i + 1
        elif ch == "<":
            end = raw.find(">", i)
            inside = raw[i + 1 : end] if end > i else ""
            if "@" in inside:
                return raw[start:i], inside
            i = end if end > i else i
        i += 1
    return None


def _unquote_name(text: str) -> str:
    text = re.sub(r"\s+", " ", text).strip()
    if len(text) >= 2 and text[0] == '"' and text[-1] == '"':
        text = re.sub(r"\\(.)", r"\1", text[1:-1])
    return text.strip()


def _address(raw: str) -> tuple[str, str]:
    """(addr-spec, display name) of a From/Sender header, from its RAW value.

    The address is taken before any RFC 2047 decoding: an encoded word can only ever be
    a display name, so ``=?utf-8?q?qlkh=40sokhcn=2Eexample?= <attacker@evil.test>`` is
    attacker@evil.test (decoding first would make the name the address). When there is
    an angle-addr it is the address, whatever stands before it; only then is the name
    decoded, for people and for alias matching.
    """
    raw = raw or ""
    angle = _angle_addr(raw)
    if angle is not None:
        name, addr = angle
        addr = re.sub(r"\s+", "", addr).lower()
        if addr.startswith("@") and ":" in addr:  # obsolete source route "@a,@b:x@y"
            addr = addr.split(":", 1)[1]
        return clean_text(addr), decode_words(_unquote_name(name))
    try:
        pairs = getaddresses([raw])
    except Exception:  # malformed address lists
        pairs = []
    for name, addr in pairs:
        if addr and "@" in addr:
            return clean_text(addr.strip().lower()), decode_words(name.strip())
    m = re.search(r"[^\s<>\"',;:()]+@[^\s<>\"',;:()]+", raw)
    return (clean_text(m.group(0).lower()) if m else ""), ""


def _date(value: str) -> datetime | None:
    if not value:
        return None
    try:
        parsed = parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if parsed is None:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


_MAIL_HEADERS = frozenset(
    {
        "from",
        "to",
        "subject",
        "date",
        "message-id",
        "received",
        "mime-version",
        "return-path",
        "content-type",
        "sender",
        "delivered-to",
        "cc",
    }
)


def parse(raw: bytes, max_bytes: int | None = None) -> ParsedMail:
    """Parse any bytes as a mail; never raises (defects are kept in ``defects``).

    The stdlib parser itself can raise on hostile bytes (fuzzing found a NUL inside a
    charset name): then NULs are blanked and, failing that, the mail is "unparseable",
    which identify quarantines. A mail over ``max_bytes`` is read for its headers only
    ("too-large"): the parser holds about ten times a mail's size in memory, so the cap
    is what bounds memory. The raw bytes are archived either way.
    """
    if max_bytes is not None and len(raw) > max_bytes:
        end = raw.find(b"\r\n\r\n", 0, 256 * 1024)
        head = raw[: end + 4] if end >= 0 else raw[: 256 * 1024]
        with contextlib.suppress(Exception):
            return replace(_parse(head, raw), not_mail="too-large")
    for attempt in (raw, raw.replace(b"\x00", b" ")):
        try:
            return _parse(attempt, raw)
        except Exception:  # any parser failure ends as an ignored, archived mail
            continue
    empty = parse_message(b"\r\n")
    return ParsedMail(
        message_id="",
        in_reply_to="",
        references=(),
        from_addr="",
        from_name="",
        subject="",
        date=None,
        headers={},
        message=empty,
        defects=("Unparseable",),
        size=len(raw),
        not_mail="unparseable",
    )


def _parse(raw: bytes, original: bytes) -> ParsedMail:
    msg = parse_message(raw)
    # one pass over the headers: each decoded once, the first raw value of each name kept
    # (what raw_header would find), and the trace headers in their order
    headers: dict[str, list[str]] = {}
    first_raw: dict[str, str] = {}
    trace_list: list[tuple[str, str]] = []
    for key, value in raw_headers(msg):
        first_raw.setdefault(key, value)
        decoded = decode_words(value)
        headers.setdefault(key, []).append(decoded)
        if key in ("received", "authentication-results"):
            trace_list.append((key, decoded))
    trace = tuple(trace_list)

    def first(name: str) -> str:
        values = headers.get(name)
        return values[0] if values else ""

    from_addr, from_name = _address(first_raw.get("from") or first_raw.get("sender") or "")
    refs = tuple(
        clean_text(f"<{r}>") for r in re.findall(r"<([^<>\s]+)>", first_raw.get("references") or "")
    )
    defects = tuple(type(d).__name__ for d in msg.defects)
    not_mail = ""
    if original[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        not_mail = "ole2-msg"  # an Outlook .msg file: a different container, not mail
    elif not _MAIL_HEADERS & headers.keys():
        not_mail = "no-headers"
    return ParsedMail(
        message_id=normalize_msgid(clean_text(first_raw.get("message-id") or "")),
        in_reply_to=normalize_msgid(clean_text(first_raw.get("in-reply-to") or "")),
        references=refs,
        from_addr=from_addr,
        from_name=from_name,
        subject=" ".join(first("subject").split()),
        trace=trace,
        date=_date(first_raw.get("date") or ""),
        headers={k: tuple(v) for k, v in headers.items()},
        message=msg,
        defects=defects,
        size=len(original),
        not_mail=not_mail,
    )


def is_attachment(part: Message) -> bool:
    """A part the sender attached (a named or attachment-disposed leaf), not a body part."""
    ctype = content_type(part)
    if ctype.startswith("multipart/") or ctype in (
        "message/delivery-status",
        "message/disposition-notification",
    ):
        return False
    if disposition(part) == "attachment" or filename(part):
        return True
    return ctype == "message/rfc822" or ctype.startswith("application/")


def walk(msg: Message, into_messages: bool = False) -> Iterator[Message]:
    """Leaf parts in order; forwarded messages are leaves unless ``into_messages``."""
    stack: list[Message] = [msg]
    while stack:
        part = stack.pop(0)
        ctype = content_type(part)
        container = ctype.startswith("multipart/") or (ctype == "message/rfc822" and into_messages)
        # is_multipart() first: get_payload() on a leaf decodes with the declared charset,
        # and a hostile one (a NUL in its name) raises ValueError (found by fuzzing)
        if container and part.is_multipart():
            stack[0:0] = [p for p in part.get_payload() if isinstance(p, Message)]
        else:
            yield part


def _dsn_blocks(part: Message) -> list[dict[str, str]]:
    payload = part.get_payload() if part.is_multipart() else None
    blocks: list[dict[str, str]] = []
    if isinstance(payload, list):
        for block in payload:
            if isinstance(block, Message):
                blocks.append({k: decode_words(v) for k, v in raw_headers(block)})
    else:
        text = payload_bytes(part).decode("utf-8", "replace")
        for chunk in re.split(r"\r?\n\s*\r?\n", text):
            fields: dict[str, str] = {}
            for line in re.sub(r"\r?\n[ \t]+", " ", chunk).splitlines():
                k, sep, v = line.partition(":")
                if sep:
                    fields.setdefault(k.strip().lower(), v.strip())
            blocks.append(fields)
    return blocks


def _addr_of(field_value: str) -> str:
    value = field_value.split(";", 1)[1] if ";" in field_value else field_value
    return value.strip().strip("<>").lower()


def mail_headers(parsed: ParsedMail) -> MailHeaders:
    """What identify needs from a parsed mail: headers plus bounce and body clues."""
    msg = parsed.message
    dsn: list[DsnRecipient] = []
    returned_id = ""
    returned_to: list[str] = []
    body = ""
    attachments = 0
    for part in walk(msg):
        ctype = content_type(part)
        if ctype == "message/delivery-status":
            for block in _dsn_blocks(part):
                rcpt = block.get("original-recipient") or block.get("final-recipient") or ""
                if rcpt or block.get("action") or block.get("status"):
                    dsn.append(
                        DsnRecipient(
                            _addr_of(rcpt),
                            block.get("action", "").lower(),
                            block.get("status", "").split()[0]
                            if block.get("status", "").split()
                            else "",
                            " ".join(block.get("diagnostic-code", "").split()),
                        )
                    )
        elif ctype in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            if not returned_id:
                inner = part.get_payload() if part.is_multipart() else None
                if isinstance(inner, list) and inner and isinstance(inner[0], Message):
                    returned_id = normalize_msgid(
                        clean_text(raw_header(inner[0], "message-id") or "")
                    )
                    to = clean_text(raw_header(inner[0], "to") or "")
                else:
                    text = payload_bytes(part).decode("utf-8", "replace")
                    m = re.search(r"^message-id:\s*(<[^>]+>)", text, re.I | re.M)
                    returned_id = normalize_msgid(m.group(1)) if m else ""
                    m2 = re.search(r"^to:\s*(.+)$", text, re.I | re.M)
                    to = m2.group(1) if m2 else ""
                returned_to = [a for _, a in getaddresses([to]) if a] if to else []
            if ctype == "message/rfc822" and disposition(part) != "inline":
                attachments += 1
        elif is_attachment(part):
            if not (content_type(part).startswith("image/") and disposition(part) != "attachment"):
                attachments += 1
        elif ctype in ("text/plain", "text/html") and not body:
            try:
                body = part_text(part)[:BODY_TEXT_CAP]
            except Exception:  # a body we cannot read is an empty body
                body = ""
    top = raw_header(msg, "content-type") or ""
    _, top_params = split_params(top)
    report_type = next((v for k, v in top_params if k == "report-type"), "").lower()
    return MailHeaders(
        message_id=parsed.message_id,
        in_reply_to=parsed.in_reply_to,
        references=parsed.references,
        from_addr=parsed.from_addr,
        from_name=parsed.from_name,
        subject=parsed.subject,
        date=parsed.date,
        headers=parsed.headers,
        content_type=content_type(msg),
        report_type=report_type,
        dsn=tuple(dsn),
        returned_message_id=returned_id,
        returned_recipients=tuple(a.lower() for a in returned_to),
        body_text=body,
        attachment_count=attachments,
        not_mail=parsed.not_mail,
        trace=parsed.trace,
    )
