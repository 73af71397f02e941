"""The seed text (directive + outline) as plain lines, and documents made from it.

Shared by the format benchmarks (PDF text, OCR): the reference every reading is scored
against is this text after NFC and with runs of white space made one space.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SEED_CANDIDATES = (
    REPO.parent / "shared" / "seed" / "directive-and-outline.md",
    Path("/work/shared/seed/directive-and-outline.md"),
)


def seed_lines() -> list[str]:
    """The seed's non-blank lines with markdown marks (#, **, leading "- ") removed."""
    for path in SEED_CANDIDATES:
        if path.is_file():
            raw = path.read_text(encoding="utf-8")
            break
    else:
        raise SystemExit("seed text not found (shared/seed/directive-and-outline.md)")
    lines = []
    for line in raw.splitlines():
        line = re.sub(r"^#+\s*", "", line.strip())
        line = line.replace("**", "").replace("\\", "").strip()
        if line:
            lines.append(unicodedata.normalize("NFC", line))
    return lines


def norm(text: str) -> str:
    """NFC, one space for any run of white space: what accuracy is measured on."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def accuracy(reference: str, got: str) -> float:
    """Character accuracy: 1 - edit distance / length of the reference (floored at 0)."""
    from rapidfuzz.distance import Levenshtein

    ref, out = norm(reference), norm(got)
    if not ref:
        return 1.0 if not out else 0.0
    return max(0.0, 1.0 - Levenshtein.distance(ref, out) / len(ref))


def seed_docx(path: Path, lines: list[str], font: str | None = None) -> Path:
    """A .docx with one paragraph per line (optionally in ``font``)."""
    import docx

    doc = docx.Document()
    if font:
        doc.styles["Normal"].font.name = font
    for line in lines:
        doc.add_paragraph(line)
    doc.save(str(path))
    return path
