"""PDF text: Vietnamese read correctly (poppler, measured in bench/pdf_extract.py), read
ONCE at intake into the document's docx form, bounded in pages, time and bytes."""

from __future__ import annotations

import io
import zlib
from pathlib import Path

import pytest
from formats_support import Offline, docx_lines, draft_text, message, nfc, plain_docx

from mailflow.adapters import pdf as pdf_mod
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.pdf import find_soffice, to_pdf
from mailflow.adapters.unpack import Limits, extract

needs_soffice = pytest.mark.skipif(find_soffice() is None, reason="LibreOffice not installed")

LINES = [
    "Bổ sung: Kết quả hỗ trợ khởi nghiệp đổi mới sáng tạo",
    "Trong 6 tháng đầu năm 2023, Sở đã hỗ trợ 12 dự án khởi nghiệp, tổ chức 03 cuộc thi ý "
    "tưởng và kết nối 25 doanh nghiệp với các quỹ đầu tư; nhiều sản phẩm đặc thù của tỉnh "
    "Quảng Trị đã được thương mại hóa, giai đoạn 2021-2025 đạt 85% kế hoạch.",
    "Những khó khăn, vướng mắc: nguồn lực còn hạn chế; cơ chế phối hợp chưa thường xuyên.",
]


def _libreoffice_pdf(tmp_path: Path, lines: list[str], font: str) -> bytes:
    src = tmp_path / "bao-cao.docx"
    src.write_bytes(plain_docx(lines, font))
    made = to_pdf(src, tmp_path / "bao-cao.pdf")
    assert made.path is not None, made.note
    return made.path.read_bytes()


@needs_soffice
@pytest.mark.parametrize("font", ["Liberation Serif", "DejaVu Sans"])
def test_a_libreoffice_vietnamese_pdf_reads_back_equal_to_its_source(
    tmp_path: Path, font: str
) -> None:
    data = _libreoffice_pdf(tmp_path, LINES, font)
    got = pdf_mod.extract_text(data)
    assert got.text.splitlines() == [nfc(line) for line in LINES]


@needs_soffice
def test_a_pdf_attachment_gets_a_docx_form_holding_its_text(tmp_path: Path) -> None:
    data = _libreoffice_pdf(tmp_path, LINES, "Liberation Serif")
    [item] = [
        i
        for i in extract(
            parse(message("tdc", "Gửi báo cáo.", [("BC.pdf", data, "application/pdf")])).message
        )
        if i.name == "BC.pdf"
    ]
    assert (item.status, item.reason, dict(item.params)["pages"]) == (
        "ok",
        "intake.unpack.pdf",
        "1",
    )
    assert docx_lines(item.docx) == [nfc(line) for line in LINES]


@needs_soffice
def test_pages_past_the_cap_are_not_read(tmp_path: Path) -> None:
    doc_lines = []
    for n in range(1, 4):
        doc_lines.append(f"Trang số {n}")
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    for i, line in enumerate(doc_lines):
        p = d.add_paragraph(line)
        if i < len(doc_lines) - 1:
            p.add_run().add_break(WD_BREAK.PAGE)
    src = tmp_path / "ba-trang.docx"
    d.save(str(src))
    data = to_pdf(src).path.read_bytes()
    got = pdf_mod.extract_text(data, max_pages=2)
    assert (got.page_count, len(got.pages)) == (3, 2)
    assert "Trang số 3" not in got.text and "Trang số 2" in got.text


def _shared_stream_pdf(pages: int = 500, inflated: int = 8 * 1024 * 1024) -> bytes:
    """A small PDF whose pages all draw one content stream that inflates to ``inflated``."""
    op = b"BT /F1 1 Tf 10 10 Td (Bao cao so lieu) Tj ET\n"
    stream = zlib.compress(op * (inflated // len(op)), 9)
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids ["
        + b" ".join(f"{5 + i} 0 R".encode() for i in range(pages))
        + f"] /Count {pages} >>".encode(),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
    ]
    for _ in range(pages):
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] "
            b"/Resources << /Font << /F1 3 0 R >> >> /Contents 4 0 R >>"
        )
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(
        b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    )
    return out.getvalue()


def test_a_small_pdf_whose_pages_share_one_huge_stream_is_quarantined_after_the_time_limit() -> (
    None
):
    data = _shared_stream_pdf()
    assert len(data) < 200_000
    limits = Limits(pdf_timeout_seconds=3)
    msg = parse(message("tdc", "Gửi báo cáo.", [("bomb.pdf", data, "application/pdf")])).message
    [item] = [i for i in extract(msg, limits) if i.name == "bomb.pdf"]
    assert (item.status, item.reason) == ("quarantined", "intake.unpack.pdf_timeout")
    assert dict(item.params) == {"seconds": "3"}
    assert item.data == data  # the original is kept


def test_a_pdf_that_needs_a_password_is_quarantined_as_encrypted(tmp_path: Path) -> None:
    import pypdf

    writer = pypdf.PdfWriter()
    writer.add_blank_page(200, 200)
    writer.encrypt("mat-khau")
    buf = io.BytesIO()
    writer.write(buf)
    msg = parse(message("tdc", "Gửi.", [("kin.pdf", buf.getvalue(), "application/pdf")])).message
    [item] = [i for i in extract(msg) if i.name == "kin.pdf"]
    assert (item.status, item.reason) == ("quarantined", "intake.unpack.encrypted")


@needs_soffice
def test_a_pdf_report_reaches_the_draft_equal_to_its_source_read_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    flow = Offline.make(tmp_path)
    lines = ["2.1. Những kết quả đạt được", LINES[1], "2.2. Những hạn chế, khuyết điểm", LINES[2]]
    data = _libreoffice_pdf(tmp_path, lines, "Liberation Serif")
    calls = []
    real = pdf_mod.extract_text
    monkeypatch.setattr(pdf_mod, "extract_text", lambda *a, **k: calls.append(1) or real(*a, **k))
    flow.ingest_bytes(message("tdc", "Gửi báo cáo.", [("BC TDC.pdf", data, "application/pdf")]))
    [doc] = [d for d in flow.documents() if d["name"] == "BC TDC.pdf"]
    assert doc["docx_path"] and doc["reason"] == "intake.unpack.pdf"
    text = draft_text(flow.draft_docx()).splitlines()
    assert nfc(LINES[1]) in text and nfc(LINES[2]) in text
    assert len(calls) == 1  # intake read it; matching and the draft read the docx form
    live = [r for r in flow.current("TDC") if r["status"] in ("auto", "reviewed")]
    assert [r["section_key"] for r in live] == ["1.2.2.1", "1.2.2.2"]


@needs_soffice
def test_a_pdf_stored_before_docx_forms_existed_is_still_read_with_poppler(tmp_path: Path) -> None:
    from mailflow.adapters.archive import Archive
    from mailflow.services.match import document_blocks

    data = _libreoffice_pdf(tmp_path, LINES, "Liberation Serif")
    archive = Archive(tmp_path / "archive")
    stored = archive.put(data, "file", ".pdf")
    row = {"archive_path": stored.relpath, "content_type": "application/pdf", "name": "BC.pdf"}
    blocks, source = document_blocks(archive, row)  # an old row: no docx_path
    assert [b.text for b in blocks] == [nfc(line) for line in LINES] and source == ""
