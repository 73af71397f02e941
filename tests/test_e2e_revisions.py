"""Every part a department sends reaches the draft once: revision or addition, the same
report in two forms, the outline filled in, and report mail that must not be answered.

Mails come in through `mailflow ingest` (the same intake as poll) from .eml files built
here; the draft is written by `mailflow assemble`; the state is a real SQLite file.
"""

from __future__ import annotations

import email
import email.policy
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import docx
import pytest
from fixtures.e2e.build import DOCX, Section, mail, report_docx, to_doc
from fixtures.e2e.flow import CAMPAIGN, Flow

from mailenv import MailEnv
from mailflow.adapters import ocr
from mailflow.adapters.pdf import find_soffice, to_pdf

SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
DOMAIN = "sokhcn.example"
PDF = "application/pdf"

FIRST = (
    "Trong 6 tháng đầu năm, Phòng đã kiểm tra 40 cơ sở kinh doanh xăng dầu, phát hiện 3 cơ "
    "sở vi phạm về đo lường và đã xử phạt hành chính theo quy định."
)
REVISED = (
    "Trong 6 tháng đầu năm, Phòng đã kiểm tra 46 cơ sở kinh doanh xăng dầu và khí dầu mỏ "
    "hóa lỏng; 5 cơ sở vi phạm đã bị xử phạt, nộp ngân sách 85 triệu đồng."
)
OTHER = (
    "Số liệu điều chỉnh theo kết quả thanh tra liên ngành: thu hồi 2 giấy chứng nhận kiểm "
    "định, tạm dừng hoạt động một trạm cân ô tô không bảo đảm sai số cho phép."
)
TABLE_NOTE = "Phụ lục số liệu: kết quả kiểm tra đo lường theo từng huyện, thị xã."


class Offline(Flow):
    """A Flow whose mails arrive by `mailflow ingest` instead of SMTP + poll."""

    def ingest(  # type: ignore[no-untyped-def]
        self, local: str, text: str, files=(), *, subject=SUBJECT, headers=(), date=None
    ) -> int:
        addr = f"{local}@{DOMAIN}"
        data = mail(
            addr,
            f"baocao@{DOMAIN}",
            subject,
            text,
            attachments=list(files),
            headers=list(headers),
            date=date,
        )
        folder = self.config_path.parent / "saved"
        folder.mkdir(exist_ok=True)
        path = folder / f"{len(list(folder.iterdir())):03d}.eml"
        path.write_bytes(data)
        self.run("ingest", str(path))
        self.match()  # as a poll does after it takes mail in
        return int(self.query("SELECT MAX(id) AS id FROM mails")[0]["id"])

    def draft(self) -> str:
        out = (
            self.config_path.parent
            / f"draft{len(list(self.config_path.parent.glob('d*.docx')))}.docx"
        )
        self.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
        d = docx.Document(str(out))
        lines = [p.text for p in d.paragraphs]
        for t in d.tables:
            for row in t.rows:
                lines.extend(c.text for c in row.cells)
        return "\n".join(lines)

    def receipts(self) -> list[tuple[list[str], str]]:
        rows = self.query("SELECT recipients, archive_path FROM sends WHERE kind = 'receipt'")
        archive = self.cfg.archive_dir if hasattr(self.cfg, "archive_dir") else None
        out = []
        for r in rows:
            from mailflow import bootstrap

            raw = bootstrap.build(self.cfg).archive.read(r["archive_path"])
            msg = email.message_from_bytes(raw, policy=email.policy.default)
            body = msg.get_body(("plain",))
            out.append((json.loads(r["recipients"]), body.get_content() if body else ""))
        del archive
        return out


@pytest.fixture
def flow(tmp_path: Path) -> Offline:
    env = MailEnv("embedded", "127.0.0.1", 1, 1)  # never contacted: ingest reads files
    path = tmp_path / "config.toml"
    path.write_text(env.config_text(deadline="2031-07-21"), encoding="utf-8")
    return Offline(env, path)


def _tdc(flow: Offline, *texts: str, table=None) -> bytes:  # type: ignore[no-untyped-def]
    title = flow.outline().section("1.2.1.4").title
    return report_docx([Section(title, list(texts), table=table)])


def _live(flow: Offline, code: str) -> list[dict[str, object]]:
    return [r for r in flow.current(code) if r["status"] in ("auto", "reviewed")]


# --- revision or addition ---------------------------------------------------------------


def test_a_revision_replaces_the_earlier_part_and_says_so(flow: Offline) -> None:
    then = datetime.now(UTC) - timedelta(days=3)
    sent = then.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")  # office day
    flow.ingest("tdc", "Gửi báo cáo.", [("BC TDC.docx", _tdc(flow, FIRST), DOCX)], date=then)
    flow.ingest(
        "tdc",
        "Phòng gửi lại báo cáo đã chỉnh sửa số liệu.",
        [("BC TDC sua.docx", _tdc(flow, "Số liệu mới: " + TABLE_NOTE), DOCX)],
        subject=SUBJECT + " (bản chỉnh sửa)",
        date=then + timedelta(days=1),
    )
    text = flow.draft()
    assert "Số liệu mới" in text and FIRST not in text
    assert f"thay cho phần gửi ngày {sent}" in text
    receipt = flow.receipts()[-1][1]
    assert "được coi là bản sửa" in receipt and f"phần gửi ngày {sent}" in receipt
    history = flow.run("history", "--campaign", CAMPAIGN, "--department", "TDC").output
    assert "superseded" in history and "replaced by part" in history


def test_a_newer_version_of_the_same_text_replaces_without_a_word_saying_so(
    flow: Offline,
) -> None:
    flow.ingest("tdc", "Gửi báo cáo.", [("a.docx", _tdc(flow, FIRST), DOCX)])
    flow.ingest("tdc", "Gửi báo cáo.", [("b.docx", _tdc(flow, FIRST.replace("40", "42")), DOCX)])
    text = flow.draft()
    assert FIRST.replace("40", "42") in text and FIRST not in text


def test_two_different_short_reports_alike_both_reach_the_draft_once(flow: Offline) -> None:
    # two one-sentence reports sharing the department's phrasing score 69.9 (same-text
    # ratio 66): on the old rule the first silently left the draft
    first = "Văn phòng đã ban hành 8 văn bản chỉ đạo, hướng dẫn triển khai Nghị quyết."
    second = "Văn phòng đã tham mưu Giám đốc Sở ban hành 3 kế hoạch triển khai Nghị quyết."
    then = datetime.now(UTC) - timedelta(days=3)
    sent = then.astimezone(ZoneInfo("Asia/Ho_Chi_Minh")).strftime("%d/%m/%Y")
    flow.ingest("tdc", "Gửi báo cáo.", [("a.docx", _tdc(flow, first), DOCX)], date=then)
    flow.ingest("tdc", "Gửi báo cáo.", [("b.docx", _tdc(flow, second), DOCX)])
    text = flow.draft()
    assert text.count(first) == 1 and text.count(second) == 1
    earlier = next(r for r in flow.current("TDC") if first in str(r["text"]))
    later = next(r for r in flow.current("TDC") if second in str(r["text"]))
    assert earlier["status"] == "auto" and later["status"] == "review"
    assert f"có thể là bản mới của phần số {earlier['id']} gửi ngày {sent}" in text


def test_a_revision_said_only_in_the_mail_body_replaces_the_earlier_part(flow: Offline) -> None:
    # the report attached, the subject plain: only the covering note says it replaces
    flow.ingest("tdc", "Gửi báo cáo.", [("a.docx", _tdc(flow, FIRST), DOCX)])
    flow.ingest(
        "tdc",
        "Kính gửi Văn phòng. Phòng gửi lại báo cáo, thay thế báo cáo đã gửi trước.",
        [("b.docx", _tdc(flow, OTHER), DOCX)],
    )
    text = flow.draft()
    assert OTHER in text and FIRST not in text
    assert [r["text"] for r in _live(flow, "TDC") if FIRST in str(r["text"])] == []


def test_a_supplement_adds_to_the_report_it_supplements(flow: Offline) -> None:
    flow.ingest("tdc", "Gửi báo cáo.", [("BC.docx", _tdc(flow, FIRST), DOCX)])
    table = [["Huyện", "Số cơ sở", "Vi phạm"], ["Triệu Phong", "12", "1"]]
    flow.ingest(
        "tdc",
        "Phòng gửi phụ lục số liệu kèm báo cáo.",
        [("Phu luc.docx", _tdc(flow, TABLE_NOTE, table=table), DOCX)],
        subject="Phụ lục số liệu kèm báo cáo",
    )
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(TABLE_NOTE) == 1 and "Triệu Phong" in text
    assert len(_live(flow, "TDC")) == 2


def test_a_report_in_the_body_then_a_data_appendix_keeps_the_body_text(flow: Offline) -> None:
    title = flow.outline().section("1.2.1.4").title
    flow.ingest("tdc", f"Kính gửi Văn phòng Sở.\n\n1. {title}\n\n{FIRST}\n\nTrân trọng./.")
    flow.ingest(
        "tdc",
        "Gửi kèm bảng số liệu.",
        [("So lieu.docx", _tdc(flow, TABLE_NOTE), DOCX)],
        subject="Phụ lục số liệu kèm báo cáo",
    )
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(TABLE_NOTE) == 1


def test_restore_brings_a_replaced_part_back(flow: Offline) -> None:
    flow.ingest("tdc", "Gửi báo cáo.", [("BC.docx", _tdc(flow, FIRST), DOCX)])
    flow.ingest("tdc", "Thay thế báo cáo trước.", [("BC2.docx", _tdc(flow, REVISED), DOCX)])
    old = next(r for r in flow.current("TDC") if r["status"] == "superseded")
    assert FIRST not in flow.draft()
    out = flow.run("restore", str(old["id"])).output
    assert f"Part {old['id']} restored" in out
    text = flow.draft()
    assert FIRST in text and REVISED in text
    history = flow.run("history", "--campaign", CAMPAIGN).output
    assert f"part {old['id']} (TDC" in history and "restored by" in history


def test_restore_of_a_part_that_was_not_replaced_is_a_clear_error(flow: Offline) -> None:
    flow.ingest("tdc", "Gửi báo cáo.", [("BC.docx", _tdc(flow, FIRST), DOCX)])
    part = flow.current("TDC")[0]["id"]
    result = flow.run("restore", str(part), ok=False)
    assert result.exit_code == 2 and "was not replaced" in result.output


# --- the same report in two forms ---------------------------------------------------------


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_a_docx_and_its_pdf_in_one_mail_enter_the_draft_once(flow: Offline, tmp_path: Path) -> None:
    data = _tdc(flow, FIRST, REVISED)
    src = tmp_path / "BC TDC.docx"
    src.write_bytes(data)
    pdf = to_pdf(src, tmp_path / "BC ky.pdf").path.read_bytes()
    # the signed copy first in the mail: which one enters is decided by form, not order
    flow.ingest(
        "tdc", "Gửi báo cáo và bản ký.", [("BC ky.pdf", pdf, PDF), ("BC TDC.docx", data, DOCX)]
    )
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(REVISED) == 1
    assert "bản ký: BC ky.pdf" in text
    docs = {r["name"]: r for r in flow.query("SELECT name, status, reason FROM documents")}
    assert docs["BC ky.pdf"]["status"] == "ignored"
    assert docs["BC ky.pdf"]["reason"] == "review.reason.same_report"


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_a_doc_and_a_docx_of_the_same_report_enter_once_from_the_docx(flow: Offline) -> None:
    data = _tdc(flow, FIRST, REVISED)
    old = to_doc(data)
    assert old is not None
    flow.ingest(
        "tdc", "Gửi báo cáo.", [("BC.doc", old, "application/msword"), ("BC.docx", data, DOCX)]
    )
    text = flow.draft()
    assert text.count(FIRST) == 1
    names = {
        r["name"]
        for r in flow.query("SELECT d.name FROM parts p JOIN documents d ON d.id = p.document_id")
    }
    assert names == {"BC.docx"}


def _parts_from(flow: Offline) -> set[str]:
    rows = flow.query("SELECT d.name FROM parts p JOIN documents d ON d.id = p.document_id")
    return {str(r["name"]) for r in rows}


def _pdf_of(data: bytes, folder: Path, name: str) -> bytes:
    src = folder / f"{name}.docx"
    src.write_bytes(data)
    return to_pdf(src, folder / f"{name}.pdf").path.read_bytes()


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
@pytest.mark.parametrize("pdf_first", [True, False], ids=["pdf-first", "docx-first"])
def test_a_docx_and_its_pdf_enter_once_from_the_docx_in_either_order(
    flow: Offline, tmp_path: Path, pdf_first: bool
) -> None:
    data = _tdc(flow, FIRST, REVISED)
    pdf = _pdf_of(data, tmp_path, "src")
    files = [("BC ky.pdf", pdf, PDF), ("BC TDC.docx", data, DOCX)]
    flow.ingest("tdc", "Gửi báo cáo và bản ký.", files if pdf_first else files[::-1])
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(REVISED) == 1
    assert _parts_from(flow) == {"BC TDC.docx"}
    assert "bản ký: BC ky.pdf" in text


@pytest.mark.skipif(find_soffice() is None, reason="LibreOffice is not installed")
def test_a_pdf_and_a_doc_of_the_same_report_enter_once_from_the_doc(
    flow: Offline, tmp_path: Path
) -> None:
    # both originals have a docx form; the .doc is the editable one, whatever the order
    data = _tdc(flow, FIRST, REVISED)
    old = to_doc(data)
    assert old is not None
    pdf = _pdf_of(data, tmp_path, "src")
    flow.ingest(
        "tdc",
        "Gửi báo cáo.",
        [("BC ky.pdf", pdf, PDF), ("BC.doc", old, "application/msword")],
    )
    assert flow.draft().count(FIRST) == 1
    assert _parts_from(flow) == {"BC.doc"}


@pytest.mark.skipif(not ocr.status().ok, reason="tesseract-ocr-vie not installed")
def test_a_docx_and_its_scanned_signed_pdf_enter_once_from_the_docx(flow: Offline) -> None:
    from formats_support import image_pdf, scanned_page

    title = flow.outline().section("1.2.1.4").title
    data = _tdc(flow, FIRST, REVISED)
    scan = image_pdf([scanned_page([title, FIRST, REVISED], angle=0.5)])
    flow.ingest(
        "tdc",
        "Gửi báo cáo và bản quét có chữ ký.",
        [("BC quet.pdf", scan, PDF), ("BC.docx", data, DOCX)],
    )
    docs = {r["name"]: r for r in flow.query("SELECT name, status, reason FROM documents")}
    assert docs["BC quet.pdf"]["status"] == "ignored"
    assert docs["BC quet.pdf"]["reason"] == "review.reason.same_report"
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(REVISED) == 1
    assert _parts_from(flow) == {"BC.docx"}


def test_two_different_reports_in_one_mail_both_enter(flow: Offline) -> None:
    o = flow.outline()
    a = report_docx([Section(o.section("1.2.1.4").title, [FIRST])])
    b = report_docx([Section(o.section("1.2.1.5").title, [REVISED])])
    flow.ingest("tdc", "Gửi hai báo cáo.", [("a.docx", a, DOCX), ("b.docx", b, DOCX)])
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(REVISED) == 1


# --- the outline, filled in -----------------------------------------------------------------


def _filled_outline(flow: Offline, key: str, texts: list[str]) -> bytes:
    """The outline we sent, with ``texts`` typed right after the heading of ``key``."""
    cfg = flow.cfg
    d = docx.Document(str(cfg.campaign(CAMPAIGN).outline))
    title = flow.outline().section(key).title
    paras = d.paragraphs
    i = next(n for n, p in enumerate(paras) if title[:40] in p.text)
    anchor = paras[i]
    i += 1
    # after the section's own guidance/assignment lines, as a person types
    while i < len(paras) and (
        paras[i].text.strip().startswith(("+", "(")) or "báo cáo" in paras[i].text[-12:]
    ):
        anchor = paras[i]
        i += 1
    for text in reversed(texts):
        new = anchor._parent.add_paragraph(text)  # type: ignore[attr-defined]
        anchor._p.addnext(new._p)
    buf = io.BytesIO()
    d.save(buf)
    return buf.getvalue()


def test_a_filled_in_outline_places_the_typed_text_under_its_section(flow: Offline) -> None:
    data = _filled_outline(flow, "1.2.1.4", [FIRST, REVISED])
    flow.ingest("tdc", "Phòng gửi đề cương đã điền nội dung.", [("De cuong TDC.docx", data, DOCX)])
    live = _live(flow, "TDC")
    assert [r["section_key"] for r in live] == ["1.2.1.4"]
    assert FIRST in live[0]["text"] and REVISED in live[0]["text"]
    assert "báo cáo" not in live[0]["text"].split("\n")[-1][-12:]
    doc = flow.query("SELECT status FROM documents WHERE name = 'De cuong TDC.docx'")[0]
    assert doc["status"] == "ok"
    text = flow.draft()
    assert text.count(FIRST) == 1 and text.count(REVISED) == 1


def test_a_returned_outline_that_adds_nothing_is_still_a_copy(flow: Offline) -> None:
    data = Path(flow.cfg.campaign(CAMPAIGN).outline).read_bytes()
    flow.ingest("tdc", "Gửi lại đề cương.", [("De cuong.docx", data, DOCX)])
    doc = flow.query("SELECT status, reason FROM documents WHERE name = 'De cuong.docx'")[0]
    assert doc["status"] == "ignored" and doc["reason"] == "review.reason.copy_outline"


# --- mail not to be answered, but read ------------------------------------------------------


def test_a_report_through_a_group_address_is_taken_in_and_never_answered(flow: Offline) -> None:
    mail_id = flow.ingest(
        "tdc",
        "Gửi báo cáo.",
        [("BC.docx", _tdc(flow, FIRST), DOCX)],
        headers=[("List-Id", "<phong-tdc.sokhcn.example>"), ("Precedence", "list")],
    )
    row = flow.query("SELECT kind FROM mails WHERE id = ?", [mail_id])[0]
    assert row["kind"] == "report"
    assert FIRST in flow.draft()
    assert flow.receipts() == []


def test_a_report_from_a_document_system_is_taken_in_and_never_answered(flow: Offline) -> None:
    mail_id = flow.ingest(
        "tdc",
        "Văn bản điện tử gửi từ hệ thống quản lý văn bản.",
        [("BC.docx", _tdc(flow, FIRST), DOCX)],
        headers=[("Auto-Submitted", "auto-generated"), ("X-Mailer", "VNPT-iOffice 4.0")],
    )
    row = flow.query("SELECT kind, reason FROM mails WHERE id = ?", [mail_id])[0]
    assert row["kind"] == "report"
    assert FIRST in flow.draft()
    assert flow.receipts() == []


def test_an_out_of_office_with_an_attachment_stays_an_auto_reply(flow: Offline) -> None:
    mail_id = flow.ingest(
        "tdc",
        "Tôi vắng mặt đến ngày 25/7.",
        [("lich.docx", _tdc(flow, FIRST), DOCX)],
        subject="Trả lời tự động: " + SUBJECT,
        headers=[("Auto-Submitted", "auto-replied")],
    )
    assert flow.query("SELECT kind FROM mails WHERE id = ?", [mail_id])[0]["kind"] == "auto-reply"
    assert flow.receipts() == []


def test_the_marked_outline_filled_in_keeps_our_notes_out_of_the_report(flow: Offline) -> None:
    # the directives are queued (this test has no mail server: sending stops at once)
    flow.run("send", "--campaign", CAMPAIGN, "--send", ok=False)
    row = flow.query(
        "SELECT archive_path FROM sends WHERE kind = 'directive' AND department = 'TDC'"
    )[0]
    from mailflow import bootstrap

    raw = bootstrap.build(flow.cfg).archive.read(row["archive_path"])
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    marked = [p for p in msg.iter_attachments() if (p.get_filename() or "").endswith(".docx")][1]
    d = docx.Document(io.BytesIO(marked.get_payload(decode=True)))
    title = flow.outline().section("1.2.1.4").title
    paras = d.paragraphs
    i = next(n for n, p in enumerate(paras) if p.text.startswith("- " + title[:40]))
    while i + 1 < len(paras) and not paras[i + 1].text.strip().startswith("-"):
        i += 1  # past the guidance, the assignment line and our "writes this section" note
    new = d.add_paragraph(FIRST)
    paras[i]._p.addnext(new._p)
    buf = io.BytesIO()
    d.save(buf)
    flow.ingest("tdc", "Gửi đề cương đã điền.", [("De cuong da dien.docx", buf.getvalue(), DOCX)])
    live = _live(flow, "TDC")
    assert [(r["section_key"], r["text"]) for r in live] == [("1.2.1.4", FIRST)]


def test_text_typed_above_the_first_section_of_the_outline_is_not_thrown_away(
    flow: Offline,
) -> None:
    d = docx.Document(str(flow.cfg.campaign(CAMPAIGN).outline))
    first = d.paragraphs[0]
    first.insert_paragraph_before(FIRST)
    buf = io.BytesIO()
    d.save(buf)
    flow.ingest("tdc", "Gửi đề cương.", [("De cuong.docx", buf.getvalue(), DOCX)])
    doc = flow.query("SELECT status FROM documents WHERE name = 'De cuong.docx'")[0]
    assert doc["status"] == "ok"
    assert any(FIRST in (r["text"] or "") for r in flow.current("TDC"))


def test_placing_a_revisions_part_by_hand_replaces_the_earlier_one(flow: Offline) -> None:
    flow.ingest("tdc", "Gửi báo cáo.", [("BC.docx", _tdc(flow, FIRST), DOCX)])
    # a revised report whose only heading says nothing about the section: it waits
    revised = report_docx([Section("Kết quả", [OTHER])])
    flow.ingest(
        "tdc", "Gửi lại bản chỉnh sửa.", [("BC sua.docx", revised, DOCX)], subject="Bản sửa"
    )
    new = next(r for r in flow.current("TDC") if OTHER in r["text"])
    assert new["status"] == "review" and FIRST in flow.draft()
    out = flow.run("place", str(new["id"]), "1.2.1.4").output
    assert "replaced" in out
    text = flow.draft()
    assert OTHER in text and FIRST not in text
