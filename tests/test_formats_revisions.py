"""Tracked changes and comments in a .docx: the docx form accepts every change (deleted
text gone, inserted text kept, markup removed); comments are never report text."""

from __future__ import annotations

import io
import zipfile

import docx
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from formats_support import Offline, draft_text, message

from mailflow.adapters.docx_read import accept_revisions, read_docx
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.unpack import extract

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
DELETED = "40 cơ sở kinh doanh xăng dầu"
INSERTED = "46 cơ sở kinh doanh xăng dầu và khí dầu mỏ hóa lỏng"
MOVED = "Số liệu tính đến ngày 15/6/2023."
COMMENT = "Chị xem lại số liệu này giúp em"
STAMP = 'w:author="Nguyễn Văn A" w:date="2023-07-10T09:00:00Z"'


def _run(text: str, tag: str = "w:t") -> str:
    return f'<w:r><{tag} xml:space="preserve">{text}</{tag}></w:r>'


def _el(xml: str):  # type: ignore[no-untyped-def]
    """An element from WordprocessingML text, the w: namespace declared on its root."""
    name = xml[1:].split(" ", 1)[0].split(">", 1)[0]
    return parse_xml(xml.replace(f"<{name}", f"<{name} {nsdecls('w')}", 1))


def _revised() -> bytes:
    d = docx.Document()
    d.add_paragraph("2.1. Những kết quả đạt được", style="Heading 2")
    p = d.add_paragraph()
    for xml in (
        _run("Trong 6 tháng đầu năm, Phòng đã kiểm tra "),
        f'<w:del w:id="1" {STAMP}>{_run(DELETED, "w:delText")}</w:del>',
        f'<w:ins w:id="2" {STAMP}>{_run(INSERTED)}</w:ins>',
        _run("; đã xử phạt theo quy định."),
    ):
        p._p.append(_el(xml))
    moved_from = d.add_paragraph()
    moved_from._p.append(_el(f'<w:moveFrom w:id="3" {STAMP}>{_run(MOVED)}</w:moveFrom>'))
    d.add_paragraph("Kết quả khác của Phòng trong kỳ báo cáo.")
    moved_to = d.add_paragraph()
    moved_to._p.append(_el(f'<w:moveTo w:id="4" {STAMP}>{_run(MOVED)}</w:moveTo>'))
    note = d.add_paragraph("Tổng kinh phí đạt 45% kế hoạch năm.")
    d.add_comment(note.runs, text=COMMENT, author="Trần Thị B")
    table = d.add_table(rows=3, cols=2)
    for r, (a, b) in enumerate([("Huyện", "Số cơ sở"), ("Triệu Phong", "12"), ("Cam Lộ", "9")]):
        table.cell(r, 0).text, table.cell(r, 1).text = a, b
    tr_pr = table.rows[2]._tr.get_or_add_trPr()
    tr_pr.append(_el(f'<w:del w:id="5" {STAMP}/>'))
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def _texts(data: bytes) -> str:
    blocks = read_docx(data, "bc.docx")
    return "\n".join(b.text for b in blocks)


def test_accepting_keeps_insertions_and_drops_deletions_moves_and_markup() -> None:
    accepted, changes = accept_revisions(_revised())
    assert changes >= 5
    text = _texts(accepted)
    assert INSERTED in text and DELETED not in text
    assert text.count(MOVED) == 1 and "Cam Lộ" not in text
    xml = zipfile.ZipFile(io.BytesIO(accepted)).read("word/document.xml")
    assert b"<w:del " not in xml and b"<w:ins " not in xml and b"w:moveFrom" not in xml


def test_reading_a_revised_docx_never_reads_deleted_or_moved_away_text() -> None:
    text = _texts(_revised())  # as stored before intake accepted revisions
    assert DELETED not in text and text.count(MOVED) == 1 and INSERTED in text


def test_comments_are_never_read_as_report_text() -> None:
    assert COMMENT not in _texts(_revised())


def test_a_docx_without_tracked_changes_is_left_byte_for_byte() -> None:
    d = docx.Document()
    d.add_paragraph("Không có thay đổi nào được theo dõi.")
    buf = io.BytesIO()
    d.save(buf)
    assert accept_revisions(buf.getvalue()) == (buf.getvalue(), 0)


def test_intake_records_that_revisions_were_accepted() -> None:
    msg = parse(message("tdc", "Gửi báo cáo.", [("BC.docx", _revised(), DOCX)])).message
    [item] = [i for i in extract(msg) if i.name == "BC.docx"]
    assert item.status == "ok" and int(dict(item.params)["revisions_accepted"]) >= 5
    assert DELETED not in _texts(item.docx)


def test_tracked_deletions_and_comments_are_absent_from_the_draft(tmp_path) -> None:  # type: ignore[no-untyped-def]
    flow = Offline.make(tmp_path)
    flow.ingest_bytes(message("tdc", "Gửi báo cáo.", [("BC TDC.docx", _revised(), DOCX)]))
    draft = flow.draft_docx()
    text = draft_text(draft)
    assert INSERTED in text and DELETED not in text and COMMENT not in text
    body = draft.element.body.xml
    assert "w:delText" not in body and "<w:ins " not in body


def _with_main_part(data: bytes, edit) -> bytes:  # type: ignore[no-untyped-def]
    """``data`` with its word/document.xml passed through ``edit``."""
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            raw = src.read(info)
            dst.writestr(info, edit(raw) if info.filename == "word/document.xml" else raw)
    return out.getvalue()


def test_a_cell_level_revision_alone_is_accepted() -> None:
    d = docx.Document()
    table = d.add_table(rows=1, cols=2)
    table.cell(0, 0).text, table.cell(0, 1).text = "Huyện", "Số cơ sở"
    table.cell(0, 1)._tc.get_or_add_tcPr().append(_el(f'<w:cellIns w:id="7" {STAMP}/>'))
    buf = io.BytesIO()
    d.save(buf)
    accepted, changes = accept_revisions(buf.getvalue())
    assert changes == 1
    assert b"cellIns" not in zipfile.ZipFile(io.BytesIO(accepted)).read("word/document.xml")


def test_a_main_part_written_with_another_prefix_still_has_its_changes_accepted() -> None:
    def other_prefix(xml: bytes) -> bytes:
        return (
            xml.replace(b"xmlns:w=", b"xmlns:ns0=")
            .replace(b"<w:", b"<ns0:")
            .replace(b"</w:", b"</ns0:")
            .replace(b" w:", b" ns0:")
        )

    data = _with_main_part(_revised(), other_prefix)
    assert b"<w:del" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    accepted, changes = accept_revisions(data)
    assert changes >= 5 and DELETED not in _texts(accepted)
    assert b":moveFrom" not in zipfile.ZipFile(io.BytesIO(accepted)).read("word/document.xml")


def test_changes_written_with_a_second_prefix_beside_w_are_accepted() -> None:
    def second_prefix(xml: bytes) -> bytes:
        ns = b'"http://schemas.openxmlformats.org/wordprocessingml/2006/main"'
        xml = xml.replace(b"xmlns:w=" + ns, b"xmlns:w=" + ns + b" xmlns:x=" + ns, 1)
        for tag in (b"del", b"delText", b"ins", b"moveFrom", b"moveTo"):
            xml = xml.replace(b"<w:" + tag + b" ", b"<x:" + tag + b" ")
            xml = xml.replace(b"<w:" + tag + b">", b"<x:" + tag + b">")
            xml = xml.replace(b"</w:" + tag + b">", b"</x:" + tag + b">")
            xml = xml.replace(b"<w:" + tag + b"/>", b"<x:" + tag + b"/>")
        return xml

    data = _with_main_part(_revised(), second_prefix)
    assert b"<w:del" not in zipfile.ZipFile(io.BytesIO(data)).read("word/document.xml")
    accepted, changes = accept_revisions(data)
    assert changes >= 5 and DELETED not in _texts(accepted) and "Cam Lộ" not in _texts(accepted)
