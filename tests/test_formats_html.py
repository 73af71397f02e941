"""An HTML-only mail body becomes a .docx: headings, lists and tables kept (tables as
Word tables), the quoted original and cid: pictures left out."""

from __future__ import annotations

import io

import docx
from formats_support import Offline, message

from mailflow.adapters.html_docx import html_docx
from mailflow.adapters.mail_parse import parse
from mailflow.adapters.unpack import extract

REPORT = """<html><head><style>p {color: red}</style></head><body>
<div dir="ltr"><p>Kính gửi Văn phòng Sở,</p>
<h3>2.1. Những kết quả đạt được</h3>
<p>Trong 6 tháng đầu năm, Phòng đã kiểm tra <b>40 cơ sở</b> kinh doanh xăng dầu.</p>
<table border="1">
 <thead><tr><th>Huyện</th><th>Số cơ sở</th><th>Vi phạm</th></tr></thead>
 <tbody><tr><td>Triệu Phong</td><td>12</td><td>1</td></tr>
 <tr><td>Hải Lăng</td><td>28</td><td>2</td></tr>
 <tr><td colspan="2">Tổng cộng</td><td>3</td></tr></tbody>
</table>
<p><strong>2.2. Những hạn chế, khuyết điểm</strong></p>
<ul><li>Nguồn lực còn hạn chế;</li><li>Phối hợp chưa thường xuyên.</li></ul>
<img src="cid:logo@sokhcn" alt="logo">
</div>
<div class="gmail_quote"><div class="gmail_attr">Vào Th 2, Văn phòng đã viết:</div>
<blockquote>Đề nghị các phòng báo cáo sơ kết 6 tháng đầu năm.</blockquote></div>
</body></html>"""


def _read(data: bytes) -> tuple[list[tuple[str, str]], list[list[list[str]]]]:
    d = docx.Document(io.BytesIO(data))
    paras = [(p.style.name, p.text) for p in d.paragraphs]
    tables = [[[c.text for c in row.cells] for row in t.rows] for t in d.tables]
    return paras, tables


def test_an_html_only_body_becomes_a_docx_with_headings_lists_and_a_word_table() -> None:
    items = extract(parse(message("tdc", None, html=REPORT)).message)
    [body] = [i for i in items if i.name.startswith("body")]
    assert (body.name, body.status, body.reason) == ("body.html", "ok", "intake.unpack.body_html")
    paras, [table] = _read(body.docx)
    assert ("Heading 3", "2.1. Những kết quả đạt được") in paras
    assert ("Normal", "- Nguồn lực còn hạn chế;") in paras
    assert table[0] == ["Huyện", "Số cơ sở", "Vi phạm"]
    assert table[3] == ["Tổng cộng", "Tổng cộng", "3"]  # colspan=2: one merged cell


def test_the_quoted_original_and_pictures_of_an_html_body_are_left_out() -> None:
    paras, _ = _read(html_docx(REPORT)[0])
    text = "\n".join(t for _, t in paras)
    assert "Đề nghị các phòng" not in text and "đã viết" not in text and "logo" not in text


def test_a_bold_line_of_an_html_body_stays_bold_for_the_matcher() -> None:
    d = docx.Document(io.BytesIO(html_docx(REPORT)[0]))
    [line] = [p for p in d.paragraphs if p.text == "2.2. Những hạn chế, khuyết điểm"]
    assert all(r.bold for r in line.runs)


def test_an_html_only_report_with_a_table_gives_a_word_table_in_the_draft(tmp_path) -> None:  # type: ignore[no-untyped-def]
    flow = Offline.make(tmp_path)
    flow.ingest_bytes(message("tdc", None, html=REPORT))
    live = [r for r in flow.current("TDC") if r["status"] in ("auto", "reviewed")]
    assert [r["section_key"] for r in live] == ["1.2.2.1", "1.2.2.2"]
    draft = flow.draft_docx()
    rows = [[c.text for c in row.cells] for t in draft.tables for row in t.rows]
    assert ["Triệu Phong", "12", "1"] in rows and ["Hải Lăng", "28", "2"] in rows


def test_a_mail_with_a_plain_alternative_keeps_its_html_table() -> None:
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "tdc@sokhcn.example", "baocao@sokhcn.example", "BC"
    msg.set_content("2.1. Những kết quả đạt được\nHuyện\tSố cơ sở\nTriệu Phong\t12\n")
    msg.add_alternative(REPORT, subtype="html")
    [body] = [i for i in extract(parse(msg.as_bytes()).message) if i.name.startswith("body")]
    assert body.name == "body.html"
    _, [table] = _read(body.docx)
    assert table[1] == ["Triệu Phong", "12", "1"]


def test_a_mail_whose_html_alternative_has_no_table_keeps_the_plain_text() -> None:
    from email.message import EmailMessage
    from email.policy import SMTP

    msg = EmailMessage(policy=SMTP)
    msg["From"], msg["To"], msg["Subject"] = "tdc@sokhcn.example", "baocao@sokhcn.example", "BC"
    msg.set_content("2.1. Những kết quả đạt được\nĐã kiểm tra 40 cơ sở.\n")
    msg.add_alternative(
        "<p>2.1. Những kết quả đạt được</p><p>Đã kiểm tra 40 cơ sở.</p>", subtype="html"
    )
    [body] = [i for i in extract(parse(msg.as_bytes()).message) if i.name.startswith("body")]
    assert (body.name, body.docx) == ("body.txt", None)


def _peak_bytes(html: str) -> int:
    import tracemalloc

    tracemalloc.start()
    try:
        html_docx(html)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_spanned_cells_past_the_table_bounds_cost_no_memory() -> None:
    """A hostile body of ``<td rowspan=50 colspan=50>`` cells once allocated 2,500 grid
    entries per cell (gigabytes from a 500,000-character body); the spans are now clipped
    to the rows and columns the draft keeps."""
    row = "<tr>" + "<td rowspan=50 colspan=50>x" * 300
    assert _peak_bytes("<table><tr><td>a<td>b" + row + "</table>") < 40 * 1024 * 1024


def test_many_spanned_tables_share_one_cell_budget() -> None:
    """Each table within its bounds, but many of them: the spans of the whole body share
    one budget (rows x columns of one table), past which a cell counts as one cell; its
    text is still kept."""
    from mailflow.adapters import docx_form
    from mailflow.adapters.html_docx import _Builder, _Para, parse

    cell = "<td rowspan=50 colspan=50>"  # 2,500 cells each, 200 of them: 500,000 cells
    html = "".join(f"<table><tr><td>a<td>b<tr>{cell}t{n}</table>" for n in range(200))
    builder = _Builder(docx_form.new_document(), 2000, 50)
    builder.walk(parse(html).find("body"))
    tables = [item[0] for item in builder.items if not isinstance(item, _Para)]
    assert sum(len(row) for rows in tables for row in rows) <= 2 * 2000 * 50
    assert all(any(f"t{n}" in row for rows in tables for row in rows) for n in range(200))
