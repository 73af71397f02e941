"""Which PDF text extractor reads Vietnamese correctly: measured, not assumed.

    python -m bench.pdf_extract

Makes .docx files from the seed text (Liberation Serif — LibreOffice's stand-in for
Times New Roman — and DejaVu Sans), converts them to PDF with LibreOffice, and reads
each back with every candidate that is installed: poppler's pdftotext (what mailflow
uses, bounded: ``adapters.pdf.extract_text``), pypdf, pdfminer.six, pypdfium2. Prints
character accuracy after NFC (1 = identical) and milliseconds per page. The floor in the
same run is the best candidate's time; each other time is given as a ratio to it.
"""

from __future__ import annotations

import io
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench.seedtext import accuracy, seed_docx, seed_lines


def _pdftotext(data: bytes) -> str:
    from mailflow.adapters.pdf import extract_text

    return extract_text(data).text


def _pypdf(data: bytes) -> str:
    import pypdf

    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(p.extract_text() or "" for p in reader.pages)


def _pdfminer(data: bytes) -> str:
    from pdfminer.high_level import extract_text

    return extract_text(io.BytesIO(data))


def _pdfium(data: bytes) -> str:
    import pypdfium2

    pdf = pypdfium2.PdfDocument(data)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


CANDIDATES: dict[str, Callable[[bytes], str]] = {
    "pdftotext (poppler)": _pdftotext,
    "pypdf": _pypdf,
    "pdfminer.six": _pdfminer,
    "pypdfium2": _pdfium,
}


def main() -> None:
    from mailflow.adapters.pdf import to_pdf

    lines = seed_lines()
    reference = "\n".join(lines)
    with tempfile.TemporaryDirectory() as work:
        pdfs: dict[str, bytes] = {}
        for font in ("Liberation Serif", "DejaVu Sans"):
            src = seed_docx(Path(work, f"{font.replace(' ', '')}.docx"), lines, font)
            made = to_pdf(src)
            if made.path is None:
                raise SystemExit(f"no LibreOffice: {made.note}")
            pdfs[font] = made.path.read_bytes()
        import pypdf

        print(f"{'PDF (LibreOffice)':<20} {'extractor':<22} {'accuracy':>9} {'ms/page':>8}")
        for font, data in pdfs.items():
            pages = len(pypdf.PdfReader(io.BytesIO(data)).pages)
            rows = []
            for name, fn in CANDIDATES.items():
                try:
                    fn(data)  # warm-up (imports)
                    start = time.perf_counter()
                    got = fn(data)
                    ms = (time.perf_counter() - start) * 1000 / pages
                except ImportError:
                    print(f"{font:<20} {name:<22} {'not installed':>18}")
                    continue
                rows.append((name, accuracy(reference, got), ms))
            floor = min(ms for _, _, ms in rows)
            for name, acc, ms in rows:
                print(f"{font:<20} {name:<22} {acc:>9.4f} {ms:>8.1f}  ({ms / floor:.1f}x floor)")
            print(f"{font:<20} pages={pages}  floor={floor:.1f} ms/page")
    sys.stdout.flush()


if __name__ == "__main__":
    main()
