"""Hard cases end to end on both servers: mail in through SMTP → poll → match → outcome.

Revision, a re-attached outline, an unknown sender, a spoofed sender and an auto-reply:
each ends where a person expects it (placed, superseded, in review, quarantined, or just
noted), and no receipt ever answers an automatic mail.
"""

from __future__ import annotations

import json
from pathlib import Path

import docx
import pytest
from campaign_fixtures import open_plan_campaign
from fixtures.e2e.build import DOCX, Section, mail, report_docx
from fixtures.e2e.flow import CAMPAIGN, Flow

pytestmark = [
    pytest.mark.integration,
    # issue 18: every scenario also runs with a second campaign open (its directives out
    # too), on the embedded server only for time; the outcomes must not change
    pytest.mark.parametrize(
        ("mail_env", "second_campaign"),
        [("embedded", False), ("real", False), ("embedded", True)],
        ids=["embedded", "real", "embedded-two-campaigns"],
        indirect=["mail_env"],
    ),
]

SUBJECT = "Re: [2023-H1] Báo cáo sơ kết 6 tháng đầu năm 2023"
OLD = "Bản đầu: đã cấp 14 giấy chứng nhận doanh nghiệp khoa học và công nghệ."
NEW = "Bản sửa: đã cấp 16 giấy chứng nhận doanh nghiệp khoa học và công nghệ."


@pytest.fixture
def flow(mail_env, tmp_path: Path, second_campaign: bool) -> Flow:  # type: ignore[no-untyped-def]
    f = Flow.create(mail_env, tmp_path)
    if second_campaign:
        open_plan_campaign(f, tmp_path)
    return f


def _send(flow: Flow, local: str, text: str, files=(), headers=(), sender_name="") -> None:  # type: ignore[no-untyped-def]
    addr = flow.env.addr(local)
    flow.reply(
        addr,
        mail(
            addr,
            flow.env.addr("baocao"),
            SUBJECT,
            text,
            attachments=list(files),
            headers=list(headers),
            sender_name=sender_name,
        ),
    )


def _receipts(flow: Flow) -> list[dict[str, object]]:
    return flow.query("SELECT department, recipients FROM sends WHERE kind = 'receipt'")


def test_revision_replaces_only_the_sections_it_covers(flow: Flow) -> None:
    o = flow.outline()
    first = report_docx(
        [
            Section(o.section("1.2.1.1").title, ["Đã ban hành kế hoạch chuyển đổi số."]),
            Section(o.section("1.2.2.1").heading, [OLD]),
        ]
    )
    _send(flow, "qlcn", "Gửi báo cáo.", [("BC QLCN.docx", first, DOCX)])
    flow.poll(expect=1)
    flow.match()
    second = report_docx([Section(o.section("1.2.2.1").heading, [NEW])])
    _send(flow, "qlcn", "Gửi bản sửa mục 2.1.", [("BC QLCN sua.docx", second, DOCX)])
    flow.poll(expect=2)
    flow.match()

    rows = flow.current("QLCN")
    by_status = {(r["section_key"], r["status"]) for r in rows}
    assert ("1.2.1.1", "auto") in by_status  # not covered by the revision: stands
    assert ("1.2.2.1", "superseded") in by_status and ("1.2.2.1", "auto") in by_status
    live = [r for r in rows if r["section_key"] == "1.2.2.1" and r["status"] == "auto"]
    assert NEW in live[0]["text"]

    out = flow.config_path.parent / "draft.docx"
    flow.run("assemble", "--campaign", CAMPAIGN, "--no-pdf", "--out", str(out))
    text = "\n".join(p.text for p in docx.Document(str(out)).paragraphs)
    assert NEW in text and OLD not in text
    history = flow.run("history", "--campaign", CAMPAIGN, "--department", "QLCN").output
    assert "mail 2 from QLCN: 1 part(s), 1 replaced" in history


def test_reattached_outline_is_ignored_and_the_report_beside_it_is_placed(flow: Flow) -> None:
    o = flow.outline()
    outline_copy = Path(flow.cfg.campaign(CAMPAIGN).outline).read_bytes()
    report = report_docx([Section(o.section("1.2.1.4").title, ["Đã kiểm tra 40 cơ sở đo lường."])])
    files = [("De cuong.docx", outline_copy, DOCX), ("Bao cao TDC.docx", report, DOCX)]
    _send(flow, "tdc", "Gửi lại đề cương và báo cáo.", files)
    flow.poll(expect=1)
    flow.match()
    docs = {d["name"]: d for d in flow.query("SELECT * FROM documents")}
    assert docs["De cuong.docx"]["status"] == "ignored"
    assert docs["De cuong.docx"]["reason"] == "review.reason.copy_outline"
    rows = flow.current("TDC")
    assert [r["section_key"] for r in rows] == ["1.2.1.4"]
    assert {r["mail_id"] for r in rows} == {flow.mail_row(flow.env.addr("tdc"))["id"]}


def test_unknown_sender_waits_for_review_and_release_places_it(flow: Flow) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.5").title, ["Hỗ trợ 6 doanh nghiệp."])])
    _send(flow, "spare1", "Em gửi báo cáo thay phòng TĐC.", [("BC.docx", report, DOCX)])
    flow.poll(expect=1)
    flow.match()
    row = flow.mail_row(flow.env.addr("spare1"))
    assert row["kind"] == "review" and flow.current("TDC") == []
    listed = flow.run("review", "--campaign", CAMPAIGN).output
    assert flow.env.addr("spare1") in listed

    flow.run("release", str(row["id"]), "--department", "TDC")
    assert [r["section_key"] for r in flow.current("TDC")] == ["1.2.1.5"]
    assert [r["department"] for r in _receipts(flow)] == ["TDC"]


def test_spoofed_sender_is_quarantined_with_no_parts_and_no_receipt(flow: Flow) -> None:
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.1").title, ["Nội dung giả mạo."])])
    trusted = f"mail.{flow.env.domain}"
    forged = [("Authentication-Results", f"{trusted}; spf=fail; dmarc=fail header.from=x")]
    addr = flow.env.addr("qlcn")
    data = mail(
        addr,
        flow.env.addr("baocao"),
        SUBJECT,
        "Báo cáo.",
        attachments=[("BC.docx", report, DOCX)],
        headers=forged,
    )
    flow.reply(flow.env.addr("spare2"), data)  # submitted by someone else, From: qlcn
    flow.poll(expect=1)
    flow.match()
    row = flow.mail_row(addr)
    assert row["kind"] == "quarantined"
    assert row["reason"] == "intake.why.auth_fail"
    assert flow.current("QLCN") == [] and _receipts(flow) == []
    assert str(row["id"]) in flow.run("review", "--campaign", CAMPAIGN).output


def test_auto_reply_is_noted_as_out_of_office_and_never_answered(flow: Flow) -> None:
    text = "Tôi đang đi công tác đến ngày 25/07/2023. Xin cảm ơn."
    _send(
        flow,
        "khtc",
        text,
        headers=[("Auto-Submitted", "auto-replied"), ("X-Autoreply", "yes")],
    )
    flow.poll(expect=1)
    assert flow.match() == []
    row = flow.mail_row(flow.env.addr("khtc"))
    assert row["kind"] == "auto-reply"
    assert json.loads(row["detail"])["return_date"] == "2023-07-25"
    assert flow.current("KHTC") == [] and _receipts(flow) == []
    out = flow.config_path.parent / "status.html"
    flow.run("status", "--campaign", CAMPAIGN, "--html", str(out))
    page = out.read_text(encoding="utf-8")
    assert "until 25/07/2023" in page


def test_report_asking_for_no_auto_response_is_placed_but_not_answered(flow: Flow) -> None:
    # Outlook sets this header on some ordinary mails: still a report, but RFC 3834 says
    # an automatic answer must not go to it.
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.6").title, ["Tăng 12% kinh phí."])])
    _send(
        flow,
        "khtc",
        "Gửi báo cáo.",
        [("BC KHTC.docx", report, DOCX)],
        headers=[("X-Auto-Response-Suppress", "All")],
    )
    flow.poll(expect=1)  # the poll places what it takes in
    assert flow.match() == []  # nothing left to place
    assert [r["section_key"] for r in flow.current("KHTC")] == ["1.2.1.6"]
    assert _receipts(flow) == []


def test_reattached_directive_letter_is_recognised_and_ignored(flow: Flow) -> None:
    flow.send_directives()
    directive = flow.inbox("qlcn")[0]
    letter = next(
        p.get_content()
        for p in directive.iter_attachments()
        if (p.get_filename() or "").endswith(".docx")
    )
    o = flow.outline()
    report = report_docx([Section(o.section("1.2.1.1").title, ["Ban hành 03 văn bản."])])
    files = [("Cong van.docx", letter, DOCX), ("Bao cao.docx", report, DOCX)]
    _send(flow, "qlcn", "Gửi báo cáo kèm công văn.", files)
    flow.poll(expect=1)
    flow.match()
    docs = {d["name"]: d for d in flow.query("SELECT * FROM documents")}
    assert docs["Cong van.docx"]["status"] == "ignored"
    assert docs["Cong van.docx"]["reason"] == "review.reason.copy_directive"
    assert [r["section_key"] for r in flow.current("QLCN")] == ["1.2.1.1"]
