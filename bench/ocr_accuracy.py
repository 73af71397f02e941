"""OCR of scanned pages of the seed text: character accuracy, as mailflow runs it.

    python -m bench.ocr_accuracy [--pages 2]

Renders the first lines of the seed text (directive + outline) onto A4 pages at 300 dpi
with a DejaVu font (Pillow), then makes three scans of each: clean, turned by 1.5°, and
turned by 1° with 2 % of the pixels flipped (noise); each is saved as an image-only PDF
and read through ``adapters.ocr.pdf_pages`` (pdftoppm + tesseract -l vie, sandboxed).
Prints character accuracy after NFC against the source lines (1 = identical) and seconds
per page; the floor in the same run is the clean page's time.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from bench.seedtext import accuracy, seed_lines

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))


def main() -> None:
    from formats_support import image_pdf, scanned_page

    from mailflow.adapters import ocr

    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2)
    parser.add_argument("--lines-per-page", type=int, default=14)
    args = parser.parse_args()
    state = ocr.status()
    if not state.ok:
        raise SystemExit(f"OCR not available: {state.detail}")
    lines = seed_lines()
    chunks = [
        lines[i * args.lines_per_page : (i + 1) * args.lines_per_page] for i in range(args.pages)
    ]
    variants = {
        "clean": {"angle": 0.0, "noise": 0.0},
        "rotated 1.5°": {"angle": 1.5, "noise": 0.0},
        "rotated 1° + 2% noise": {"angle": 1.0, "noise": 0.02},
    }
    print(f"{'scan':<24} {'accuracy':>9} {'s/page':>7}")
    results: dict[str, tuple[float, float]] = {}
    for name, how in variants.items():
        accs, secs = [], []
        for n, chunk in enumerate(chunks):
            page = scanned_page(chunk, seed=n, **how)
            data = image_pdf([page])
            start = time.perf_counter()
            got = ocr.pdf_pages(data, [1], timeout=300)[1]
            secs.append(time.perf_counter() - start)
            accs.append(accuracy("\n".join(chunk), got))
        results[name] = (sum(accs) / len(accs), sum(secs) / len(secs))
    floor = results["clean"][1]
    for name, (acc, sec) in results.items():
        print(f"{name:<24} {acc:>9.4f} {sec:>7.2f}  ({sec / floor:.2f}x floor)")
    print(f"pages={len(chunks)} per variant; floor={floor:.2f} s/page (clean)")


if __name__ == "__main__":
    main()
