"""Draft .docx → .pdf with LibreOffice headless; and the text of a received PDF.

Each conversion runs with its own throw-away user profile and output folder: two
LibreOffice processes sharing a profile block each other (or silently do nothing), and a
shared output folder would let one conversion pick up another's file. No LibreOffice is
not an error: the caller gets no PDF and a sentence saying why.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from mailflow.errors import MailflowError
from mailflow.i18n import t

_CANDIDATES = ("soffice", "libreoffice")


@dataclass(frozen=True)
class PdfResult:
    path: Path | None  # None: no PDF was made, ``note`` says why
    note: str = ""


def find_soffice() -> str | None:
    override = os.environ.get("MAILFLOW_SOFFICE")
    if override:
        return override if Path(override).is_file() or shutil.which(override) else None
    for name in _CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def to_pdf(
    docx: Path,
    out: Path | None = None,
    *,
    timeout: float = 180,
    lang: str | None = None,
    max_memory_bytes: int | None = None,
) -> PdfResult:
    """Convert ``docx``; the PDF lands at ``out`` (default: next to it, same stem).

    LibreOffice runs in the converter sandbox (no network, it sees only a private folder
    holding a COPY of the draft and a fresh profile) and is killed with every process it
    started when ``timeout`` passes: a picture the draft links by URL or by path is neither
    fetched nor read into the PDF mailed to the Office.
    """
    from mailflow.adapters import sandbox
    from mailflow.adapters.convert import run_soffice

    soffice = find_soffice()
    if soffice is None:
        return PdfResult(None, t("assemble.pdf_unavailable", lang))
    target = out or docx.with_suffix(".pdf")
    with tempfile.TemporaryDirectory(prefix="mailflow-lo-") as tmp:
        work = Path(tmp)
        outdir = work / "out"
        outdir.mkdir()
        src = work / "draft.docx"  # our name: the sandbox shows this folder and nothing else
        try:
            shutil.copyfile(docx, src)
            proc = run_soffice(soffice, work, "pdf", outdir, [str(src)], timeout, max_memory_bytes)
        except sandbox.SandboxError as exc:
            if exc.reason == "sandbox.timeout":
                raise MailflowError(
                    t("assemble.pdf_timeout", lang, file=docx.name, seconds=int(timeout)),
                    t("assemble.pdf_failed_hint", lang),
                ) from None
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=exc.params.get("detail")),
                t("assemble.pdf_failed_hint", lang),
            ) from None
        except OSError as exc:
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=exc),
                t("assemble.pdf_failed_hint", lang),
            ) from exc
        made = outdir / "draft.pdf"
        if proc.returncode != 0 or not made.is_file():
            detail = (proc.stderr or proc.stdout).decode(
                "utf-8", "replace"
            ).strip() or f"exit {proc.returncode}"
            raise MailflowError(
                t("assemble.pdf_failed", lang, file=docx.name, detail=detail[-300:]),
                t("assemble.pdf_failed_hint", lang),
            )
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp_target = target.with_name(f".{target.name}.tmp")
        shutil.move(str(made), tmp_target)
        tmp_target.replace(target)
    return PdfResult(target)


# --- reading text out of a PDF ----------------------------------------------------------
#
# Why poppler's pdftotext: LibreOffice (and Word) write Vietnamese with fonts whose
# ToUnicode maps split a letter and its combining marks; pypdf, pdfminer.six and
# pypdfium2 return "B sung: K t qu h tr" for "Bổ sung: Kết quả hỗ trợ" on those files,
# pdftotext returns the text (measured: bench/pdf_extract.py). It runs as a separate
# process in a private folder, with a time limit (its whole process group is killed), a
# cap on pages (``-l``) and a cap on the bytes of text read back: a small PDF whose pages
# all share one huge content stream can ask for minutes of work, and gets the time limit.


class PdfProblem(Exception):
    """The PDF could not be read; ``reason`` is an ``intake.unpack.*`` key with ``params``."""

    def __init__(self, reason: str, **params: object) -> None:
        super().__init__(reason)
        self.reason = reason
        self.params = tuple((k, str(v)) for k, v in params.items())


@dataclass(frozen=True)
class PdfText:
    pages: tuple[str, ...]  # text of each page read, in order ("" for a page with no text)
    page_count: int  # pages in the file (may be more than were read)
    capped: bool = False  # the text was cut at the byte cap

    @property
    def text(self) -> str:
        return "\n\n".join(p.strip() for p in self.pages if p.strip())


def poppler_available() -> bool:
    return shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None


def run_tool(
    argv: Sequence[str],
    work: Path,
    *,
    timeout: float,
    memory: int = 1024 * 1024 * 1024,
    max_file_bytes: int | None = None,
) -> subprocess.CompletedProcess[bytes]:
    """One poppler/tesseract run in the sandbox (no network, only ``work``), killed whole on
    timeout; ``TimeoutError`` then. argv[0] is resolved to its absolute path."""
    from mailflow.adapters import sandbox

    found = shutil.which(argv[0])
    program = os.path.realpath(found) if found else argv[0]  # the sandbox shows /usr only
    try:
        return sandbox.run(
            [program, *argv[1:]],
            workdir=work,
            timeout=timeout,
            env={"OMP_THREAD_LIMIT": "1"},
            max_memory_bytes=memory,
            max_file_bytes=max_file_bytes,
        )
    except sandbox.SandboxError as exc:
        if exc.reason == "sandbox.timeout":
            raise TimeoutError(str(exc)) from None
        raise OSError(str(exc)) from None


_PDFTOTEXT = ("pdftotext", "-q", "-bbox-layout", "-enc", "UTF-8", "-f", "1")
_PAGES = re.compile(rb"^Pages:\s+(\d+)", re.MULTILINE)


def extract_text(
    data: bytes, *, max_pages: int = 500, timeout: float = 60.0, max_bytes: int = 20_000_000
) -> PdfText:
    """Text of a PDF page by page, with pdftotext; raise :class:`PdfProblem` when unreadable.

    A PDF that needs a password is ``intake.unpack.encrypted``; one that takes longer than
    ``timeout`` is ``intake.unpack.pdf_timeout``; a broken one ``intake.unpack.damaged``.
    At most ``max_bytes`` of text are kept (``capped``).
    """
    if not poppler_available():
        raise PdfProblem("intake.unpack.pdf_no_reader")
    with tempfile.TemporaryDirectory(prefix="mailflow-pdf-") as tmp:
        work = Path(tmp)
        src = work / "in.pdf"
        src.write_bytes(data)
        start = time.monotonic()
        try:
            proc = run_tool(["pdfinfo", str(src)], work, timeout=timeout)
            if proc.returncode != 0:
                err = proc.stderr.lower()
                if b"password" in err or b"encrypt" in err:
                    raise PdfProblem("intake.unpack.encrypted", where="PDF")
                raise PdfProblem("intake.unpack.damaged", error=_last_line(proc, "pdfinfo"))
            found = _PAGES.search(proc.stdout)
            page_count = int(found.group(1)) if found else 0
            read = min(page_count, max_pages)
            if read <= 0:
                return PdfText((), page_count)
            out = work / "out.html"
            left = max(timeout - (time.monotonic() - start), 1.0)
            proc = run_tool(  # stopped one byte past what is read: a text bomb fills no disk
                [*_PDFTOTEXT, "-l", str(read), str(src), str(out)],
                work,
                timeout=left,
                max_file_bytes=max_bytes * _BBOX_OVERHEAD + 1,
            )
        except TimeoutError:
            raise PdfProblem("intake.unpack.pdf_timeout", seconds=int(timeout)) from None
        except OSError as exc:
            raise PdfProblem("intake.unpack.damaged", error=str(exc)[:200]) from None
        limit = max_bytes * _BBOX_OVERHEAD  # as bounded above
        raw = b""
        if out.is_file():
            with out.open("rb") as fh:
                raw = fh.read(limit + 1)
    if proc.returncode != 0 and not raw:
        if proc.returncode == 3 or b"password" in proc.stderr.lower():
            raise PdfProblem("intake.unpack.encrypted", where="PDF")
        raise PdfProblem("intake.unpack.damaged", error=_last_line(proc, "pdftotext"))
    cut = len(raw) > limit
    pages = _bbox_pages(raw[:limit].decode("utf-8", "replace"))
    return PdfText(tuple(unicodedata.normalize("NFC", p) for p in pages), page_count, cut)


#: Symbols a report's text layer holds besides Latin letters, digits and punctuation.
_TEXT_SYMBOLS = frozenset("$%&*+<=>^_`|~§°±×÷€₫©®№•…‰√≤≥≠")
_MIN_JUDGED = 10  # non-space characters: below this a page is too short to judge


def garbled_share(text: str) -> float:
    """Share of a text layer's visible characters that no Vietnamese report is made of.

    A PDF whose fonts carry no Unicode map gives pdftotext replacement characters,
    private-use glyphs, control codes or box-drawing signs instead of letters; such a page
    must go to OCR like a page with no text. Counted as good: Latin letters (every
    Vietnamese letter is one, after NFC), digits, punctuation and common symbols.
    Returns 0.0 for a text too short to judge.
    """
    seen = bad = 0
    for ch in text:
        if ch.isspace():
            continue
        seen += 1
        if ch.isascii():
            bad += not ch.isprintable()
            continue
        cat = unicodedata.category(ch)
        if cat[0] == "L":
            bad += not unicodedata.name(ch, "").startswith("LATIN")
        elif cat == "Nd" or cat[0] == "P" or cat == "Mn" or ch in _TEXT_SYMBOLS:
            continue
        else:  # Co private use, Cc/Cf/Cn, So box drawing and dingbats, U+FFFD
            bad += 1
    return bad / seen if seen >= _MIN_JUDGED else 0.0


def _last_line(proc: subprocess.CompletedProcess[bytes], program: str) -> str:
    lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
    return (lines[-1] if lines else f"{program}: exit {proc.returncode}")[:200]


#: -bbox-layout writes each word with its box: about this many bytes per byte of text.
_BBOX_OVERHEAD = 12
_TOKEN = re.compile(
    r'<word xMin="([-\d.]+)" yMin="([-\d.]+)" xMax="([-\d.]+)" yMax="([-\d.]+)">(.*?)</word>'
    r'|<line xMin="[-\d.]+" yMin="[-\d.]+" xMax="([-\d.]+)"'
    r'|<block xMin="([-\d.]+)" yMin="[-\d.]+" xMax="([-\d.]+)"'
    r"|(</line>)|(</block>)|(</page>)",
    re.DOTALL,
)
_STARTS_ITEM = re.compile(r"^(?:[-+•*–]\s|\(?[0-9IVXivxa-zđ]{1,4}[.)/]\s)")


def _bbox_pages(xhtml: str) -> list[str]:
    """Pages of text from ``pdftotext -bbox-layout``: words re-joined by their boxes,
    lines of one paragraph re-joined, one paragraph per line of the result.

    Why not plain pdftotext: in PDFs LibreOffice makes with Times-like fonts each
    precomposed Vietnamese letter comes from a fallback font, and pdftotext's plain
    output puts a space at every font change ("nhi ệm", "Đ ảng"). Its word boxes show
    no gap there, so two words closer than a tenth of the line height are one word.
    A line that reaches the right edge of its block was wrapped: the next line of the
    block continues its paragraph (unless it starts a list item).
    """
    pages: list[str] = []
    paragraphs: list[str] = []
    words: list[str] = []
    last_x: float | None = None
    line_right = block_left = block_right = 0.0
    wrapped = False
    for m in _TOKEN.finditer(xhtml):
        if m.group(5) is not None:
            x0, y0, x1, y1 = (float(m.group(i)) for i in range(1, 5))
            word = html.unescape(m.group(5))
            if words and last_x is not None and x0 - last_x < 0.1 * max(y1 - y0, 1.0):
                words[-1] += word
            else:
                words.append(word)
            last_x = x1
        elif m.group(6) is not None:
            line_right = float(m.group(6))
        elif m.group(7) is not None:
            block_left, block_right = float(m.group(7)), float(m.group(8))
            wrapped = False
        elif m.group(9):
            line = " ".join(words)
            words, last_x = [], None
            if wrapped and paragraphs and line and not _STARTS_ITEM.match(line):
                prev = paragraphs[-1]
                joint = "" if prev.endswith("-") and prev[-2:-1].isalnum() else " "
                paragraphs[-1] += joint + line
            elif line:
                paragraphs.append(line)
            width = max(block_right - block_left, 1.0)
            wrapped = line_right >= block_right - 0.1 * width and block_right - block_left > 200
        elif m.group(10):
            wrapped = False
        else:
            if words:
                paragraphs.append(" ".join(words))
                words, last_x = [], None
            pages.append("\n".join(paragraphs))
            paragraphs = []
    if words or paragraphs:  # cut at the byte cap: keep what was read
        if words:
            paragraphs.append(" ".join(words))
        pages.append("\n".join(paragraphs))
    return pages
