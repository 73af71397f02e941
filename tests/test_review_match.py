"""The match job on a real state: sources, idempotence, receipts, errors, draft headings."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, report_docx
from test_review_cli import Offline

from mailenv import MailEnv
from mailflow import bootstrap
from mailflow.errors import MailflowError
from mailflow.services.assemble import repeats_title
from mailflow.services.match import match_mail

A = "{http://schemas.openxmlformats.org/drawingml/2006/main}"
NOW = datetime(2030, 7, 10, 9, 0).astimezone()


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _pdf(lines: list[str]) -> bytes:
    """A minimal real PDF with one page of ASCII text lines (Helvetica)."""
    ops = ["BT", "/F1 11 Tf", "14 TL", "72 760 Td"]
    for line in lines:
        safe = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
        ops.append(f"({safe}) Tj T*")
    ops.append("ET")
    stream = "\n".join(ops).encode("latin-1")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _match(flow: Offline, mail_id: int, **kw: object):  # type: ignore[no-untyped-def]
    cfg = flow.cfg
    store = bootstrap.build(cfg).store
    try:
        return match_mail(cfg, store, bootstrap.build(cfg).archive, mail_id, NOW, **kw)  # type: ignore[arg-type]
    finally:
        store.close()


def test_a_report_in_the_mail_body_is_matched_from_its_text(flow: Offline) -> None:
    body = (
        "Kính gửi: Văn phòng Sở\n\n2.1. Những kết quả đạt được\n"
        "Đã kiểm tra 40 cơ sở đo lường.\n\nTrân trọng./."
    )
    mail_id = flow.ingest("tdc", body)
    result = _match(flow, mail_id)
    rows = flow.current("TDC")
    assert result.parts == len(rows) >= 1
    assert any("40 cơ sở" in r["text"] for r in rows)
    assert "1.2.2.1" in {r["section_key"] for r in rows}


def test_a_pdf_report_is_matched_from_its_text_lines(flow: Offline) -> None:
    pdf = _pdf(
        [
            "Ket qua nhiem vu Tang cuong cong tac quan ly nha nuoc ve tieu chuan do luong",
            "chat luong, dang ky va bao ve quyen so huu tri tue, thuong hieu san pham hang hoa",
            "Da kiem tra 40 co so do luong trong 6 thang dau nam.",
        ]
    )
    mail_id = flow.ingest("tdc", "Gửi báo cáo PDF.", [("BC TDC.pdf", pdf, "application/pdf")])
    doc = flow.query("SELECT status FROM documents WHERE mail_id = ?", [mail_id])
    assert [d["status"] for d in doc] == ["ok"]
    _match(flow, mail_id)
    rows = flow.current("TDC")
    assert rows and any("40 co so" in r["text"] for r in rows)


def test_matching_a_mail_twice_adds_nothing_and_queues_one_receipt(flow: Offline) -> None:
    title = flow.outline().section("1.2.1.4").title
    data = report_docx([Section(title, ["Đã kiểm tra 40 cơ sở."])])
    mail_id = flow.ingest("tdc", "Gửi báo cáo.", [("BC.docx", data, DOCX)])
    first = _match(flow, mail_id)
    second = _match(flow, mail_id)
    assert first.parts == 1 and first.receipt and second.already
    assert len(flow.query("SELECT * FROM parts")) == 1
    assert len(flow.query("SELECT * FROM placements")) == 1
    receipts = flow.query("SELECT detail FROM sends WHERE kind = 'receipt'")
    assert len(receipts) == 1
    assert json.loads(receipts[0]["detail"])["received"] == ["1.2.1.4"]


def test_receipt_lists_received_and_missing_sections_of_the_department(flow: Offline) -> None:
    title = flow.outline().section("1.2.1.4").title
    data = report_docx([Section(title, ["Đã kiểm tra 40 cơ sở."])])
    result = _match(flow, flow.ingest("tdc", "Gửi.", [("BC.docx", data, DOCX)]))
    assigned = [s.key for s in flow.outline().sections_for("TDC")]
    assert result.received == ("1.2.1.4",)
    assert "1.2.1.5" in result.missing and set(result.received) | set(result.missing) <= set(
        assigned
    )


def test_matching_a_mail_that_is_not_a_report_is_a_clear_error(flow: Offline) -> None:
    mail_id = flow.ingest("spare3", "Thư của người lạ.")
    with pytest.raises(MailflowError) as err:
        _match(flow, mail_id)
    assert f"{mail_id}" in err.value.message and "release" in (err.value.hint or "")


def test_a_heading_that_restates_its_section_is_not_printed_twice(flow: Offline) -> None:
    title = flow.outline().section("1.2.1.4").title
    data = report_docx([Section(title, ["Đã kiểm tra 40 cơ sở."])])
    flow.ingest("tdc", "Gửi.", [("BC.docx", data, DOCX)])
    out = flow.config_path.parent / "d.docx"
    flow.run("assemble", "--no-pdf", "--out", str(out))
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert sum(1 for x in texts if title in x) == 1
    assert "Đã kiểm tra 40 cơ sở." in texts


def test_a_mail_body_opening_with_a_pasted_title_does_not_print_it_twice(flow: Offline) -> None:
    title = flow.outline().section("1.2.1.4").title
    flow.ingest("tdc", f"- {title}\n\nĐã kiểm tra 40 cơ sở kinh doanh trên địa bàn tỉnh.\n")
    out = flow.config_path.parent / "d.docx"
    flow.run("assemble", "--no-pdf", "--out", str(out))
    texts = [p.text for p in docx.Document(str(out)).paragraphs]
    assert sum(1 for x in texts if title in x) == 1
    assert any("Đã kiểm tra 40 cơ sở kinh doanh" in x for x in texts)


def test_a_table_whose_top_row_restates_the_title_reaches_the_draft_whole(
    flow: Offline,
) -> None:
    title = flow.outline().section("1.2.1.4").title
    d = docx.Document()
    d.add_paragraph("Kính gửi Văn phòng Sở, Phòng gửi số liệu như sau:")
    table = d.add_table(rows=3, cols=2)
    rows = [(title, ""), ("Cơ sở xăng dầu được kiểm tra", "46"), ("Cơ sở vi phạm", "3")]
    for r, (a, b) in enumerate(rows):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    d.add_paragraph("Đã xử phạt theo quy định và yêu cầu khắc phục trong 30 ngày.")
    buf = io.BytesIO()
    d.save(buf)
    flow.ingest("tdc", "Gửi.", [("BC.docx", buf.getvalue(), DOCX)])
    flow.match()
    flow.run("place", str(flow.current("TDC")[0]["id"]), "1.2.1.4")  # settled, by a person
    out = flow.config_path.parent / "d.docx"
    flow.run("assemble", "--no-pdf", "--out", str(out))
    cells = [c.text for t in docx.Document(str(out)).tables for row in t.rows for c in row.cells]
    assert "Cơ sở xăng dầu được kiểm tra" in cells and "Cơ sở vi phạm" in cells


def test_repeats_title_ignores_numbering_case_and_diacritics() -> None:
    title = "Những kết quả đạt được"
    assert repeats_title("II. NHUNG KET QUA DAT DUOC", title)
    assert repeats_title("2.1. Những kết quả đạt được:", title)
    assert not repeats_title("2.1. Kết quả nổi bật về đổi mới sáng tạo", title)
    assert not repeats_title("", title)


def test_an_older_report_taken_in_after_a_newer_one_does_not_replace_it(flow: Offline) -> None:
    heading = flow.outline().section("1.2.2.1").heading
    text = (
        "Đã kiểm tra {} cơ sở kinh doanh xăng dầu, phát hiện {} cơ sở vi phạm về đo lường; "
        "xử phạt hành chính theo quy định và yêu cầu khắc phục trong 30 ngày."
    )
    # a newer version of the same text: the later one replaces, whatever order they come in
    newer = report_docx([Section(heading, [text.format(42, 3)])])
    older = report_docx([Section(heading, [text.format(40, 2)])])
    when = datetime.now(UTC) - timedelta(days=1)
    first = flow.ingest("tdc", "Gửi.", [("moi.docx", newer, DOCX)], date=when)
    _match(flow, first)
    second = flow.ingest("tdc", "Gửi.", [("cu.docx", older, DOCX)], date=when - timedelta(days=2))
    _match(flow, second)
    live = [r for r in flow.current("TDC") if r["status"] == "auto"]
    assert [(r["mail_id"], r["section_key"]) for r in live] == [(first, "1.2.2.1")]
    old_rows = [r for r in flow.current("TDC") if r["mail_id"] == second]
    assert old_rows and all(r["status"] == "superseded" for r in old_rows)


def test_a_picture_at_the_end_of_a_report_stays_with_its_part(flow: Offline) -> None:
    o = flow.outline()
    data = report_docx(
        [
            Section(o.section("1.2.1.4").title, ["Đã kiểm tra 40 cơ sở."]),
            Section(o.section("1.2.1.5").title, ["Ảnh hội chợ công nghệ:"], image=True),
        ]
    )
    flow.ingest("tdc", "Gửi.", [("BC.docx", data, DOCX)])
    out = flow.config_path.parent / "d.docx"
    flow.run("assemble", "--no-pdf", "--out", str(out))
    blips = docx.Document(str(out)).element.body.findall(".//" + A + "blip")
    assert len(blips) == 1
