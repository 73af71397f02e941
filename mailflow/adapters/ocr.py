"""Text out of scanned pages and photos of pages: Tesseract with its Vietnamese model.

Why here and like this: a department that signs its report on paper and scans it (or
photographs it) sends pages with no text layer; without OCR that report is simply not in
the draft. Tesseract (Debian ``tesseract-ocr`` + ``tesseract-ocr-vie``) runs as a separate
process in the converter sandbox, one page at a time, with a time budget for the whole
document and a cap on pages; PDF pages are rendered by poppler's ``pdftoppm`` scaled to
at most A4 at 300 dpi whatever size the page claims. Where Tesseract or its Vietnamese
model is missing, :func:`status` says why and the caller records "needs OCR" — the
document is never silently dropped. OCR text is marked as such by the caller (reason
``intake.unpack.*_ocr``, param ``ocr=1``) so the draft can say it was recognised from a
scan and must be checked against the original.
"""

from __future__ import annotations

import functools
import io
import shutil
import subprocess
import tempfile
import time
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from mailflow.adapters.pdf import run_tool

LANG = "vie"
#: long side of a rendered page in pixels: A4 at 300 dpi
RENDER_PIXELS = 3508


@dataclass(frozen=True)
class OcrStatus:
    ok: bool
    detail: str = ""  # why not, for the "needs OCR" reason


@functools.cache
def status() -> OcrStatus:
    """Whether OCR can run here: tesseract on PATH with the Vietnamese model."""
    exe = shutil.which("tesseract")
    if exe is None:
        return OcrStatus(False, "tesseract-ocr is not installed")
    try:
        proc = subprocess.run(
            [exe, "--list-langs"], capture_output=True, timeout=30, check=False, text=True
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return OcrStatus(False, f"tesseract does not start: {exc}"[:200])
    langs = {line.strip() for line in (proc.stdout + proc.stderr).splitlines()}
    if LANG not in langs:
        return OcrStatus(False, "the Vietnamese model (tesseract-ocr-vie) is not installed")
    return OcrStatus(True)


class OcrTimeout(Exception):
    """The document's OCR budget ran out; ``done`` holds the pages recognised so far."""

    def __init__(self, done: dict[int, str]) -> None:
        super().__init__("OCR time budget exceeded")
        self.done = done


def _despeckle(image: Path) -> None:
    """A 3×3 median filter, in place: scanner speckle (isolated dark or light pixels)
    breaks Tesseract's binarisation; the filter removes it and keeps 300-dpi strokes."""
    from PIL import Image, ImageFilter

    with Image.open(image) as img:
        cleaned = img.convert("L").filter(ImageFilter.MedianFilter(3))
    cleaned.save(image, "PNG")


def _tesseract(image: Path, work: Path, timeout: float) -> str:
    _despeckle(image)
    proc = run_tool(
        ["tesseract", str(image), "stdout", "-l", LANG], work, timeout=timeout, memory=2 << 30
    )
    if proc.returncode != 0:
        lines = proc.stderr.decode("utf-8", "replace").strip().splitlines()
        raise OSError((lines[-1] if lines else f"tesseract exit {proc.returncode}")[:200])
    return unicodedata.normalize("NFC", proc.stdout.decode("utf-8", "replace")).strip()


def pdf_pages(data: bytes, pages: list[int], *, timeout: float) -> dict[int, str]:
    """OCR the given 1-based ``pages`` of a PDF; page → text.

    Raises :class:`OcrTimeout` (with the pages done) when ``timeout`` seconds are spent,
    ``OSError`` when a tool fails.
    """
    done: dict[int, str] = {}
    deadline = time.monotonic() + timeout
    with tempfile.TemporaryDirectory(prefix="mailflow-ocr-") as tmp:
        work = Path(tmp)
        src = work / "in.pdf"
        src.write_bytes(data)
        for page in pages:
            left = deadline - time.monotonic()
            if left <= 1:
                raise OcrTimeout(done)
            target = work / "page"
            try:
                proc = run_tool(
                    [
                        "pdftoppm",
                        "-gray",
                        "-png",
                        "-singlefile",
                        "-scale-to",
                        str(RENDER_PIXELS),
                        "-f",
                        str(page),
                        "-l",
                        str(page),
                        str(src),
                        str(target),
                    ],
                    work,
                    timeout=left,
                )
                png = work / "page.png"
                if proc.returncode != 0 or not png.is_file():
                    done[page] = ""
                    continue
                done[page] = _tesseract(png, work, max(deadline - time.monotonic(), 1.0))
                png.unlink()
            except TimeoutError:
                raise OcrTimeout(done) from None
    return done


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    frames: int = 1


class ImageProblem(Exception):
    """An image Pillow refuses (a decompression bomb, a broken file)."""


def image_info(data: bytes, max_pixels: int) -> ImageInfo:
    """Size of an image from its header (nothing decoded); ImageProblem when unreadable
    or larger than ``max_pixels``."""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(data)) as img:
            width, height = img.size
            frames = int(getattr(img, "n_frames", 1) or 1)
    except Exception as exc:  # Pillow raises many kinds on broken or hostile images
        raise ImageProblem(f"{type(exc).__name__}: {exc}"[:200]) from None
    if width * height > max_pixels:
        raise ImageProblem(f"{width}x{height} pixels")
    return ImageInfo(width, height, frames)


def image_text(data: bytes, *, timeout: float, max_pixels: int) -> str:
    """OCR one photo or scan of a page (JPEG/PNG/TIFF/...); the first frame only.

    A phone photo carries its rotation in EXIF, which Tesseract ignores: the image is
    turned upright and written as PNG first (in memory, bounded by ``max_pixels``).
    """
    from PIL import Image, ImageOps

    image_info(data, max_pixels)
    with Image.open(io.BytesIO(data)) as img:
        upright = ImageOps.exif_transpose(img)
        buf = io.BytesIO()
        upright.convert("L").save(buf, "PNG")
    with tempfile.TemporaryDirectory(prefix="mailflow-ocr-") as tmp:
        work = Path(tmp)
        src = work / "page.png"
        src.write_bytes(buf.getvalue())
        try:
            return _tesseract(src, work, timeout)
        except TimeoutError:
            raise OcrTimeout({}) from None
