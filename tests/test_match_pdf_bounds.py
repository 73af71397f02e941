"""A PDF row from before intake kept docx forms is read by the match with the SAME bounds
as intake: ``[intake]``'s text size and time as configured, not the built-in defaults."""

from __future__ import annotations

from pathlib import Path

import pytest
from formats_support import nfc, plain_docx

from mailflow.adapters.archive import Archive
from mailflow.adapters.pdf import find_soffice, to_pdf
from mailflow.config import IntakeSettings
from mailflow.services.match import document_blocks

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")

LINES = [
    "Kết quả thực hiện nhiệm vụ 6 tháng đầu năm",
    "Sở đã hỗ trợ 12 dự án khởi nghiệp và kết nối 25 doanh nghiệp với các quỹ đầu tư.",
    "Những khó khăn, vướng mắc: nguồn lực còn hạn chế.",
]


def _old_pdf_row(tmp_path: Path) -> tuple[Archive, dict[str, str]]:
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(plain_docx(LINES, "Liberation Serif"))
    made = to_pdf(src, tmp_path / "bao-cao.pdf")
    assert made.path is not None, made.note
    archive = Archive(tmp_path / "archive")
    stored = archive.put(made.path.read_bytes(), "file", ".pdf")
    return archive, {"archive_path": stored.relpath, "content_type": "application/pdf"}


@needs_soffice
def test_an_old_pdf_row_is_cut_at_the_configured_text_bound(tmp_path: Path) -> None:
    archive, row = _old_pdf_row(tmp_path)
    whole, _ = document_blocks(archive, row, IntakeSettings())
    assert [b.text for b in whole] == [nfc(line) for line in LINES]
    cut, _ = document_blocks(archive, row, IntakeSettings(pdf_max_text_bytes=40))
    assert len("".join(b.text for b in cut)) < len("".join(b.text for b in whole))
