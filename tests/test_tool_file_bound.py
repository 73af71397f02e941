"""A sandboxed tool cannot fill the disk: each file it writes is bounded (RLIMIT_FSIZE),
and pdftotext stops one byte past the text the intake reads of a PDF."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest

from mailflow.adapters import pdf, sandbox


def _text_bomb_pdf(pages: int = 500) -> bytes:
    """23 KB: every page draws one stream of 160,000 tiny lines, each at its own place
    (so pdftotext keeps them all): about 1.6 MB of pdftotext output per page."""
    op = b"(Bao cao so lieu) Tj 0 0.004 Td\n"
    body = b"BT /F1 0.003 Tf 10 1 Td\n" + op * (6 * 1024 * 1024 // len(op)) + b"ET\n"
    stream = zlib.compress(body, 9)
    kids = b" ".join(b"%d 0 R" % (5 + i) for i in range(pages))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [" + kids + b"] /Count %d >>" % pages,
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    objects += [
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
        b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
    ] * pages
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + obj + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    out.write(b"".join(b"%010d 00000 n \n" % off for off in offsets))
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_a_sandboxed_tool_cannot_write_a_file_past_its_bound(tmp_path: Path) -> None:
    done = sandbox.run(
        ["/bin/sh", "-c", "head -c 5000000 /dev/zero > big"],
        workdir=tmp_path,
        timeout=30,
        max_file_bytes=1_000_000,
    )
    assert done.returncode != 0
    assert (tmp_path / "big").stat().st_size <= 1_000_000


@pytest.mark.skipif(not pdf.poppler_available(), reason="poppler-utils not installed")
def test_a_pdf_text_bomb_is_cut_at_the_text_bound_not_written_out_whole() -> None:
    """A 23 KB PDF whose text is 800 MB of pdftotext output: it once ran until the time
    limit writing it to the disk; now the file stops one byte past what is read, and the
    text read so far is kept, marked as cut."""
    got = pdf.extract_text(_text_bomb_pdf(), timeout=20, max_bytes=100_000)
    assert got.capped
    assert "Baocaosolieu" in got.pages[0]  # tiny glyphs: the spaces fall out
